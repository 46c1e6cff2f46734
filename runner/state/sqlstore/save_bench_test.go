package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

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

// BenchmarkSave is one state change committed alone: what every change
// cost before group commits, and what an intent costs now.
func BenchmarkSave(b *testing.B) {
	db, err := Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ws := benchRun(b, db, 1000)
	ctx := context.Background()
	b.ResetTimer()
	for i := range b.N {
		w := ws[i%len(ws)]
		w.State, w.WorkflowID, w.Updated = state.Pending, fmt.Sprintf("wf-%d", i), time.Now()
		if err := db.Save(ctx, w, state.Event{Time: w.Updated, Kind: state.EventStatus, RunID: w.RunID, Index: w.Index, WorkflowID: w.WorkflowID, State: w.State}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCancelRequested is the check the runner makes before each
// POST /workflows.
func BenchmarkCancelRequested(b *testing.B) {
	db, err := Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ws := benchRun(b, db, 10)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		if _, err := db.CancelRequested(ctx, ws[0].RunID); err != nil {
			b.Fatal(err)
		}
	}
}
