package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

// countingStore counts the commits a drive makes and the events they log.
type countingStore struct {
	*MemoryStore
	mu      sync.Mutex
	commits int
	events  int
	// intentEvents counts the events logged with intents.
	intentEvents int
}

func (c *countingStore) SaveAll(ctx context.Context, cs []state.Change) error {
	c.count(cs)
	return c.MemoryStore.SaveAll(ctx, cs)
}

func (c *countingStore) SaveUnlessCancelled(ctx context.Context, runID string, cs []state.Change) (bool, error) {
	c.intentEvents += c.count(cs)
	return c.MemoryStore.SaveUnlessCancelled(ctx, runID, cs)
}

func (c *countingStore) count(cs []state.Change) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commits++
	n := 0
	for _, ch := range cs {
		if ch.Event.Kind != "" {
			n++
		}
	}
	c.events += n
	return n
}

// lazyPolicy is fastPolicy with group commits that never fall due on
// their own: only the drive's rules commit.
func lazyPolicy() Policy {
	p := fastPolicy()
	p.GroupCommit = time.Hour
	return p
}

// indexOf is the workflow index a newRun payload names.
func indexOf(def string) int {
	var p struct{ PersonURL string }
	json.Unmarshal([]byte(def), &p)
	var i int
	fmt.Sscanf(p.PersonURL[strings.LastIndex(p.PersonURL, "/p")+2:], "%d", &i)
	return i
}

// TestIntentAndOutcomeCommittedBeforeEachPost looks at the store each
// time a POST /workflows arrives, with group commits that would wait an
// hour: the workflow it sends is stored as submitting, and every workflow
// sent before it with its id.
func TestIntentAndOutcomeCommittedBeforeEachPost(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 12)
	var problems []string
	posts := 0
	api.onStart = func(def string, attempt int) (error, bool) {
		posts++
		ws, _ := st.Workflows(context.Background(), "r-test")
		i := indexOf(def)
		if ws[i].State != state.Submitting || ws[i].Attempts != attempt+1 || ws[i].Submitted.IsZero() {
			problems = append(problems, fmt.Sprintf("POST of workflow %d: stored %s, attempts %d, submitted %v", i, ws[i].State, ws[i].Attempts, ws[i].Submitted))
		}
		for _, w := range ws {
			if w.Index != i && w.WorkflowID == "" && w.State != state.Planned {
				problems = append(problems, fmt.Sprintf("POST of workflow %d: workflow %d stored %s without its id", i, w.Index, w.State))
			}
		}
		return nil, true
	}
	if _, err := drive(t, api, st, func(c *Config) { c.Policy = lazyPolicy() }); err != nil {
		t.Fatal(err)
	}
	if posts != 12 || len(problems) > 0 {
		t.Errorf("%d POSTs; %s", posts, strings.Join(problems, "\n"))
	}
}

// TestGroupCommitsBatchChanges drives a run with group commits that never
// fall due on their own: one transaction per POST (its intent, with the
// changes made since the last) and one at the end, instead of one per
// change; with a negative GroupCommit, one per change.
func TestGroupCommitsBatchChanges(t *testing.T) {
	const n = 20
	for _, tc := range []struct {
		name  string
		every time.Duration
	}{{"grouped", time.Hour}, {"each change", -1}} {
		t.Run(tc.name, func(t *testing.T) {
			api, mem := newFakeAPI(), NewMemoryStore()
			newRun(t, mem, n)
			st := &countingStore{MemoryStore: mem}
			events := 0
			out, err := drive(t, api, st, func(c *Config) {
				c.Policy.GroupCommit = tc.every
				c.Events = func(state.Event) { events++ }
			})
			if err != nil || !reflect.DeepEqual(states(t, mem), repeat(state.Completed, n)) {
				t.Fatalf("err %v, states %v", err, states(t, mem))
			}
			// Every event reported is stored, once.
			if stored := len(mem.Events("r-test")); stored != events || st.events != events {
				t.Errorf("%d events reported, %d committed, %d stored", events, st.events, stored)
			}
			switch {
			case tc.every > 0 && st.commits > n+2:
				t.Errorf("%d commits for %d events of %d workflows; want at most %d (one per POST, the last outcome, the end)", st.commits, st.events, n, n+2)
			case tc.every > 0 && st.intentEvents > 0:
				t.Errorf("%d events logged with intents; want them all in the group commit", st.intentEvents)
			case tc.every < 0 && st.commits < st.events-3:
				// The run's own events (start, end) may share a commit.
				t.Errorf("%d commits for %d events; want one per change", st.commits, st.events)
			}
			t.Logf("%d commits, %d events, outcome %+v", st.commits, st.events, out.Counts)
		})
	}
}

