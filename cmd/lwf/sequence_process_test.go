package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/schemas"
	"github.com/lwf-dev/lwf/sequence"
)

// seqKill is the sequence of the sequences issue, tuned for a test whose
// ticks fall on whole hours of a simulated clock: its delays end 32
// minutes past an hour and its pace does not bind past the first day, so
// that what a tick finds due never hangs on how many milliseconds a tick
// took — a run killed and resumed must reach the same outcome as one
// never interrupted.
const seqKill = `version: 1
name: seq-kill
inputs:
  leads:
    type: array
    items: {type: object, properties: {url: {type: string}, first: {type: string}}}
sequence:
  leads: ${{ inputs.leads }}
  key: ${{ lead.url }}
  steps:
    - id: invite
      action: sendConnectionRequest
      personUrl: ${{ lead.url }}
      note: Hi ${{ lead.first }}, glad to connect.
    - id: accepted
      wait: connectionAccepted
      within: 14d32m
      onTimeout:
        action: withdrawConnectionRequest
        personUrl: ${{ lead.url }}
    - id: hello
      after: 1d32m
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Thanks for connecting, ${{ lead.first }}!
    - id: follow-up
      after: 3d32m
      if: ${{ steps.hello.ok }}
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Any thoughts, ${{ lead.first }}?
  exitWhen: [replied]
  schedule:
    workingHours: Mon-Fri 08:00-19:00 UTC
    pace: 3m
`

// seqBed is a sandbox whose clock the test moves, a state directory, and
// a sequence file with its lead list.
type seqBed struct {
	*testbed
	csv   string
	start time.Time
	// resynced counts the ticks that sent a feed's one-time sync again,
	// its earlier submission unknown: the one payload that may be sent
	// twice.
	resynced int
}

// newSeqBed starts a sandbox with a controllable clock set to a Monday
// 06:00 UTC (ahead of the machine's clock: the sandbox clock only moves
// forward) and writes the sequence and n leads.
func newSeqBed(t *testing.T, opts sandbox.Options, text string, n int) *seqBed {
	t.Helper()
	opts.ControllableClock = true
	b := &seqBed{testbed: newTestbed(t, opts)}
	b.file = filepath.Join(b.dir, "seq.yaml")
	write(t, b.file, text)
	b.csv = filepath.Join(b.dir, "leads.csv")
	b.setLeads(0, n)
	b.start = time.Now().UTC().AddDate(0, 0, 8)
	b.start = time.Date(b.start.Year(), b.start.Month(), b.start.Day(), 6, 0, 0, 0, time.UTC)
	for b.start.Weekday() != time.Monday {
		b.start = b.start.AddDate(0, 0, 1)
	}
	b.setClock(b.start)
	return b
}

// setLeads writes leads from..to-1 to the lead list.
func (b *seqBed) setLeads(from, to int) {
	var sb strings.Builder
	sb.WriteString("url,first\n")
	for i := from; i < to; i++ {
		fmt.Fprintf(&sb, "https://www.linkedin.com/in/seq-lead-%02d,Lead%d\n", i, i)
	}
	write(b.t, b.csv, sb.String())
}

// setClock moves the sandbox clock to at; at the start, where
// newSeqBed set it, it is left as it is.
func (b *seqBed) setClock(at time.Time) {
	b.t.Helper()
	if at.Equal(b.start) {
		return
	}
	if _, err := b.srv.Sandbox.SetClock(at); err != nil {
		b.t.Fatal(err)
	}
}

// tickRun is one lwf run of the sequence file: one tick.
type tickRun struct {
	code           int
	killed         bool
	stdout, stderr string
	took           time.Duration
	tick           struct {
		Sent map[string]int
		Runs []string
	}
}

// tickArgs are the arguments of lwf run for one tick.
func (b *seqBed) tickArgs() []string {
	return []string{"run", b.file, "--input", "leads=@" + b.csv, "--sandbox-clock",
		"--poll-start", "1ms", "--poll-max", "5ms", "--rate", "0", "--json-events"}
}

// tickInProcess runs one tick in the test's process.
func (b *seqBed) tickInProcess() tickRun {
	b.t.Helper()
	began := time.Now()
	var r tickRun
	r.code, r.stdout, r.stderr = b.lwf(b.tickArgs()...)
	r.took = time.Since(began)
	if r.code == exitOK {
		if err := json.Unmarshal([]byte(r.stdout), &r.tick); err != nil {
			b.t.Errorf("the tick's --json-events line: %v\n%s", err, r.stdout)
		}
	}
	return r
}

