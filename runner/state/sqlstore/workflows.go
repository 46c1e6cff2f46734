package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

// Workflows returns the run's workflows without their completions and
// outputs (what the runner needs).
func (s *DB) Workflows(ctx context.Context, runID string) ([]*state.Workflow, error) {
	return s.workflows(ctx, runID, false)
}

// WorkflowsFull returns the run's workflows with completions and outputs.
func (s *DB) WorkflowsFull(ctx context.Context, runID string) ([]*state.Workflow, error) {
	return s.workflows(ctx, runID, true)
}

func (s *DB) workflows(ctx context.Context, runID string, full bool) ([]*state.Workflow, error) {
	cols := `NULL, NULL`
	if full {
		cols = `completion, output`
	}
	rows, err := s.db.QueryContext(ctx, `SELECT idx, payload, state, workflow_id, pending_reason, message, `+cols+`, failure, error,
		actions, action_errors, attempts, submitted, unfinished, updated, stage, points, derived FROM workflows WHERE run_id = ? ORDER BY idx`, runID)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []*state.Workflow
	for rows.Next() {
		w := &state.Workflow{RunID: runID}
		var st string
		var payload, completion, output, failure, points []byte
		var sub, unf, upd int64
		if err := rows.Scan(&w.Index, &payload, &st, &w.WorkflowID, &w.PendingReason, &w.Message, &completion, &output, &failure, &w.Error,
			&w.Actions, &w.ActionErrors, &w.Attempts, &sub, &unf, &upd, &w.Stage, &points, &w.Derived); err != nil {
			return nil, s.fail(err)
		}
		if len(points) > 0 {
			if err := json.Unmarshal(points, &w.Points); err != nil {
				return nil, &state.DamagedError{Location: s.path, Detail: fmt.Sprintf("run %s workflow %d: its points are not JSON", runID, w.Index), Err: err}
			}
		}
		w.State, w.Payload, w.Completion, w.Output = state.State(st), payload, completion, output
		w.Submitted, w.Unfinished, w.Updated = fromMS(sub), fromMS(unf), fromMS(upd)
		if len(failure) > 0 {
			w.Failure = &linkedapi.Failure{}
			if err := json.Unmarshal(failure, w.Failure); err != nil {
				return nil, fmt.Errorf("state: workflow %d: %w", w.Index, err)
			}
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(err)
	}
	// A run's workflows are created with it and never deleted alone: a
	// missing one means the file lost rows, and driving what is left
	// would send the missing ones again on a later --new or lose them.
	var want int
	if err := s.db.QueryRowContext(ctx, `SELECT workflows FROM runs WHERE id = ?`, runID).Scan(&want); err == nil && want != len(out) {
		return nil, &state.DamagedError{Location: s.path, Detail: fmt.Sprintf("run %s has %d workflows, but the store holds %d of them", runID, want, len(out))}
	}
	return out, nil
}

// Save records w and ev in one transaction. A nil Completion or Output
// leaves the stored one in place (the runner drops them from memory once
// saved).
func (s *DB) Save(ctx context.Context, w *state.Workflow, ev state.Event) error {
	return s.SaveAll(ctx, []state.Change{{Workflow: w, Event: ev}})
}

// SaveAll records changes in one transaction. A workflow changed several
// times is written once, in its last state: a group commit costs one
// UPDATE per workflow and one INSERT per event, with statements prepared
// once per store. An event without a Kind is not logged.
func (s *DB) SaveAll(ctx context.Context, changes []state.Change) error {
	_, err := s.saveAll(ctx, "", changes)
	return err
}

// SaveUnlessCancelled implements state.Store: the cancel flag is read
// inside the write transaction, so a RequestCancel either came before
// (nothing is saved) or after the commit.
func (s *DB) SaveUnlessCancelled(ctx context.Context, runID string, changes []state.Change) (cancelled bool, err error) {
	return s.saveAll(ctx, runID, changes)
}

// errCancelled rolls back a SaveUnlessCancelled.
var errCancelled = errors.New("the run was asked to stop")

// saveAll records changes in one transaction; with a runID, only if that
// run was not asked to stop.
func (s *DB) saveAll(ctx context.Context, runID string, changes []state.Change) (cancelled bool, err error) {
	if len(changes) == 0 && runID == "" {
		return false, nil
	}
	type row struct {
		w                  *state.Workflow
		completion, output json.RawMessage
		failure            []byte
	}
	type key struct {
		run string
		idx int
	}
	details := make([][]byte, len(changes))
	var rows []row
	at := map[key]int{} // a workflow's place in rows
	for i, c := range changes {
		if c.Event.Kind != "" {
			if details[i], err = eventDetail(c.Event).MarshalJSON(); err != nil {
				return false, fmt.Errorf("state: encoding the event: %w", err)
			}
		}
		w := c.Workflow
		if w == nil {
			continue
		}
		r := row{w: w, completion: w.Completion, output: w.Output}
		if w.Failure != nil {
			if r.failure, err = json.Marshal(w.Failure); err != nil {
				return false, fmt.Errorf("state: encoding workflow %d's failure: %w", w.Index, err)
			}
		}
		k := key{w.RunID, w.Index}
		j, seen := at[k]
		if !seen {
			at[k] = len(rows)
			rows = append(rows, r)
			continue
		}
		// A later state replaces an earlier one, but a nil completion
		// or output leaves the earlier one in place.
		if r.completion == nil {
			r.completion = rows[j].completion
		}
		if r.output == nil {
			r.output = rows[j].output
		}
		rows[j] = r
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if runID != "" {
			var stop bool
			if err := tx.StmtContext(ctx, s.cancelRequested).QueryRowContext(ctx, runID).Scan(&stop); err != nil {
				return fmt.Errorf("state: reading run %s: %w", runID, err)
			}
			if stop {
				return errCancelled
			}
		}
		update, insert := tx.StmtContext(ctx, s.update), tx.StmtContext(ctx, s.insertEvent)
		for _, r := range rows {
			w := r.w
			res, err := update.ExecContext(ctx, string(w.State), w.WorkflowID, w.PendingReason, w.Message, nullable(r.completion), nullable(r.output), r.failure, w.Error,
				w.Actions, w.ActionErrors, w.Attempts, ms(w.Submitted), ms(w.Unfinished), ms(w.Updated), w.RunID, w.Index)
			if err != nil {
				return fmt.Errorf("state: saving workflow %d: %w", w.Index, err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return fmt.Errorf("state: run %s has no workflow %d", w.RunID, w.Index)
			}
		}
		for i, c := range changes {
			if c.Event.Kind == "" {
				continue
			}
			if _, err := insert.ExecContext(ctx, c.Event.RunID, ms(c.Event.Time), string(c.Event.Kind), details[i]); err != nil {
				return fmt.Errorf("state: logging the event: %w", err)
			}
		}
		return nil
	})
	if errors.Is(err, errCancelled) {
		return true, nil
	}
	return false, err
}

// The statements SaveAll runs for every change.
const (
	updateWorkflow = `UPDATE workflows SET state = ?, workflow_id = ?, pending_reason = ?, message = ?,
	completion = coalesce(?, completion), output = coalesce(?, output), failure = ?, error = ?,
	actions = ?, action_errors = ?, attempts = ?, submitted = ?, unfinished = ?, updated = ? WHERE run_id = ? AND idx = ?`
	insertEvent = `INSERT INTO events (run_id, time, kind, detail) VALUES (?,?,?,?)`
)

func nullable(b json.RawMessage) any {
	if b == nil {
		return nil
	}
	return []byte(b)
}

// eventDetail is the event as logged: without the counts snapshot, which
// the workflows table already answers.
func eventDetail(ev state.Event) state.Event {
	ev.Counts = nil
	return ev
}

// Events returns the run's last limit events, oldest first.
func (s *DB) Events(ctx context.Context, runID string, limit int) ([]state.Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT detail FROM (SELECT seq, detail FROM events WHERE run_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`, runID, limit)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.Event
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, s.fail(err)
		}
		var ev state.Event
		if err := json.Unmarshal(b, &ev); err != nil {
			return nil, s.fail(err)
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}
