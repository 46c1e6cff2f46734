package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/sequence"
)

// connectThanks is a short sequence: invite, wait for the acceptance,
// thank them an hour later.
const connectThanks = `version: 1
name: connect-thanks
inputs:
  leads:
    type: array
    items: {type: object, properties: {url: {type: string}, name: {type: string}}}
sequence:
  leads: ${{ inputs.leads }}
  key: ${{ lead.url }}
  steps:
    - id: invite
      action: sendConnectionRequest
      personUrl: ${{ lead.url }}
      note: Hi ${{ lead.name }}!
    - id: accepted
      wait: connectionAccepted
      within: 7d
      onTimeout:
        action: withdrawConnectionRequest
        personUrl: ${{ lead.url }}
    - id: thanks
      after: 1h
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Thanks for connecting, ${{ lead.name }}!
  exitWhen: [replied]
`

// seqTestbed is a testbed whose sandbox clock the test moves, with lwf
// reading it (--sandbox-clock).
func seqTestbed(t *testing.T) (*testbed, string, []string) {
	t.Helper()
	tb := newTestbed(t, sandbox.Options{ControllableClock: true, AcceptAfter: 20 * time.Hour, ReplyAfter: 30 * 24 * time.Hour})
	if _, err := tb.srv.Sandbox.AdvanceClock(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	f := tb.campaignFile("seq.yaml", connectThanks)
	people := urls("seq", 6)
	var rows []string
	for i, u := range people {
		rows = append(rows, u+",Person"+string(rune('A'+i)))
	}
	write(t, filepath.Join(tb.dir, "leads.csv"), "url,name\n"+strings.Join(rows, "\n")+"\n")
	return tb, f, people
}

func (tb *testbed) seqArgs(cmd, file string, extra ...string) []string {
	args := []string{cmd, file, "--input", "leads=@" + filepath.Join(tb.dir, "leads.csv")}
	if cmd == "run" {
		args = append(args, "--sandbox-clock", "--poll-start", "2ms", "--poll-max", "5ms", "--rate", "0")
	}
	return append(args, extra...)
}

// TestSequenceCLI walks a sequence through lwf plan, lwf run (ticks),
// lwf status and lwf leads.
func TestSequenceCLI(t *testing.T) {
	tb, f, people := seqTestbed(t)

	code, out, stderr := tb.lwf(tb.seqArgs("plan", f)...)
	if code != exitOK || !strings.Contains(out, "6 new") || !strings.Contains(out, "due now: invite 6") || !strings.Contains(out, "Hi PersonA!") ||
		!strings.Contains(out, "POST /network/poll") {
		t.Fatalf("plan: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = tb.lwf(tb.seqArgs("plan", f, "--format", "json")...)
	var pv sequence.Preview
	if err := json.Unmarshal([]byte(out), &pv); err != nil || code != exitOK || pv.New != 6 || pv.DueNow["invite"] != 6 || len(pv.Reach) != 3 {
		t.Fatalf("plan --format json: exit %d, %v\n%s", code, err, out)
	}

	code, _, stderr = tb.lwf(tb.seqArgs("run", f)...)
	if code != exitOK || !strings.Contains(stderr, "6 joined, invite ×6") || !strings.Contains(stderr, "next:") {
		t.Fatalf("first tick: exit %d\n%s", code, stderr)
	}
	if n := tb.wrote("st.sendConnectionRequest"); n != 6 {
		t.Fatalf("%d connection requests after the first tick", n)
	}
	// Nothing is due: a second tick sends nothing.
	code, _, stderr = tb.lwf(tb.seqArgs("run", f)...)
	if code != exitOK || !strings.Contains(stderr, "nothing due") || tb.wrote("st.sendConnectionRequest") != 6 {
		t.Fatalf("second tick: exit %d\n%s", code, stderr)
	}
	// A day later the responsive half accepted; an hour after the tick
	// that saw it, they are thanked.
	if _, err := tb.srv.Sandbox.AdvanceClock(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = tb.lwf(tb.seqArgs("run", f)...)
	if code != exitOK || !strings.Contains(stderr, "connectionAccepted") {
		t.Fatalf("the tick a day later: exit %d\n%s", code, stderr)
	}
	if _, err := tb.srv.Sandbox.AdvanceClock(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = tb.lwf(tb.seqArgs("run", f)...)
	thanked := tb.wrote("st.sendMessage")
	if code != exitOK || thanked == 0 || thanked >= 6 || !strings.Contains(stderr, "thanks ×") {
		t.Fatalf("the thanks tick: exit %d, %d messages\n%s", code, thanked, stderr)
	}

	code, out, _ = tb.lwf("status", f)
	if code != exitOK || !strings.Contains(out, "connect-thanks: 6 leads") || !strings.Contains(out, "thanks") {
		t.Fatalf("status: exit %d\n%s", code, out)
	}
	code, out, _ = tb.lwf("status", f, "--format", "json")
	var fn sequence.Funnel
	if err := json.Unmarshal([]byte(out), &fn); err != nil || code != exitOK || fn.Leads != 6 || fn.Steps[2].Done != thanked || fn.Steps[0].Done != 6 {
		t.Fatalf("status --format json: exit %d %v\n%s", code, err, out)
	}

	code, out, _ = tb.lwf("leads", f, "--format", "csv")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || code != exitOK || len(rows) != 7 || rows[0][1] != "person" || !strings.Contains(strings.Join(rows[0], ","), "thanks_at") {
		t.Fatalf("leads --format csv: exit %d %v\n%s", code, err, out)
	}
	code, out, _ = tb.lwf("leads", f, "--status", "waiting")
	if code != exitOK || strings.Count(out, "waiting") != 6-thanked {
		t.Errorf("leads --status waiting (%d thanked):\n%s", thanked, out)
	}
	code, out, _ = tb.lwf("leads", "--person", people[0])
	if code != exitOK || !strings.Contains(out, "entered") || !strings.Contains(out, "st.sendConnectionRequest") {
		t.Errorf("leads --person: exit %d\n%s", code, out)
	}
	code, _, stderr = tb.lwf("leads", "--person", "https://www.linkedin.com/in/nobody")
	if code != exitFindings || !strings.Contains(stderr, "no lead") {
		t.Errorf("leads --person of nobody: exit %d\n%s", code, stderr)
	}
	code, out, _ = tb.lwf(tb.seqArgs("plan", f)...)
	if code != exitOK || !strings.Contains(out, "0 new, 6 already in the sequence") {
		t.Errorf("plan once started: exit %d\n%s", code, out)
	}
}

// TestSequenceTickWhileAnotherRuns: while another process holds the
// account's sequences, a tick does nothing and says so.
func TestSequenceTickWhileAnotherRuns(t *testing.T) {
	tb, f, _ := seqTestbed(t)
	db, err := sqlstore.Open(context.Background(), tb.state)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	creds := linkedapi.Credentials{LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: sandbox.DefaultIdentificationToken, Endpoint: tb.srv.URL}
	lock, err := db.LockAccount(creds.Account())
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := tb.lwf(tb.seqArgs("run", f)...)
	if code != exitPending || !strings.Contains(stderr, "another tick works this account's sequences now") || tb.posts() != 0 {
		t.Fatalf("a tick while the account is held: exit %d, %d posts\n%s", code, tb.posts(), stderr)
	}
	lock.Unlock()
	code, _, stderr = tb.lwf(tb.seqArgs("run", f)...)
	if code != exitOK || tb.wrote("st.sendConnectionRequest") != 6 {
		t.Fatalf("once released: exit %d\n%s", code, stderr)
	}
}

// TestSequenceFlagsRefused: the sandbox clock is read on loopback only,
// and one-shot flags are refused for sequences.
func TestSequenceFlagsRefused(t *testing.T) {
	tb, f, _ := seqTestbed(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--endpoint", "https://api.example.com/automation"}, "not a loopback address"},
		{[]string{"--detach"}, "one-shot runs"},
		{[]string{"--new"}, "one-shot runs"},
	} {
		code, _, stderr := tb.lwf(tb.seqArgs("run", f, c.args...)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d\n%s", c.args, code, stderr)
		}
	}
	code, _, stderr := tb.lwf("run", tb.file, "--follow", "--inputs-file", filepath.Join(tb.dir, "people.json"))
	if code != exitUsage || !strings.Contains(stderr, "--follow ticks a sequence") {
		t.Errorf("--follow on a one-shot file: exit %d\n%s", code, stderr)
	}
	if tb.posts() != 0 {
		t.Errorf("%d workflows sent", tb.posts())
	}
}

// TestSequenceOnTheSandbox plays the example sequence with lwf run
// --sandbox: the whole of it, on a simulated clock, in seconds.
func TestSequenceOnTheSandbox(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	code, _, stderr := tb.lwf("run", "--sandbox", "../../examples/sequences/connect-follow-up.yaml", "--input", "leads=@../../examples/sequences/leads.csv")
	if code != exitOK || !strings.Contains(stderr, "simulated days in") || !strings.Contains(stderr, "every lead has finished") ||
		!strings.Contains(stderr, "variant A") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	code, out, _ := tb.lwf("leads", "--sandbox", "connect-follow-up", "--format", "json")
	var views []sequence.LeadView
	if err := json.Unmarshal([]byte(out), &views); err != nil || code != exitOK || len(views) != 12 {
		t.Fatalf("leads --sandbox: exit %d %v\n%s", code, err, out)
	}
	// Played again: from the start, on a new sandbox.
	code, _, stderr = tb.lwf("run", "--sandbox", "../../examples/sequences/connect-follow-up.yaml", "--input", "leads=@../../examples/sequences/leads.csv")
	if code != exitOK || !strings.Contains(stderr, "its 12 leads of an earlier sandbox are forgotten") || !strings.Contains(stderr, "12 joined") {
		t.Fatalf("again: exit %d\n%s", code, stderr)
	}
}

// wrote counts the sandbox's writes of an action type.
func (tb *testbed) wrote(action string) int {
	n := 0
	for _, w := range tb.srv.Sandbox.Writes() {
		if w.Action == action {
			n++
		}
	}
	return n
}

// TestSequenceSenders ticks a sequence from three profiles' accounts:
// the leads are spread over them, each written to by one sender.
func TestSequenceSenders(t *testing.T) {
	idents := []string{"id-one", "id-two", "id-three"}
	tb := newTestbed(t, sandbox.Options{ControllableClock: true, AcceptAfter: 20 * time.Hour,
		Tokens: map[string][]string{sandbox.DefaultLinkedAPIToken: idents}})
	if _, err := tb.srv.Sandbox.AdvanceClock(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	cfg.WriteString("profiles:\n")
	for i, id := range idents {
		fmt.Fprintf(&cfg, "  s%d:\n    linked-api-token: %s\n    identification-token: %s\n    endpoint: %s\n", i+1, sandbox.DefaultLinkedAPIToken, id, tb.srv.URL)
	}
	config := filepath.Join(tb.dir, "config.yaml")
	write(t, config, cfg.String())
	tb.env["LWF_CONFIG"] = config
	f := tb.campaignFile("seq.yaml", connectThanks)
	people := urls("team", 12)
	write(t, filepath.Join(tb.dir, "leads.csv"), "url,name\n"+strings.Join(people, ",Pat\n")+",Pat\n")
	args := tb.seqArgs("run", f, "--sender", "s1", "--sender", "s2", "--sender", "s3")
	code, _, stderr := tb.lwf(args...)
	if code != exitOK || !strings.Contains(stderr, "new leads: ") || !strings.Contains(stderr, "senders:") {
		t.Fatalf("first tick: exit %d\n%s", code, stderr)
	}
	if n := tb.wrote("st.sendConnectionRequest"); n != 12 {
		t.Fatalf("%d connection requests, want 12\n%s", n, stderr)
	}
	from := map[string]map[string]bool{}
	for _, w := range tb.srv.Sandbox.Writes() {
		if from[w.Target] == nil {
			from[w.Target] = map[string]bool{}
		}
		from[w.Target][w.Account] = true
	}
	accounts := map[string]bool{}
	for who, s := range from {
		if len(s) != 1 {
			t.Errorf("%s written to by %d senders", who, len(s))
		}
		for a := range s {
			accounts[a] = true
		}
	}
	if len(accounts) != 3 {
		t.Errorf("the requests came from %d accounts, want the 3 senders", len(accounts))
	}
	if _, err := tb.srv.Sandbox.AdvanceClock(26 * time.Hour); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = tb.lwf(args...)
	if code != exitOK || !strings.Contains(stderr, "connectionAccepted") {
		t.Fatalf("a day later: exit %d\n%s", code, stderr)
	}
	code, out, _ := tb.lwf("status", f)
	if code != exitOK || !strings.Contains(out, "connect-thanks: 12 leads") || !strings.Contains(out, "senders:") || !strings.Contains(out, "  s2: 4 leads") {
		t.Errorf("status over the senders: exit %d\n%s", code, out)
	}
	code, _, stderr = tb.lwf(tb.seqArgs("run", f, "--sender", "s1", "--sender", "nobody")...)
	if code != exitUsage || !strings.Contains(stderr, "--sender nobody") {
		t.Errorf("an unknown sender: exit %d\n%s", code, stderr)
	}
}
