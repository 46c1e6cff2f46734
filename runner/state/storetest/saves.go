package storetest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

// testSaveAllOneTransaction saves a group of changes in which one names
// a workflow the run does not have: nothing of the group is stored,
// neither the workflows' states nor the events.
func testSaveAllOneTransaction(t *testing.T, b Backend) {
	db := b.store(t)
	ps := Payloads(2)
	run, _, err := db.Attach(ctx, TestRun(t, ps), ps, false)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := db.Workflows(ctx, run.ID)
	a := *ws[0]
	a.State, a.WorkflowID = state.Pending, "wf-1"
	missing := *ws[1]
	missing.Index = 7
	err = db.SaveAll(ctx, []state.Change{
		{Workflow: &a, Event: state.Event{RunID: run.ID, Kind: state.EventSubmitted, Index: 0}},
		{Event: state.Event{RunID: run.ID, Kind: state.EventRunStart, Index: -1}},
		{Workflow: &missing, Event: state.Event{RunID: run.ID, Kind: state.EventStatus, Index: 7}},
	})
	if err == nil {
		t.Fatal("a group with a workflow the run does not have was saved")
	}
	got, _ := db.Workflows(ctx, run.ID)
	evs, _ := db.Events(ctx, run.ID, 10)
	if got[0].State != state.Planned || got[0].WorkflowID != "" || len(evs) != 0 {
		t.Errorf("after a failed group: workflow 0 is %s %q, %d events stored; want planned, no id, none", got[0].State, got[0].WorkflowID, len(evs))
	}
	if err := db.SaveAll(ctx, nil); err != nil {
		t.Errorf("an empty group: %v", err)
	}
}

// testSaveAllLastState saves one workflow's whole life in one group: it
// ends in its last state with the completion an earlier change carried
// (a later nil one leaves it), and every event is logged in order — none
// for a change without one.
func testSaveAllLastState(t *testing.T, b Backend) {
	db := b.store(t)
	ps := Payloads(2)
	run, _, err := db.Attach(ctx, TestRun(t, ps), ps, false)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := db.Workflows(ctx, run.ID)
	var changes []state.Change
	var kinds []state.EventKind
	step := func(w state.Workflow, k state.EventKind) {
		changes = append(changes, state.Change{Workflow: &w, Event: state.Event{RunID: run.ID, Kind: k, Index: w.Index, State: w.State}})
		kinds = append(kinds, k)
	}
	w := *ws[1]
	w.State, w.Attempts = state.Submitting, 1
	step(w, state.EventSubmitting)
	w.State, w.WorkflowID = state.Pending, "wf-9"
	step(w, state.EventSubmitted)
	w.State, w.Completion, w.Output, w.Actions = state.Completed, json.RawMessage(`{"data":1}`), json.RawMessage(`{"out":1}`), 1
	step(w, state.EventFinished)
	w.Completion, w.Output, w.Message = nil, nil, "done"
	step(w, state.EventStatus)
	// A state without an event (logged apart) logs nothing.
	w.Unfinished = time.UnixMilli(1700000042000)
	quiet := w
	changes = append(changes, state.Change{Workflow: &quiet})
	changes = append(changes, state.Change{Event: state.Event{RunID: run.ID, Kind: state.EventRunEnd, Index: -1}})
	kinds = append(kinds, state.EventRunEnd)
	if err := db.SaveAll(ctx, changes); err != nil {
		t.Fatal(err)
	}
	full, _ := db.WorkflowsFull(ctx, run.ID)
	got := full[1]
	if got.State != state.Completed || got.WorkflowID != "wf-9" || got.Message != "done" || got.Attempts != 1 || got.Actions != 1 || !got.Unfinished.Equal(w.Unfinished) ||
		string(got.Completion) != `{"data":1}` || string(got.Output) != `{"out":1}` {
		t.Errorf("stored %+v", got)
	}
	if full[0].State != state.Planned {
		t.Errorf("workflow 0 is %s, want planned", full[0].State)
	}
	evs, _ := db.Events(ctx, run.ID, 10)
	var gotKinds []state.EventKind
	for _, ev := range evs {
		gotKinds = append(gotKinds, ev.Kind)
	}
	if !reflect.DeepEqual(gotKinds, kinds) {
		t.Errorf("events %v, want %v", gotKinds, kinds)
	}
}

