package runner_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
)

// dyingStore is the SQLite store of a process that dies when the test
// says: from then on nothing more reaches the file, as after kill -9. It
// keeps what the drive tried to commit after the death: the changes the
// crash lost.
type dyingStore struct {
	*sqlstore.DB
	mu   sync.Mutex
	dead bool
	lost []state.Change
}

var errKilled = errors.New("the process was killed")

func (s *dyingStore) SaveAll(ctx context.Context, cs []state.Change) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		// The journal keeps what failed and adds to it: the last
		// attempt holds every lost change.
		s.lost = append(s.lost[:0], cs...)
		return errKilled
	}
	return s.DB.SaveAll(ctx, cs)
}

func (s *dyingStore) SaveUnlessCancelled(ctx context.Context, runID string, cs []state.Change) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		s.lost = append(s.lost[:0], cs...)
		return false, errKilled
	}
	return s.DB.SaveUnlessCancelled(ctx, runID, cs)
}

func (s *dyingStore) kill() {
	s.mu.Lock()
	s.dead = true
	s.mu.Unlock()
}

// TestCrashMidGroupLosesNothingThatMatters kills the store of a drive —
// with group commits every 20 ms, so changes wait for theirs — at a random
// moment of a 40-workflow campaign, or as a random POST /workflows reaches
// the sandbox (which then accepts it), and drives the run again from the
// file, as the next process would; twelve times each. Nothing is sent
// twice; every workflow ends completed, with its completion stored, or
// unknown, and at most one is unknown (the POST in flight, or whose
// outcome was not committed yet); what the crash lost was redone,
// completions included.
func TestCrashMidGroupLosesNothingThatMatters(t *testing.T) {
	const n, reps = 40, 24
	rnd := rand.New(rand.NewPCG(17, 4))
	kills, lostChanges, lostFinished, unknownTotal := 0, 0, 0, 0
	var closing sync.WaitGroup
	defer closing.Wait()
	for rep := range reps {
		sb, err := sandbox.New(sandbox.Options{Speed: 2 * time.Millisecond, Faults: sandbox.Faults{Latency: time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		ds := &dyingStore{}
		ctx, cancel := context.WithCancel(context.Background())
		killAt := int64(-1) // the POST that kills, or -1: a moment
		if rep%2 == 1 {
			killAt = int64(rnd.IntN(n))
		}
		var posts atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/workflows" && posts.Add(1)-1 == killAt {
				ds.kill()
				cancel()
			}
			sb.ServeHTTP(w, r)
		}))
		// A connection the killed drive opened and never used keeps a
		// server closing for 5 s: close them all at once at the end.
		defer func() {
			closing.Add(1)
			go func() { defer closing.Done(); srv.Close() }()
		}()
		db, run, client := proofCampaign(t, srv.URL, n, false)
		ds.DB = db
		pol := proofPolicy()
		pol.GroupCommit = 20 * time.Millisecond
		done := make(chan error, 1)
		go func() {
			_, err := runner.Drive(ctx, runner.Config{API: client, Store: ds, Policy: pol}, run.ID)
			done <- err
		}()
		var moment <-chan time.Time
		if killAt < 0 {
			moment = time.After(time.Duration(5+rnd.IntN(100)) * time.Millisecond)
		}
		select {
		case err := <-done:
			if !errors.Is(err, errKilled) && err != nil {
				t.Fatalf("rep %d: %v", rep, err)
			}
		case <-moment:
			ds.kill()
			cancel()
			<-done
		}
		cancel()
		if ds.dead {
			kills++
		}
		for _, c := range ds.lost {
			lostChanges++
			if c.Event.Kind == state.EventFinished {
				lostFinished++
			}
		}
		// The next process opens the file afresh and drives the run.
		next, err := sqlstore.Open(context.Background(), db.Location())
		if err != nil {
			t.Fatal(err)
		}
		rctx, rcancel := context.WithTimeout(context.Background(), 60*time.Second)
		out, err := runner.Drive(rctx, runner.Config{API: client, Store: next, Policy: proofPolicy()}, run.ID)
		rcancel()
		if err != nil || !out.Settled() {
			t.Fatalf("rep %d: the next drive: err %v, outcome %+v", rep, err, out)
		}
		ws, err := next.WorkflowsFull(context.Background(), run.ID)
		next.Close()
		if err != nil {
			t.Fatal(err)
		}
		completed, unknown := 0, 0
		for _, w := range ws {
			switch {
			case w.State == state.Completed && len(w.Completion) > 0:
				completed++
			case w.State == state.Unknown:
				unknown++
			default:
				t.Errorf("rep %d: workflow %d ended %s with %d bytes of completion", rep, w.Index, w.State, len(w.Completion))
			}
		}
		unknownTotal += unknown
		c := sb.Counters()
		switch {
		case c.DuplicatePayloads != 0:
			t.Errorf("rep %d: the sandbox received %d duplicate payloads", rep, c.DuplicatePayloads)
		case unknown > 1:
			t.Errorf("rep %d: %d unknown submissions after one crash; at most the one POST in flight may be", rep, unknown)
		case killAt >= 0 && unknown != 1:
			t.Errorf("rep %d: killed while POST %d was on the wire, yet %d unknown submissions", rep, killAt+1, unknown)
		case int(c.WorkflowsAccepted) < completed || int(c.WorkflowsAccepted) > completed+unknown:
			t.Errorf("rep %d: the sandbox accepted %d, lwf completed %d and reports %d unknown", rep, c.WorkflowsAccepted, completed, unknown)
		}
	}
	t.Logf("%d kills lost %d changes, %d of them completions (polled again); %d unknown submissions", kills, lostChanges, lostFinished, unknownTotal)
	if kills < reps/2 || lostChanges == 0 || lostFinished == 0 {
		t.Errorf("%d kills lost %d changes, %d completions: too few struck while changes waited for their group commit to prove anything", kills, lostChanges, lostFinished)
	}
}
