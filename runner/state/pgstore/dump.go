package pgstore

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/lwf-dev/lwf/runner/state/dump"
)

var (
	_ dump.Source = snapshot{}
	_ dump.Sink   = (*DB)(nil)
)

// SchemaVersion returns the store's schema version.
func (s *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, `SELECT version FROM `+metaTable).Scan(&v)
	return v, s.fail(err)
}

// Export writes the whole store to w (see package dump), as it was at
// one moment, while other processes go on using it: its rows are read
// in one read-only REPEATABLE READ transaction.
func (s *DB) Export(ctx context.Context, w io.Writer) (tr *dump.Trailer, err error) {
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		tr, err = dump.Write(ctx, w, snapshot{s, tx})
		return err
	})
	return tr, s.fail(err)
}

// Import loads a file that Export wrote (by either backend) into this
// store, which must be empty: every row or none.
func (s *DB) Import(ctx context.Context, r io.Reader) (*dump.Trailer, error) {
	return dump.Read(ctx, r, s)
}

// snapshot reads the store in one transaction.
type snapshot struct {
	s  *DB
	tx pgx.Tx
}

func (sn snapshot) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := sn.tx.QueryRow(ctx, `SELECT version FROM `+metaTable).Scan(&v)
	return v, sn.s.fail(err)
}

// Rows implements dump.Source. Table and column names come from
// dump.Tables, never from input; text sorts by its bytes, as in SQLite.
func (sn snapshot) Rows(ctx context.Context, table string, columns []string, order string, fn func([]any) error) error {
	s := sn.s
	rows, err := sn.tx.Query(ctx, `SELECT `+strings.Join(columns, ", ")+` FROM `+table+` ORDER BY `+bytewise(table, order))
	if err != nil {
		return s.fail(err)
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return s.fail(err)
		}
		if err := fn(vals); err != nil {
			return err
		}
	}
	return s.fail(rows.Err())
}

// bytewise makes an ORDER BY of dump.Tables sort text columns by their
// bytes (COLLATE "C"), whatever the database's collation: as SQLite does.
func bytewise(table, order string) string {
	kinds := map[string]dump.Kind{}
	for _, t := range dump.Tables {
		if t.Name == table {
			for _, c := range t.Columns {
				kinds[c.Name] = c.Kind
			}
		}
	}
	terms := strings.Split(order, ",")
	for i, t := range terms {
		t = strings.TrimSpace(t)
		if k, ok := kinds[t]; ok && k == dump.Text {
			t += ` COLLATE "C"`
		}
		terms[i] = t
	}
	return strings.Join(terms, ", ")
}

// Load implements dump.Sink: one transaction, into a store that holds
// nothing, its rows sent in batches. The identity columns then go on
// after the highest value imported.
func (s *DB) Load(ctx context.Context, fn func(insert func(table string, columns []string, vals []any) error) error) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		for _, t := range dump.Tables {
			var n int
			if err := tx.QueryRow(ctx, `SELECT count(*) FROM `+t.Name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return &dump.NotEmptyError{Table: t.Name, Rows: n}
			}
		}
		b := &pgx.Batch{}
		var tables []string
		flush := func() error {
			if b.Len() == 0 {
				return nil
			}
			res := tx.SendBatch(ctx, b)
			for _, t := range tables {
				if _, err := res.Exec(); err != nil {
					res.Close()
					return fmt.Errorf("table %s: %w", t, err)
				}
			}
			b, tables = &pgx.Batch{}, nil
			return res.Close()
		}
		err := fn(func(table string, columns []string, vals []any) error {
			ph := make([]string, len(columns))
			for i := range ph {
				ph[i] = fmt.Sprintf("$%d", i+1)
			}
			b.Queue(`INSERT INTO `+table+` (`+strings.Join(columns, ", ")+`) VALUES (`+strings.Join(ph, ", ")+`)`, vals...)
			tables = append(tables, table)
			if b.Len() >= 1000 {
				return flush()
			}
			return nil
		})
		if err == nil {
			err = flush()
		}
		if err != nil {
			return err
		}
		for _, t := range []string{"events", "lead_events"} {
			if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'seq'), max(seq)) FROM `+t+` HAVING max(seq) IS NOT NULL`, t); err != nil {
				return err
			}
		}
		return nil
	})
}
