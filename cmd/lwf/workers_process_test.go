package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/internal/pgtest"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/schemas"
	"github.com/lwf-dev/lwf/sequence"
)

// workersSeq is a short sequence for the workers test: invite, wait for
// the acceptance (withdraw after three days), thank.
const workersSeq = `version: 1
name: team-sequence
inputs:
  leads: {type: array, items: {type: object, properties: {url: {type: string}}}}
sequence:
  leads: ${{ inputs.leads }}
  key: ${{ lead.url }}
  steps:
    - id: invite
      action: sendConnectionRequest
      personUrl: ${{ lead.url }}
    - id: accepted
      wait: connectionAccepted
      within: 3d
      onTimeout:
        action: withdrawConnectionRequest
        personUrl: ${{ lead.url }}
    - id: thanks
      after: 2h
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Thanks for connecting!
`

// workersSize is the size of the workers test: senders, campaign leads,
// sequence leads (some in both), workers.
type workersSize struct{ senders, campaign, sequence, overlap, workers, dailyLimit int }

// TestWorkersProcess runs lwf worker processes on one store while a
// campaign split over many senders and a sequence over the same senders
// are queued day after day, killing a random worker every few seconds
// (-replay N replays the kills) and starting another: nothing is sent
// twice, nobody hears from two senders, each sender keeps to its limits,
// and every lead finishes.
func TestWorkersProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("worker processes over simulated days: not in -short")
	}
	bin := buildLWF(t)
	// The figures on PostgreSQL, the store of several machines;
	// a smaller team on SQLite, the store of one machine.
	t.Run("postgres", func(t *testing.T) {
		testWorkers(t, bin, workersSize{senders: 20, campaign: 2000, sequence: 500, overlap: 100, workers: 4, dailyLimit: 60}, pgtest.URL(t))
	})
	t.Run("sqlite", func(t *testing.T) {
		testWorkers(t, bin, workersSize{senders: 6, campaign: 300, sequence: 120, overlap: 30, workers: 3, dailyLimit: 40}, "")
	})
}

