package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// syncBatch bounds how many completions one step of SyncLedger holds in
// memory.
const syncBatch = 20

// SyncLedger implements state.Store. Processes that sync one account at
// once read the same completions; what one records, the other's inserts
// find there and skip.
func (s *DB) SyncLedger(ctx context.Context, account string, read state.ReadCompletion) error {
	for {
		n, err := s.syncSome(ctx, account, read)
		if err != nil || n < syncBatch {
			return err
		}
	}
}

type unread struct {
	run, name           string
	idx                 int
	payload, completion []byte
	updated             int64
}

func (s *DB) syncSome(ctx context.Context, account string, read state.ReadCompletion) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT w.run_id, r.name, w.idx, w.payload, w.completion, w.updated
		FROM workflows w JOIN runs r ON r.id = w.run_id
		WHERE r.account = $1 AND w.state = $2 AND NOT EXISTS
			(SELECT 1 FROM completions_read c WHERE c.run_id = w.run_id AND c.idx = w.idx)
		ORDER BY r.created, w.run_id COLLATE "C", w.idx LIMIT $3`, account, string(state.Completed), syncBatch)
	if err != nil {
		return 0, s.fail(err)
	}
	batch, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (unread, error) {
		var u unread
		err := row.Scan(&u.run, &u.name, &u.idx, &u.payload, &u.completion, &u.updated)
		return u, err
	})
	if err != nil {
		return 0, s.fail(err)
	}
	if len(batch) == 0 {
		return 0, nil
	}
	b := &pgx.Batch{}
	for _, u := range batch {
		contacts, actions := read(u.payload, u.completion)
		for _, c := range contacts {
			c.Time, c.RunID, c.Workflow, c.Campaign = fromMS(u.updated), u.run, u.idx, u.name
			queueContact(b, account, c)
		}
		a, _ := json.Marshal(actions)
		b.Queue(`INSERT INTO completions_read (run_id, idx, actions) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`, u.run, u.idx, a)
	}
	err = s.tx(ctx, func(tx pgx.Tx) error {
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("state: recording a contact: %w", err)
		}
		return nil
	})
	return len(batch), err
}

func queueContact(b *pgx.Batch, account string, c state.Contact) {
	b.Queue(`INSERT INTO contacts (account, person, alias, action, outcome, time, run_id, workflow, path, campaign, source)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT DO NOTHING`,
		account, c.Person, c.Alias, c.ActionType, c.Outcome, ms(c.Time), c.RunID, c.Workflow, c.Path, c.Campaign, c.Source)
}

// Contacts implements state.Store.
func (s *DB) Contacts(ctx context.Context, account string, f state.ContactFilter) ([]state.Contact, error) {
	accounts := f.Accounts
	if len(accounts) == 0 {
		accounts = []string{account}
	}
	q := `SELECT account, person, alias, action, outcome, time, run_id, workflow, path, campaign, source FROM contacts WHERE account = ANY($1)`
	args := []any{accounts}
	if f.Person != "" {
		args = append(args, schemas.NormalizePersonURL(f.Person))
		q += fmt.Sprintf(` AND (person = $%d OR (alias = $%[1]d AND alias != ''))`, len(args))
	}
	if f.Campaign != "" {
		args = append(args, f.Campaign)
		q += fmt.Sprintf(` AND campaign = $%d`, len(args))
	}
	if f.Action != "" {
		args = append(args, f.Action)
		q += fmt.Sprintf(` AND (action = $%d OR action = '')`, len(args))
	}
	rows, err := s.pool.Query(ctx, q+` ORDER BY time, rowid`, args...)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.Contact
	for rows.Next() {
		var c state.Contact
		var t int64
		if err := rows.Scan(&c.Account, &c.Person, &c.Alias, &c.ActionType, &c.Outcome, &t, &c.RunID, &c.Workflow, &c.Path, &c.Campaign, &c.Source); err != nil {
			return nil, s.fail(err)
		}
		c.Time = fromMS(t)
		out = append(out, c)
	}
	return out, s.fail(rows.Err())
}

// ImportContacts implements state.Store.
func (s *DB) ImportContacts(ctx context.Context, account string, cs []state.Contact) (added int, err error) {
	err = s.tx(ctx, func(tx pgx.Tx) error {
		added = 0
		b := &pgx.Batch{}
		for _, c := range cs {
			c.Person = schemas.NormalizePersonURL(c.Person)
			if c.Person == "" {
				continue
			}
			c.RunID, c.Workflow, c.Path, c.Alias = "", -1, "", schemas.NormalizePersonURL(c.Alias)
			queueContact(b, account, c)
		}
		res := tx.SendBatch(ctx, b)
		defer res.Close()
		for range b.Len() {
			tag, err := res.Exec()
			if err != nil {
				return fmt.Errorf("state: importing a contact: %w", err)
			}
			added += int(tag.RowsAffected())
		}
		return res.Close()
	})
	return added, err
}

// ForgetContact implements state.Store.
func (s *DB) ForgetContact(ctx context.Context, account, personURL string) (int, error) {
	p := schemas.NormalizePersonURL(personURL)
	tag, err := s.pool.Exec(ctx, `DELETE FROM contacts WHERE account = $1 AND (person = $2 OR alias = $2)`, account, p)
	if err != nil {
		return 0, s.fail(err)
	}
	return int(tag.RowsAffected()), nil
}

// OpenWorkflows implements state.Store.
func (s *DB) OpenWorkflows(ctx context.Context, account string) ([]state.OpenWorkflow, error) {
	rows, err := s.pool.Query(ctx, `SELECT w.run_id, r.name, w.idx, w.state, w.payload FROM workflows w JOIN runs r ON r.id = w.run_id
		WHERE r.account = $1 AND (w.state IN ($2,$3,$4,$5,$6) OR (w.state = $7 AND w.workflow_id != ''))
		ORDER BY r.created, w.run_id COLLATE "C", w.idx`, account,
		string(state.Planned), string(state.Submitting), string(state.Pending), string(state.Running), string(state.Unknown), string(state.Cancelled))
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.OpenWorkflow
	for rows.Next() {
		var w state.OpenWorkflow
		var st string
		var p []byte
		if err := rows.Scan(&w.RunID, &w.Campaign, &w.Index, &st, &p); err != nil {
			return nil, s.fail(err)
		}
		w.State, w.Payload = state.State(st), p
		out = append(out, w)
	}
	return out, s.fail(rows.Err())
}

// Activity implements state.Store.
func (s *DB) Activity(ctx context.Context, account string, since time.Time) ([]state.Activity, error) {
	// As sqlstore's: sent workflows by their submission time (their run's
	// creation when they have none), and every workflow not sent yet.
	rows, err := s.pool.Query(ctx, `SELECT w.run_id, CASE WHEN w.submitted > 0 THEN w.submitted ELSE r.created END AS at, w.idx, w.state, c.actions,
			CASE WHEN w.state = $1 THEN NULL ELSE w.payload END,
			CASE WHEN w.state = $1 AND c.actions IS NULL THEN w.completion ELSE NULL END
		FROM workflows w JOIN runs r ON r.id = w.run_id
		LEFT JOIN completions_read c ON c.run_id = w.run_id AND c.idx = w.idx
		WHERE r.account = $2 AND (w.state = $9 OR (CASE WHEN w.submitted > 0 THEN w.submitted ELSE r.created END) >= $3 AND w.state IN ($1,$4,$5,$6,$7,$8))
		ORDER BY at, w.run_id COLLATE "C", w.idx`,
		string(state.Completed), account, ms(since),
		string(state.Submitting), string(state.Pending), string(state.Running), string(state.Unknown), string(state.Cancelled), string(state.Planned))
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []state.Activity
	for rows.Next() {
		var a state.Activity
		var created int64
		var st string
		var actions, payload, completion []byte
		if err := rows.Scan(&a.RunID, &created, &a.Index, &st, &actions, &payload, &completion); err != nil {
			return nil, s.fail(err)
		}
		a.Created, a.State = fromMS(created), state.State(st)
		switch {
		case a.State != state.Completed:
			a.Payload = payload
		case actions != nil:
			if err := json.Unmarshal(actions, &a.Actions); err != nil {
				return nil, fmt.Errorf("state: run %s workflow %d: %w", a.RunID, a.Index, err)
			}
		default:
			a.Completion = completion
		}
		out = append(out, a)
	}
	return out, s.fail(rows.Err())
}
