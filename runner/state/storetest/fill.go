package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/dump"
)

// Portable is a store that exports and imports itself (package dump).
type Portable interface {
	Export(ctx context.Context, w io.Writer) (*dump.Trailer, error)
	Import(ctx context.Context, r io.Reader) (*dump.Trailer, error)
}

// Fill puts something in every table of db, through the Store: runs of
// two accounts in every state, completions read into the ledger, imported
// contacts, a staged run's items, a sequence's leads with their timelines
// and cursors, a cancelled run, text that is not ASCII.
func Fill(t testing.TB, db state.Store) {
	t.Helper()
	day := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	r := AddRun(t, db, "acct", "outreach", day, []string{"[" + ReqAda + "," + ReqGrace + "]", ReqAlan, ReqGrace},
		[]state.State{state.Completed, state.Pending, state.Unknown},
		[]string{`[` + Sent + `,{"actionType":"st.sendConnectionRequest","success":false,"error":{"type":"alreadyConnected"}}]`, "", ""})
	AddRun(t, db, "other", "outreach", day.Add(time.Hour), []string{ReqAlan}, []state.State{state.Completed}, []string{Sent})
	ws, err := db.Workflows(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	w := ws[2]
	w.Error = state.WithVerdict("the connection broke — après l'envoi 📨\nline two", state.VerdictUnknown, "no activity")
	w.Failure = &linkedapi.Failure{Reason: "x", Message: "ünïcode"}
	w.Output = json.RawMessage(`{ "spaced" : [1, 2] }`)
	w.Submitted, w.Unfinished = day.Add(1500*time.Millisecond), day.Add(2*time.Minute)
	if err := db.Save(ctx, w, state.Event{RunID: r.ID, Kind: state.EventUnknown, Index: 2, Error: "broke", Delay: 1500 * time.Millisecond, Time: day}); err != nil {
		t.Fatal(err)
	}
	for _, acct := range []string{"acct", "other"} {
		if err := db.SyncLedger(ctx, acct, Read(t)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ImportContacts(ctx, "acct", []state.Contact{
		{Person: "https://www.linkedin.com/in/linus", Alias: "https://www.linkedin.com/in/ACoAAx", Outcome: "imported", Time: day, Source: "crm.csv"},
		{Person: "https://www.linkedin.com/in/ken", ActionType: "st.sendMessage", Outcome: "imported", Time: day, Source: "crm.csv", Campaign: "old"},
	}); err != nil {
		t.Fatal(err)
	}
	// A staged run: its first workflow's list feeds a loop.
	ps := []json.RawMessage{json.RawMessage(`{"actionType":"st.searchPeople"}`)}
	staged := state.Run{Key: "5eed000000000000000000000000000000000000000000000000000000000000", Name: "staged", File: "staged.yaml", Account: "acct",
		Created: day.Add(2 * time.Hour), Meta: json.RawMessage(`{"inputs":["q=ai"]}`), Points: [][]state.Point{{{Pointer: "/0", Loop: 1, Item: -1}}}}
	run, _, err := db.Attach(ctx, staged, ps, false)
	if err != nil {
		t.Fatal(err)
	}
	items := []state.Item{{ID: 0, Loop: 1, Parent: -1, Index: 0, Path: "/data/0", Key: "https://www.linkedin.com/in/ada", Data: json.RawMessage(`{"name":"Ada"}`),
		Status: state.ItemSent, Workflow: 1, Slot: 0, Steps: 1, Variants: json.RawMessage(`{"note":0}`)},
		{ID: 1, Loop: 1, Parent: -1, Index: 1, Path: "/data/1", Key: "https://www.linkedin.com/in/bob", Data: json.RawMessage(`{"name":"Bob"}`),
			Status: state.ItemFailed, Reason: "no name", Workflow: -1, Slot: -1}}
	next := []*state.Workflow{{Index: 1, Payload: json.RawMessage(`{"actionType":"st.sendMessage"}`), State: state.Planned, Stage: 2, Updated: day,
		Points: []state.Point{{Pointer: "/0", Loop: 2, Instance: 1, Item: 0}}}}
	if _, err := db.Derive(ctx, run.ID, 0, items, next, state.Event{RunID: run.ID, Kind: state.EventDerived, Message: "2 items", Time: day}); err != nil {
		t.Fatal(err)
	}
	if err := db.RequestCancel(ctx, run.ID); err != nil {
		t.Fatal(err)
	}
	// A sequence.
	lead := func(p, seq string) *state.Lead {
		return &state.Lead{Person: p, Sequence: seq, Data: json.RawMessage(`{"first":"Ünal"}`), Step: "invite", Status: state.LeadActive,
			Due: day.Add(24 * time.Hour), Since: day, Workflow: -1, Slot: -1, Updated: day}
	}
	a, b := lead("https://www.linkedin.com/in/ada", "connect"), lead("https://www.linkedin.com/in/zed", "warm-up")
	if err := db.SaveLeads(ctx, "acct", []*state.Lead{a, b}, []state.LeadEvent{{Person: a.Person, Time: day, Kind: "entered", Step: "invite"}, {Person: b.Person, Time: day, Kind: "entered"}}); err != nil {
		t.Fatal(err)
	}
	a.Status, a.Workflow, a.Slot, a.Results, a.Error = state.LeadSending, 0, 0, json.RawMessage(`{"visit":{"ok":true}}`), "none yet"
	if _, err := db.StartSteps(ctx, state.Run{Key: "c0ec7000000000000000000000000000000000000000000000000000000000001", Name: "connect", Account: "acct", Created: day.Add(3 * time.Hour)},
		[]json.RawMessage{json.RawMessage(`[{"actionType":"st.sendConnectionRequest"}]`)}, "acct", []*state.Lead{a},
		[]state.LeadEvent{{Person: a.Person, Time: day.Add(time.Hour), Kind: "sent", Step: "invite", Detail: "in a run"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []state.Cursor{{Kind: "network", Synced: day, Since: "2026-03-02T10:00:00Z"}, {Kind: "inbox", Since: "x"}} {
		if err := db.SetCursor(ctx, "acct", c); err != nil {
			t.Fatal(err)
		}
	}
}

// Digest is what a store holds, read through the Store: how many records
// of each kind, and a checksum of the runs (with their workflows, events
// and items), of the contact ledger (with what each completion spent),
// and of the leads (with their timelines and the feeds' cursors).
type Digest struct {
	Rows                map[string]int
	Runs, Ledger, Leads string
}

// String shows the digest on one line.
func (d Digest) String() string {
	var keys []string
	for k := range d.Rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, d.Rows[k]))
	}
	return fmt.Sprintf("%s; runs %s, ledger %s, leads %s", strings.Join(parts, ", "), d.Runs, d.Ledger, d.Leads)
}

// TakeDigest digests db.
func TakeDigest(t testing.TB, db state.Store) Digest {
	t.Helper()
	d := Digest{Rows: map[string]int{}}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	line := func(h io.Writer, v ...any) {
		b, err := json.Marshal(v)
		must(err)
		h.Write(append(b, '\n'))
	}
	ms := func(tm time.Time) int64 {
		if tm.IsZero() {
			return 0
		}
		return tm.UnixMilli()
	}
	accounts := map[string]bool{}
	h := sha256.New()
	runs, err := db.Runs(ctx, 1<<30)
	must(err)
	for _, r := range runs {
		accounts[r.Account] = true
		d.Rows["runs"]++
		line(h, r.ID, r.Key, r.Name, r.File, r.Account, r.Endpoint, ms(r.Created), string(r.Meta), r.CancelRequested, r.Workflows, r.Counts, ms(r.Updated))
		ws, err := db.WorkflowsFull(ctx, r.ID)
		must(err)
		for _, w := range ws {
			d.Rows["workflows"]++
			line(h, w.Index, string(w.Payload), w.State, w.WorkflowID, w.PendingReason, w.Message, string(w.Completion), string(w.Output), w.Failure, w.Error,
				w.Actions, w.ActionErrors, w.Attempts, ms(w.Submitted), ms(w.Unfinished), ms(w.Updated), w.Stage, w.Points, w.Derived)
		}
		evs, err := db.Events(ctx, r.ID, 1<<30)
		must(err)
		for _, ev := range evs {
			d.Rows["events"]++
			ev.Time = ev.Time.UTC()
			line(h, ev)
		}
		items, err := db.Items(ctx, r.ID)
		must(err)
		for _, it := range items {
			d.Rows["items"]++
			line(h, it)
		}
	}
	d.Runs = hex.EncodeToString(h.Sum(nil))[:16]
	leads, err := db.Leads(ctx, "", "")
	must(err)
	for _, l := range leads {
		accounts[l.Account] = true
	}
	var accts []string
	for a := range accounts {
		accts = append(accts, a)
	}
	sort.Strings(accts)
	h = sha256.New()
	for _, a := range accts {
		cs, err := db.Contacts(ctx, a, state.ContactFilter{})
		must(err)
		for _, c := range cs {
			d.Rows["contacts"]++
			line(h, a, c.Person, c.Alias, c.ActionType, c.Outcome, ms(c.Time), c.RunID, c.Workflow, c.Path, c.Campaign, c.Source)
		}
		acts, err := db.Activity(ctx, a, time.Time{})
		must(err)
		for _, x := range acts {
			line(h, x.RunID, ms(x.Created), x.Index, x.State, x.Actions, string(x.Completion), string(x.Payload))
		}
	}
	d.Ledger = hex.EncodeToString(h.Sum(nil))[:16]
	h = sha256.New()
	for _, l := range leads {
		d.Rows["leads"]++
		line(h, l.Account, l.Person, l.Sequence, string(l.Data), l.Step, l.Status, ms(l.Due), ms(l.Since), l.Run, l.Workflow, l.Slot, string(l.Results), string(l.Variants), l.Error, ms(l.Updated))
		tl, err := db.Timeline(ctx, l.Account, l.Person)
		must(err)
		for _, e := range tl {
			d.Rows["lead events"]++
			line(h, e.Person, ms(e.Time), e.Kind, e.Step, e.Detail)
		}
	}
	for _, a := range accts {
		for _, k := range []string{"network", "inbox"} {
			c, err := db.Cursor(ctx, a, k)
			must(err)
			if c.Synced.IsZero() && c.Since == "" {
				continue
			}
			d.Rows["cursors"]++
			line(h, a, c.Kind, ms(c.Synced), c.Since)
		}
	}
	d.Leads = hex.EncodeToString(h.Sum(nil))[:16]
	return d
}

// testExportImport fills a store, exports it, imports the file into a
// new store of the same kind: the two hold the same (by digest) and
// export the same bytes. A store that is not empty, a file cut short and
// a file whose rows were changed are refused, and leave nothing behind.
func testExportImport(t *testing.T, b Backend) {
	src := b.store(t)
	p, ok := src.(Portable)
	if !ok {
		t.Fatalf("%T does not export", src)
	}
	Fill(t, src)
	var file bytes.Buffer
	tr, err := p.Export(ctx, &file)
	if err != nil {
		t.Fatal(err)
	}
	want := TakeDigest(t, src)
	for table, n := range map[string]int{"runs": 4, "workflows": 7, "events": 6, "contacts": 5, "completions_read": 2, "items": 2, "leads": 2, "lead_events": 3, "cursors": 2} {
		if tr.Rows[table] != n {
			t.Errorf("the export holds %d rows of %s, want %d", tr.Rows[table], table, n)
		}
	}
	dst := b.store(t)
	if _, err := dst.(Portable).Import(ctx, bytes.NewReader(file.Bytes())); err != nil {
		t.Fatal(err)
	}
	if got := TakeDigest(t, dst); got.String() != want.String() {
		t.Errorf("after import:\n got %s\nwant %s", got, want)
	}
	var again bytes.Buffer
	if _, err := dst.(Portable).Export(ctx, &again); err != nil {
		t.Fatal(err)
	}
	if again.String() != file.String() {
		t.Errorf("the imported store exports differently:\n%s\nwant\n%s", again.String(), file.String())
	}
	// Refusals.
	var ne *dump.NotEmptyError
	if _, err := dst.(Portable).Import(ctx, bytes.NewReader(file.Bytes())); !errors.As(err, &ne) || ne.Table != "runs" || ne.Rows != 4 {
		t.Errorf("import into a store that holds runs: %v", err)
	}
	lines := strings.SplitAfter(strings.TrimSuffix(file.String(), "\n"), "\n")
	for name, text := range map[string]string{
		"cut short": strings.Join(lines[:len(lines)-3], ""),
		"changed":   strings.Replace(file.String(), `"outcome":"sent"`, `"outcome":"sen"`, 1),
		"not one":   "hello\n",
	} {
		empty := b.store(t)
		_, err := empty.(Portable).Import(ctx, strings.NewReader(text))
		if err == nil {
			t.Errorf("a file %s was imported", name)
		}
		if d := TakeDigest(t, empty); len(d.Rows) != 0 {
			t.Errorf("a file %s left %v behind (%v)", name, d.Rows, err)
		}
	}
}
