package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

func TestLeadsTimelinesAndCursors(t *testing.T) {
	ctx := context.Background()
	db := open(t, t.TempDir())
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ada := &state.Lead{Person: "https://www.linkedin.com/in/ada", Sequence: "connect", Data: json.RawMessage(`{"first":"Ada"}`),
		Step: "invite", Status: state.LeadActive, Due: now, Since: now, Workflow: -1, Slot: -1, Updated: now}
	if err := db.SaveLeads(ctx, "acct", []*state.Lead{ada}, []state.LeadEvent{{Person: ada.Person, Time: now, Kind: "entered", Step: "invite"}}); err != nil {
		t.Fatal(err)
	}
	// Another sequence cannot take her; the same one updates her.
	other := *ada
	other.Sequence = "warm-up"
	var taken *state.LeadTakenError
	if err := db.SaveLeads(ctx, "acct", []*state.Lead{&other}, nil); !errors.As(err, &taken) || taken.Sequence != "connect" {
		t.Errorf("another sequence: %v", err)
	}
	if err := db.SaveLeads(ctx, "other-account", []*state.Lead{&other}, nil); err != nil {
		t.Errorf("another account: %v", err)
	}
	// Starting her step: the run and the lead's state in one transaction.
	ada.Status, ada.Workflow, ada.Slot = state.LeadSending, 0, 0
	run, err := db.StartSteps(ctx, state.Run{Key: "0123456789abcdef0123", Name: "connect", Account: "acct"}, []json.RawMessage{json.RawMessage(`[{"actionType":"st.sendConnectionRequest"}]`)},
		"acct", []*state.Lead{ada}, []state.LeadEvent{{Person: ada.Person, Time: now, Kind: "sent", Step: "invite"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Lead(ctx, "acct", ada.Person)
	if err != nil || got.Status != state.LeadSending || got.Run != run.ID || got.Sequence != "connect" {
		t.Fatalf("lead %+v %v", got, err)
	}
	ws, err := db.Workflows(ctx, run.ID)
	if err != nil || len(ws) != 1 {
		t.Fatalf("the run's workflows: %v %v", ws, err)
	}
	// A failing transaction stores neither the run nor the leads.
	bad := &state.Lead{Person: "https://www.linkedin.com/in/ada", Sequence: "elsewhere", Data: json.RawMessage(`{}`), Updated: now}
	if _, err := db.StartSteps(ctx, state.Run{Key: "fedcba98765432100123", Account: "acct"}, []json.RawMessage{json.RawMessage(`{}`)}, "acct", []*state.Lead{bad}, nil); err == nil {
		t.Fatal("a lead of another sequence was taken")
	}
	if rs, _ := db.Runs(ctx, 10); len(rs) != 1 {
		t.Errorf("%d runs after a failed start", len(rs))
	}
	tl, err := db.Timeline(ctx, "acct", ada.Person)
	if err != nil || len(tl) != 2 || tl[0].Kind != "entered" || tl[1].Kind != "sent" {
		t.Errorf("timeline %+v %v", tl, err)
	}
	if ls, _ := db.Leads(ctx, "acct", "connect"); len(ls) != 1 {
		t.Errorf("leads %+v", ls)
	}
	if c, err := db.Cursor(ctx, "acct", "network"); err != nil || !c.Synced.IsZero() || c.Since != "" {
		t.Errorf("a new cursor: %+v %v", c, err)
	}
	want := state.Cursor{Kind: "network", Synced: now, Since: "2026-03-02T10:00:00Z"}
	if err := db.SetCursor(ctx, "acct", want); err != nil {
		t.Fatal(err)
	}
	if c, _ := db.Cursor(ctx, "acct", "network"); c.Since != want.Since || !c.Synced.Equal(now) {
		t.Errorf("cursor %+v", c)
	}
	l, err := db.LockAccount("acct")
	if err != nil {
		t.Fatal(err)
	}
	var le *state.LockedError
	if _, err := db.LockAccount("acct"); !errors.As(err, &le) || le.Error() == "" {
		t.Errorf("second lock: %v", err)
	}
	l.Unlock()
}

func TestLeadsOfEveryAccountAndReset(t *testing.T) {
	ctx := context.Background()
	db := open(t, t.TempDir())
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	lead := func(person, seq string) *state.Lead {
		return &state.Lead{Person: person, Sequence: seq, Data: json.RawMessage(`{}`), Step: "invite", Status: state.LeadActive, Due: now, Since: now, Workflow: -1, Slot: -1, Updated: now}
	}
	for _, x := range []struct{ account, person, seq string }{{"a", "p1", "connect"}, {"a", "p2", "warm-up"}, {"b", "p1", "connect"}} {
		if err := db.SaveLeads(ctx, x.account, []*state.Lead{lead(x.person, x.seq)}, []state.LeadEvent{{Person: x.person, Time: now, Kind: "entered"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetCursor(ctx, "a", state.Cursor{Kind: "network", Synced: now, Since: "x"}); err != nil {
		t.Fatal(err)
	}
	all, err := db.Leads(ctx, "", "connect")
	if err != nil || len(all) != 2 || all[0].Account != "a" || all[1].Account != "b" {
		t.Fatalf("connect over every account: %+v %v", all, err)
	}
	n, err := db.ResetSequence(ctx, "a", "connect")
	if err != nil || n != 1 {
		t.Fatalf("reset: %d %v", n, err)
	}
	left, _ := db.Leads(ctx, "", "")
	if len(left) != 2 || left[0].Sequence != "warm-up" || left[1].Account != "b" {
		t.Errorf("after the reset: %+v", left)
	}
	if tl, _ := db.Timeline(ctx, "a", "p1"); len(tl) != 0 {
		t.Errorf("the reset lead's timeline is kept: %+v", tl)
	}
	if tl, _ := db.Timeline(ctx, "b", "p1"); len(tl) != 1 {
		t.Errorf("another account's timeline is gone: %+v", tl)
	}
	if c, _ := db.Cursor(ctx, "a", "network"); !c.Synced.IsZero() {
		t.Errorf("the account's cursor survived the reset: %+v", c)
	}
}
