package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

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
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sources (kind, name, file, content, inputs, accounts, paused, created, updated)
			VALUES (?,?,?,?,?,?,?,?,?)
			ON CONFLICT (kind, name) DO UPDATE SET file = excluded.file, content = excluded.content, inputs = excluded.inputs,
				accounts = excluded.accounts, updated = excluded.updated`,
			src.Kind, src.Name, src.File, src.Content, []byte(src.Inputs), string(accounts), boolInt(src.Paused), ms(src.Created), ms(src.Updated))
		return err
	})
}

// Sources implements state.Store.
func (s *DB) Sources(ctx context.Context, kind string) ([]state.Source, error) {
	q, args := `SELECT kind, name, file, content, inputs, accounts, paused, created, updated FROM sources`, []any{}
	if kind != "" {
		q += ` WHERE kind = ?`
		args = append(args, kind)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY kind, name`, args...)
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
			return nil, &state.DamagedError{Location: s.path, Detail: "the accounts of source " + src.Name + " are not a JSON list", Err: err}
		}
		out = append(out, src)
	}
	return out, s.fail(rows.Err())
}

// SetSourcePaused implements state.Store.
func (s *DB) SetSourcePaused(ctx context.Context, kind, name string, paused bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sources SET paused = ? WHERE kind = ? AND name = ?`, boolInt(paused), kind, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return state.ErrNotFound
		}
		return nil
	})
}

// SetAccountState implements state.Store.
func (s *DB) SetAccountState(ctx context.Context, st state.AccountState) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO account_states (account, label, stopped, since, updated) VALUES (?,?,?,?,?)
			ON CONFLICT (account) DO UPDATE SET label = CASE WHEN excluded.label != '' THEN excluded.label ELSE account_states.label END,
				stopped = excluded.stopped, since = excluded.since, updated = excluded.updated`,
			st.Account, st.Label, st.Stopped, ms(st.Since), ms(st.Updated))
		return err
	})
}

// AccountStates implements state.Store.
func (s *DB) AccountStates(ctx context.Context) ([]state.AccountState, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT account, label, stopped, since, updated FROM account_states ORDER BY account`)
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

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// SaveDelivery implements state.Store.
func (s *DB) SaveDelivery(ctx context.Context, d state.Delivery) (bool, error) {
	var created bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO deliveries (id, type, account_id, workflow_id, created, received, body, done)
			VALUES (?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING`,
			d.ID, d.Type, d.AccountID, d.WorkflowID, ms(d.Created), ms(d.Received), d.Body, boolInt(d.Done))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		created = n == 1
		return nil
	})
	return created, err
}

// Deliveries implements state.Store.
func (s *DB) Deliveries(ctx context.Context, since time.Time, pending bool, limit int) ([]state.Delivery, error) {
	q := `SELECT id, type, account_id, workflow_id, created, received, body, done FROM deliveries WHERE received >= ?`
	if pending {
		q += ` AND done = 0`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY received, id LIMIT ?`, ms(since), limit)
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
	return s.tx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `UPDATE deliveries SET done = 1 WHERE id = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, id := range ids {
			if _, err := st.ExecContext(ctx, id); err != nil {
				return err
			}
		}
		return nil
	})
}
