package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/sandbox"
)

// workerBed is a testbed with three sender profiles in a config file.
func workerBed(t *testing.T) *testbed {
	t.Helper()
	idents := []string{sandbox.DefaultIdentificationToken, "id-two", "id-three"}
	tb := newTestbed(t, sandbox.Options{ControllableClock: true, AcceptAfter: 20 * time.Hour,
		Tokens: map[string][]string{sandbox.DefaultLinkedAPIToken: idents}})
	if _, err := tb.srv.Sandbox.AdvanceClock(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	var cfg strings.Builder
	cfg.WriteString("profiles:\n")
	for i, id := range idents[1:] {
		fmt.Fprintf(&cfg, "  s%d:\n    linked-api-token: %s\n    identification-token: %s\n    endpoint: %s\n", i+1, sandbox.DefaultLinkedAPIToken, id, tb.srv.URL)
	}
	config := filepath.Join(tb.dir, "config.yaml")
	write(t, config, cfg.String())
	tb.env["LWF_CONFIG"] = config
	return tb
}

func (tb *testbed) workerArgs(extra ...string) []string {
	return append([]string{"worker", "--once", "--sandbox-clock", "--poll-start", "2ms", "--poll-max", "5ms", "--rate", "0"}, extra...)
}

// TestWorkerTicksRegisteredSequencesAndDrivesQueuedRuns: what lwf run
// --enqueue leaves — a sequence for two senders, a one-shot run — lwf
// worker does, and two workers at once do it once.
func TestWorkerTicksRegisteredSequencesAndDrivesQueuedRuns(t *testing.T) {
	tb := workerBed(t)
	f := tb.campaignFile("seq.yaml", connectThanks)
	people := urls("work", 10)
	write(t, filepath.Join(tb.dir, "leads.csv"), "url,name\n"+strings.Join(people, ",Sam\n")+",Sam\n")
	code, _, stderr := tb.lwf("run", f, "--input", "leads=@"+filepath.Join(tb.dir, "leads.csv"), "--sender", "s1", "--sender", "s2", "--enqueue")
	if code != exitOK || !strings.Contains(stderr, "registered for 2 senders") || tb.posts() != 0 {
		t.Fatalf("--enqueue of the sequence: exit %d, %d posts\n%s", code, tb.posts(), stderr)
	}
	code, out, stderr := tb.lwf(append(tb.runArgs(), "--enqueue")...)
	if code != exitOK || strings.TrimSpace(out) == "" || tb.posts() != 0 {
		t.Fatalf("--enqueue of a run: exit %d, %d posts\n%s%s", code, tb.posts(), out, stderr)
	}
	runID := strings.TrimSpace(out)
	// Two workers at once.
	var wg sync.WaitGroup
	codes, errs := make([]int, 2), make([]string, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, errs[i] = tb.lwf(tb.workerArgs()...)
		}()
	}
	wg.Wait()
	for i := range 2 {
		if codes[i] != exitOK {
			t.Fatalf("worker %d: exit %d\n%s", i, codes[i], errs[i])
		}
	}
	if n := tb.wrote("st.sendConnectionRequest"); n != 10 {
		t.Errorf("%d connection requests for 10 leads\n%s\n%s", n, errs[0], errs[1])
	}
	if d := tb.srv.Sandbox.Counters().DuplicatePayloads; d != 0 {
		t.Errorf("%d duplicate payloads", d)
	}
	_, states := tb.runStates2(runID)
	if states["completed"] != 5 {
		t.Errorf("the queued run: %v\n%s\n%s", states, errs[0], errs[1])
	}
	// A day later the accepted ones are thanked, by their own sender.
	if _, err := tb.srv.Sandbox.AdvanceClock(26 * time.Hour); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if code, _, stderr := tb.lwf(tb.workerArgs()...); code != exitOK {
			t.Fatalf("the next pass: exit %d\n%s", code, stderr)
		}
		if _, err := tb.srv.Sandbox.AdvanceClock(2 * time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if tb.wrote("st.sendMessage") == 0 {
		t.Error("nobody was thanked on the pass a day later")
	}
	from := map[string]map[string]bool{}
	for _, w := range tb.srv.Sandbox.Writes() {
		if from[w.Target] == nil {
			from[w.Target] = map[string]bool{}
		}
		from[w.Target][w.Account] = true
	}
	for who, s := range from {
		if len(s) != 1 && strings.Contains(who, "work-") {
			t.Errorf("%s written to by %d accounts", who, len(s))
		}
	}
}

// runStates2 reads a run's workflow states through lwf status --json.
func (tb *testbed) runStates2(id string) (string, map[string]int) {
	tb.t.Helper()
	_, out, _ := tb.lwf("status", id, "--json", "--no-refresh")
	var st struct {
		Counts struct {
			ByState map[string]int `json:"byState"`
		} `json:"counts"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		tb.t.Fatalf("status: %v\n%s", err, out)
	}
	return id, st.Counts.ByState
}

// teamCampaign invites every lead of a list.
const teamCampaign = `version: 1
name: team-invites
inputs:
  leads: {type: array, items: {type: object, properties: {url: {type: string}}}}
workflow:
  - action: sendConnectionRequest
    forEach: ${{ inputs.leads }}
    as: lead
    personUrl: ${{ lead.url }}
`

// TestCampaignSplitOverSenders: a one-shot campaign with --sender is
// split by person over the senders' accounts; run again, nobody is
// reached twice; queued, a worker sends it.
func TestCampaignSplitOverSenders(t *testing.T) {
	tb := workerBed(t)
	f := tb.campaignFile("invites.yaml", teamCampaign)
	people := urls("split", 9)
	csv := filepath.Join(tb.dir, "split.csv")
	write(t, csv, "url\n"+strings.Join(people, "\n")+"\n")
	args := []string{"run", f, "--input", "leads=@" + csv, "--sender", "s1", "--sender", "s2", "--chunk-size", "2", "--poll-start", "2ms", "--poll-max", "5ms", "--rate", "0"}
	code, _, stderr := tb.lwf(args...)
	if code != exitOK || strings.Count(stderr, "run r-") < 2 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	from := map[string]string{}
	for _, w := range tb.srv.Sandbox.Writes() {
		if prev, dup := from[w.Target]; dup {
			t.Errorf("%s written to twice (%s, %s)", w.Target, prev, w.Account)
		}
		from[w.Target] = w.Account
	}
	if len(from) != 9 {
		t.Fatalf("%d people reached, want 9\n%s", len(from), stderr)
	}
	// Again, with two more people: only they are sent to.
	people = append(people, urls("split-more", 2)...)
	write(t, csv, "url\n"+strings.Join(people, "\n")+"\n")
	code, _, stderr = tb.lwf(append(args, "--enqueue")...)
	if code != exitOK || !strings.Contains(stderr, "9 steps left out") || !strings.Contains(stderr, "queued") {
		t.Fatalf("again, queued: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := tb.lwf(tb.workerArgs()...); code != exitOK {
		t.Fatalf("worker: exit %d\n%s", code, stderr)
	}
	if n := tb.wrote("st.sendConnectionRequest"); n != 11 {
		t.Errorf("%d requests in all, want 11", n)
	}
	code, _, stderr = tb.lwf(append(args, "--sender", "s1")...)
	if code != exitUsage || !strings.Contains(stderr, "same account") {
		t.Errorf("a sender twice: exit %d\n%s", code, stderr)
	}
	for _, cmd := range []string{"worker", "serve"} {
		if code, _, stderr := tb.lwf(cmd, "--parallel", "0"); code != exitUsage || !strings.Contains(stderr, "--parallel 0: at least 1") {
			t.Errorf("%s --parallel 0: exit %d\n%s", cmd, code, stderr)
		}
	}
}
