package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// read is what lwf reads from completions: campaign's ledger rules.
func read(t *testing.T) state.ReadCompletion {
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	return campaign.ReadCompletion(cat)
}

// addRun stores a run of the account created at created, with one
// workflow per payload, and moves workflow i to states[i] (with
// completions[i] when completed).
func addRun(t *testing.T, db *DB, account, name string, created time.Time, payloads []string, states []state.State, completions []string) *state.Run {
	t.Helper()
	ctx := context.Background()
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

const (
	reqAda   = `{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/ada/"}`
	reqGrace = `{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/grace"}`
	reqAlan  = `{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/alan"}`
	sent     = `{"actionType":"st.sendConnectionRequest","success":true}`
)

func TestLedgerSyncForgetImport(t *testing.T) {
	ctx := context.Background()
	db := open(t, t.TempDir())
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	run := addRun(t, db, "acct", "outreach", day, []string{"[" + reqAda + "," + reqGrace + "]", reqAlan},
		[]state.State{state.Completed, state.Pending},
		[]string{`[` + sent + `,{"actionType":"st.sendConnectionRequest","success":false,"error":{"type":"alreadyConnected"}}]`, ""})
	addRun(t, db, "other", "outreach", day, []string{reqAlan}, []state.State{state.Completed}, []string{sent})
	for i := 0; i < 2; i++ { // idempotent
		if err := db.SyncLedger(ctx, "acct", read(t)); err != nil {
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
		{Person: "https://www.linkedin.com/in/ada", ActionType: "st.sendConnectionRequest", Outcome: "sent", Time: at, RunID: run.ID, Workflow: 0, Path: "/0", Campaign: "outreach"},
		{Person: "https://www.linkedin.com/in/grace", ActionType: "st.sendConnectionRequest", Outcome: "alreadyConnected", Time: at, RunID: run.ID, Workflow: 0, Path: "/1", Campaign: "outreach"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ledger:\n got %+v\nwant %+v", got, want)
	}
	// The pending workflow is open: it names Alan.
	open, err := db.OpenWorkflows(ctx, "acct")
	if err != nil || len(open) != 1 || open[0].Index != 1 || open[0].State != state.Pending || string(open[0].Payload) != reqAlan {
		t.Errorf("open workflows: %+v, %v", open, err)
	}
	// Forgetting stays forgotten: the completion is not read again.
	if n, err := db.ForgetContact(ctx, "acct", "https://linkedin.com/in/ADA"); n != 1 || err != nil {
		t.Errorf("forget: %d, %v", n, err)
	}
	if err := db.SyncLedger(ctx, "acct", read(t)); err != nil {
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
	if got, _ := db.Contacts(ctx, "other", state.ContactFilter{}); len(got) != 0 {
		t.Errorf("another account's ledger was synced without being asked: %+v", got)
	}
}

func TestActivity(t *testing.T) {
	ctx := context.Background()
	db := open(t, t.TempDir())
	monday := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	addRun(t, db, "acct", "last-week", monday.AddDate(0, 0, -7), []string{reqAda}, []state.State{state.Completed}, []string{sent})
	r := addRun(t, db, "acct", "this-week", monday, []string{reqAda, reqGrace, reqAlan, reqAlan, reqAlan},
		[]state.State{state.Completed, state.Running, state.Planned, state.Rejected, state.Unknown}, []string{sent})
	if err := db.SyncLedger(ctx, "acct", read(t)); err != nil {
		t.Fatal(err)
	}
	acts, err := db.Activity(ctx, "acct", monday)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range acts {
		got = append(got, fmt.Sprintf("%s %s #%d %s %v %s", a.RunID, a.Created.UTC().Format(time.RFC3339), a.Index, a.State, a.Actions, a.Payload))
	}
	want := []string{
		r.ID + " 2026-03-02T09:00:00Z #0 completed map[st.sendConnectionRequest:1] ",
		r.ID + " 2026-03-02T09:00:00Z #1 running map[] " + reqGrace,
		r.ID + " 2026-03-02T09:00:00Z #2 planned map[] " + reqAlan, // not sent yet: it spends when it is
		r.ID + " 2026-03-02T09:00:00Z #4 unknown map[] " + reqAlan,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("activity:\n got %q\nwant %q", got, want)
	}
}
