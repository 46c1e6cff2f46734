package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

func open(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func payloads(n int) []json.RawMessage {
	var ps []json.RawMessage
	for i := 0; i < n; i++ {
		ps = append(ps, json.RawMessage(`{"actionType":"st.retrieveSSI","label":"`+string(rune('a'+i))+`"}`))
	}
	return ps
}

func testRun(t *testing.T, ps []json.RawMessage) state.Run {
	key, err := state.RunKey("acct", ps)
	if err != nil {
		t.Fatal(err)
	}
	return state.Run{Key: key, Name: "demo", File: "demo.yaml", Account: "acct", Endpoint: "http://127.0.0.1:1"}
}

func TestAttachCreatesOnceAndReattaches(t *testing.T) {
	dir := t.TempDir()
	ps := payloads(3)
	run := testRun(t, ps)
	// Several processes (separate connections) start the same campaign at
	// once: exactly one run is created.
	var wg sync.WaitGroup
	ids := make([]string, 6)
	created := make([]bool, 6)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			db, err := Open(context.Background(), dir)
			if err != nil {
				t.Error(err)
				return
			}
			defer db.Close()
			r, c, err := db.Attach(context.Background(), run, ps, false)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i], created[i] = r.ID, c
		}(i)
	}
	wg.Wait()
	n := 0
	for i := range ids {
		if ids[i] != ids[0] {
			t.Errorf("process %d attached to %s, process 0 to %s", i, ids[i], ids[0])
		}
		if created[i] {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d runs created, want 1", n)
	}
	db := open(t, dir)
	fresh, c, err := db.Attach(context.Background(), run, ps, true)
	if err != nil || !c || fresh.ID == ids[0] {
		t.Fatalf("--new: %v %v %v", fresh, c, err)
	}
	again, c, _ := db.Attach(context.Background(), run, ps, false)
	if c || again.ID != fresh.ID {
		t.Errorf("re-attach after --new went to %s (created %v), want the newest %s", again.ID, c, fresh.ID)
	}
	runs, err := db.Runs(context.Background(), 10)
	if err != nil || len(runs) != 2 || runs[0].ID != fresh.ID || runs[0].Counts.ByState[state.Planned] != 3 {
		t.Errorf("runs = %+v, %v", runs, err)
	}
}

func TestSaveRoundTripAndResolve(t *testing.T) {
	db := open(t, t.TempDir())
	ctx := context.Background()
	ps := payloads(2)
	run, _, err := db.Attach(ctx, testRun(t, ps), ps, false)
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
	evs, _ := db.Events(ctx, run.ID, 10)
	if len(evs) != 2 || evs[0].Kind != state.EventFinished || evs[0].Delay != 3*time.Second {
		t.Errorf("events = %+v", evs)
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
	c, _, _ := db.Counts(ctx, run.ID)
	if want := (state.Counts{Total: 2, ByState: map[state.State]int{state.Planned: 1, state.Completed: 1}, Actions: 1, Finished: 1}); !reflect.DeepEqual(c, want) {
		t.Errorf("counts = %+v", c)
	}
}

func TestLockIsExclusiveAndPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".lwf")
	a, b := open(t, dir), open(t, dir)
	l, err := a.Lock("r-1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.Lock("r-1")
	var le *state.LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() {
		t.Fatalf("second lock: %v", err)
	}
	if !b.Held("r-1") {
		t.Error("Held = false while locked")
	}
	l.Unlock()
	l2, err := b.Lock("r-1")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	l2.Unlock()
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "state.db"): 0o600} {
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v (err %v), want %v", path, st.Mode().Perm(), err, want)
		}
	}
}
