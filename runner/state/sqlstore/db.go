package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/lwf-dev/lwf/runner/state"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver
)

// DefaultDir is the state directory, relative to the working directory.
const DefaultDir = ".lwf"

// DB is the SQLite state store.
type DB struct {
	db  *sql.DB
	dir string
}

var _ state.Store = (*DB)(nil)

// Open opens (creating if needed) the store in dir.
func Open(ctx context.Context, dir string) (*DB, error) {
	if err := os.MkdirAll(filepath.Join(dir, "locks"), 0o700); err != nil {
		return nil, fmt.Errorf("creating the state directory: %w", err)
	}
	// Keep run data out of version control by default.
	ignore := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(ignore); errors.Is(err, os.ErrNotExist) {
		_ = os.WriteFile(ignore, []byte("# lwf run state: tracked workflows and their results\n*\n"), 0o600)
	}
	path := filepath.Join(dir, "state.db")
	// Create the file first so that it (and the WAL files SQLite derives
	// from it) are private: completions hold personal data.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the state database: %w", err)
	}
	f.Close()
	q := url.Values{}
	for _, p := range []string{"busy_timeout(15000)", "journal_mode(WAL)", "synchronous(NORMAL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening the state database: %w", err)
	}
	// One connection: the runner writes from one goroutine, and SQLite
	// serialises writers anyway; other processes wait on busy_timeout.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("preparing the state database %s: %w", path, err)
	}
	return &DB{db: db, dir: dir}, nil
}

// Close closes the database.
func (s *DB) Close() error { return s.db.Close() }

// Location returns the state directory.
func (s *DB) Location() string { return s.dir }

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

// tx runs fn in a write transaction.
func (s *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state: committing: %w", err)
	}
	return nil
}