// TestCommitDueAfterGroupCommit checks the rule commitDue applies: a
// group waits until its oldest change is GroupCommit old, unless it
// holds a POST's outcome or is full (of changes or of completions).
func TestCommitDueAfterGroupCommit(t *testing.T) {
	mem := NewMemoryStore()
	newRun(t, mem, 1)
	st := &countingStore{MemoryStore: mem}
	clock := &manualClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	d := &driver{cfg: Config{Store: st}, pol: Policy{GroupCommit: time.Second}, clock: clock, runID: "r-test"}
	ws, _ := mem.Workflows(context.Background(), "r-test")
	tr := &tracked{w: ws[0]}
	ctx := context.Background()
	step := func(at time.Duration, want int) {
		t.Helper()
		if err := d.commitDue(ctx, clock.now.Add(at)); err != nil || st.commits != want {
			t.Errorf("at +%v: %d commits (err %v), want %d", at, st.commits, err, want)
		}
	}
	d.record(tr, state.Event{RunID: "r-test", Kind: state.EventStatus})
	clock.now = clock.now.Add(300 * time.Millisecond)
	d.record(tr, state.Event{RunID: "r-test", Kind: state.EventStatus})
	clock.now = clock.now.Add(-300 * time.Millisecond)
	step(999*time.Millisecond, 0)
	if at, ok := d.commitBy(); !ok || !at.Equal(clock.now.Add(time.Second)) {
		t.Errorf("commitBy = %v %v, want a second after the oldest change", at, ok)
	}
	step(time.Second, 1)
	d.record(tr, state.Event{RunID: "r-test", Kind: state.EventSubmitted})
	d.journal.urgent = true
	step(0, 2)
	// A POST's outcome goes at once; its event waits for the group.
	if len(d.journal.states) != 0 || len(d.journal.events) != 1 || st.events != 2 {
		t.Errorf("after the outcome's commit: %d states and %d events wait, %d events logged", len(d.journal.states), len(d.journal.events), st.events)
	}
	for range maxGroup {
		d.record(tr, state.Event{RunID: "r-test", Kind: state.EventStatus})
	}
	step(0, 3)
	tr.w.Completion = json.RawMessage(strings.Repeat(" ", maxGroupBytes))
	d.record(tr, state.Event{RunID: "r-test", Kind: state.EventFinished})
	tr.w.Completion = nil
	step(0, 4)
	if len(d.journal.states)+len(d.journal.events) != 0 || d.journal.bytes != 0 {
		t.Errorf("%d states and %d events left holding %d bytes", len(d.journal.states), len(d.journal.events), d.journal.bytes)
	}
}

type manualClock struct{ now time.Time }

func (c *manualClock) Now() time.Time { return c.now }

// TestDriveCommitsWhatItDidWhenItReturns: with group commits that would
// wait an hour, the store holds every change when Drive returns — after
// the run settled, and after ctx ended it.
func TestDriveCommitsWhatItDidWhenItReturns(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 8)
	api.pendingPolls = 1000000 // never finishes
	ctx, cancel := context.WithCancel(context.Background())
	polls := 0
	api.onPoll = func(string, int) error {
		if polls++; polls == 30 {
			cancel()
		}
		return nil
	}
	out, err := Drive(ctx, Config{API: api, Store: st, Policy: lazyPolicy()}, "r-test")
	if err != nil || !out.Stopped {
		t.Fatalf("err %v, outcome %+v", err, out)
	}
	stored := state.CountStates(mustWorkflows(t, st))
	if stored.ByState[state.Pending] != 8 || out.Counts.ByState[state.Pending] != 8 {
		t.Errorf("stopped: stored %v, outcome %v", stored.ByState, out.Counts.ByState)
	}
	evs := st.Events("r-test")
	if last := evs[len(evs)-1]; last.Kind != state.EventRunStopped {
		t.Errorf("last stored event %s, want %s", last.Kind, state.EventRunStopped)
	}
	api.pendingPolls, api.onPoll = 1, nil
	if out, err := drive(t, api, st, func(c *Config) { c.Policy = lazyPolicy() }); err != nil || !out.Settled() {
		t.Fatalf("err %v, outcome %+v", err, out)
	}
	if got := states(t, st); !reflect.DeepEqual(got, repeat(state.Completed, 8)) {
		t.Errorf("settled: stored %v", got)
	}
	ws, _ := st.Workflows(context.Background(), "r-test")
	for _, w := range ws {
		if len(w.Completion) == 0 {
			t.Errorf("workflow %d: no completion stored", w.Index)
		}
	}
}

func mustWorkflows(t *testing.T, st Store) []*state.Workflow {
	t.Helper()
	ws, err := st.Workflows(context.Background(), "r-test")
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// TestExpandSeesTheCompletionCommitted: with group commits that would
// wait an hour, Expand finds the completed workflow stored with its
// completion, since it derives from the store.
func TestExpandSeesTheCompletionCommitted(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 3)
	ws, _ := st.Workflows(context.Background(), "r-test")
	ws[1].Points = []state.Point{{Pointer: "", Loop: 1, Item: -1}}
	st.Save(context.Background(), ws[1], state.Event{RunID: "r-test"})
	calls := 0
	_, err := drive(t, api, st, func(c *Config) {
		c.Policy = lazyPolicy()
		c.Expand = func(ctx context.Context, w *state.Workflow, next int) ([]*state.Workflow, *state.Event, error) {
			calls++
			stored, _ := st.Workflows(ctx, "r-test")
			if s := stored[w.Index]; s.State != state.Completed || len(s.Completion) == 0 {
				return nil, nil, errors.New("the completion is not stored: " + string(s.State))
			}
			return nil, nil, nil
		}
	})
	if err != nil || calls != 1 {
		t.Fatalf("err %v, Expand called %d times", err, calls)
	}
}

