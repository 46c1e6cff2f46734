package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/sandbox"
)

// buildLWF builds the lwf binary into a test directory.
func buildLWF(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build lwf: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "lwf")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("building lwf: %v\n%s", err, out)
	}
	return bin
}

// processEnv is the environment of an lwf subprocess: the test's, without
// any credentials or state settings of the machine, plus tb's.
func (tb *testbed) processEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "LINKED_API_") || strings.HasPrefix(k, "LWF_") || k == "IDENTIFICATION_TOKEN" {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range tb.env {
		env = append(env, k+"="+v)
	}
	return env
}

func (tb *testbed) command(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = tb.processEnv()
	cmd.Dir = tb.dir
	return cmd
}

// runStates reads the run's workflow states through lwf status --json.
func (tb *testbed) runStates() (id string, states map[string]int) {
	tb.t.Helper()
	_, out, _ := tb.lwf("runs", "--json")
	var runs []struct{ ID string }
	if err := json.Unmarshal([]byte(out), &runs); err != nil || len(runs) != 1 {
		tb.t.Fatalf("runs: %v\n%s", err, out)
	}
	_, out, _ = tb.lwf("status", runs[0].ID, "--json", "--no-refresh")
	var st struct {
		Counts struct {
			ByState map[string]int `json:"byState"`
		} `json:"counts"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		tb.t.Fatalf("status: %v\n%s", err, out)
	}
	return runs[0].ID, st.Counts.ByState
}

// killReplay replays the kill moments of an earlier run of TestProcess.
var killReplay = flag.Uint64("replay", 0, "the number that decides the kill -9 tests' random moments (0: a new one, printed)")

// TestProcess runs the real lwf binary: killed with SIGKILL at random
// moments of a campaign, and interrupted with Ctrl-C.
func TestProcess(t *testing.T) {
	bin := buildLWF(t)
	t.Run("kill -9", func(t *testing.T) { testKill9(t, bin) })
	t.Run("kill -9 staged", func(t *testing.T) { testKill9Staged(t, bin) })
	t.Run("ctrl-c", func(t *testing.T) { testInterrupt(t, bin) })
}

// testKill9 kills lwf run up to three times at random moments of a
// 40-workflow campaign, then runs it to the end, ten times over. Every
// workflow must end completed or reported unknown, and the sandbox must
// never have received a payload twice.
func testKill9(t *testing.T, bin string) {
	const workflows, reps = 40, 10
	pick := *killReplay
	if pick == 0 {
		pick = uint64(time.Now().UnixNano())
	}
	t.Logf("replay %d (go test ./cmd/lwf -run 'TestProcess/kill' -replay %d)", pick, pick)
	rnd := rand.New(rand.NewPCG(pick, 9))
	totalKills, totalUnknown := 0, 0
	for rep := 0; rep < reps; rep++ {
		tb := newTestbed(t, sandbox.Options{Speed: 20 * time.Millisecond, Faults: sandbox.Faults{Latency: 4 * time.Millisecond}}, urls(fmt.Sprintf("k%d", rep), workflows)...)
		args := tb.runArgs("-q")
		for attempt := 0; attempt < 3; attempt++ {
			cmd := tb.command(bin, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done: // it finished before the kill
			case <-time.After(time.Duration(rnd.IntN(250)) * time.Millisecond):
				cmd.Process.Kill()
				<-done
				totalKills++
			}
		}
		var stderr bytes.Buffer
		final := tb.command(bin, args...)
		final.Stderr = &stderr
		err := final.Run()
		code := final.ProcessState.ExitCode()
		_, states := tb.runStates()
		c := tb.srv.Sandbox.Counters()
		completed, unknown := states["completed"], states["unknown"]
		totalUnknown += unknown
		switch {
		case completed+unknown != workflows:
			t.Errorf("rep %d: states %v (exit %d, %v)\n%s", rep, states, code, err, stderr.String())
		case c.DuplicatePayloads != 0:
			t.Errorf("rep %d: the sandbox received %d duplicate payloads", rep, c.DuplicatePayloads)
		case int(c.WorkflowsAccepted) < completed || int(c.WorkflowsAccepted) > completed+unknown:
			t.Errorf("rep %d: the sandbox accepted %d, lwf completed %d and reports %d unknown", rep, c.WorkflowsAccepted, completed, unknown)
		case unknown == 0 && code != exitOK:
			t.Errorf("rep %d: exit %d with every workflow completed\n%s", rep, code, stderr.String())
		case unknown > 0 && (code != exitFindings || !strings.Contains(stderr.String(), fmt.Sprintf("unknown submissions (%d)", unknown))):
			t.Errorf("rep %d: %d unknown submissions not reported (exit %d)\n%s", rep, unknown, code, stderr.String())
		}
	}
	t.Logf("%d repetitions, %d kills, %d unknown submissions reported", reps, totalKills, totalUnknown)
}

// testInterrupt sends Ctrl-C to a tracking lwf run: it must exit 3 with
// the resume command, and lwf wait must finish the run without sending
// anything again.
func testInterrupt(t *testing.T, bin string) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT on Windows")
	}
	tb := newTestbed(t, sandbox.Options{Speed: 100 * time.Millisecond}, urls("int", 6)...)
	cmd := tb.command(bin, tb.runArgs()...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	sc := bufio.NewScanner(pipe)
	sent := false
	for sc.Scan() {
		stderr.WriteString(sc.Text() + "\n")
		if !sent && strings.Contains(sc.Text(), "workflow 6/6") && strings.Contains(sc.Text(), "submitted") {
			cmd.Process.Signal(os.Interrupt)
			sent = true
		}
	}
	cmd.Wait()
	id, _ := tb.runStates()
	want := "interrupted: the workflows go on at Linked API; resume tracking with: lwf wait " + id + "\n"
	if code := cmd.ProcessState.ExitCode(); code != exitPending || !strings.HasSuffix(stderr.String(), want) {
		t.Fatalf("exit %d, stderr:\n%s\nwant it to end with:\n%s", code, stderr.String(), want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wait := exec.CommandContext(ctx, bin, "wait", id, "-q", "--poll-start", "5ms", "--poll-max", "20ms")
	wait.Env, wait.Dir = tb.processEnv(), tb.dir
	if out, err := wait.CombinedOutput(); err != nil {
		t.Fatalf("wait: %v\n%s", err, out)
	}
	if c := tb.srv.Sandbox.Counters(); c.Requests[sandbox.EndpointPostWorkflows] != 6 || c.WorkflowsCompleted != 6 || c.DuplicatePayloads != 0 {
		t.Errorf("sandbox: %d POSTs, %d completed, %d duplicates", c.Requests[sandbox.EndpointPostWorkflows], c.WorkflowsCompleted, c.DuplicatePayloads)
	}
}

// staged3 is a three-stage campaign: companies, their employees, a
// personal note to each.
const staged3 = `version: 1
name: staged-kill
workflow:
  action: searchCompanies
  term: robotics
  limit: 4
  then:
    action: doForCompanies
    as: company
    then:
      action: openCompanyPage
      then:
        action: retrieveCompanyEmployees
        limit: 3
        then:
          action: doForPeople
          as: person
          then:
            action: openPersonPage
            then:
              action: sendConnectionRequest
              note: "Hi ${{ split(person.name, ' ')[0] }}, about ${{ company.name }}"
`

// stagedRun runs staged3 against tb's sandbox in a subprocess and returns
// its exported rows (sorted) and the exit code.
func stagedRows(t *testing.T, tb *testbed, bin string, args []string) (int, []string, string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := tb.command(bin, args...)
	cmd.Stderr = &stderr
	cmd.Run()
	code := cmd.ProcessState.ExitCode()
	out := filepath.Join(tb.dir, "rows.csv")
	os.Remove(out)
	_, runs, _ := tb.lwf("runs", "--json")
	var rs []struct{ ID string }
	json.Unmarshal([]byte(runs), &rs)
	if len(rs) != 1 {
		t.Fatalf("%d runs\n%s", len(rs), runs)
	}
	if c, _, e := tb.lwf("result", rs[0].ID, "-o", out); c != 0 {
		t.Fatalf("result: exit %d %s", c, e)
	}
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	rows := lines[1:]
	sort.Strings(rows)
	return code, rows, stderr.String()
}

// testKill9Staged kills a three-stage run at random moments — between
// stages, mid-submission, mid-rendering — twenty times over, then lets it
// finish: nothing is sent twice, nobody gets two requests, and the
// results equal those of a run never interrupted (unless a kill left a
// submission unknown, which is then reported).
func testKill9Staged(t *testing.T, bin string) {
	const reps = 20
	pick := *killReplay
	if pick == 0 {
		pick = uint64(time.Now().UnixNano())
	}
	t.Logf("replay %d (go test ./cmd/lwf -run 'TestProcess/kill_-9_staged' -replay %d)", pick, pick)
	rnd := rand.New(rand.NewPCG(pick, 13))
	opts := sandbox.Options{Speed: 15 * time.Millisecond, Faults: sandbox.Faults{Latency: 3 * time.Millisecond}}
	clean := newTestbed(t, opts)
	write(t, clean.file, staged3)
	args := []string{"run", clean.file, "-q", "--poll-start", "5ms", "--poll-max", "20ms", "--rate", "0", "--allow-action-errors"}
	code, want, stderr := stagedRows(t, clean, bin, args)
	if code != exitOK || len(want) != 12 {
		t.Fatalf("the uninterrupted run: exit %d, %d rows\n%s", code, len(want), stderr)
	}
	kills, unknowns := 0, 0
	for rep := 0; rep < reps; rep++ {
		tb := newTestbed(t, opts)
		write(t, tb.file, staged3)
		args := []string{"run", tb.file, "-q", "--poll-start", "5ms", "--poll-max", "20ms", "--rate", "0", "--allow-action-errors"}
		for attempt := 0; attempt < 3; attempt++ {
			cmd := tb.command(bin, args...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(time.Duration(rnd.IntN(400)) * time.Millisecond):
				cmd.Process.Kill()
				<-done
				kills++
			}
		}
		code, rows, stderr := stagedRows(t, tb, bin, args)
		_, states := tb.runStates()
		c := tb.srv.Sandbox.Counters()
		requests := tb.executed()["st.sendConnectionRequest"]
		unknowns += states["unknown"]
		switch {
		case c.DuplicatePayloads != 0:
			t.Errorf("rep %d: the sandbox received %d duplicate payloads", rep, c.DuplicatePayloads)
		case requests != len(rows) && states["unknown"] == 0:
			t.Errorf("rep %d: %d connection requests for %d people: someone got two", rep, requests, len(rows))
		case states["unknown"] == 0 && strings.Join(rows, "\n") != strings.Join(want, "\n"):
			t.Errorf("rep %d: the results differ from an uninterrupted run's (exit %d)\n%s\n--- want\n%s\n%s", rep, code, strings.Join(rows, "\n"), strings.Join(want, "\n"), stderr)
		case states["unknown"] > 0 && !strings.Contains(stderr, "unknown submissions"):
			t.Errorf("rep %d: %d unknown submissions not reported\n%s", rep, states["unknown"], stderr)
		}
	}
	t.Logf("%d repetitions, %d kills, %d unknown submissions reported", reps, kills, unknowns)
}
