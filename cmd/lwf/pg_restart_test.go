package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/internal/pgtest"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/schemas"
)

// TestWorkerThroughAPostgresRestart stops the PostgreSQL server under a
// working lwf worker — a network cut as the worker sees it — and starts
// it again: the worker waits and goes on; nothing recorded is lost, and
// nothing is sent twice.
func TestWorkerThroughAPostgresRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("a server restart: not in -short")
	}
	cluster := pgtest.Own(t)
	bin := buildLWF(t)
	tb := newTestbed(t, sandbox.Options{Speed: 25 * time.Millisecond})
	tb.env["LWF_STATE"] = cluster.URL
	f := tb.campaignFile("invites.yaml", teamCampaign)
	people := urls("restart", 150)
	csv := filepath.Join(tb.dir, "restart.csv")
	write(t, csv, "url\n"+strings.Join(people, "\n")+"\n")
	code, out, stderr := tb.lwf("run", f, "--input", "leads=@"+csv, "--chunk-size", "1", "--enqueue", "--ignore-limits")
	if code != exitOK {
		t.Fatalf("queueing: exit %d\n%s%s", code, out, stderr)
	}
	runID := strings.TrimSpace(out)
	logf := filepath.Join(t.TempDir(), "worker.log")
	lf, err := os.Create(logf)
	if err != nil {
		t.Fatal(err)
	}
	w := tb.command(bin, "worker", "--poll-every", "100ms", "--poll-start", "5ms", "--poll-max", "20ms", "--rate", "0")
	w.Stdout, w.Stderr = lf, lf
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Wait() }()
	defer func() { w.Process.Kill(); <-done; lf.Close() }()

	// Let it send some, then take the server away for a while.
	waitUntil(t, 30*time.Second, func() bool { return tb.wrote("st.sendConnectionRequest") >= 20 })
	cluster.Stop(t)
	time.Sleep(3 * time.Second)
	select {
	case err := <-done:
		log, _ := os.ReadFile(logf)
		t.Fatalf("the worker exited while the server was away: %v\n%s", err, log)
	default:
	}
	sentWhileAway := tb.wrote("st.sendConnectionRequest")
	cluster.Start(t)
	waitUntil(t, 90*time.Second, func() bool {
		_, states := tb.runStates2(runID)
		return states["completed"]+states["unknown"] == len(people)
	})
	_, states := tb.runStates2(runID)
	invites := map[string]int{}
	for _, wr := range tb.srv.Sandbox.Writes() {
		invites[schemas.NormalizePersonURL(wr.Target)]++
	}
	for who, n := range invites {
		if n > 1 {
			t.Errorf("%s got %d requests", who, n)
		}
	}
	if d := tb.srv.Sandbox.Counters().DuplicatePayloads; d != 0 {
		t.Errorf("%d duplicate payloads", d)
	}
	if len(invites) < len(people)-states["unknown"] {
		t.Errorf("%d people reached of %d (%d unknown)", len(invites), len(people), states["unknown"])
	}
	log, _ := os.ReadFile(logf)
	if !strings.Contains(string(log), "trying again in") {
		t.Errorf("the worker did not say it was waiting for the store:\n%s", log)
	}
	t.Logf("%s while the server was away; %v in the end", fmt.Sprint(sentWhileAway, " sent"), states)
}

// waitUntil polls cond every 50 ms for at most d.
func waitUntil(t *testing.T, d time.Duration, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("not within %s", d)
}
