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

// AddRun stores a run of the account created at created, with one
// workflow per payload, and moves workflow i to states[i] (with
// completions[i] when completed).
func AddRun(t testing.TB, db state.Store, account, name string, created time.Time, payloads []string, states []state.State, completions []string) *state.Run {
	t.Helper()
	var ps []json.RawMessage
	for _, p := range payloads {
		ps = append(ps, json.RawMessage(p))
	}
	key, _ := state.RunKey(account+name+created.String(), ps)
	run, _, err := db.Attach(ctx, state.Run{Key: key, Name: name, File: name + ".yaml", Account: account, Created: created}, ps, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range states {
		w := &state.Workflow{RunID: run.ID, Index: i, State: st, Updated: created.Add(time.Minute)}
		if st != state.Planned {
			w.WorkflowID = "wf-" + name + string(rune('a'+i))
		}
		if st == state.Completed {
			w.Completion = json.RawMessage(completions[i])
		}
		if err := db.Save(ctx, w, state.Event{RunID: run.ID, Kind: state.EventStatus, Index: i}); err != nil {
			t.Fatal(err)
		}
	}
	return run
}

// Payloads and completions of connection requests.
const (
	ReqAda   = `{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/ada/"}`
	ReqGrace = `{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/grace"}`
	ReqAlan  = `{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/alan"}`
	Sent     = `{"actionType":"st.sendConnectionRequest","success":true}`
)

func testLedger(t *testing.T, b Backend) {
	db := b.store(t)
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	run := AddRun(t, db, "acct", "outreach", day, []string{"[" + ReqAda + "," + ReqGrace + "]", ReqAlan},
		[]state.State{state.Completed, state.Pending},
		[]string{`[` + Sent + `,{"actionType":"st.sendConnectionRequest","success":false,"error":{"type":"alreadyConnected"}}]`, ""})
	AddRun(t, db, "other", "outreach", day, []string{ReqAlan}, []state.State{state.Completed}, []string{Sent})
	for i := 0; i < 2; i++ { // idempotent
		if err := db.SyncLedger(ctx, "acct", Read(t)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Contacts(ctx, "acct", state.ContactFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i].Time = got[i].Time.UTC()
	}
	at := day.Add(time.Minute)
	want := []state.Contact{
		{Account: "acct", Person: "https://www.linkedin.com/in/ada", ActionType: "st.sendConnectionRequest", Outcome: "sent", Time: at, RunID: run.ID, Workflow: 0, Path: "/0", Campaign: "outreach"},
		{Account: "acct", Person: "https://www.linkedin.com/in/grace", ActionType: "st.sendConnectionRequest", Outcome: "alreadyConnected", Time: at, RunID: run.ID, Workflow: 0, Path: "/1", Campaign: "outreach"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ledger:\n got %+v\nwant %+v", got, want)
	}
	// The pending workflow is open: it names Alan.
	open, err := db.OpenWorkflows(ctx, "acct")
	if err != nil || len(open) != 1 || open[0].Index != 1 || open[0].State != state.Pending || string(open[0].Payload) != ReqAlan || open[0].Campaign != "outreach" {
		t.Errorf("open workflows: %+v, %v", open, err)
	}
	// Forgetting stays forgotten: the completion is not read again.
	if n, err := db.ForgetContact(ctx, "acct", "https://linkedin.com/in/ADA"); n != 1 || err != nil {
		t.Errorf("forget: %d, %v", n, err)
	}
	if err := db.SyncLedger(ctx, "acct", Read(t)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Contacts(ctx, "acct", state.ContactFilter{Person: "https://www.linkedin.com/in/ada"}); len(got) != 0 {
		t.Errorf("forgotten person is back: %+v", got)
	}
	// Imports: once per file, counting for every action when none is given.
	imp := []state.Contact{{Person: "https://www.linkedin.com/in/Linus/", Alias: "https://www.linkedin.com/in/ACoAAx", Outcome: "imported", Time: day, Source: "crm.csv"}}
	for i, wantAdded := range []int{1, 0} {
		if n, err := db.ImportContacts(ctx, "acct", imp); n != wantAdded || err != nil {
			t.Errorf("import %d: %d added, %v", i, n, err)
		}
	}
	got, _ = db.Contacts(ctx, "acct", state.ContactFilter{Person: "https://www.linkedin.com/in/acoaax", Action: "st.sendMessage"})
	if len(got) != 1 || got[0].Person != "https://www.linkedin.com/in/linus" || got[0].Workflow != -1 || got[0].Source != "crm.csv" {
		t.Errorf("imported entry by alias and any action: %+v", got)
	}
	if got, _ := db.Contacts(ctx, "acct", state.ContactFilter{Campaign: "outreach"}); len(got) != 1 || got[0].Person != "https://www.linkedin.com/in/grace" {
		t.Errorf("by campaign: %+v", got)
	}
	if got, _ := db.Contacts(ctx, "acct", state.ContactFilter{Action: "st.sendMessage"}); len(got) != 1 || got[0].Source != "crm.csv" {
		t.Errorf("by another action, imported entries only: %+v", got)
	}
	if got, _ := db.Contacts(ctx, "other", state.ContactFilter{}); len(got) != 0 {
		t.Errorf("another account's ledger was synced without being asked: %+v", got)
	}
	if n, err := db.ForgetContact(ctx, "acct", "https://www.linkedin.com/in/ACoAAx"); n != 1 || err != nil {
		t.Errorf("forget by alias: %d, %v", n, err)
	}
}

// testLedgerRace: two processes read the same account's completions into
// the ledger at once: every contact is recorded once.
func testLedgerRace(t *testing.T, b Backend) {
	where := b.New(t)
	a, o := b.Open(t, where), b.Open(t, where)
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var payloads, completions []string
	var states []state.State
	for i := range 45 {
		payloads = append(payloads, fmt.Sprintf(`{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/p-%d"}`, i))
		completions = append(completions, Sent)
		states = append(states, state.Completed)
	}
	AddRun(t, a, "acct", "outreach", day, payloads, states, completions)
	var wg sync.WaitGroup
	for _, s := range []state.Store{a, o} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.SyncLedger(ctx, "acct", Read(t)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got, _ := a.Contacts(ctx, "acct", state.ContactFilter{}); len(got) != 45 {
		t.Errorf("%d ledger entries, want 45", len(got))
	}
}

func testActivity(t *testing.T, b Backend) {
	db := b.store(t)
	monday := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	AddRun(t, db, "acct", "last-week", monday.AddDate(0, 0, -7), []string{ReqAda}, []state.State{state.Completed}, []string{Sent})
	r := AddRun(t, db, "acct", "this-week", monday, []string{ReqAda, ReqGrace, ReqAlan, ReqAlan, ReqAlan, ReqGrace},
		[]state.State{state.Completed, state.Running, state.Planned, state.Rejected, state.Unknown, state.Completed}, []string{Sent, "", "", "", "", Sent})
	// The last completion is not read yet: Activity gives it whole.
	if err := db.SyncLedger(ctx, "acct", Read(t)); err != nil {
		t.Fatal(err)
	}
	late := &state.Workflow{RunID: r.ID, Index: 2, State: state.Completed, WorkflowID: "wf-late", Completion: json.RawMessage(Sent), Updated: monday}
	if err := db.Save(ctx, late, state.Event{}); err != nil {
		t.Fatal(err)
	}
	acts, err := db.Activity(ctx, "acct", monday)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range acts {
		got = append(got, fmt.Sprintf("%s %s #%d %s %v %s %s", a.RunID, a.Created.UTC().Format(time.RFC3339), a.Index, a.State, a.Actions, a.Payload, a.Completion))
	}
	want := []string{
		r.ID + " 2026-03-02T09:00:00Z #0 completed map[st.sendConnectionRequest:1]  ",
		r.ID + " 2026-03-02T09:00:00Z #1 running map[] " + ReqGrace + " ",
		r.ID + " 2026-03-02T09:00:00Z #2 completed map[]  " + Sent,
		r.ID + " 2026-03-02T09:00:00Z #4 unknown map[] " + ReqAlan + " ",
		r.ID + " 2026-03-02T09:00:00Z #5 completed map[st.sendConnectionRequest:1]  ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("activity:\n got %q\nwant %q", got, want)
	}
}

// testActivityQueued: work not sent yet counts whenever it was made, and
// sent work counts when it was sent, not when its run was made.
func testActivityQueued(t *testing.T, b Backend) {
	db := b.store(t)
	monday := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	lastWeek := monday.AddDate(0, 0, -7)
	queued := AddRun(t, db, "acct", "queued", lastWeek, []string{ReqAda, ReqGrace}, []state.State{state.Planned, state.Pending}, nil)
	// The second went out this week, a week after its run was made.
	w := &state.Workflow{RunID: queued.ID, Index: 1, State: state.Pending, WorkflowID: "wf-late", Submitted: monday.Add(time.Hour), Updated: monday.Add(time.Hour)}
	if err := db.Save(ctx, w, state.Event{}); err != nil {
		t.Fatal(err)
	}
	AddRun(t, db, "acct", "old", lastWeek, []string{ReqAlan}, []state.State{state.Pending}, nil)
	acts, err := db.Activity(ctx, "acct", monday)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range acts {
		got = append(got, fmt.Sprintf("%s #%d %s %s", a.RunID, a.Index, a.State, a.Created.UTC().Format(time.RFC3339)))
	}
	want := []string{
		queued.ID + " #0 planned 2026-02-23T09:00:00Z",
		queued.ID + " #1 pending 2026-03-02T10:00:00Z",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("activity:\n got %q\nwant %q", got, want)
	}
}
