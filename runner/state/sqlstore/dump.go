package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"

	"github.com/lwf-dev/lwf/runner/state/dump"
)

var (
	_ dump.Source = snapshot{}
	_ dump.Sink   = (*DB)(nil)
)

// SchemaVersion returns the store's schema version.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	v, err := version(ctx, s.db)
	return v, s.fail(err)
}

// Export writes the whole store to w (see package dump), as it was at
// one moment: its rows are read in one read transaction.
func (s *DB) Export(ctx context.Context, w io.Writer) (*dump.Trailer, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, s.fail(err)
	}
	defer tx.Rollback()
	return dump.Write(ctx, w, snapshot{s, tx})
}

// Import loads a file that Export wrote (by either backend) into this
// store, which must be empty: every row or none.
func (s *DB) Import(ctx context.Context, r io.Reader) (*dump.Trailer, error) {
	return dump.Read(ctx, r, s)
}

// snapshot reads the store in a read transaction.
type snapshot struct {
	s  *DB
	tx *sql.Tx
}

func (sn snapshot) SchemaVersion(ctx context.Context) (int, error) {
	v, err := version(ctx, sn.tx)
	return v, sn.s.fail(err)
}

// Rows implements dump.Source. Table and column names come from
// dump.Tables, never from input.
func (sn snapshot) Rows(ctx context.Context, table string, columns []string, order string, fn func([]any) error) error {
	s := sn.s
	rows, err := sn.tx.QueryContext(ctx, `SELECT `+strings.Join(columns, ", ")+` FROM `+table+` ORDER BY `+order)
	if err != nil {
		return s.fail(err)
	}
	defer rows.Close()
	vals := make([]any, len(columns))
	ptrs := make([]any, len(columns))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return s.fail(err)
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return s.fail(rows.Err())
}

// Load implements dump.Sink: one transaction, into a store that holds
// nothing.
func (s *DB) Load(ctx context.Context, fn func(insert func(table string, columns []string, vals []any) error) error) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range dump.Tables {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.Name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &dump.NotEmptyError{Table: t.Name, Rows: n}
			}
		}
		ps := &prepared{tx: tx, ctx: ctx}
		defer ps.close()
		return fn(func(table string, columns []string, vals []any) error {
			q := `INSERT INTO ` + table + ` (` + strings.Join(columns, ", ") + `) VALUES (?` + strings.Repeat(", ?", len(columns)-1) + `)`
			if err := ps.exec(q, vals...); err != nil {
				return fmt.Errorf("table %s: %w", table, err)
			}
			return nil
		})
	})
}

// Columns returns the store's tables and their columns, in order: what
// its migrations made, to compare with dump.Tables and the other backends.
func (s *DB) Columns(ctx context.Context) (map[string][]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`)
	if err != nil {
		return nil, s.fail(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, s.fail(err)
		}
		out[t] = append(out[t], c)
	}
	return out, s.fail(rows.Err())
}
