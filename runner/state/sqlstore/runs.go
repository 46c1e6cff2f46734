package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

// Attach returns the latest run with run.Key, or creates run with one
// planned workflow per payload when there is none or fresh is true. It is
// one transaction, so two processes started together agree on one run.
// created reports whether the run is new. run.ID is ignored and assigned.
func (s *DB) Attach(ctx context.Context, run state.Run, payloads []json.RawMessage, fresh bool) (got *state.Run, created bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		r, isNew, err := s.attachTx(ctx, tx, run, payloads, fresh)
		got, created = r, isNew
		return err
	})
	return got, created, err
}

// attach creates a run in tx, fresh.
func (s *DB) attach(ctx context.Context, tx *sql.Tx, run state.Run, payloads []json.RawMessage, fresh bool) (*state.Run, error) {
	r, _, err := s.attachTx(ctx, tx, run, payloads, fresh)
	return r, err
}

func (s *DB) attachTx(ctx context.Context, tx *sql.Tx, run state.Run, payloads []json.RawMessage, fresh bool) (got *state.Run, created bool, err error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM runs WHERE key = ?`, run.Key).Scan(&n); err != nil {
		return nil, false, s.fail(err)
	}
	if n > 0 && !fresh {
		r, err := s.scanRun(tx.QueryRowContext(ctx, runSelect+` WHERE key = ? ORDER BY created DESC, rowid DESC LIMIT 1`, run.Key))
		return r, false, err
	}
	run.ID = state.RunID(run.Key, n)
	if run.Created.IsZero() {
		run.Created = time.Now()
	}
	run.Workflows = len(payloads)
	if _, err := tx.ExecContext(ctx, `INSERT INTO runs (id, key, name, file, account, endpoint, created, meta, workflows) VALUES (?,?,?,?,?,?,?,?,?)`,
		run.ID, run.Key, run.Name, run.File, run.Account, run.Endpoint, ms(run.Created), []byte(run.Meta), run.Workflows); err != nil {
		return nil, false, fmt.Errorf("state: creating the run: %w", err)
	}
	for i, p := range payloads {
		w := &state.Workflow{RunID: run.ID, Index: i, Payload: p, State: state.Planned, Stage: 1, Updated: run.Created}
		if i < len(run.Points) {
			w.Points = run.Points[i]
		}
		if err := insertWorkflow(ctx, tx, w); err != nil {
			return nil, false, err
		}
	}
	return &run, true, nil
}

const runSelect = `SELECT id, key, name, file, account, endpoint, created, meta, cancel_requested, workflows FROM runs`

type scanner interface{ Scan(dest ...any) error }

func (s *DB) scanRun(row scanner) (*state.Run, error) {
	var r state.Run
	var created int64
	var meta []byte
	if err := row.Scan(&r.ID, &r.Key, &r.Name, &r.File, &r.Account, &r.Endpoint, &created, &meta, &r.CancelRequested, &r.Workflows); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, state.ErrNotFound
		}
		return nil, s.fail(err)
	}
	r.Created, r.Meta = fromMS(created), meta
	return &r, nil
}

// Run returns the run with the given id.
func (s *DB) Run(ctx context.Context, id string) (*state.Run, error) {
	return s.scanRun(s.db.QueryRowContext(ctx, runSelect+` WHERE id = ?`, id))
}

// Resolve finds what a user's id names: a run id, a unique prefix of one
// (with or without "r-"), or a Linked API workflow id of a stored run.
// index is the workflow's index for a workflow id, or -1.
func (s *DB) Resolve(ctx context.Context, id string) (run *state.Run, index int, err error) {
	if id == "" {
		return nil, -1, state.ErrNotFound
	}
	if r, err := s.Run(ctx, id); !errors.Is(err, state.ErrNotFound) {
		return r, -1, err
	}
	var wfRun string
	err = s.db.QueryRowContext(ctx, `SELECT run_id, idx FROM workflows WHERE workflow_id = ? ORDER BY updated DESC LIMIT 1`, id).Scan(&wfRun, &index)
	if err == nil {
		r, err := s.Run(ctx, wfRun)
		return r, index, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, -1, s.fail(err)
	}
	prefix := id
	if !strings.HasPrefix(prefix, "r-") {
		prefix = "r-" + prefix
	}
	if len(prefix) < 5 {
		return nil, -1, state.ErrNotFound
	}
	rows, err := s.db.QueryContext(ctx, runSelect+` WHERE substr(id, 1, ?) = ? LIMIT 2`, len(prefix), prefix)
	if err != nil {
		return nil, -1, s.fail(err)
	}
	defer rows.Close()
	var found []*state.Run
	for rows.Next() {
		r, err := s.scanRun(rows)
		if err != nil {
			return nil, -1, err
		}
		found = append(found, r)
	}
	switch len(found) {
	case 0:
		return nil, -1, state.ErrNotFound
	case 1:
		return found[0], -1, nil
	}
	return nil, -1, fmt.Errorf("%q matches several runs: give more of the id", id)
}

// Runs lists the most recent runs first, at most limit of them.
func (s *DB) Runs(ctx context.Context, limit int) ([]state.RunSummary, error) {
	rows, err := s.db.QueryContext(ctx, runSelect+` ORDER BY created DESC, rowid DESC LIMIT ?`, limit)
	if err != nil {
		return nil, s.fail(err)
	}
	var out []state.RunSummary
	for rows.Next() {
		r, err := s.scanRun(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, state.RunSummary{Run: *r})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.fail(err)
	}
	for i := range out {
		c, upd, err := s.Counts(ctx, out[i].ID)
		if err != nil {
			return nil, err
		}
		out[i].Counts, out[i].Updated = c, upd
	}
	return out, nil
}

// Counts tallies a run's workflows by state and sums their action counts;
// updated is the latest change to any of them.
func (s *DB) Counts(ctx context.Context, runID string) (c state.Counts, updated time.Time, err error) {
	c.ByState = map[state.State]int{}
	rows, err := s.db.QueryContext(ctx, `SELECT state, count(*), sum(actions), sum(action_errors), max(updated) FROM workflows WHERE run_id = ? GROUP BY state`, runID)
	if err != nil {
		return c, updated, s.fail(err)
	}
	defer rows.Close()
	var last int64
	for rows.Next() {
		var st string
		var n, a, e, u int64
		if err := rows.Scan(&st, &n, &a, &e, &u); err != nil {
			return c, updated, s.fail(err)
		}
		s := state.State(st)
		c.ByState[s] = int(n)
		c.Total += int(n)
		c.Actions += int(a)
		c.Errors += int(e)
		if s.Terminal() {
			c.Finished += int(n)
		}
		last = max(last, u)
	}
	return c, fromMS(last), rows.Err()
}

// RequestCancel flags the run for cancellation; whoever drives it acts on
// the flag.
func (s *DB) RequestCancel(ctx context.Context, runID string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE runs SET cancel_requested = 1 WHERE id = ?`, runID); err != nil {
		return s.fail(err)
	}
	return nil
}

// CancelRequested reports whether the run is flagged for cancellation. The
// runner asks before each POST /workflows.
func (s *DB) CancelRequested(ctx context.Context, runID string) (bool, error) {
	var v bool
	if err := s.cancelRequested.QueryRowContext(ctx, runID).Scan(&v); err != nil {
		return false, s.fail(err)
	}
	return v, nil
}
