package storetest

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

// testAttach: several processes (stores opened apart) start the same
// campaign at once: exactly one run is created and all attach to it.
func testAttach(t *testing.T, b Backend) {
	where := b.New(t)
	ps := Payloads(3)
	run := TestRun(t, ps)
	const n = 6
	stores := make([]state.Store, n)
	for i := range stores {
		stores[i] = b.Open(t, where)
	}
	var wg sync.WaitGroup
	ids := make([]string, n)
	created := make([]bool, n)
	start := make(chan struct{})
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			r, c, err := stores[i].Attach(ctx, run, ps, false)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i], created[i] = r.ID, c
		}(i)
	}
	close(start)
	wg.Wait()
	made := 0
	for i := range ids {
		if ids[i] != ids[0] {
			t.Errorf("process %d attached to %s, process 0 to %s", i, ids[i], ids[0])
		}
		if created[i] {
			made++
		}
	}
	if made != 1 {
		t.Errorf("%d runs created, want 1", made)
	}
	db := stores[0]
	fresh, c, err := db.Attach(ctx, run, ps, true)
	if err != nil || !c || fresh.ID == ids[0] {
		t.Fatalf("--new: %v %v %v", fresh, c, err)
	}
	again, c, _ := db.Attach(ctx, run, ps, false)
	if c || again.ID != fresh.ID {
		t.Errorf("re-attach after --new went to %s (created %v), want the newest %s", again.ID, c, fresh.ID)
	}
	if r, err := db.RunByKey(ctx, run.Key); err != nil || r.ID != fresh.ID {
		t.Errorf("RunByKey = %v, %v; want the newest %s", r, err, fresh.ID)
	}
	runs, err := db.Runs(ctx, 10)
	if err != nil || len(runs) != 2 || runs[0].ID != fresh.ID || runs[0].Counts.ByState[state.Planned] != 3 {
		t.Errorf("runs = %+v, %v", runs, err)
	}
}

func testSaveRoundTrip(t *testing.T, b Backend) {
	db := b.store(t)
	ps := Payloads(2)
	run, _, err := db.Attach(ctx, TestRun(t, ps), ps, false)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := db.Workflows(ctx, run.ID)
	if err != nil || len(ws) != 2 || ws[1].State != state.Planned || string(ws[1].Payload) != string(ps[1]) {
		t.Fatalf("workflows = %+v, %v", ws, err)
	}
	w := ws[1]
	w.State, w.WorkflowID, w.Completion, w.Actions = state.Completed, "wf-77", json.RawMessage(`{"success":true}`), 1
	w.Failure = &linkedapi.Failure{Reason: "x"}
	w.Submitted, w.Unfinished = time.UnixMilli(1700000000000), time.UnixMilli(1700000042000)
	if err := db.Save(ctx, w, state.Event{RunID: run.ID, Kind: state.EventFinished, Index: 1, Delay: 3 * time.Second}); err != nil {
		t.Fatal(err)
	}
	// Saving again without the completion keeps it.
	w.Completion = nil
	if err := db.Save(ctx, w, state.Event{RunID: run.ID, Kind: state.EventStatus, Index: 1}); err != nil {
		t.Fatal(err)
	}
	full, _ := db.WorkflowsFull(ctx, run.ID)
	got := full[1]
	if string(got.Completion) != `{"success":true}` || got.WorkflowID != "wf-77" || got.Failure.Reason != "x" || !got.Submitted.Equal(w.Submitted) || !got.Unfinished.Equal(w.Unfinished) {
		t.Errorf("stored = %+v", got)
	}
	if light, _ := db.Workflows(ctx, run.ID); light[1].Completion != nil || light[1].WorkflowID != "wf-77" {
		t.Errorf("Workflows read the completion (%s) or lost the id", light[1].Completion)
	}
	evs, _ := db.Events(ctx, run.ID, 10)
	if len(evs) != 2 || evs[0].Kind != state.EventFinished || evs[0].Delay != 3*time.Second {
		t.Errorf("events = %+v", evs)
	}
	if last, _ := db.Events(ctx, run.ID, 1); len(last) != 1 || last[0].Kind != state.EventStatus {
		t.Errorf("the last event = %+v", last)
	}
	for _, id := range []string{run.ID, run.ID[:6], run.ID[2:8], "wf-77"} {
		r, idx, err := db.Resolve(ctx, id)
		wantIdx := -1
		if id == "wf-77" {
			wantIdx = 1
		}
		if err != nil || r.ID != run.ID || idx != wantIdx {
			t.Errorf("Resolve(%q) = %v %d %v", id, r, idx, err)
		}
	}
	if _, _, err := db.Resolve(ctx, "nope-nothing"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("Resolve of nothing: %v", err)
	}
	if _, err := db.Run(ctx, "r-000000000000"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("Run of nothing: %v", err)
	}
	c, upd, _ := db.Counts(ctx, run.ID)
	if want := (state.Counts{Total: 2, ByState: map[state.State]int{state.Planned: 1, state.Completed: 1}, Actions: 1, Finished: 1}); !reflect.DeepEqual(c, want) {
		t.Errorf("counts = %+v", c)
	}
	if upd.IsZero() {
		t.Error("Counts gave no time of the last change")
	}
	if err := db.RequestCancel(ctx, run.ID); err != nil {
		t.Fatal(err)
	}
	if stop, err := db.CancelRequested(ctx, run.ID); err != nil || !stop {
		t.Errorf("CancelRequested = %v, %v", stop, err)
	}
	if r, _ := db.Run(ctx, run.ID); !r.CancelRequested {
		t.Error("the run does not say it was asked to stop")
	}
}

