package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/lwf-dev/lwf/runner/state"
)

const leadSelect = `SELECT account, person, sequence, data, step, status, due, since, run_id, workflow, slot, results, variants, error, updated FROM leads`

func (s *DB) scanLead(row scanner) (*state.Lead, error) {
	l := &state.Lead{}
	var data, results, variants []byte
	var st string
	var due, since, upd int64
	if err := row.Scan(&l.Account, &l.Person, &l.Sequence, &data, &l.Step, &st, &due, &since, &l.Run, &l.Workflow, &l.Slot, &results, &variants, &l.Error, &upd); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, state.ErrNotFound
		}
		return nil, s.fail(err)
	}
	l.Data, l.Results, l.Variants = data, results, variants
	l.Status, l.Due, l.Since, l.Updated = state.LeadStatus(st), fromMS(due), fromMS(since), fromMS(upd)
	return l, nil
}

func (s *DB) leads(ctx context.Context, q string, args ...any) ([]state.Lead, error) {
	rows, err := s.pool.Query(ctx, q, args...)
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

// Leads implements state.Store.
func (s *DB) Leads(ctx context.Context, account, sequence string) ([]state.Lead, error) {
	return s.leads(ctx, leadSelect+` WHERE ($1 = '' OR account = $1) AND ($2 = '' OR sequence = $2) ORDER BY account COLLATE "C", person COLLATE "C"`, account, sequence)
}

// OpenLeads implements state.Store.
func (s *DB) OpenLeads(ctx context.Context, account, sequence string) ([]state.Lead, error) {
	return s.leads(ctx, leadSelect+` WHERE account = $1 AND sequence = $2 AND status IN ($3, $4, $5) ORDER BY person COLLATE "C"`,
		account, sequence, string(state.LeadActive), string(state.LeadWaiting), string(state.LeadSending))
}

// LeadOwners implements state.Store.
func (s *DB) LeadOwners(ctx context.Context, account string) (map[string]state.LeadOwner, error) {
	rows, err := s.pool.Query(ctx, `SELECT person, sequence, status FROM leads WHERE account = $1`, account)
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
	return s.scanLead(s.pool.QueryRow(ctx, leadSelect+` WHERE account = $1 AND person = $2`, account, person))
}

// saveLeads writes leads and events in tx, in one batch. Each lead is an
// upsert that updates only a lead of the same sequence: one that returns
// nothing met a lead of another sequence — inserted before, or by another
// process whose insert this one waited for — and is refused.
func saveLeads(ctx context.Context, tx pgx.Tx, account string, leads []*state.Lead, events []state.LeadEvent) error {
	b := &pgx.Batch{}
	for _, l := range leads {
		b.Queue(`INSERT INTO leads AS o (account, person, sequence, data, step, status, due, since, run_id, workflow, slot, results, variants, error, updated)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)
			ON CONFLICT (account, person) DO UPDATE SET data = excluded.data, step = excluded.step, status = excluded.status, due = excluded.due,
				since = excluded.since, run_id = excluded.run_id, workflow = excluded.workflow, slot = excluded.slot, results = excluded.results,
				variants = excluded.variants, error = excluded.error, updated = excluded.updated
			WHERE o.sequence = excluded.sequence`,
			account, l.Person, l.Sequence, []byte(l.Data), l.Step, string(l.Status), ms(l.Due), ms(l.Since),
			l.Run, l.Workflow, l.Slot, []byte(l.Results), []byte(l.Variants), l.Error, ms(l.Updated))
	}
	for _, e := range events {
		b.Queue(`INSERT INTO lead_events (account, person, time, kind, step, detail) VALUES ($1,$2,$3,$4,$5,$6)`,
			account, e.Person, ms(e.Time), e.Kind, e.Step, e.Detail)
	}
	res := tx.SendBatch(ctx, b)
	taken := -1
	for i, l := range leads {
		tag, err := res.Exec()
		if err != nil {
			res.Close()
			return fmt.Errorf("state: saving lead %s: %w", l.Person, err)
		}
		if tag.RowsAffected() != 1 && taken < 0 {
			taken = i
		}
	}
	for range events {
		if _, err := res.Exec(); err != nil {
			res.Close()
			return fmt.Errorf("state: logging a lead event: %w", err)
		}
	}
	if err := res.Close(); err != nil {
		return err
	}
	if taken >= 0 {
		l := leads[taken]
		var owner string
		if err := tx.QueryRow(ctx, `SELECT sequence FROM leads WHERE account = $1 AND person = $2`, account, l.Person).Scan(&owner); err != nil {
			return err
		}
		return &state.LeadTakenError{Person: l.Person, Sequence: owner}
	}
	return nil
}

// SaveLeads implements state.Store.
func (s *DB) SaveLeads(ctx context.Context, account string, leads []*state.Lead, events []state.LeadEvent) error {
	return s.tx(ctx, func(tx pgx.Tx) error { return saveLeads(ctx, tx, account, leads, events) })
}

// StartSteps implements state.Store.
func (s *DB) StartSteps(ctx context.Context, run state.Run, payloads []json.RawMessage, account string, leads []*state.Lead, events []state.LeadEvent) (*state.Run, error) {
	var got *state.Run
	err := s.tx(ctx, func(tx pgx.Tx) error {
		r, _, err := s.attachTx(ctx, tx, run, payloads, true)
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
	rows, err := s.pool.Query(ctx, `SELECT person, time, kind, step, detail FROM lead_events WHERE account = $1 AND person = $2 ORDER BY seq`, account, person)
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
	err := s.pool.QueryRow(ctx, `SELECT synced, since FROM cursors WHERE account = $1 AND kind = $2`, account, kind).Scan(&synced, &c.Since)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, nil
	}
	c.Synced = fromMS(synced)
	return c, s.fail(err)
}

// SetCursor implements state.Store.
func (s *DB) SetCursor(ctx context.Context, account string, c state.Cursor) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO cursors (account, kind, synced, since) VALUES ($1,$2,$3,$4)
		ON CONFLICT (account, kind) DO UPDATE SET synced = excluded.synced, since = excluded.since`, account, c.Kind, ms(c.Synced), c.Since)
	return s.fail(err)
}

// ResetSequence implements state.Store.
func (s *DB) ResetSequence(ctx context.Context, account, sequence string) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM lead_events WHERE account = $1 AND person IN
			(SELECT person FROM leads WHERE account = $1 AND sequence = $2)`, account, sequence); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM leads WHERE account = $1 AND sequence = $2`, account, sequence)
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		_, err = tx.Exec(ctx, `DELETE FROM cursors WHERE account = $1`, account)
		return err
	})
	return int(n), err
}
