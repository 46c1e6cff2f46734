package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lwf-dev/lwf/runner/state"
)

// Check reads the whole store and lists what is wrong with it: SQLite's
// own integrity check (every page, every index), foreign keys, runs whose
// workflows are missing, and records that are not the JSON lwf wrote. An
// empty list means the store is sound. It takes time in proportion to
// the store's size; Open makes only the cheap checks.
func (s *DB) Check(ctx context.Context) ([]string, error) {
	var problems []string
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check(100)`)
	if err != nil {
		return nil, s.fail(err)
	}
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			rows.Close()
			return nil, s.fail(err)
		}
		if line != "ok" {
			problems = append(problems, "SQLite: "+line)
		}
	}
	rows.Close()
	if len(problems) > 0 {
		// The tables cannot be read reliably; what follows would only
		// repeat the damage in other words.
		return problems, nil
	}
	for _, q := range []struct{ sql, what string }{
		{`SELECT count(*) FROM pragma_foreign_key_check`, "%d rows refer to a run that is not there"},
		{`SELECT count(*) FROM runs r WHERE r.workflows != (SELECT count(*) FROM workflows w WHERE w.run_id = r.id)`, "%d runs miss some of their workflows"},
	} {
		var n int
		if err := s.db.QueryRowContext(ctx, q.sql).Scan(&n); err != nil {
			return nil, s.fail(err)
		}
		if n > 0 {
			problems = append(problems, fmt.Sprintf(q.what, n))
		}
	}
	bad, err := s.badJSON(ctx)
	if err != nil {
		return nil, err
	}
	return append(problems, bad...), nil
}

// badJSON lists workflows whose payload, completion or output is not
// JSON.
func (s *DB) badJSON(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT run_id, idx, payload, completion, output FROM workflows`)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var run string
		var idx int
		var cols [3][]byte
		if err := rows.Scan(&run, &idx, &cols[0], &cols[1], &cols[2]); err != nil {
			return nil, s.fail(err)
		}
		for i, name := range []string{"payload", "completion", "output"} {
			if cols[i] != nil && !json.Valid(cols[i]) {
				out = append(out, fmt.Sprintf("run %s workflow %d: the %s is not JSON", run, idx+1, name))
			}
		}
	}
	return out, s.fail(rows.Err())
}

// Stats counts the store's records.
func (s *DB) Stats(ctx context.Context) (state.Stats, error) {
	var st state.Stats
	v, err := version(ctx, s.db)
	if err != nil {
		return st, s.fail(err)
	}
	st.Version = v
	err = s.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM workflows), (SELECT count(*) FROM contacts), (SELECT count(*) FROM leads)`).
		Scan(&st.Runs, &st.Workflows, &st.Contacts, &st.Leads)
	return st, s.fail(err)
}