func intent(runID string, w state.Workflow) []state.Change {
	w.State, w.Attempts = state.Submitting, w.Attempts+1
	return []state.Change{{Workflow: &w, Event: state.Event{RunID: runID, Kind: state.EventSubmitting, Index: w.Index}}}
}

// testSaveUnlessCancelled saves a group unless the run was asked to
// stop: before lwf cancel it is stored, after it nothing is.
func testSaveUnlessCancelled(t *testing.T, b Backend) {
	where := b.New(t)
	db, other := b.Open(t, where), b.Open(t, where)
	ps := Payloads(2)
	run, _, err := db.Attach(ctx, TestRun(t, ps), ps, false)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := db.Workflows(ctx, run.ID)
	if cancelled, err := db.SaveUnlessCancelled(ctx, run.ID, intent(run.ID, *ws[0])); err != nil || cancelled {
		t.Fatalf("before lwf cancel: cancelled %v, err %v", cancelled, err)
	}
	// lwf cancel, from another process.
	if err := other.RequestCancel(ctx, run.ID); err != nil {
		t.Fatal(err)
	}
	if cancelled, err := db.SaveUnlessCancelled(ctx, run.ID, intent(run.ID, *ws[1])); err != nil || !cancelled {
		t.Fatalf("after lwf cancel: cancelled %v, err %v", cancelled, err)
	}
	got, _ := db.Workflows(ctx, run.ID)
	evs, _ := db.Events(ctx, run.ID, 10)
	if got[0].State != state.Submitting || got[1].State != state.Planned || len(evs) != 1 {
		t.Errorf("stored %s and %s with %d events; want submitting, planned, 1", got[0].State, got[1].State, len(evs))
	}
	if _, err := db.SaveUnlessCancelled(ctx, "r-none", nil); err == nil {
		t.Error("a run that does not exist was not reported")
	}
}

// testSaveUnlessCancelledRace races intents against lwf cancel from
// another process, many times: once RequestCancel has returned, no
// intent is stored — an intent is either refused or was committed before
// the cancellation, never after it.
func testSaveUnlessCancelledRace(t *testing.T, b Backend) {
	where := b.New(t)
	db, canceller := b.Open(t, where), b.Open(t, where)
	const rounds = 20
	late := 0
	for i := range rounds {
		ps := Payloads(8)
		r := TestRun(t, ps)
		r.Key = fmt.Sprintf("%04d%s", i, r.Key[4:])
		run, _, err := db.Attach(ctx, r, ps, false)
		if err != nil {
			t.Fatal(err)
		}
		ws, _ := db.Workflows(ctx, run.ID)
		var mu sync.Mutex
		cancelledAt := time.Time{}
		var stored []time.Time // when each stored intent's call began
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			for _, w := range ws {
				began := time.Now()
				cancelled, err := db.SaveUnlessCancelled(ctx, run.ID, intent(run.ID, *w))
				if err != nil {
					t.Error(err)
					return
				}
				if cancelled {
					return
				}
				mu.Lock()
				stored = append(stored, began)
				mu.Unlock()
			}
		}()
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i%4) * time.Millisecond)
			if err := canceller.RequestCancel(ctx, run.ID); err != nil {
				t.Error(err)
			}
			mu.Lock()
			cancelledAt = time.Now()
			mu.Unlock()
		}()
		wg.Wait()
		got, _ := db.Workflows(ctx, run.ID)
		n := 0
		for _, w := range got {
			if w.State == state.Submitting {
				n++
			}
		}
		if n != len(stored) {
			t.Errorf("round %d: %d intents stored, %d reported stored", i, n, len(stored))
		}
		for _, began := range stored {
			if began.After(cancelledAt) {
				late++
			}
		}
		// After the race, the flag holds.
		if cancelled, err := db.SaveUnlessCancelled(ctx, run.ID, intent(run.ID, *ws[len(ws)-1])); err != nil || !cancelled {
			t.Errorf("round %d: an intent after lwf cancel returned: cancelled %v, %v", i, cancelled, err)
		}
	}
	if late > 0 {
		t.Errorf("%d intents begun after lwf cancel returned were stored", late)
	}
}