func testWorkers(t *testing.T, bin string, size workersSize, state string) {
	pick := *killReplay
	if pick == 0 {
		pick = uint64(time.Now().UnixNano())
	}
	t.Logf("replay %d (go test ./cmd/lwf -run 'TestWorkersProcess' -replay %d)", pick, pick)
	rnd := rand.New(rand.NewPCG(pick, 7))
	var idents []string
	for i := 0; i < size.senders; i++ {
		idents = append(idents, fmt.Sprintf("sender-%02d", i+1))
	}
	// Retention of a month: results are read long after on a clock that
	// runs an hour every 150 ms.
	tb := newTestbed(t, sandbox.Options{ControllableClock: true, AcceptAfter: 12 * time.Hour, Spread: 36 * time.Hour, Retention: 30 * 24 * time.Hour,
		Tokens: map[string][]string{sandbox.DefaultLinkedAPIToken: idents}, MaxWorkflows: 200000})
	if state != "" {
		tb.env["LWF_STATE"] = state
	}
	start := time.Now().UTC().AddDate(0, 0, 8).Truncate(24 * time.Hour)
	if _, err := tb.srv.Sandbox.SetClock(start); err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	cfg.WriteString("profiles:\n")
	var senderArgs []string
	for i, id := range idents {
		fmt.Fprintf(&cfg, "  s%02d:\n    linked-api-token: %s\n    identification-token: %s\n    endpoint: %s\n    limits: {stConnectionRequests: {daily: %d}}\n",
			i+1, sandbox.DefaultLinkedAPIToken, id, tb.srv.URL, size.dailyLimit)
		senderArgs = append(senderArgs, "--sender", fmt.Sprintf("s%02d", i+1))
	}
	config := filepath.Join(tb.dir, "config.yaml")
	write(t, config, cfg.String())
	tb.env["LWF_CONFIG"] = config
	delete(tb.env, "LINKED_API_TOKEN")
	delete(tb.env, "IDENTIFICATION_TOKEN")
	campaignPeople := urls("camp", size.campaign)
	seqPeople := append(urls("seq", size.sequence-size.overlap), campaignPeople[:size.overlap]...)
	write(t, filepath.Join(tb.dir, "campaign.csv"), "url\n"+strings.Join(campaignPeople, "\n")+"\n")
	write(t, filepath.Join(tb.dir, "seq.csv"), "url\n"+strings.Join(seqPeople, "\n")+"\n")
	campaignFile := tb.campaignFile("campaign.yaml", strings.Replace(teamCampaign, "team-invites", "team-campaign", 1))
	seqFile := tb.campaignFile("seq.yaml", workersSeq)
	enqueue := func() {
		t.Helper()
		args := append([]string{"run", campaignFile, "--input", "leads=@" + filepath.Join(tb.dir, "campaign.csv"), "--enqueue", "-q",
			"--now", tb.srv.Sandbox.Now().UTC().Format(time.RFC3339)}, senderArgs...)
		if code, _, stderr := tb.lwf(args...); code != exitOK {
			t.Fatalf("enqueueing the campaign: exit %d\n%s", code, stderr)
		}
	}
	enqueue()
	args := append([]string{"run", seqFile, "--input", "leads=@" + filepath.Join(tb.dir, "seq.csv"), "--enqueue"}, senderArgs...)
	if code, _, stderr := tb.lwf(args...); code != exitOK {
		t.Fatalf("registering the sequence: exit %d\n%s", code, stderr)
	}

	// The workers.
	logs := t.TempDir()
	type proc struct {
		cmd  *exec.Cmd
		done chan struct{}
	}
	var mu sync.Mutex
	procs := map[int]*proc{}
	n := 0
	startWorker := func() {
		mu.Lock()
		defer mu.Unlock()
		n++
		cmd := tb.command(bin, "worker", "--sandbox-clock", "--endpoint", tb.srv.URL, "--poll-every", "100ms", "--poll-start", "2ms", "--poll-max", "10ms", "--rate", "0")
		f, err := os.Create(filepath.Join(logs, fmt.Sprintf("worker-%02d.log", n)))
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr, cmd.Stdout = f, f
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p := &proc{cmd: cmd, done: make(chan struct{})}
		go func() { cmd.Wait(); f.Close(); close(p.done) }()
		procs[n] = p
	}
	for i := 0; i < size.workers; i++ {
		startWorker()
	}
	kills := 0
	stop := make(chan struct{})
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		for {
			select {
			case <-stop:
				return
			case <-time.After(time.Duration(1500+rnd.IntN(2000)) * time.Millisecond):
			}
			mu.Lock()
			var live []int
			for id, p := range procs {
				select {
				case <-p.done:
				default:
					live = append(live, id)
				}
			}
			if len(live) > 0 {
				id := live[rnd.IntN(len(live))]
				procs[id].cmd.Process.Kill()
				<-procs[id].done
				delete(procs, id)
				kills++
			}
			mu.Unlock()
			startWorker()
		}
	}()
	defer func() {
		mu.Lock()
		for _, p := range procs {
			p.cmd.Process.Kill()
			<-p.done
		}
		mu.Unlock()
	}()

	// Simulated time: an hour every 150 ms; the campaign queued again
	// each simulated morning, for the people past the limits.
	deadline := time.Now().Add(300 * time.Second)
	finished, where := false, ""
	for h := 1; time.Now().Before(deadline); h++ {
		time.Sleep(150 * time.Millisecond)
		if _, err := tb.srv.Sandbox.AdvanceClock(time.Hour); err != nil {
			t.Fatal(err)
		}
		if h%24 == 8 {
			t0 := time.Now()
			enqueue()
			t.Logf("day %d: queued the campaign again in %s", h/24+1, time.Since(t0).Round(time.Millisecond))
		}
		if h%12 == 0 {
			if finished, where = workersDone(t, tb, size); finished {
				break
			}
		}
	}
	close(stop)
	<-killerDone
	if !finished {
		_, runs, _ := tb.lwf("runs", "--limit", "400")
		t.Errorf("the leads did not all finish in time (%d kills): %s; worker logs in %s\n%s", kills, where, logs, runs)
	}
	t.Logf("%d workers killed and replaced; simulated %s", kills, tb.srv.Sandbox.Now().Sub(start).Round(time.Hour))

	// What the sandbox executed.
	label := map[string]string{}
	for _, id := range idents {
		label[sandbox.AccountLabel(id)] = id
	}
	if d := tb.srv.Sandbox.Counters().DuplicatePayloads; d != 0 {
		t.Errorf("%d duplicate payloads", d)
	}
	from := map[string]map[string]bool{}
	invites := map[string]int{}
	perDay := map[string]int{}
	for _, w := range tb.srv.Sandbox.Writes() {
		who := schemas.NormalizePersonURL(w.Target)
		if from[who] == nil {
			from[who] = map[string]bool{}
		}
		from[who][label[w.Account]] = true
		if w.Action == "st.sendConnectionRequest" {
			invites[who]++
			perDay[label[w.Account]+" "+w.Time[:10]]++
		}
	}
	for who, s := range from {
		if len(s) > 1 {
			t.Errorf("%s heard from %d senders", who, len(s))
		}
		if invites[who] > 1 {
			t.Errorf("%s got %d connection requests", who, invites[who])
		}
	}
	for k, n := range perDay {
		if n > size.dailyLimit {
			t.Errorf("%s: %d connection requests, over the daily limit %d", k, n, size.dailyLimit)
		}
	}
	reached := 0
	for _, u := range campaignPeople {
		if invites[schemas.NormalizePersonURL(u)] == 1 {
			reached++
		}
	}
	if finished && reached != size.campaign {
		t.Errorf("%d of the campaign's %d people reached", reached, size.campaign)
	}
}

// workersDone reports whether the sequence's leads have all ended and
// the campaign has reached everyone, and says where they stand.
func workersDone(t *testing.T, tb *testbed, size workersSize) (bool, string) {
	code, out, stderr := tb.lwf("leads", "team-sequence", "--format", "json")
	if code != exitOK {
		return false, "lwf leads: " + stderr
	}
	var ls []sequence.LeadView
	if err := json.Unmarshal([]byte(out), &ls); err != nil {
		return false, err.Error()
	}
	status := map[string]int{}
	done := len(ls) >= size.sequence
	for _, l := range ls {
		status[string(l.Status)+" "+l.Step]++
		done = done && l.Status.Ended()
	}
	n := 0
	for _, w := range tb.srv.Sandbox.Writes() {
		if w.Action == "st.sendConnectionRequest" && strings.Contains(w.Target, "/camp-") {
			n++
		}
	}
	return done && n >= size.campaign, fmt.Sprintf("sequence leads %d: %v; campaign people reached %d of %d", len(ls), status, n, size.campaign)
}
