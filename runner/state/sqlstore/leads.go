package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lwf-dev/lwf/runner/state"
)

const leadSelect = `SELECT account, person, sequence, data, step, status, due, since, run_id, workflow, slot, results, variants, error, updated FROM leads`

func (s *DB) scanLead(row scanner) (*state.Lead, error) {
	l := &state.Lead{}
	var data, results, variants []byte
	var st string
	var due, since, upd int64
	if err := row.Scan(&l.Account, &l.Person, &l.Sequence, &data, &l.Step, &st, &due, &since, &l.Run, &l.Workflow, &l.Slot, &results, &variants, &l.Error, &upd); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, state.ErrNotFound
		}
		return nil, s.fail(err)
	}
	l.Data, l.Results, l.Variants = data, results, variants
	l.Status, l.Due, l.Since, l.Updated = state.LeadStatus(st), fromMS(due), fromMS(since), fromMS(upd)
	return l, nil
}

// Leads implements state.Store.
func (s *DB) Leads(ctx context.Context, account, sequence string) ([]state.Lead, error) {
	q, args := leadSelect+` WHERE 1`, []any{}
	if account != "" {
		q += ` AND account = ?`
		args = append(args, account)
	}
	if sequence != "" {
		q += ` AND sequence = ?`
		args = append(args, sequence)
	}
	return s.queryLeads(ctx, q+` ORDER BY account, person`, args...)
}

// MoveLead implements state.Store.
func (s *DB) MoveLead(ctx context.Context, person, from, to string, ev state.LeadEvent) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var seq string
		err := tx.QueryRowContext(ctx, `SELECT sequence FROM leads WHERE account = ? AND person = ?`, to, person).Scan(&seq)
		switch {
		case err == nil:
			return &state.LeadTakenError{Person: person, Sequence: seq}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE leads SET account = ? WHERE account = ? AND person = ?`, to, from, person)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return state.ErrNotFound
		}
		if _, err := tx.ExecContext(ctx, `UPDATE lead_events SET account = ? WHERE account = ? AND person = ?`, to, from, person); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO lead_events (account, person, time, kind, step, detail) VALUES (?,?,?,?,?,?)`,
			to, person, ms(ev.Time), ev.Kind, ev.Step, ev.Detail)
		return err
	})
}

// OpenLeads implements state.Store.
func (s *DB) OpenLeads(ctx context.Context, account, sequence string) ([]state.Lead, error) {
	return s.queryLeads(ctx, leadSelect+` WHERE account = ? AND sequence = ? AND status IN (?, ?, ?) ORDER BY person`,
		account, sequence, state.LeadActive, state.LeadWaiting, state.LeadSending)
}

// queryLeads reads the leads a query selects (leadSelect's columns).
func (s *DB) queryLeads(ctx context.Context, q string, args ...any) ([]state.Lead, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.Lead
	for rows.Next() {
		l, err := s.scanLead(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *l)
	}
	return out, s.fail(rows.Err())
}

// LeadOwners implements state.Store.
func (s *DB) LeadOwners(ctx context.Context, account string) (map[string]state.LeadOwner, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT person, sequence, status FROM leads WHERE account = ?`, account)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	out := map[string]state.LeadOwner{}
	for rows.Next() {
		var p, seq, st string
		if err := rows.Scan(&p, &seq, &st); err != nil {
			return nil, s.fail(err)
		}
		out[p] = state.LeadOwner{Sequence: seq, Status: state.LeadStatus(st)}
	}
	return out, s.fail(rows.Err())
}

// Lead implements state.Store.
func (s *DB) Lead(ctx context.Context, account, person string) (*state.Lead, error) {
	return s.scanLead(s.db.QueryRowContext(ctx, leadSelect+` WHERE account = ? AND person = ?`, account, person))
}

// saveLeads writes leads and events in tx.
func saveLeads(ctx context.Context, tx *sql.Tx, account string, leads []*state.Lead, events []state.LeadEvent) error {
	// Each statement is prepared once for the whole batch: a tick saves
	// hundreds of leads at a time.
	ps := &prepared{tx: tx, ctx: ctx}
	defer ps.close()
	for _, l := range leads {
		var owner string
		err := ps.queryRow(`SELECT sequence FROM leads WHERE account = ? AND person = ?`, account, l.Person).Scan(&owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := ps.exec(`INSERT INTO leads (account, person, sequence, data, step, status, due, since, run_id, workflow, slot, results, variants, error, updated)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, account, l.Person, l.Sequence, []byte(l.Data), l.Step, string(l.Status), ms(l.Due), ms(l.Since),
				l.Run, l.Workflow, l.Slot, nullable(l.Results), nullable(l.Variants), l.Error, ms(l.Updated)); err != nil {
				return fmt.Errorf("state: adding lead %s: %w", l.Person, err)
			}
			continue
		case err != nil:
			return err
		case owner != l.Sequence:
			return &state.LeadTakenError{Person: l.Person, Sequence: owner}
		}
		if err := ps.exec(`UPDATE leads SET data = ?, step = ?, status = ?, due = ?, since = ?, run_id = ?, workflow = ?, slot = ?,
			results = ?, variants = ?, error = ?, updated = ? WHERE account = ? AND person = ?`,
			[]byte(l.Data), l.Step, string(l.Status), ms(l.Due), ms(l.Since), l.Run, l.Workflow, l.Slot,
			nullable(l.Results), nullable(l.Variants), l.Error, ms(l.Updated), account, l.Person); err != nil {
			return fmt.Errorf("state: saving lead %s: %w", l.Person, err)
		}
	}
	for _, e := range events {
		if err := ps.exec(`INSERT INTO lead_events (account, person, time, kind, step, detail) VALUES (?,?,?,?,?,?)`,
			account, e.Person, ms(e.Time), e.Kind, e.Step, e.Detail); err != nil {
			return fmt.Errorf("state: logging a lead event: %w", err)
		}
	}
	return nil
}

