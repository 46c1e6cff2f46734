package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

// The benchmarks of what the runner commits, run with
//
//	go test -run '^$' -bench 'Save|Intent|Group' -benchtime 2000x ./runner/state/sqlstore
//
// report the process's CPU per operation (cpu-µs/op) beside the wall time,
// which includes waiting for the disk.

// benchRun stores a run of n one-action workflows for the benchmarks.
func benchRun(b *testing.B, db *DB, n int) []*state.Workflow {
	b.Helper()
	ps := make([]json.RawMessage, n)
	for i := range ps {
		ps[i] = json.RawMessage(fmt.Sprintf(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/bench-%d"}`, i))
	}
	key, _ := state.RunKey("acct", ps)
	run, _, err := db.Attach(context.Background(), state.Run{Key: key, Account: "acct"}, ps, false)
	if err != nil {
		b.Fatal(err)
	}
	ws, err := db.Workflows(context.Background(), run.ID)
	if err != nil {
		b.Fatal(err)
	}
	return ws
}

func benchStore(b *testing.B) (*DB, []*state.Workflow) {
	b.Helper()
	db, err := Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db, benchRun(b, db, 1000)
}

// measure runs op b.N times and reports its CPU per operation.
func measure(b *testing.B, op func(i int) error) {
	b.Helper()
	b.ResetTimer()
	start := cpuTime()
	for i := range b.N {
		if err := op(i); err != nil {
			b.Fatal(err)
		}
	}
	if cpu := cpuTime() - start; cpu > 0 {
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	}
}

func status(w *state.Workflow) state.Event {
	return state.Event{Time: w.Updated, Kind: state.EventStatus, RunID: w.RunID, Index: w.Index, WorkflowID: w.WorkflowID, State: w.State}
}

// BenchmarkSave is one state change and its event committed alone: what
// every change of every workflow cost before group commits.
func BenchmarkSave(b *testing.B) {
	db, ws := benchStore(b)
	ctx := context.Background()
	measure(b, func(i int) error {
		w := ws[i%len(ws)]
		w.State, w.WorkflowID, w.Updated = state.Pending, fmt.Sprintf("wf-%d", i), time.Now()
		return db.Save(ctx, w, status(w))
	})
}

// BenchmarkIntent is what the runner commits before each POST /workflows:
// the intent with the answer to the POST before it, their events left for
// the group commit, after a look at the cancel flag.
func BenchmarkIntent(b *testing.B) {
	db, ws := benchStore(b)
	ctx := context.Background()
	measure(b, func(i int) error {
		prev, w := ws[(i+len(ws)-1)%len(ws)], ws[i%len(ws)]
		prev.State, prev.WorkflowID, prev.Updated = state.Pending, fmt.Sprintf("wf-%d", i), time.Now()
		w.State, w.Attempts, w.Submitted, w.Updated = state.Submitting, 1, time.Now(), time.Now()
		_, err := db.SaveUnlessCancelled(ctx, w.RunID, []state.Change{{Workflow: prev}, {Workflow: w}})
		return err
	})
}

// BenchmarkGroup is a group commit of 100 workflows' poll results with
// their events; one op is one change.
func BenchmarkGroup(b *testing.B) {
	db, ws := benchStore(b)
	ctx := context.Background()
	var group []state.Change
	measure(b, func(i int) error {
		w := ws[i%len(ws)]
		w.State, w.Message, w.Updated = state.Running, fmt.Sprintf("step %d", i), time.Now()
		c := *w
		group = append(group, state.Change{Workflow: &c, Event: status(&c)})
		if len(group) < 100 {
			return nil
		}
		err := db.SaveAll(ctx, group)
		group = group[:0]
		return err
	})
}

// BenchmarkCancelRequested is the look at the cancel flag the runner
// takes every CancelCheck.
func BenchmarkCancelRequested(b *testing.B) {
	db, ws := benchStore(b)
	ctx := context.Background()
	measure(b, func(int) error {
		_, err := db.CancelRequested(ctx, ws[0].RunID)
		return err
	})
}