// tick runs one tick of the real binary on the sandbox's clock; with
// killAfter > 0 it is killed with SIGKILL after that long unless it
// finished first.
func (b *seqBed) tick(bin string, killAfter time.Duration) tickRun {
	b.t.Helper()
	var out, errb bytes.Buffer
	cmd := b.command(bin, b.tickArgs()...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	began := time.Now()
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	r := tickRun{}
	var timer <-chan time.Time
	if killAfter > 0 {
		timer = time.After(killAfter)
	}
	select {
	case <-done:
	case <-timer:
		cmd.Process.Kill()
		<-done
		r.killed = true
	}
	r.took = time.Since(began)
	r.code = cmd.ProcessState.ExitCode()
	r.stdout, r.stderr = out.String(), errb.String()
	b.resynced += strings.Count(r.stderr, "sent again (a second sync does no harm)")
	if !r.killed && r.code == exitOK {
		if err := json.Unmarshal(out.Bytes(), &r.tick); err != nil {
			b.t.Errorf("the tick's --json-events line: %v\n%s", err, r.stdout)
		}
	}
	return r
}

// leads reads the sequence's leads through lwf leads --format json.
func (b *seqBed) leads(statuses ...string) []sequence.LeadView {
	b.t.Helper()
	args := []string{"leads", b.file, "--format", "json", "--state", b.state}
	if len(statuses) > 0 {
		args = append(args, "--status", strings.Join(statuses, ","))
	}
	code, out, stderr := b.lwf(args...)
	var ls []sequence.LeadView
	if code != exitOK || json.Unmarshal([]byte(out), &ls) != nil {
		b.t.Fatalf("lwf leads: exit %d\n%s%s", code, out, stderr)
	}
	return ls
}

// timeline reads one lead's timeline through lwf leads --person.
func (b *seqBed) timeline(person string) sequence.LeadView {
	b.t.Helper()
	code, out, stderr := b.lwf("leads", "--person", person, "--format", "json", "--state", b.state)
	var v sequence.LeadView
	if code != exitOK || json.Unmarshal([]byte(out), &v) != nil {
		b.t.Fatalf("lwf leads --person %s: exit %d\n%s%s", person, code, out, stderr)
	}
	return v
}

// checkOnce fails when the sandbox received a payload twice, when a
// person got two connection requests, two withdrawals or one message
// twice, or when a lead's timeline has a step sent, done or ended twice.
func (b *seqBed) checkOnce(label string) {
	b.t.Helper()
	if n := b.srv.Sandbox.Counters().DuplicatePayloads; n > int64(b.resynced) {
		b.t.Errorf("%s: the sandbox received %d duplicate payloads (%d syncs sent again)", label, n, b.resynced)
	}
	seen := map[string]int{}
	for _, w := range b.srv.Sandbox.Writes() {
		key := w.Action + " " + schemas.NormalizePersonURL(w.Target)
		if w.Action == "st.sendMessage" {
			key += " " + w.Text
		}
		if seen[key]++; seen[key] == 2 {
			b.t.Errorf("%s: the sandbox executed twice: %s", label, key)
		}
	}
	for _, l := range b.leads() {
		v := b.timeline(l.Person)
		count := map[string]int{}
		for _, e := range v.Timeline {
			key := e.Kind + " " + e.Step
			if e.Kind == "event" {
				key = "event " + strings.Fields(e.Detail)[0]
			}
			if count[key]++; count[key] == 2 {
				b.t.Errorf("%s: %s: %q twice in its timeline", label, l.Person, key)
			}
		}
	}
}

// funnelOf is where each lead ended: its status and the steps it did.
func funnelOf(ls []sequence.LeadView) map[string]string {
	out := map[string]string{}
	for _, l := range ls {
		var ok []string
		for id, r := range l.Steps {
			if r.OK {
				ok = append(ok, id)
			}
		}
		sort.Strings(ok)
		out[l.Person] = string(l.Status) + " " + strings.Join(ok, ",")
	}
	return out
}

// TestSequenceProcess runs ticks of a sequence with the real lwf binary:
// killed with SIGKILL at random moments, and two at once.
func TestSequenceProcess(t *testing.T) {
	bin := buildLWF(t)
	t.Run("kill -9 during ticks", func(t *testing.T) { testSeqKill9(t, bin) })
	t.Run("two ticks at once", func(t *testing.T) { testSeqTwoTicks(t, bin) })
}

// testSeqKill9 plays 36 leads through the connect → wait → message →
// follow-up sequence over 21 simulated days, a tick of lwf run every one
// to three simulated hours, twice: once uninterrupted, once with twenty
// ticks killed with SIGKILL at a random moment and run again at the same
// simulated hour. Nothing may be sent twice, no lead may do a step twice,
// and every lead must end as in the uninterrupted run — unless a kill
// left its submission unknown, which the tick must then report.
//
// The replay number decides the schedule, the ticks killed and when within each
// the kill comes, as a share of what the tick took uninterrupted: a
// replay kills the same ticks at about the same moments.
func testSeqKill9(t *testing.T, bin string) {
	const leads, days, kills = 36, 21, 20
	began := time.Now()
	pick := *killReplay
	if pick == 0 {
		pick = uint64(time.Now().UnixNano())
	}
	t.Logf("replay %d (go test ./cmd/lwf -run 'TestSequenceProcess/kill' -replay %d)", pick, pick)
	rnd := rand.New(rand.NewPCG(pick, 17))
	var hours []int
	for h := 0; h <= days*24; h += 1 + rnd.IntN(3) {
		hours = append(hours, h)
	}
	opts := sandbox.Options{Speed: 10 * time.Millisecond, AcceptAfter: 24 * time.Hour, ReplyAfter: 36 * time.Hour,
		Spread: 10 * 24 * time.Hour, Faults: sandbox.Faults{Latency: 2 * time.Millisecond}}

	// The uninterrupted run, in the test's process (the same code as the
	// binary's, without a process start per tick).
	clean := newSeqBed(t, opts, seqKill, leads)
	cleanTicks := make([]tickRun, len(hours))
	for k, h := range hours {
		clean.setClock(clean.start.Add(time.Duration(h) * time.Hour))
		cleanTicks[k] = clean.tickInProcess()
		if r := cleanTicks[k]; r.code != exitOK {
			t.Fatalf("uninterrupted run, tick %d (hour %d): exit %d\n%s", k, h, r.code, r.stderr)
		}
	}
	clean.checkOnce("uninterrupted run")
	want := funnelOf(clean.leads())
	tally := map[string]int{}
	for _, f := range want {
		tally[f]++
	}
	// Every path of the sequence was taken: the comparison is not idle.
	for _, f := range []string{"done accepted,follow-up,hello,invite", "exited accepted,hello,invite", "exited invite"} {
		if tally[f] == 0 {
			t.Errorf("no lead of the uninterrupted run ended %q: %v", f, tally)
		}
	}

	// Kill ticks that drove a run (then others) at a random moment
	// after the first quarter of what the tick took uninterrupted, plus
	// the ~50 ms a process takes to start and compile the file: most
	// land after the leads were recorded as being sent.
	var busy, idle []int
	for k, r := range cleanTicks {
		if len(r.tick.Runs) > 0 {
			busy = append(busy, k)
		} else {
			idle = append(idle, k)
		}
	}
	rnd.Shuffle(len(busy), func(i, j int) { busy[i], busy[j] = busy[j], busy[i] })
	rnd.Shuffle(len(idle), func(i, j int) { idle[i], idle[j] = idle[j], idle[i] })
	killAt := map[int]time.Duration{}
	for _, k := range append(busy, idle...)[:kills] {
		took := cleanTicks[k].took
		killAt[k] = took/4 + time.Duration(rnd.Float64()*float64(took*3/4+50*time.Millisecond))
	}

	tb := newSeqBed(t, opts, seqKill, leads)
	killedMid, midDrive, reported := 0, 0, 0
	for k, h := range hours {
		tb.setClock(tb.start.Add(time.Duration(h) * time.Hour))
		d, kill := killAt[k]
		if !kill {
			if r := tb.tick(bin, 0); r.code != exitOK {
				t.Fatalf("tick %d (hour %d): exit %d\n%s", k, h, r.code, r.stderr)
			}
			continue
		}
		before := len(tb.leads("unknown"))
		if tb.tick(bin, d).killed {
			killedMid++
		}
		if len(tb.leads("sending")) > 0 {
			midDrive++
		}
		// The same simulated hour, again.
		r := tb.tick(bin, 0)
		unknown := len(tb.leads("unknown"))
		switch {
		case unknown > before && r.code != exitFindings:
			t.Errorf("tick %d (hour %d) after the kill left %d leads unknown: exit %d, want 1\n%s", k, h, unknown-before, r.code, r.stderr)
		case unknown == before && r.code != exitOK:
			t.Fatalf("tick %d (hour %d) after the kill: exit %d\n%s", k, h, r.code, r.stderr)
		}
		if unknown > before {
			reported += unknown - before
			bad := len(tb.leads("failed", "unknown"))
			line := results.Plural(bad, "lead") + " failed or unknown: lwf leads"
			if !strings.Contains(r.stderr, line) {
				t.Errorf("tick %d: %d leads left unknown by the kill, not reported (%q)\n%s", k, unknown-before, line, r.stderr)
			}
		}
	}
	tb.checkOnce("killed run")
	final := tb.leads()
	got := funnelOf(final)
	unknown := 0
	for _, l := range final {
		if l.Status == "unknown" {
			unknown++
			if !strings.HasPrefix(l.Error, "whether Linked API received its step is unknown: ") {
				t.Errorf("%s is unknown, and lwf leads says: %q", l.Person, l.Error)
			}
			continue
		}
		if g, w := got[l.Person], want[l.Person]; g != w {
			t.Errorf("%s ended %q; uninterrupted, %q", l.Person, g, w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d leads; uninterrupted, %d", len(got), len(want))
	}
	if killedMid < kills/2 || midDrive == 0 {
		t.Errorf("only %d of %d kills landed while the tick ran, %d while leads were being sent", killedMid, kills, midDrive)
	}
	t.Logf("%d ticks over %d simulated days, twice; %d kills at ticks that drove a run and %d at others: %d mid-tick, %d left leads sending; %s left unknown and reported, %s sent again; funnel %v; %s",
		len(hours), days, min(kills, len(busy)), kills-min(kills, len(busy)), killedMid, midDrive, results.Plural(unknown, "lead"), results.Plural(tb.resynced, "sync"),
		tally, time.Since(began).Round(100*time.Millisecond))
	if unknown != reported {
		t.Errorf("%d unknown leads at the end, %d reported by the ticks", unknown, reported)
	}
}

// testSeqTwoTicks starts two ticks of the same sequence on the same store
// at once, eight times over as new leads join: one works, the other exits
// 3 saying another tick works the account (or, when it came second, finds
// nothing due), and nothing is sent twice.
func testSeqTwoTicks(t *testing.T, bin string) {
	const reps, perRep = 8, 6
	const busyMsg = "another tick works this account's sequences now; nothing was done — run again later\n"
	b := newSeqBed(t, sandbox.Options{Speed: 60 * time.Millisecond, AcceptAfter: time.Hour}, seqKill, 0)
	overlapped := 0
	for rep := 0; rep < reps; rep++ {
		b.setLeads(0, (rep+1)*perRep)
		// Working days at 09:00, 10:00, …: each rep invites the new
		// leads, and thanks those who accepted two reps before.
		day := rep + 2*(rep/5)
		b.setClock(b.start.Add(time.Duration(day)*24*time.Hour + time.Duration(3+rep)*time.Hour))
		var rs [2]tickRun
		done := make(chan struct{})
		for i := range rs {
			go func() { rs[i] = b.tick(bin, 0); done <- struct{}{} }()
		}
		<-done
		<-done
		workers, sent := 0, 0
		for i, r := range rs {
			switch {
			case r.code == exitPending && strings.HasSuffix(r.stderr, busyMsg) && r.stdout == "":
				overlapped++
			case r.code == exitOK:
				if len(r.tick.Sent) > 0 {
					workers++
				}
				for _, n := range r.tick.Sent {
					sent += n
				}
			default:
				t.Errorf("rep %d, tick %d: exit %d\n%s%s", rep, i, r.code, r.stdout, r.stderr)
			}
		}
		if workers != 1 || sent < perRep {
			t.Errorf("rep %d: %d ticks sent %d steps; want one tick sending at least the %d invitations", rep, workers, sent, perRep)
		}
	}
	b.checkOnce("two ticks at once")
	tally := map[string]int{}
	for _, w := range b.srv.Sandbox.Writes() {
		tally[w.Action]++
	}
	if tally["st.sendConnectionRequest"] != reps*perRep || tally["st.sendMessage"] == 0 {
		t.Errorf("the sandbox executed %v; want %d invitations and some messages", tally, reps*perRep)
	}
	if overlapped == 0 {
		t.Errorf("in %d reps the two ticks never overlapped", reps)
	}
	t.Logf("%d reps: the second tick found the first at work %d times; the sandbox executed %v", reps, overlapped, tally)
}
