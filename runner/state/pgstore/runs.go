package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lwf-dev/lwf/runner/state"
)

// Attach implements state.Store. The transaction first takes an advisory
// lock on the run's key, which the other processes attaching the same
// key wait for: the second finds the first's run instead of making its
// own.
func (s *DB) Attach(ctx context.Context, run state.Run, payloads []json.RawMessage, fresh bool) (got *state.Run, created bool, err error) {
	err = s.tx(ctx, func(tx pgx.Tx) error {
		got, created, err = s.attachTx(ctx, tx, run, payloads, fresh)
		return err
	})
	return got, created, err
}

func (s *DB) attachTx(ctx context.Context, tx pgx.Tx, run state.Run, payloads []json.RawMessage, fresh bool) (got *state.Run, created bool, err error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey("attach", run.Key)); err != nil {
		return nil, false, err
	}
	var n int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM runs WHERE key = $1`, run.Key).Scan(&n); err != nil {
		return nil, false, err
	}
	if n > 0 && !fresh {
		r, err := s.scanRun(tx.QueryRow(ctx, runSelect+` WHERE key = $1 ORDER BY created DESC, rowid DESC LIMIT 1`, run.Key))
		return r, false, err
	}
	run.ID = state.RunID(run.Key, n)
	if run.Created.IsZero() {
		run.Created = time.Now()
	}
	run.Workflows = len(payloads)
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO runs (id, key, name, file, account, endpoint, created, meta, workflows) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		run.ID, run.Key, run.Name, run.File, run.Account, run.Endpoint, ms(run.Created), []byte(run.Meta), run.Workflows)
	for i, p := range payloads {
		w := &state.Workflow{RunID: run.ID, Index: i, Payload: p, State: state.Planned, Stage: 1, Updated: run.Created}
		if i < len(run.Points) {
			w.Points = run.Points[i]
		}
		queueWorkflow(b, w)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, false, fmt.Errorf("state: creating the run: %w", err)
	}
	return &run, true, nil
}

const runSelect = `SELECT id, key, name, file, account, endpoint, created, meta, cancel_requested, workflows FROM runs`

func (s *DB) scanRun(row scanner) (*state.Run, error) {
	var r state.Run
	var created int64
	var meta []byte
	var cancel int
	if err := row.Scan(&r.ID, &r.Key, &r.Name, &r.File, &r.Account, &r.Endpoint, &created, &meta, &cancel, &r.Workflows); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, state.ErrNotFound
		}
		return nil, s.fail(err)
	}
	r.Created, r.Meta, r.CancelRequested = fromMS(created), meta, cancel != 0
	return &r, nil
}

// Run implements state.Store.
func (s *DB) Run(ctx context.Context, id string) (*state.Run, error) {
	return s.scanRun(s.pool.QueryRow(ctx, runSelect+` WHERE id = $1`, id))
}

// RunByKey implements state.Store.
func (s *DB) RunByKey(ctx context.Context, key string) (*state.Run, error) {
	return s.scanRun(s.pool.QueryRow(ctx, runSelect+` WHERE key = $1 ORDER BY created DESC, rowid DESC LIMIT 1`, key))
}

// Resolve implements state.Store.
func (s *DB) Resolve(ctx context.Context, id string) (run *state.Run, index int, err error) {
	if id == "" {
		return nil, -1, state.ErrNotFound
	}
	if r, err := s.Run(ctx, id); !errors.Is(err, state.ErrNotFound) {
		return r, -1, err
	}
	var wfRun string
	err = s.pool.QueryRow(ctx, `SELECT run_id, idx FROM workflows WHERE workflow_id = $1 ORDER BY updated DESC LIMIT 1`, id).Scan(&wfRun, &index)
	if err == nil {
		r, err := s.Run(ctx, wfRun)
		return r, index, err
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, -1, s.fail(err)
	}
	prefix := id
	if !strings.HasPrefix(prefix, "r-") {
		prefix = "r-" + prefix
	}
	if len(prefix) < 5 {
		return nil, -1, state.ErrNotFound
	}
	rows, err := s.pool.Query(ctx, runSelect+` WHERE substr(id, 1, $1) = $2 LIMIT 2`, len(prefix), prefix)
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
	if err := rows.Err(); err != nil {
		return nil, -1, s.fail(err)
	}
	switch len(found) {
	case 0:
		return nil, -1, state.ErrNotFound
	case 1:
		return found[0], -1, nil
	}
	return nil, -1, fmt.Errorf("%q matches several runs: give more of the id", id)
}

// Runs implements state.Store.
func (s *DB) Runs(ctx context.Context, limit int) ([]state.RunSummary, error) {
	rows, err := s.pool.Query(ctx, runSelect+` ORDER BY created DESC, rowid DESC LIMIT $1`, limit)
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

// Counts implements state.Store.
func (s *DB) Counts(ctx context.Context, runID string) (c state.Counts, updated time.Time, err error) {
	c.ByState = map[state.State]int{}
	rows, err := s.pool.Query(ctx, `SELECT state, count(*), sum(actions), sum(action_errors), max(updated) FROM workflows WHERE run_id = $1 GROUP BY state`, runID)
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
	return c, fromMS(last), s.fail(rows.Err())
}

// RequestCancel implements state.Store.
func (s *DB) RequestCancel(ctx context.Context, runID string) error {
	if _, err := s.pool.Exec(ctx, `UPDATE runs SET cancel_requested = 1 WHERE id = $1`, runID); err != nil {
		return s.fail(err)
	}
	return nil
}

// CancelRequested implements state.Store.
func (s *DB) CancelRequested(ctx context.Context, runID string) (bool, error) {
	var v int
	if err := s.pool.QueryRow(ctx, `SELECT cancel_requested FROM runs WHERE id = $1`, runID).Scan(&v); err != nil {
		return false, s.fail(err)
	}
	return v != 0, nil
}
