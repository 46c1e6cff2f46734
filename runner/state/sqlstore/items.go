package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/lwf-dev/lwf/runner/state"
)

// insertWorkflow stores a new workflow of a run.
func insertWorkflow(ctx context.Context, tx *sql.Tx, w *state.Workflow) error {
	var points []byte
	if len(w.Points) > 0 {
		points, _ = json.Marshal(w.Points) // plain strings and numbers
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO workflows (run_id, idx, payload, state, updated, stage, points) VALUES (?,?,?,?,?,?,?)`,
		w.RunID, w.Index, []byte(w.Payload), string(w.State), ms(w.Updated), max(w.Stage, 1), points); err != nil {
		return fmt.Errorf("state: storing workflow %d: %w", w.Index, err)
	}
	return nil
}

// Derive implements state.Store.
func (s *DB) Derive(ctx context.Context, runID string, from int, items []state.Item, ws []*state.Workflow, ev state.Event) (derived bool, err error) {
	detail, err := eventDetail(ev).MarshalJSON()
	if err != nil {
		return false, fmt.Errorf("state: encoding the event: %w", err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE workflows SET derived = 1 WHERE run_id = ? AND idx = ? AND derived = 0`, runID, from)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil // derived before (or no such workflow): nothing to add
		}
		for _, it := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO items (run_id, id, loop, parent, instance, idx, source, path, key, data, status, reason, workflow, slot, steps, variants)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, runID, it.ID, it.Loop, it.Parent, it.Instance, it.Index, it.Source, it.Path, it.Key,
				[]byte(it.Data), it.Status, it.Reason, it.Workflow, it.Slot, it.Steps, nullable(it.Variants)); err != nil {
				return fmt.Errorf("state: storing item %d: %w", it.ID, err)
			}
		}
		for _, w := range ws {
			w.RunID = runID
			if err := insertWorkflow(ctx, tx, w); err != nil {
				return err
			}
		}
		if len(ws) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE runs SET workflows = workflows + ? WHERE id = ?`, len(ws), runID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, insertEvent,
			ev.RunID, ms(ev.Time), string(ev.Kind), detail); err != nil {
			return fmt.Errorf("state: logging the event: %w", err)
		}
		derived = true
		return nil
	})
	return derived, err
}

// Items implements state.Store.
func (s *DB) Items(ctx context.Context, runID string) ([]state.Item, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, loop, parent, instance, idx, source, path, key, data, status, reason, workflow, slot, steps, variants
		FROM items WHERE run_id = ? ORDER BY id`, runID)
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