// testDerive records what a completed workflow found once: a second
// Derive of it stores nothing.
func testDerive(t *testing.T, b Backend) {
	where := b.New(t)
	db, other := b.Open(t, where), b.Open(t, where)
	ps := Payloads(1)
	r := TestRun(t, ps)
	r.Points = [][]state.Point{{{Pointer: "/0", Loop: 1, Instance: 0, Item: -1}}}
	run, _, err := db.Attach(ctx, r, ps, false)
	if err != nil {
		t.Fatal(err)
	}
	if ws, _ := db.Workflows(ctx, run.ID); len(ws[0].Points) != 1 || ws[0].Points[0].Pointer != "/0" || ws[0].Stage != 1 {
		t.Fatalf("points of the first workflow: %+v", ws[0])
	}
	items := []state.Item{
		{ID: 0, Loop: 1, Parent: -1, Index: 0, Source: 0, Path: "/0/data/0", Key: "https://www.linkedin.com/in/ada", Data: json.RawMessage(`{"name":"Ada"}`),
			Status: state.ItemSent, Workflow: 1, Slot: 0, Steps: 1, Variants: json.RawMessage(`{"note":1}`)},
		{ID: 1, Loop: 1, Parent: -1, Index: 1, Source: 0, Path: "/0/data/1", Key: "https://www.linkedin.com/in/grace", Data: json.RawMessage(`{"name":"Grace"}`),
			Status: state.ItemSkipped, Reason: "reached before", Workflow: -1, Slot: -1},
	}
	next := func() []*state.Workflow {
		return []*state.Workflow{{Index: 1, Payload: json.RawMessage(`{"actionType":"st.sendMessage"}`), State: state.Planned, Stage: 2}}
	}
	ev := state.Event{RunID: run.ID, Kind: state.EventDerived, Index: 0, Message: "2 items"}
	// Two processes derive at once: one does.
	var wg sync.WaitGroup
	results := make([]bool, 2)
	for i, s := range []state.Store{db, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := s.Derive(ctx, run.ID, 0, items, next(), ev)
			if err != nil {
				t.Error(err)
			}
			results[i] = d
		}()
	}
	wg.Wait()
	if results[0] == results[1] {
		t.Errorf("derived %v and %v: want exactly one", results[0], results[1])
	}
	ws, err := db.Workflows(ctx, run.ID)
	if err != nil || len(ws) != 2 || !ws[0].Derived || ws[1].Stage != 2 || ws[1].State != state.Planned {
		t.Fatalf("workflows after Derive: %+v %v", ws, err)
	}
	if r, _ := db.Run(ctx, run.ID); r.Workflows != 2 {
		t.Errorf("the run counts %d workflows", r.Workflows)
	}
	got, err := db.Items(ctx, run.ID)
	for i := range got {
		got[i].RunID = ""
	}
	if err != nil || !reflect.DeepEqual(got, items) {
		t.Errorf("items\n got %+v\nwant %+v (%v)", got, items, err)
	}
	if evs, _ := db.Events(ctx, run.ID, 10); len(evs) != 1 || evs[0].Kind != state.EventDerived {
		t.Errorf("events %+v", evs)
	}
}