// testTimes: times are kept to the millisecond, as SQLite keeps them, on
// every backend; a zero time stays zero.
func testTimes(t *testing.T, b Backend) {
	db := b.store(t)
	ps := Payloads(1)
	created := time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC)
	r := TestRun(t, ps)
	r.Created, r.Meta = created, json.RawMessage(`{"inputs": ["people=@a.csv"]}`)
	run, _, err := db.Attach(ctx, r, ps, false)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := db.Run(ctx, run.ID)
	if !got.Created.Equal(created.Truncate(time.Millisecond)) || string(got.Meta) != string(r.Meta) {
		t.Errorf("created %v meta %s, want %v and %s", got.Created, got.Meta, created.Truncate(time.Millisecond), r.Meta)
	}
	ws, _ := db.Workflows(ctx, run.ID)
	if !ws[0].Submitted.IsZero() || !ws[0].Unfinished.IsZero() || !ws[0].Updated.Equal(created.Truncate(time.Millisecond)) {
		t.Errorf("a new workflow: submitted %v, unfinished %v, updated %v", ws[0].Submitted, ws[0].Unfinished, ws[0].Updated)
	}
}

// testLock: a run's lock is held by one store at a time, says who holds
// it, and goes with Unlock.
func testLock(t *testing.T, b Backend) {
	where := b.New(t)
	a, o := b.Open(t, where), b.Open(t, where)
	l, err := a.Lock("r-1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.Lock("r-1")
	var le *state.LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || le.Host != "" {
		t.Fatalf("second lock: %v", err)
	}
	if !o.Held("r-1") || o.Held("r-2") {
		t.Errorf("Held = %v for the locked run, %v for another", o.Held("r-1"), o.Held("r-2"))
	}
	// Another run, and an account, lock apart.
	l2, err := o.Lock("r-2")
	if err != nil {
		t.Fatalf("another run: %v", err)
	}
	l2.Unlock()
	l.Unlock()
	l.Unlock() // twice is harmless
	if o.Held("r-1") {
		t.Error("Held after Unlock")
	}
	l3, err := o.Lock("r-1")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	l3.Unlock()
}
