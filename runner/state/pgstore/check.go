package pgstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/lwf-dev/lwf/runner/state"
)

// Check reads the whole store and lists what is wrong with it: tables or
// columns missing, indexes PostgreSQL marks invalid, rows that refer to a
// run that is not there, runs whose workflows are missing, and records
// that are not the JSON lwf wrote. An empty list means the store is
// sound. (The server guards its own pages: see amcheck and data checksums
// in PostgreSQL's documentation.)
func (s *DB) Check(ctx context.Context) ([]string, error) {
	var problems []string
	if err := s.checkColumns(ctx); err != nil {
		return []string{err.(*state.DamagedError).Detail}, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND NOT i.indisvalid ORDER BY 1`)
	if err != nil {
		return nil, s.fail(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, s.fail(err)
		}
		problems = append(problems, "PostgreSQL: index "+name+" is not valid (REINDEX it)")
	}
	rows.Close()
	for _, q := range []struct{ sql, what string }{
		{`SELECT (SELECT count(*) FROM workflows w WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = w.run_id))
			+ (SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = e.run_id))
			+ (SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = i.run_id))
			+ (SELECT count(*) FROM completions_read c WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = c.run_id))`, "%d rows refer to a run that is not there"},
		{`SELECT count(*) FROM runs r WHERE r.workflows != (SELECT count(*) FROM workflows w WHERE w.run_id = r.id)`, "%d runs miss some of their workflows"},
	} {
		var n int
		if err := s.pool.QueryRow(ctx, q.sql).Scan(&n); err != nil {
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
	rows, err := s.pool.Query(ctx, `SELECT run_id, idx, payload, completion, output FROM workflows ORDER BY run_id COLLATE "C", idx`)
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
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return st, err
	}
	st.Version = v
	err = s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM workflows), (SELECT count(*) FROM contacts), (SELECT count(*) FROM leads)`).
		Scan(&st.Runs, &st.Workflows, &st.Contacts, &st.Leads)
	return st, s.fail(err)
}