// TestOutcomeCommittedBeforeTheDriveWaits freezes the drive's clock, so
// that no poll and no group commit ever falls due: the POST's outcome is
// committed all the same, before the drive waits.
func TestOutcomeCommittedBeforeTheDriveWaits(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Drive(ctx, Config{API: api, Store: st, Policy: lazyPolicy(), Clock: &manualClock{now: time.Now()}}, "r-test")
		done <- err
	}()
	deadline := time.After(10 * time.Second)
	for {
		ws, _ := st.Workflows(context.Background(), "r-test")
		if ws[0].WorkflowID != "" && ws[0].State == state.Pending {
			break
		}
		select {
		case <-deadline:
			t.Fatalf("the submission's outcome was not committed: stored %s %q", ws[0].State, ws[0].WorkflowID)
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// failingStore fails its first SaveAll calls.
type failingStore struct {
	*MemoryStore
	failures int
}

func (f *failingStore) SaveAll(ctx context.Context, cs []state.Change) error {
	if f.failures > 0 {
		f.failures--
		return errors.New("disk I/O error")
	}
	return f.MemoryStore.SaveAll(ctx, cs)
}

func (f *failingStore) SaveUnlessCancelled(ctx context.Context, runID string, cs []state.Change) (bool, error) {
	if f.failures > 0 {
		f.failures--
		return false, errors.New("disk I/O error")
	}
	return f.MemoryStore.SaveUnlessCancelled(ctx, runID, cs)
}

// TestFailedIntentIsWithdrawn: when the intent before a POST cannot be
// committed, nothing is sent, the drive stops with the error, and the
// intent does not reach the store with the drive's last commit — which
// would make the next process take a POST never sent for one whose
// outcome is unknown.
func TestFailedIntentIsWithdrawn(t *testing.T) {
	api, mem := newFakeAPI(), NewMemoryStore()
	newRun(t, mem, 3)
	out, err := drive(t, api, &failingStore{MemoryStore: mem, failures: 1})
	if err == nil || !strings.Contains(err.Error(), "disk I/O error") {
		t.Fatalf("err %v", err)
	}
	if got := states(t, mem); !reflect.DeepEqual(got, repeat(state.Planned, 3)) || api.starts != 0 {
		t.Errorf("stored %v after %d POSTs", got, api.starts)
	}
	if out.Counts.ByState[state.Planned] != 3 {
		t.Errorf("outcome %+v", out.Counts)
	}
	ws, _ := mem.Workflows(context.Background(), "r-test")
	if ws[0].Attempts != 0 {
		t.Errorf("workflow 0 stored with %d attempts", ws[0].Attempts)
	}
}

// cancelBeforeStore stores a cancellation of the run just before the
// intent of its after-th submission is committed: as lwf cancel would,
// from another process, between the drive's last look at the flag and
// that commit.
type cancelBeforeStore struct {
	*MemoryStore
	after, intents int
}

func (c *cancelBeforeStore) SaveUnlessCancelled(ctx context.Context, runID string, cs []state.Change) (bool, error) {
	if c.intents++; c.intents == c.after {
		c.RequestCancel(runID)
	}
	return c.MemoryStore.SaveUnlessCancelled(ctx, runID, cs)
}

// TestNoPostOnceCancelIsStored: a cancellation stored just before an
// intent's commit stops that POST: the cancel flag is read in the
// intent's transaction.
func TestNoPostOnceCancelIsStored(t *testing.T) {
	api, mem := newFakeAPI(), NewMemoryStore()
	api.pendingPolls = 1 << 30
	newRun(t, mem, 5)
	out, err := drive(t, api, &cancelBeforeStore{MemoryStore: mem, after: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := states(t, mem); !reflect.DeepEqual(got, repeat(state.Cancelled, 5)) || api.starts != 2 || api.deletes != 2 {
		t.Errorf("states %v, %d POSTs, %d DELETEs; want every workflow cancelled, 2 POSTs both cancelled", got, api.starts, api.deletes)
	}
	ws, _ := mem.Workflows(context.Background(), "r-test")
	if ws[2].Attempts != 0 || !ws[2].Submitted.IsZero() || out.Counts.ByState[state.Cancelled] != 5 {
		t.Errorf("workflow 3: %d attempts, submitted %v; outcome %+v", ws[2].Attempts, ws[2].Submitted, out.Counts)
	}
}
