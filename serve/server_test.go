package serve

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
)

// TestStopMidRunAndResume: a server stopped while its worker drives a
// tick's workflows stops within its grace, leaving them in the store;
// the next start finishes them — every lead invited, nobody twice, no
// submission unknown.
func TestStopMidRunAndResume(t *testing.T) {
	b := newBed(t, sandbox.Options{Speed: 60 * time.Millisecond}, 12)
	s := b.server("", true)
	s.opts.Grace = 20 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, listen(t)) }()
	deadline := time.Now().Add(20 * time.Second)
	for b.sb.Sandbox.Counters().WorkflowsAccepted == 0 {
		if time.Now().After(deadline) {
			t.Fatal("nothing was sent")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after the stop: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after the stop")
	}
	before := b.sb.Sandbox.Counters()
	if before.WorkflowsCompleted == before.WorkflowsAccepted && before.WorkflowsAccepted >= 4 {
		t.Logf("every workflow completed before the stop: %+v", before)
	}
	unsettled := 0
	runs, err := b.db.Runs(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		unsettled += r.Counts.Total - r.Counts.Finished
	}
	if unsettled == 0 {
		t.Fatalf("the stop came after the work: nothing was left to resume (%+v)", before)
	}
	if code, _, _ := get(t, s.Handler(), "/readyz"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz of a stopped server: %d", code)
	}

	// The next start.
	b.metrics = NewMetrics()
	s2 := b.server("", true)
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	ln := listen(t)
	done2 := make(chan error, 1)
	go func() { done2 <- s2.Run(ctx2, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != "ready" {
		t.Errorf("/readyz of a running server: %d %s", resp.StatusCode, body)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		ls, err := b.db.Leads(context.Background(), "", "connect-thanks")
		if err != nil {
			t.Fatal(err)
		}
		invited := 0
		for _, l := range ls {
			if l.Status == state.LeadWaiting || l.Status.Ended() {
				invited++
			}
			if l.Status == state.LeadUnknown || l.Status == state.LeadFailed {
				t.Fatalf("lead %s: %s %s", l.Person, l.Status, l.Error)
			}
		}
		if invited == len(b.people) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d leads invited after the restart", invited, len(b.people))
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel2()
	if err := <-done2; err != nil {
		t.Fatal(err)
	}
	c := b.sb.Sandbox.Counters()
	if c.DuplicatePayloads != 0 {
		t.Errorf("%d payloads sent twice", c.DuplicatePayloads)
	}
	seen := map[string]int{}
	for _, w := range b.sb.Sandbox.Writes() {
		if w.Action == "st.sendConnectionRequest" {
			seen[w.Target]++
		}
	}
	for _, p := range b.people {
		if seen[p] != 1 {
			t.Errorf("%s invited %d times", p, seen[p])
		}
	}
	runs, err = b.db.Runs(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range runs {
		if n := r.Counts.ByState[state.Unknown]; n > 0 {
			t.Errorf("run %s has %d unknown submissions", r.ID, n)
		}
	}
}
