package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
)

// checkPeople is a workflow file of one checkConnectionStatus per person;
// with --chunk-size 1 each person is one workflow.
const checkPeople = `version: 1
name: check-people
inputs:
  people:
    type: array
    items: {type: string}
workflow:
  - forEach: ${{ inputs.people }}
    as: p
    action: checkConnectionStatus
    personUrl: ${{ p }}
`

// testbed is a sandbox, a state directory and a campaign file.
type testbed struct {
	t     *testing.T
	srv   *sandbox.Server
	dir   string
	env   map[string]string
	file  string
	state string
	ahead time.Duration // dropPost's front: how far its Date headers are ahead
}

func newTestbed(t *testing.T, opts sandbox.Options, people ...string) *testbed {
	t.Helper()
	srv, err := sandbox.Start(context.Background(), "127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	tb := &testbed{t: t, srv: srv, dir: dir, file: filepath.Join(dir, "campaign.yaml"), state: filepath.Join(dir, "state")}
	tb.env = map[string]string{
		"LINKED_API_TOKEN":     sandbox.DefaultLinkedAPIToken,
		"IDENTIFICATION_TOKEN": sandbox.DefaultIdentificationToken,
		"LINKED_API_ENDPOINT":  srv.URL,
		"LWF_STATE":            tb.state,
		"LWF_CONFIG":           filepath.Join(dir, "no-config.yaml"),
	}
	if len(people) == 0 {
		people = urls("p", 5)
	}
	write(t, tb.file, checkPeople)
	inputs, _ := json.Marshal(map[string]any{"people": people})
	write(t, filepath.Join(dir, "people.json"), string(inputs))
	return tb
}

func urls(prefix string, n int) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, fmt.Sprintf("https://www.linkedin.com/in/%s-%d", prefix, i))
	}
	return out
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// lwf runs the CLI in-process.
func (tb *testbed) lwf(args ...string) (code int, stdout, stderr string) {
	tb.t.Helper()
	var out, errb bytes.Buffer
	code = mainWithEnv(context.Background(), args, strings.NewReader(""), &out, &errb, func(k string) string { return tb.env[k] })
	return code, out.String(), errb.String()
}

// runArgs are the arguments that run the campaign quickly.
func (tb *testbed) runArgs(extra ...string) []string {
	return append([]string{"run", tb.file, "--inputs-file", filepath.Join(tb.dir, "people.json"), "--chunk-size", "1",
		"--poll-start", "5ms", "--poll-max", "20ms", "--rate", "0"}, extra...)
}

func (tb *testbed) posts() int64 {
	return tb.srv.Sandbox.Counters().Requests[sandbox.EndpointPostWorkflows]
}

func TestRunReattachesInsteadOfSendingAgain(t *testing.T) {
	people := append(urls("p", 3), "https://www.linkedin.com/in/person-not-found")
	tb := newTestbed(t, sandbox.Options{}, people...)
	code, _, stderr := tb.lwf(tb.runArgs()...)
	if code != exitFindings {
		t.Fatalf("exit %d, want 1 (an action error)\n%s", code, stderr)
	}
	want := "action errors (1: 1 personNotFound):\n  [3] › checkConnectionStatus: personNotFound\n"
	if !strings.Contains(stderr, want) || tb.posts() != 4 {
		t.Errorf("POSTs %d; stderr:\n%s\nwant it to contain:\n%s", tb.posts(), stderr, want)
	}
	code, _, stderr = tb.lwf(tb.runArgs("--allow-action-errors")...)
	if code != exitOK || !strings.Contains(stderr, "re-attaching to run r-") || tb.posts() != 4 {
		t.Errorf("second run: exit %d, POSTs %d\n%s", code, tb.posts(), stderr)
	}
	if c := tb.srv.Sandbox.Counters(); c.DuplicatePayloads != 0 || c.WorkflowsAccepted != 4 {
		t.Errorf("sandbox counters: %+v", c)
	}
	code, _, stderr = tb.lwf(tb.runArgs("--new", "-q", "--allow-action-errors")...)
	if code != exitOK || tb.posts() != 8 {
		t.Errorf("--new: exit %d, POSTs %d\n%s", code, tb.posts(), stderr)
	}
	code, stdout, _ := tb.lwf("runs")
	if code != 0 || strings.Count(stdout, "check-people") != 2 {
		t.Errorf("runs: exit %d\n%s", code, stdout)
	}
}

