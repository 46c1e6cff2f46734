package storetest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

func testSources(t *testing.T, b Backend) {
	db := b.store(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	src := state.Source{Kind: state.SourceSequence, Name: "connect", File: "connect.yaml", Content: []byte("version: 1\n"),
		Inputs: json.RawMessage(`{"leads":[{"url":"u"}]}`), Accounts: []string{"a", "b"}, Created: t0, Updated: t0}
	if err := db.SaveSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	// A second registration replaces the content, keeps the creation time.
	src.Content, src.Accounts, src.Created, src.Updated = []byte("version: 1\n# edited\n"), []string{"a"}, t0.Add(time.Hour), t0.Add(time.Hour)
	if err := db.SaveSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSourcePaused(ctx, state.SourceSequence, "connect", true); err != nil {
		t.Fatal(err)
	}
	got, err := db.Sources(ctx, state.SourceSequence)
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	g := got[0]
	if string(g.Content) != "version: 1\n# edited\n" || len(g.Accounts) != 1 || !g.Paused || !g.Created.Equal(t0) || !g.Updated.Equal(t0.Add(time.Hour)) ||
		string(g.Inputs) != `{"leads":[{"url":"u"}]}` {
		t.Errorf("%+v", g)
	}
	if err := db.SetSourcePaused(ctx, state.SourceSequence, "nothing", true); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("pausing what is not there: %v", err)
	}
	if err := db.SetAccountState(ctx, state.AccountState{Account: "a", Label: "work", Updated: t0}); err != nil {
		t.Fatal(err)
	}
	// A later state without a label keeps the label.
	if err := db.SetAccountState(ctx, state.AccountState{Account: "a", Stopped: "limitExceeded", Since: t0, Updated: t0}); err != nil {
		t.Fatal(err)
	}
	sts, err := db.AccountStates(ctx)
	if err != nil || len(sts) != 1 || sts[0].Label != "work" || sts[0].Stopped != "limitExceeded" || !sts[0].Since.Equal(t0) {
		t.Errorf("%+v %v", sts, err)
	}
}

func testMoveLead(t *testing.T, b Backend) {
	db := b.store(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	l := &state.Lead{Person: "p", Sequence: "s", Data: json.RawMessage(`{}`), Step: "invite", Status: state.LeadActive, Due: now, Since: now, Workflow: -1, Slot: -1, Updated: now}
	if err := db.SaveLeads(ctx, "a", []*state.Lead{l}, []state.LeadEvent{{Person: "p", Time: now, Kind: "entered"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.MoveLead(ctx, "p", "a", "b", state.LeadEvent{Person: "p", Time: now, Kind: "moved", Detail: "from a to b"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Lead(ctx, "a", "p"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("still with a: %v", err)
	}
	got, err := db.Lead(ctx, "b", "p")
	if err != nil || got.Sequence != "s" || got.Step != "invite" {
		t.Fatalf("%+v %v", got, err)
	}
	if tl, _ := db.Timeline(ctx, "b", "p"); len(tl) != 2 || tl[1].Kind != "moved" {
		t.Errorf("timeline %+v", tl)
	}
	if err := db.MoveLead(ctx, "p", "a", "d", state.LeadEvent{}); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("moving what a has not: %v", err)
	}
	l.Account = "c"
	if err := db.SaveLeads(ctx, "c", []*state.Lead{l}, nil); err != nil {
		t.Fatal(err)
	}
	var taken *state.LeadTakenError
	if err := db.MoveLead(ctx, "p", "c", "b", state.LeadEvent{}); !errors.As(err, &taken) {
		t.Errorf("moving onto a lead b has: %v", err)
	}
}

func testDeliveries(t *testing.T, b Backend) {
	db := b.store(t)
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	d := state.Delivery{ID: "workflow.completed:wf-1", Type: "workflow.completed", WorkflowID: "wf-1", Created: t0, Received: t0.Add(time.Second), Body: []byte(`{"id":"x"}`)}
	for i, want := range []bool{true, false} {
		created, err := db.SaveDelivery(ctx, d)
		if err != nil || created != want {
			t.Fatalf("save %d: created %v, %v", i, created, err)
		}
	}
	d2 := d
	d2.ID, d2.Received = "network.connectionAccepted:n-1", t0.Add(2*time.Second)
	if _, err := db.SaveDelivery(ctx, d2); err != nil {
		t.Fatal(err)
	}
	if err := db.DeliveryDone(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	pending, err := db.Deliveries(ctx, time.Time{}, true, 10)
	if err != nil || len(pending) != 1 || pending[0].ID != d2.ID || pending[0].Done {
		t.Fatalf("pending %+v %v", pending, err)
	}
	all, err := db.Deliveries(ctx, t0, false, 10)
	if err != nil || len(all) != 2 || all[0].ID != d.ID || !all[0].Done || string(all[0].Body) != `{"id":"x"}` || !all[0].Received.Equal(t0.Add(time.Second)) {
		t.Fatalf("all %+v %v", all, err)
	}
	// Several marked done at once; none left pending.
	d3 := d
	d3.ID, d3.Received = "inbox.messageReceived:m-1", t0.Add(3*time.Second)
	if _, err := db.SaveDelivery(ctx, d3); err != nil {
		t.Fatal(err)
	}
	if err := db.DeliveryDone(ctx, d2.ID, d3.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.DeliveryDone(ctx); err != nil {
		t.Fatal(err)
	}
	if pending, err := db.Deliveries(ctx, time.Time{}, true, 10); err != nil || len(pending) != 0 {
		t.Fatalf("pending after marking two: %+v %v", pending, err)
	}
}
