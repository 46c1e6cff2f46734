package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

// Workflows implements state.Store.
func (s *DB) Workflows(ctx context.Context, runID string) ([]*state.Workflow, error) {
	return s.workflows(ctx, runID, false)
}

// WorkflowsFull implements state.Store.
func (s *DB) WorkflowsFull(ctx context.Context, runID string) ([]*state.Workflow, error) {
	return s.workflows(ctx, runID, true)
}

func (s *DB) workflows(ctx context.Context, runID string, full bool) ([]*state.Workflow, error) {
	cols := `NULL::bytea, NULL::bytea`
	if full {
		cols = `completion, output`
	}
	var out []*state.Workflow
	var want *int
	// One snapshot for the workflows and the run's count of them.
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		out = nil
		rows, err := tx.Query(ctx, `SELECT idx, payload, state, workflow_id, pending_reason, message, `+cols+`, failure, error,
			actions, action_errors, attempts, submitted, unfinished, updated, stage, points, derived FROM workflows WHERE run_id = $1 ORDER BY idx`, runID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			w := &state.Workflow{RunID: runID}
			var st string
			var payload, completion, output, failure, points []byte
			var sub, unf, upd int64
			var derived int
			if err := rows.Scan(&w.Index, &payload, &st, &w.WorkflowID, &w.PendingReason, &w.Message, &completion, &output, &failure, &w.Error,
				&w.Actions, &w.ActionErrors, &w.Attempts, &sub, &unf, &upd, &w.Stage, &points, &derived); err != nil {
				return err
			}
			if len(points) > 0 {
				if err := json.Unmarshal(points, &w.Points); err != nil {
					return &state.DamagedError{Location: s.loc, Detail: fmt.Sprintf("run %s workflow %d: its points are not JSON", runID, w.Index), Err: err}
				}
			}
			w.State, w.Payload, w.Completion, w.Output, w.Derived = state.State(st), payload, completion, output, derived != 0
			w.Submitted, w.Unfinished, w.Updated = fromMS(sub), fromMS(unf), fromMS(upd)
			if len(failure) > 0 {
				w.Failure = &linkedapi.Failure{}
				if err := json.Unmarshal(failure, w.Failure); err != nil {
					return fmt.Errorf("state: workflow %d: %w", w.Index, err)
				}
			}
			out = append(out, w)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `SELECT workflows FROM runs WHERE id = $1`, runID).Scan(&want)
		if errors.Is(err, pgx.ErrNoRows) {
			want, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, s.fail(err)
	}
	// A run's workflows are created with it and never deleted alone: a
	// missing one means rows were lost, and driving what is left would
	// send the missing ones again on a later --new or lose them.
	if want != nil && *want != len(out) {
		return nil, &state.DamagedError{Location: s.loc, Detail: fmt.Sprintf("run %s has %d workflows, but the store holds %d of them", runID, *want, len(out))}
	}
	return out, nil
}

// Save implements state.Store.
func (s *DB) Save(ctx context.Context, w *state.Workflow, ev state.Event) error {
	return s.SaveAll(ctx, []state.Change{{Workflow: w, Event: ev}})
}

// SaveAll implements state.Store: one transaction, its statements sent
// in one batch.
func (s *DB) SaveAll(ctx context.Context, changes []state.Change) error {
	_, err := s.saveAll(ctx, "", changes)
	return err
}

// SaveUnlessCancelled implements state.Store. The cancel flag is read
// with a row lock (FOR SHARE): a RequestCancel committed before it is
// seen, one in progress is waited for, and one that comes later waits
// for this commit — so a cancellation is either seen here or stored
// after the intent, never lost between the read and the commit.
func (s *DB) SaveUnlessCancelled(ctx context.Context, runID string, changes []state.Change) (cancelled bool, err error) {
	// An intent goes out only while this process holds the run: a lock
	// lost with its session (the network, a restart) may be another's now.
	if err := s.fence(ctx, runID); err != nil {
		return false, err
	}
	return s.saveAll(ctx, runID, changes)
}

var errCancelled = errors.New("the run was asked to stop")

type saveRow struct {
	w                  *state.Workflow
	completion, output []byte
	failure            []byte
}