func TestDetachWaitStatusResult(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{Speed: 20 * time.Millisecond})
	code, stdout, stderr := tb.lwf(tb.runArgs("--detach")...)
	id := strings.TrimSpace(stdout)
	if code != exitPending || !strings.HasPrefix(id, "r-") || !strings.Contains(stderr, "5 workflows submitted; follow with: lwf wait "+id) {
		t.Fatalf("detach: exit %d stdout %q\n%s", code, stdout, stderr)
	}
	code, stdout, _ = tb.lwf("status", id, "--no-refresh")
	if code != 0 || !strings.Contains(stdout, "5 workflows: 5 pending") {
		t.Errorf("status: exit %d\n%s", code, stdout)
	}
	out := filepath.Join(tb.dir, "out.csv")
	code, _, stderr = tb.lwf("wait", id[:8], "-o", out, "--poll-start", "5ms", "--poll-max", "20ms")
	if code != exitOK {
		t.Fatalf("wait: exit %d\n%s", code, stderr)
	}
	csv, _ := os.ReadFile(out)
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 6 || !strings.HasPrefix(lines[0], "item,checkConnectionStatus.connectionStatus") {
		t.Errorf("csv:\n%s", csv)
	}
	code, stdout, _ = tb.lwf("result", id, "--format", "jsonl")
	if code != 0 || strings.Count(stdout, "\n") != 5 || !strings.HasPrefix(stdout, `{"item":0,"checkConnectionStatus":{"connectionStatus":`) {
		t.Errorf("result: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = tb.lwf("status", id)
	if code != 0 || !strings.Contains(stdout, "; completed\n5 workflows: 5 completed; 5 actions, 0 action errors") {
		t.Errorf("status: exit %d\n%s", code, stdout)
	}
	if tb.posts() != 5 {
		t.Errorf("POSTs %d, want 5", tb.posts())
	}
}

func TestTimeoutThenCancel(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{Speed: time.Hour})
	code, _, stderr := tb.lwf(tb.runArgs("--timeout", "200ms")...)
	if code != exitPending || !strings.Contains(stderr, "timed out after 200ms: the workflows go on at Linked API; resume tracking with: lwf wait r-") {
		t.Fatalf("timeout: exit %d\n%s", code, stderr)
	}
	code, stdout, _ := tb.lwf("runs", "--json")
	var runs []struct{ ID, Status string }
	if err := json.Unmarshal([]byte(stdout), &runs); code != 0 || err != nil || len(runs) != 1 || runs[0].Status != "in progress" {
		t.Fatalf("runs: exit %d, %v %s", code, err, stdout)
	}
	code, _, stderr = tb.lwf("cancel", runs[0].ID)
	if code != 0 || tb.srv.Sandbox.Counters().WorkflowsCancelled != 5 {
		t.Errorf("cancel: exit %d, sandbox cancelled %d\n%s", code, tb.srv.Sandbox.Counters().WorkflowsCancelled, stderr)
	}
	code, _, stderr = tb.lwf("wait", runs[0].ID)
	if code != exitFindings || !strings.Contains(stderr, "5 workflows: 5 cancelled") || tb.posts() != 5 {
		t.Errorf("wait after cancel: exit %d POSTs %d\n%s", code, tb.posts(), stderr)
	}
}

func TestRunUsageAndAccountErrors(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	bad := filepath.Join(tb.dir, "bad.yaml")
	write(t, bad, "version: 1\nname: bad\nworkflow:\n  action: retrieveSSII\n")
	if code, _, stderr := tb.lwf("run", bad); code != exitFindings || !strings.Contains(stderr, "unknown action") {
		t.Errorf("compile error: exit %d\n%s", code, stderr)
	}
	tb.env["IDENTIFICATION_TOKEN"] = "not-the-right-one"
	code, _, stderr := tb.lwf(tb.runArgs()...)
	if code != exitUsage || !strings.Contains(stderr, "invalidIdentificationToken") || !strings.Contains(stderr, "resume with: lwf wait r-") {
		t.Errorf("bad token: exit %d\n%s", code, stderr)
	}
	delete(tb.env, "LINKED_API_TOKEN")
	delete(tb.env, "IDENTIFICATION_TOKEN")
	if code, _, stderr := tb.lwf("account"); code != exitUsage || !strings.Contains(stderr, "no Linked API credentials") {
		t.Errorf("no credentials: exit %d\n%s", code, stderr)
	}
}

func TestRunSandboxFlag(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	var o, e bytes.Buffer
	code := mainWithEnv(context.Background(), []string{"run", "--sandbox", "--sandbox-speed", "0", "--poll-start", "5ms", "--state", dir, "../../examples/ai-startups.yaml", "-o", out},
		strings.NewReader(""), &o, &e, func(string) string { return "" })
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, e.String())
	}
	var doc struct {
		Workflows []struct{ State string }
	}
	b, _ := os.ReadFile(out)
	// Two stages: the search, then a request per person found.
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Workflows) != 2 || doc.Workflows[0].State != "completed" || doc.Workflows[1].State != "completed" {
		t.Errorf("results: %v\n%s", err, b)
	}
}

func TestOneProcessDrivesARun(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{Speed: time.Hour})
	code, stdout, _ := tb.lwf(tb.runArgs("--detach", "-q")...)
	id := strings.TrimSpace(stdout)
	if code != exitPending {
		t.Fatalf("detach: exit %d", code)
	}
	db, err := sqlstore.Open(context.Background(), tb.state)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lock, err := db.Lock(id) // as if another lwf were tracking it
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Unlock()
	code, _, stderr := tb.lwf(tb.runArgs()...)
	want := fmt.Sprintf("lwf: run %s is being driven by another lwf process (pid %d); follow it with: lwf status %s\n", id, os.Getpid(), id)
	if code != exitPending || !strings.HasSuffix(stderr, want) {
		t.Errorf("exit %d, stderr:\n%s\nwant it to end with:\n%s", code, stderr, want)
	}
	if _, stdout, _ := tb.lwf("runs"); !strings.Contains(stdout, " tracking ") {
		t.Errorf("runs does not show the run as tracked:\n%s", stdout)
	}
}
