package sqlstore

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

// TestSaveAllIsOneTransaction saves a group of changes in which one
// names a workflow the run does not have: nothing of the group is
// stored, neither the workflows' states nor the events.
func TestSaveAllIsOneTransaction(t *testing.T) {
	db := open(t, t.TempDir())
	ctx := context.Background()
	ps := payloads(2)
	run, _, err := db.Attach(ctx, testRun(t, ps), ps, false)
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
}

// TestSaveAllKeepsTheLastStateAndEveryEvent saves one workflow's whole
// life in one group: it ends in its last state with the completion an
// earlier change carried (a later nil one leaves it), and every event is
// logged in order — none for a change without one.
func TestSaveAllKeepsTheLastStateAndEveryEvent(t *testing.T) {
	db := open(t, t.TempDir())
	ctx := context.Background()
	ps := payloads(2)
	run, _, err := db.Attach(ctx, testRun(t, ps), ps, false)
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

// TestSaveUnlessCancelled saves a group unless the run was asked to stop:
// before lwf cancel it is stored, after it nothing is.
func TestSaveUnlessCancelled(t *testing.T) {
	db := open(t, t.TempDir())
	ctx := context.Background()
	ps := payloads(2)
	run, _, err := db.Attach(ctx, testRun(t, ps), ps, false)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := db.Workflows(ctx, run.ID)
	intent := func(w state.Workflow) []state.Change {
		w.State, w.Attempts = state.Submitting, 1
		return []state.Change{{Workflow: &w, Event: state.Event{RunID: run.ID, Kind: state.EventSubmitting, Index: w.Index}}}
	}
	if cancelled, err := db.SaveUnlessCancelled(ctx, run.ID, intent(*ws[0])); err != nil || cancelled {
		t.Fatalf("before lwf cancel: cancelled %v, err %v", cancelled, err)
	}
	if err := db.RequestCancel(ctx, run.ID); err != nil {
		t.Fatal(err)
	}
	if cancelled, err := db.SaveUnlessCancelled(ctx, run.ID, intent(*ws[1])); err != nil || !cancelled {
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
