package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// syncBatch bounds how many completions one step of SyncLedger holds in
// memory.
const syncBatch = 20

// SyncLedger implements state.Store. Every command that reads the ledger
// calls it first; a ledger is thus never behind its runs, whichever
// process completed them.
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
	rows, err := s.db.QueryContext(ctx, `SELECT w.run_id, r.name, w.idx, w.payload, w.completion, w.updated
		FROM workflows w JOIN runs r ON r.id = w.run_id
		WHERE r.account = ? AND w.state = ? AND NOT EXISTS
			(SELECT 1 FROM completions_read c WHERE c.run_id = w.run_id AND c.idx = w.idx)
		ORDER BY r.created, w.run_id, w.idx LIMIT ?`, account, string(state.Completed), syncBatch)
	if err != nil {
		return 0, s.fail(err)
	}
	var batch []unread
	for rows.Next() {
		var u unread
		if err := rows.Scan(&u.run, &u.name, &u.idx, &u.payload, &u.completion, &u.updated); err != nil {
			rows.Close()
			return 0, s.fail(err)
		}
		batch = append(batch, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, s.fail(err)
	}
	if len(batch) == 0 {
		return 0, nil
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, u := range batch {
			contacts, actions := read(u.payload, u.completion)
			for _, c := range contacts {
				c.Time, c.RunID, c.Workflow, c.Campaign = fromMS(u.updated), u.run, u.idx, u.name
				if err := insertContact(ctx, tx, account, c); err != nil {
					return err
				}
			}
			b, _ := json.Marshal(actions)
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO completions_read (run_id, idx, actions) VALUES (?,?,?)`, u.run, u.idx, b); err != nil {
				return s.fail(err)
			}
		}
		return nil
	})
	return len(batch), err
}

func insertContact(ctx context.Context, tx *sql.Tx, account string, c state.Contact) error {
	_, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO contacts (account, person, alias, action, outcome, time, run_id, workflow, path, campaign, source)
		VALUES (?,?,?,?,?,?,?,?,?,?,?)`, account, c.Person, c.Alias, c.ActionType, c.Outcome, ms(c.Time), c.RunID, c.Workflow, c.Path, c.Campaign, c.Source)
	if err != nil {
		return fmt.Errorf("state: recording a contact: %w", err)
	}
	return nil
}

// Contacts lists the account's ledger entries that match f, oldest first.
func (s *DB) Contacts(ctx context.Context, account string, f state.ContactFilter) ([]state.Contact, error) {
	accounts := f.Accounts
	if len(accounts) == 0 {
		accounts = []string{account}
	}
	in := "?" + strings.Repeat(",?", len(accounts)-1)
	q := `SELECT account, person, alias, action, outcome, time, run_id, workflow, path, campaign, source FROM contacts WHERE account IN (` + in + `)`
	var args []any
	for _, a := range accounts {
		args = append(args, a)
	}
	if f.Person != "" {
		// Index lookups, by rowid: an OR of the two columns, or the
		// account's own index, would scan all of the account's contacts.
		p := schemas.NormalizePersonURL(f.Person)
		q = `SELECT account, person, alias, action, outcome, time, run_id, workflow, path, campaign, source FROM contacts
			WHERE rowid IN (SELECT rowid FROM contacts WHERE account IN (` + in + `) AND person = ?
			UNION SELECT rowid FROM contacts WHERE account IN (` + in + `) AND alias = ? AND alias != '')`
		args = append(append(append(append([]any{}, args...), p), args...), p)
	}
	if f.Campaign != "" {
		q += ` AND campaign = ?`
		args = append(args, f.Campaign)
	}
	if f.Action != "" {
		q += ` AND (action = ? OR action = '')`
		args = append(args, f.Action)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY time, rowid`, args...)
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
	return out, rows.Err()
}

// ImportContacts adds entries for people contacted outside lwf; an entry
// already imported from the same source is kept once. It returns how many
// were new.
func (s *DB) ImportContacts(ctx context.Context, account string, cs []state.Contact) (added int, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, c := range cs {
			c.RunID, c.Workflow, c.Path = "", -1, ""
			c.Person = schemas.NormalizePersonURL(c.Person)
			if c.Person == "" {
				continue
			}
			res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO contacts (account, person, alias, action, outcome, time, run_id, workflow, path, campaign, source)
				VALUES (?,?,?,?,?,?,'',-1,'',?,?)`, account, c.Person, schemas.NormalizePersonURL(c.Alias), c.ActionType, c.Outcome, ms(c.Time), c.Campaign, c.Source)
			if err != nil {
				return fmt.Errorf("state: importing a contact: %w", err)
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return nil
	})
	return added, err
}

// ForgetContact removes every ledger entry of a person (by either URL) for
// the account, so that campaigns may reach them again; it returns how many
// entries went. Runs and their completions stay as they were.
func (s *DB) ForgetContact(ctx context.Context, account, personURL string) (int, error) {
	p := schemas.NormalizePersonURL(personURL)
	res, err := s.db.ExecContext(ctx, `DELETE FROM contacts WHERE account = ? AND (person = ? OR alias = ?)`, account, p, p)
	if err != nil {
		return 0, s.fail(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// OpenWorkflows lists the account's open workflows (see OpenWorkflow).
func (s *DB) OpenWorkflows(ctx context.Context, account string) ([]state.OpenWorkflow, error) {
	open := []string{string(state.Planned), string(state.Submitting), string(state.Pending), string(state.Running), string(state.Unknown)}
	rows, err := s.db.QueryContext(ctx, `SELECT w.run_id, r.name, w.idx, w.state, w.payload FROM workflows w JOIN runs r ON r.id = w.run_id
		WHERE r.account = ? AND (w.state IN (?,?,?,?,?) OR (w.state = ? AND w.workflow_id != ''))
		ORDER BY r.created, w.run_id, w.idx`, account, open[0], open[1], open[2], open[3], open[4], string(state.Cancelled))
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
	return out, rows.Err()
}

// RunByKey implements state.Store.
func (s *DB) RunByKey(ctx context.Context, key string) (*state.Run, error) {
	return s.scanRun(s.db.QueryRowContext(ctx, runSelect+` WHERE key = ? ORDER BY created DESC, rowid DESC LIMIT 1`, key))
}
