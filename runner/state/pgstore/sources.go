package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lwf-dev/lwf/runner/state"
)

// SaveSource implements state.Store.
func (s *DB) SaveSource(ctx context.Context, src state.Source) error {
	accounts, err := json.Marshal(src.Accounts)
	if err != nil {
		return err
	}
	if src.Inputs == nil {
		src.Inputs = json.RawMessage(`{}`)
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO sources (kind, name, file, content, inputs, accounts, paused, created, updated)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)
			ON CONFLICT (kind, name) DO UPDATE SET file = excluded.file, content = excluded.content, inputs = excluded.inputs,
				accounts = excluded.accounts, updated = excluded.updated`,
			src.Kind, src.Name, src.File, src.Content, []byte(src.Inputs), string(accounts), boolInt(src.Paused), ms(src.Created), ms(src.Updated))
		return err
	})
}

// Sources implements state.Store.
func (s *DB) Sources(ctx context.Context, kind string) ([]state.Source, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind, name, file, content, inputs, accounts, paused, created, updated FROM sources
		WHERE $1 = '' OR kind = $1 ORDER BY kind COLLATE "C", name COLLATE "C"`, kind)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.Source
	for rows.Next() {
		var src state.Source
		var inputs []byte
		var accounts string
		var paused int
		var created, updated int64
		if err := rows.Scan(&src.Kind, &src.Name, &src.File, &src.Content, &inputs, &accounts, &paused, &created, &updated); err != nil {
			return nil, s.fail(err)
		}
		src.Inputs, src.Paused, src.Created, src.Updated = inputs, paused != 0, fromMS(created), fromMS(updated)
		if err := json.Unmarshal([]byte(accounts), &src.Accounts); err != nil {
			return nil, &state.DamagedError{Location: s.Location(), Detail: "the accounts of source " + src.Name + " are not a JSON list", Err: err}
		}
		out = append(out, src)
	}
	return out, s.fail(rows.Err())
}

// SetSourcePaused implements state.Store.
func (s *DB) SetSourcePaused(ctx context.Context, kind, name string, paused bool) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE sources SET paused = $1 WHERE kind = $2 AND name = $3`, boolInt(paused), kind, name)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return state.ErrNotFound
		}
		return nil
	})
}

// SetAccountState implements state.Store.
func (s *DB) SetAccountState(ctx context.Context, st state.AccountState) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO account_states (account, label, stopped, since, updated) VALUES ($1,$2,$3,$4,$5)
			ON CONFLICT (account) DO UPDATE SET label = CASE WHEN excluded.label != '' THEN excluded.label ELSE account_states.label END,
				stopped = excluded.stopped, since = excluded.since, updated = excluded.updated`,
			st.Account, st.Label, st.Stopped, ms(st.Since), ms(st.Updated))
		return err
	})
}

// AccountStates implements state.Store.
func (s *DB) AccountStates(ctx context.Context) ([]state.AccountState, error) {
	rows, err := s.pool.Query(ctx, `SELECT account, label, stopped, since, updated FROM account_states ORDER BY account COLLATE "C"`)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.AccountState
	for rows.Next() {
		var st state.AccountState
		var since, updated int64
		if err := rows.Scan(&st.Account, &st.Label, &st.Stopped, &since, &updated); err != nil {
			return nil, s.fail(err)
		}
		st.Since, st.Updated = fromMS(since), fromMS(updated)
		out = append(out, st)
	}
	return out, s.fail(rows.Err())
}

// MoveLead implements state.Store.
func (s *DB) MoveLead(ctx context.Context, person, from, to string, ev state.LeadEvent) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		var seq string
		err := tx.QueryRow(ctx, `SELECT sequence FROM leads WHERE account = $1 AND person = $2`, to, person).Scan(&seq)
		switch {
		case err == nil:
			return &state.LeadTakenError{Person: person, Sequence: seq}
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE leads SET account = $1 WHERE account = $2 AND person = $3`, to, from, person)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return state.ErrNotFound
		}
		if _, err := tx.Exec(ctx, `UPDATE lead_events SET account = $1 WHERE account = $2 AND person = $3`, to, from, person); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO lead_events (account, person, time, kind, step, detail) VALUES ($1,$2,$3,$4,$5,$6)`,
			to, person, ms(ev.Time), ev.Kind, ev.Step, ev.Detail)
		return err
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SaveDelivery implements state.Store.
func (s *DB) SaveDelivery(ctx context.Context, d state.Delivery) (bool, error) {
	var created bool
	err := s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO deliveries (id, type, account_id, workflow_id, created, received, body, done)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (id) DO NOTHING`,
			d.ID, d.Type, d.AccountID, d.WorkflowID, ms(d.Created), ms(d.Received), d.Body, boolInt(d.Done))
		if err != nil {
			return err
		}
		created = tag.RowsAffected() == 1
		return nil
	})
	return created, err
}

// Deliveries implements state.Store.
func (s *DB) Deliveries(ctx context.Context, since time.Time, pending bool, limit int) ([]state.Delivery, error) {
	q := `SELECT id, type, account_id, workflow_id, created, received, body, done FROM deliveries WHERE received >= $1`
	if pending {
		q += ` AND done = 0` // the partial index deliveries_pending
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY received, id COLLATE "C" LIMIT $2`, ms(since), limit)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.Delivery
	for rows.Next() {
		var d state.Delivery
		var created, received int64
		var done int
		if err := rows.Scan(&d.ID, &d.Type, &d.AccountID, &d.WorkflowID, &created, &received, &d.Body, &done); err != nil {
			return nil, s.fail(err)
		}
		d.Created, d.Received, d.Done = fromMS(created), fromMS(received), done != 0
		out = append(out, d)
	}
	return out, s.fail(rows.Err())
}

// DeliveryDone implements state.Store.
func (s *DB) DeliveryDone(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE deliveries SET done = 1 WHERE id = ANY($1)`, ids)
		return err
	})
}
