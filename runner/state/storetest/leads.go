package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

func testLeads(t *testing.T, b Backend) {
	db := b.store(t)
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
	if err := db.SaveLeads(ctx, "acct", []*state.Lead{&other}, nil); !errors.As(err, &taken) || taken.Sequence != "connect" || taken.Person != ada.Person {
		t.Errorf("another sequence: %v", err)
	}
	if err := db.SaveLeads(ctx, "other-account", []*state.Lead{&other}, nil); err != nil {
		t.Errorf("another account: %v", err)
	}
	if owners, err := db.LeadOwners(ctx, "acct"); err != nil || len(owners) != 1 || owners[ada.Person] != (state.LeadOwner{Sequence: "connect", Status: state.LeadActive}) {
		t.Errorf("owners %+v %v", owners, err)
	}
	// Starting her step: the run and the lead's state in one transaction.
	ada.Status, ada.Workflow, ada.Slot = state.LeadSending, 0, 0
	ada.Results, ada.Variants = json.RawMessage(`{"invite":{"ok":true}}`), json.RawMessage(`{"note":2}`)
	run, err := db.StartSteps(ctx, state.Run{Key: "0123456789abcdef0123", Name: "connect", Account: "acct"}, []json.RawMessage{json.RawMessage(`[{"actionType":"st.sendConnectionRequest"}]`)},
		"acct", []*state.Lead{ada}, []state.LeadEvent{{Person: ada.Person, Time: now, Kind: "sent", Step: "invite", Detail: "run"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Lead(ctx, "acct", ada.Person)
	if err != nil || got.Status != state.LeadSending || got.Run != run.ID || got.Sequence != "connect" || string(got.Results) != string(ada.Results) ||
		string(got.Variants) != string(ada.Variants) || string(got.Data) != `{"first":"Ada"}` || !got.Due.Equal(now) || got.Workflow != 0 {
		t.Fatalf("lead %+v %v", got, err)
	}
	if _, err := db.Lead(ctx, "acct", "https://www.linkedin.com/in/nobody"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("a lead that is not there: %v", err)
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
	if err != nil || len(tl) != 2 || tl[0].Kind != "entered" || tl[1].Kind != "sent" || tl[1].Detail != "run" || !tl[1].Time.Equal(now) {
		t.Errorf("timeline %+v %v", tl, err)
	}
	if ls, _ := db.Leads(ctx, "acct", "connect"); len(ls) != 1 {
		t.Errorf("leads %+v", ls)
	}
	if ls, _ := db.OpenLeads(ctx, "acct", "connect"); len(ls) != 1 || ls[0].Person != ada.Person {
		t.Errorf("open leads %+v", ls)
	}
	ada.Status = state.LeadDone
	if err := db.SaveLeads(ctx, "acct", []*state.Lead{ada}, nil); err != nil {
		t.Fatal(err)
	}
	if ls, _ := db.OpenLeads(ctx, "acct", "connect"); len(ls) != 0 {
		t.Errorf("a lead that ended is open: %+v", ls)
	}
	if c, err := db.Cursor(ctx, "acct", "network"); err != nil || !c.Synced.IsZero() || c.Since != "" || c.Kind != "network" {
		t.Errorf("a new cursor: %+v %v", c, err)
	}
	want := state.Cursor{Kind: "network", Synced: now, Since: "2026-03-02T10:00:00Z"}
	for range 2 { // inserted, then updated
		if err := db.SetCursor(ctx, "acct", want); err != nil {
			t.Fatal(err)
		}
		want.Since = "2026-03-02T11:00:00Z"
	}
	if c, _ := db.Cursor(ctx, "acct", "network"); c.Since != "2026-03-02T11:00:00Z" || !c.Synced.Equal(now) {
		t.Errorf("cursor %+v", c)
	}
	l, err := db.LockAccount("acct")
	if err != nil {
		t.Fatal(err)
	}
	var le *state.LockedError
	if _, err := db.LockAccount("acct"); !errors.As(err, &le) || le.What == "" || le.Error() == "" {
		t.Errorf("second lock: %v", err)
	}
	if l2, err := db.Lock("acct"); err != nil {
		t.Errorf("a run lock of the same name as an account's: %v", err)
	} else {
		l2.Unlock()
	}
	l.Unlock()
}

func testLeadsReset(t *testing.T, b Backend) {
	db := b.store(t)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	lead := func(person, seq string) *state.Lead {
		return &state.Lead{Person: person, Sequence: seq, Data: json.RawMessage(`{}`), Step: "invite", Status: state.LeadActive, Due: now, Since: now, Workflow: -1, Slot: -1, Updated: now}
	}
	for _, x := range []struct{ account, person, seq string }{{"a", "p1", "connect"}, {"a", "p2", "warm-up"}, {"b", "p1", "connect"}, {"B", "p0", "connect"}} {
		if err := db.SaveLeads(ctx, x.account, []*state.Lead{lead(x.person, x.seq)}, []state.LeadEvent{{Person: x.person, Time: now, Kind: "entered"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetCursor(ctx, "a", state.Cursor{Kind: "network", Synced: now, Since: "x"}); err != nil {
		t.Fatal(err)
	}
	// By account, then person, byte by byte ("B" before "a").
	all, err := db.Leads(ctx, "", "connect")
	if err != nil || len(all) != 3 || all[0].Account != "B" || all[1].Account != "a" || all[2].Account != "b" {
		t.Fatalf("connect over every account: %+v %v", all, err)
	}
	n, err := db.ResetSequence(ctx, "a", "connect")
	if err != nil || n != 1 {
		t.Fatalf("reset: %d %v", n, err)
	}
	left, _ := db.Leads(ctx, "", "")
	if len(left) != 3 || left[0].Account != "B" || left[1].Sequence != "warm-up" || left[2].Account != "b" {
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

// testLeadTakenRace: two processes add the same people to two sequences
// of one account at once: each person is a lead of one sequence, and the
// process that lost is told so by a LeadTakenError, never by a raw
// constraint error.
func testLeadTakenRace(t *testing.T, b Backend) {
	where := b.New(t)
	stores := []state.Store{b.Open(t, where), b.Open(t, where)}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for round := range 20 {
		person := fmt.Sprintf("https://www.linkedin.com/in/p-%d", round)
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l := &state.Lead{Person: person, Sequence: fmt.Sprintf("seq-%d", i), Data: json.RawMessage(`{}`), Step: "invite", Status: state.LeadActive,
					Due: now, Since: now, Workflow: -1, Slot: -1, Updated: now}
				errs[i] = s.SaveLeads(ctx, "acct", []*state.Lead{l}, []state.LeadEvent{{Person: person, Time: now, Kind: "entered"}})
			}()
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			var taken *state.LeadTakenError
			switch {
			case err == nil:
				if won >= 0 {
					t.Errorf("round %d: both sequences took %s", round, person)
				}
				won = i
			case !errors.As(err, &taken):
				t.Errorf("round %d: %v, want a LeadTakenError", round, err)
			}
		}
		if won < 0 {
			t.Fatalf("round %d: neither sequence took %s: %v", round, person, errs)
		}
		l, err := stores[0].Lead(ctx, "acct", person)
		if err != nil || l.Sequence != fmt.Sprintf("seq-%d", won) {
			t.Errorf("round %d: lead %+v %v, want of seq-%d", round, l, err, won)
		}
		if tl, _ := stores[0].Timeline(ctx, "acct", person); len(tl) != 1 {
			t.Errorf("round %d: the loser's event was kept: %+v", round, tl)
		}
	}
}