// prepared prepares each statement of a transaction once.
type prepared struct {
	tx    *sql.Tx
	ctx   context.Context
	stmts map[string]*sql.Stmt
}

func (p *prepared) stmt(q string) (*sql.Stmt, error) {
	if st, ok := p.stmts[q]; ok {
		return st, nil
	}
	st, err := p.tx.PrepareContext(p.ctx, q)
	if err != nil {
		return nil, err
	}
	if p.stmts == nil {
		p.stmts = map[string]*sql.Stmt{}
	}
	p.stmts[q] = st
	return st, nil
}

func (p *prepared) exec(q string, args ...any) error {
	st, err := p.stmt(q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(p.ctx, args...)
	return err
}

func (p *prepared) queryRow(q string, args ...any) *sql.Row {
	st, err := p.stmt(q)
	if err != nil {
		// A statement that cannot be prepared fails its query the same way.
		return p.tx.QueryRowContext(p.ctx, q, args...)
	}
	return st.QueryRowContext(p.ctx, args...)
}

func (p *prepared) close() {
	for _, st := range p.stmts {
		st.Close()
	}
}

// SaveLeads implements state.Store.
func (s *DB) SaveLeads(ctx context.Context, account string, leads []*state.Lead, events []state.LeadEvent) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return saveLeads(ctx, tx, account, leads, events) })
}

// StartSteps implements state.Store.
func (s *DB) StartSteps(ctx context.Context, run state.Run, payloads []json.RawMessage, account string, leads []*state.Lead, events []state.LeadEvent) (*state.Run, error) {
	var got *state.Run
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := s.attach(ctx, tx, run, payloads, true)
		if err != nil {
			return err
		}
		for _, l := range leads {
			l.Run = r.ID
		}
		got = r
		return saveLeads(ctx, tx, account, leads, events)
	})
	return got, err
}

// Timeline implements state.Store.
func (s *DB) Timeline(ctx context.Context, account, person string) ([]state.LeadEvent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT person, time, kind, step, detail FROM lead_events WHERE account = ? AND person = ? ORDER BY seq`, account, person)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.LeadEvent
	for rows.Next() {
		var e state.LeadEvent
		var t int64
		if err := rows.Scan(&e.Person, &t, &e.Kind, &e.Step, &e.Detail); err != nil {
			return nil, s.fail(err)
		}
		e.Time = fromMS(t)
		out = append(out, e)
	}
	return out, s.fail(rows.Err())
}

// Cursor implements state.Store.
func (s *DB) Cursor(ctx context.Context, account, kind string) (state.Cursor, error) {
	c := state.Cursor{Kind: kind}
	var synced int64
	err := s.db.QueryRowContext(ctx, `SELECT synced, since FROM cursors WHERE account = ? AND kind = ?`, account, kind).Scan(&synced, &c.Since)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	c.Synced = fromMS(synced)
	return c, s.fail(err)
}

// SetCursor implements state.Store.
func (s *DB) SetCursor(ctx context.Context, account string, c state.Cursor) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO cursors (account, kind, synced, since) VALUES (?,?,?,?)
			ON CONFLICT (account, kind) DO UPDATE SET synced = excluded.synced, since = excluded.since`, account, c.Kind, ms(c.Synced), c.Since)
		return err
	})
}

// ResetSequence implements state.Store.
func (s *DB) ResetSequence(ctx context.Context, account, sequence string) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM lead_events WHERE account = ? AND person IN
			(SELECT person FROM leads WHERE account = ? AND sequence = ?)`, account, account, sequence); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM leads WHERE account = ? AND sequence = ?`, account, sequence)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = tx.ExecContext(ctx, `DELETE FROM cursors WHERE account = ?`, account)
		return err
	})
	return int(n), s.fail(err)
}

// LockAccount implements state.Store: an flock on a file of the state
// directory, as run locks.
func (s *DB) LockAccount(account string) (state.Lock, error) {
	return s.lockFile("account-"+account, "the sequences of account "+account[:min(12, len(account))])
}