func (s *DB) saveAll(ctx context.Context, runID string, changes []state.Change) (cancelled bool, err error) {
	if len(changes) == 0 && runID == "" {
		return false, nil
	}
	type key struct {
		run string
		idx int
	}
	details := make([][]byte, len(changes))
	var rows []saveRow
	at := map[key]int{}
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
		r := saveRow{w: w, completion: w.Completion, output: w.Output}
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
		if r.completion == nil {
			r.completion = rows[j].completion
		}
		if r.output == nil {
			r.output = rows[j].output
		}
		rows[j] = r
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		if runID != "" {
			b.Queue(`SELECT cancel_requested FROM runs WHERE id = $1 FOR SHARE`, runID)
		}
		for _, r := range rows {
			w := r.w
			b.Queue(updateWorkflow, string(w.State), w.WorkflowID, w.PendingReason, w.Message, r.completion, r.output, r.failure, w.Error,
				w.Actions, w.ActionErrors, w.Attempts, ms(w.Submitted), ms(w.Unfinished), ms(w.Updated), w.RunID, w.Index)
		}
		for i, c := range changes {
			if c.Event.Kind != "" {
				b.Queue(insertEvent, c.Event.RunID, ms(c.Event.Time), string(c.Event.Kind), details[i])
			}
		}
		res := tx.SendBatch(ctx, b)
		defer res.Close()
		if runID != "" {
			var stop int
			if err := res.QueryRow().Scan(&stop); err != nil {
				return fmt.Errorf("state: reading run %s: %w", runID, err)
			}
			if stop != 0 {
				return errCancelled
			}
		}
		for _, r := range rows {
			tag, err := res.Exec()
			if err != nil {
				return fmt.Errorf("state: saving workflow %d: %w", r.w.Index, err)
			}
			if tag.RowsAffected() != 1 {
				return fmt.Errorf("state: run %s has no workflow %d", r.w.RunID, r.w.Index)
			}
		}
		for _, c := range changes {
			if c.Event.Kind == "" {
				continue
			}
			if _, err := res.Exec(); err != nil {
				return fmt.Errorf("state: logging the event: %w", err)
			}
		}
		return res.Close()
	})
	if errors.Is(err, errCancelled) {
		return true, nil
	}
	return false, err
}

// The statements SaveAll runs for every change.
const (
	updateWorkflow = `UPDATE workflows SET state = $1, workflow_id = $2, pending_reason = $3, message = $4,
	completion = coalesce($5, completion), output = coalesce($6, output), failure = $7, error = $8,
	actions = $9, action_errors = $10, attempts = $11, submitted = $12, unfinished = $13, updated = $14 WHERE run_id = $15 AND idx = $16`
	insertEvent = `INSERT INTO events (run_id, time, kind, detail) VALUES ($1,$2,$3,$4)`
)

// eventDetail is the event as logged: without the counts snapshot.
func eventDetail(ev state.Event) state.Event {
	ev.Counts = nil
	return ev
}

// Events implements state.Store.
func (s *DB) Events(ctx context.Context, runID string, limit int) ([]state.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT detail FROM (SELECT seq, detail FROM events WHERE run_id = $1 ORDER BY seq DESC LIMIT $2) e ORDER BY seq`, runID, limit)
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
	return out, s.fail(rows.Err())
}

// queueWorkflow adds the insert of a new workflow to b.
func queueWorkflow(b *pgx.Batch, w *state.Workflow) {
	var points []byte
	if len(w.Points) > 0 {
		points, _ = json.Marshal(w.Points) // plain strings and numbers
	}
	b.Queue(`INSERT INTO workflows (run_id, idx, payload, state, updated, stage, points) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		w.RunID, w.Index, []byte(w.Payload), string(w.State), ms(w.Updated), max(w.Stage, 1), points)
}

// Derive implements state.Store. The run's row is locked first, as a
// save of the run's intent locks it, so that the two never wait for
// each other in opposite orders.
func (s *DB) Derive(ctx context.Context, runID string, from int, items []state.Item, ws []*state.Workflow, ev state.Event) (derived bool, err error) {
	detail, err := eventDetail(ev).MarshalJSON()
	if err != nil {
		return false, fmt.Errorf("state: encoding the event: %w", err)
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		derived = false
		if _, err := tx.Exec(ctx, `SELECT 1 FROM runs WHERE id = $1 FOR UPDATE`, runID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE workflows SET derived = 1 WHERE run_id = $1 AND idx = $2 AND derived = 0`, runID, from)
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return nil // derived before (or no such workflow): nothing to add
		}
		b := &pgx.Batch{}
		for _, it := range items {
			b.Queue(`INSERT INTO items (run_id, id, loop, parent, instance, idx, source, path, key, data, status, reason, workflow, slot, steps, variants)
				VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`, runID, it.ID, it.Loop, it.Parent, it.Instance, it.Index, it.Source, it.Path, it.Key,
				[]byte(it.Data), it.Status, it.Reason, it.Workflow, it.Slot, it.Steps, []byte(it.Variants))
		}
		for _, w := range ws {
			w.RunID = runID
			queueWorkflow(b, w)
		}
		if len(ws) > 0 {
			b.Queue(`UPDATE runs SET workflows = workflows + $1 WHERE id = $2`, len(ws), runID)
		}
		b.Queue(insertEvent, ev.RunID, ms(ev.Time), string(ev.Kind), detail)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("state: storing what workflow %d found: %w", from, err)
		}
		derived = true
		return nil
	})
	return derived, err
}

// Items implements state.Store.
func (s *DB) Items(ctx context.Context, runID string) ([]state.Item, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, loop, parent, instance, idx, source, path, key, data, status, reason, workflow, slot, steps, variants
		FROM items WHERE run_id = $1 ORDER BY id`, runID)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.Item
	for rows.Next() {
		it := state.Item{RunID: runID}
		var data, variants []byte
		if err := rows.Scan(&it.ID, &it.Loop, &it.Parent, &it.Instance, &it.Index, &it.Source, &it.Path, &it.Key, &data,
			&it.Status, &it.Reason, &it.Workflow, &it.Slot, &it.Steps, &variants); err != nil {
			return nil, s.fail(err)
		}
		it.Data, it.Variants = data, variants
		out = append(out, it)
	}
	return out, s.fail(rows.Err())
}
