package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
)

// fakeClock is a sandbox clock a test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestInboxPoll(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	ada := "https://www.linkedin.com/in/ada-already-connected" // the sandbox lets one message connections only
	if code, out, _ := tb.lwf("inbox", "poll"); code != 0 || out != "no messages (the inbox is captured from the moment a syncInbox action ran: lwf run sync-inbox)\n" {
		t.Errorf("before a sync: exit %d %q", code, out)
	}
	for _, args := range [][]string{{"sync-inbox"}, {"send-message", "--input", "personUrl=" + ada, "--input", "text=Thanks for connecting, Ada!"}} {
		if code, _, stderr := tb.run(append(args, "-q")...); code != 0 {
			t.Fatalf("run %v: exit %d\n%s", args, code, stderr)
		}
	}
	code, out, stderr := tb.lwf("inbox", "poll")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "  TIME ") ||
		!strings.Contains(lines[1], "  st    us    "+ada+"  Thanks for connecting, Ada!") {
		t.Errorf("inbox poll: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = tb.lwf("inbox", "poll", "--format", "json", "--type", "st")
	var msgs []linkedapi.InboxMessage
	if err := json.Unmarshal([]byte(out), &msgs); code != 0 || err != nil || len(msgs) != 1 || msgs[0].PersonURL != ada || msgs[0].Sender != "us" {
		t.Errorf("json: exit %d %v\n%s", code, err, out)
	}
	// --since in the future keeps nothing, and the API is asked for it.
	code, out, _ = tb.lwf("inbox", "poll", "--format", "json", "--since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("--since: exit %d %s", code, out)
	}
	for _, bad := range [][]string{{"--type", "li"}, {"--since", "yesterday"}} {
		if code, _, _ := tb.lwf(append([]string{"inbox", "poll"}, bad...)...); code != exitUsage {
			t.Errorf("%v: exit %d", bad, code)
		}
	}
}

func TestNetworkPoll(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	tb := newTestbed(t, sandbox.Options{Clock: clock.now, AcceptAfter: time.Hour})
	if code, out, _ := tb.lwf("network", "poll"); code != 0 || !strings.HasPrefix(out, "no events") {
		t.Errorf("before a sync: exit %d %q", code, out)
	}
	if code, _, stderr := tb.run("sync-network", "-q"); code != 0 {
		t.Fatalf("sync-network: exit %d\n%s", code, stderr)
	}
	people := urls("lead", 8)
	csv := tb.leadsCSV("leads.csv", people...)
	if code, _, stderr := tb.run(tb.campaignFile("c.yaml", outreach), "--input", "leads=@"+csv, "-q"); code != 0 {
		t.Fatalf("requests: exit %d\n%s", code, stderr)
	}
	clock.add(2 * time.Hour)
	code, out, _ := tb.lwf("network", "poll", "--format", "json", "--type", "connectionAccepted")
	var events []linkedapi.NetworkEvent
	if err := json.Unmarshal([]byte(out), &events); code != 0 || err != nil || len(events) == 0 || len(events) == len(people) {
		t.Fatalf("json: exit %d %v: %d events of %d requests\n%s", code, err, len(events), len(people), out)
	}
	for _, e := range events {
		if e.Type != "connectionAccepted" || !strings.HasPrefix(e.PersonURL, "https://www.linkedin.com/in/lead-") {
			t.Errorf("event %+v", e)
		}
	}
	code, out, _ = tb.lwf("network", "poll")
	if lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n"); code != 0 || len(lines) != len(events)+1 ||
		!strings.HasPrefix(lines[0], "  TIME ") || !strings.Contains(lines[1], "  connectionAccepted  https://www.linkedin.com/in/lead-") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
	if code, _, stderr := tb.lwf("network", "poll", "--type", "accepted"); code != exitUsage || !strings.Contains(stderr, "connectionAccepted, connectionAdded or connectionRequestReceived") {
		t.Errorf("bad --type: exit %d %q", code, stderr)
	}
}

// TestStatusMidRun: while a workflow runs, status does not count its
// actions as 0 beside the progress the API reports.
func TestStatusMidRun(t *testing.T) {
	clock := &fakeClock{t: time.Now()}
	tb := newTestbed(t, sandbox.Options{Clock: clock.now, Speed: time.Second})
	code, stdout, stderr := tb.lwf("run", tb.file, "--inputs-file", filepath.Join(tb.dir, "people.json"), "--detach")
	id := strings.TrimSpace(stdout)
	if code != exitPending {
		t.Fatalf("detach: exit %d\n%s", code, stderr)
	}
	clock.add(3500 * time.Millisecond) // pending for 1s, then 2 of 5 actions
	code, stdout, _ = tb.lwf("status", id)
	if code != 0 || !strings.Contains(stdout, "\n1 workflow: 1 running\n") || !strings.Contains(stdout, "running  ") || !strings.Contains(stdout, " of 5 actions done") {
		t.Errorf("status mid-run: exit %d\n%s", code, stdout)
	}
	clock.add(time.Hour)
	code, stdout, _ = tb.lwf("status", id)
	if code != 0 || !strings.Contains(stdout, "\n1 workflow: 1 completed; 5 actions, 0 action errors\n") {
		t.Errorf("status at the end: exit %d\n%s", code, stdout)
	}
	if got := countsLine(mixedCounts()); got != "1 running, 2 completed; 6 actions, 1 action errors in the completed workflows" {
		t.Errorf("mixed: %q", got)
	}
}

// TestCompleteRunIDs: status, wait, result and cancel complete run ids
// from the state store, and completing creates no store.
func TestCompleteRunIDs(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	if code, _, stderr := tb.lwf(tb.runArgs("-q")...); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	_, out, _ := tb.lwf("runs", "--format", "json")
	var runs []struct{ ID string }
	if err := json.Unmarshal([]byte(out), &runs); err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v %s", err, out)
	}
	for _, c := range []string{"status", "wait", "result", "cancel"} {
		code, out, _ := tb.lwf("__complete", c, "")
		if code != 0 || !strings.HasPrefix(out, runs[0].ID+"\tcheck-people · completed · ") || !strings.HasSuffix(out, ":4\n") {
			t.Errorf("%s: exit %d\n%s", c, code, out)
		}
		if _, out, _ := tb.lwf("__complete", c, runs[0].ID[2:6]); !strings.HasPrefix(out, runs[0].ID+"\t") {
			t.Errorf("%s by prefix without r-:\n%s", c, out)
		}
		if _, out, _ := tb.lwf("__complete", c, "r-zz"); out != ":4\n" {
			t.Errorf("%s r-zz:\n%s", c, out)
		}
	}
	empty := filepath.Join(tb.dir, "empty")
	if _, out, _ := tb.lwf("__complete", "status", "--state", empty, ""); out != ":4\n" {
		t.Errorf("no store:\n%s", out)
	}
	if _, err := os.Stat(empty); err == nil {
		t.Error("completing created a state directory")
	}
}

func mixedCounts() state.Counts {
	return state.Counts{Total: 3, ByState: map[state.State]int{state.Running: 1, state.Completed: 2}, Actions: 6, Errors: 1}
}

// TestStatsCountsTheLastSecond: what ran in the second lwf stats is asked
// in counts (the API takes whole seconds, so "until now" is rounded up).
func TestStatsCountsTheLastSecond(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	if code, _, stderr := tb.lwf(tb.runArgs("-q")...); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	code, out, _ := tb.lwf("stats", "--since", "1h", "--format", "json")
	var stats []linkedapi.ActionStat
	if err := json.Unmarshal([]byte(out), &stats); code != 0 || err != nil || len(stats) != 5 {
		t.Errorf("stats: exit %d, %v: %d actions of 5\n%s", code, err, len(stats), out)
	}
}
