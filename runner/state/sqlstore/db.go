package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/dump"

	"modernc.org/sqlite" // the pure-Go SQLite driver
	sqlite3 "modernc.org/sqlite/lib"
)

// DefaultDir is the state directory, relative to the working directory.
const DefaultDir = ".lwf"

// DB is the SQLite state store.
type DB struct {
	db   *sql.DB
	dir  string
	path string
	// The statements a drive runs for every workflow, prepared once:
	// SQLite takes longer to prepare them than to run them.
	update, insertEvent, cancelRequested *sql.Stmt
}

var _ state.Store = (*DB)(nil)

// applicationID marks a SQLite file as an lwf state store (PRAGMA
// application_id): "lwf1".
const applicationID = 0x6c776631

// sqliteHeader starts every SQLite database file.
const sqliteHeader = "SQLite format 3\x00"

// Open opens the store in dir, creating it when dir holds none, and
// brings its schema up to date. A file that is there but is not an lwf
// store, or is damaged (empty, not a database, corrupt), is refused: it
// is never taken for a new store, since starting afresh where a store
// was would send again everything it recorded. A store written by a
// newer lwf is refused too (*NewerError).
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
	if err := create(ctx, path); err != nil {
		return nil, err
	}
	if err := checkFile(path); err != nil {
		return nil, err
	}
	if err := checkIdentity(ctx, path); err != nil {
		return nil, err
	}
	db, err := openDB(path)
	if err != nil {
		return nil, err
	}
	s := &DB{db: db, dir: dir, path: path}
	if err := s.prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{{&s.update, updateWorkflow}, {&s.insertEvent, insertEvent}, {&s.cancelRequested, `SELECT cancel_requested FROM runs WHERE id = ?`}} {
		if *p.stmt, err = db.PrepareContext(ctx, p.sql); err != nil {
			s.Close()
			return nil, s.fail(err)
		}
	}
	return s, nil
}

func openDB(path string) (*sql.DB, error) {
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
	return db, nil
}

// create makes a new store at path when there is none: built whole under
// another name, then linked into place, so that no process ever sees a
// store half made — and one that finds an empty file knows it is damaged.
// When several processes create the store at once, one link wins and the
// others use its store.
func create(ctx context.Context, path string) error {
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	tmp := fmt.Sprintf("%s.new-%d-%d", path, os.Getpid(), time.Now().UnixNano())
	defer os.Remove(tmp)
	// Private from the start, WAL files included: completions hold
	// personal data.
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("creating the state database: %w", err)
	}
	f.Close()
	db, err := openDB(tmp)
	if err != nil {
		return err
	}
	defer os.Remove(tmp + "-wal")
	defer os.Remove(tmp + "-shm")
	s := &DB{db: db, path: tmp}
	err = s.prepare(ctx)
	if err == nil {
		// Everything into the main file before it is linked into place.
		_, err = db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("creating the state database: %w", err)
	}
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("creating the state database: %w", err)
	}
	return nil
}

// checkFile looks at the store's file before SQLite does: it must be a
// SQLite database.
func checkFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("opening the state database: %w", err)
	}
	if !st.Mode().IsRegular() {
		return &state.DamagedError{Location: path, Detail: "it is not a regular file"}
	}
	if st.Size() == 0 {
		// lwf never leaves a store empty: it creates stores whole.
		return &state.DamagedError{Location: path, Detail: "the file is empty (0 bytes)"}
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("opening the state database: %w", err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteHeader))
	if n, _ := f.Read(head); n < len(head) || string(head) != sqliteHeader {
		return &state.DamagedError{Location: path, Detail: "the file is not a SQLite database"}
	}
	return nil
}

// checkIdentity makes sure an existing file is an lwf store this lwf can
// use, reading it without changing a byte: a file that is not lwf's is
// left exactly as it was found.
func checkIdentity(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(15000)")
	if err != nil {
		return fmt.Errorf("opening the state database: %w", err)
	}
	defer db.Close()
	s := &DB{db: db, path: path}
	var app, v int
	err = db.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&app)
	if err == nil {
		v, err = version(ctx, db)
	}
	if err != nil {
		return s.fail(err)
	}
	switch {
	case app == applicationID:
	case app == 0 && v >= 1 && s.hasTable(ctx, "runs"):
		// Written before stores were marked: Open marks it.
	default:
		return &state.DamagedError{Location: path, Detail: "the file is a SQLite database, but not an lwf state store"}
	}
	if v > SchemaVersion() {
		return &state.NewerError{Path: path, Version: v, Current: SchemaVersion()}
	}
	return nil
}

// prepare brings the store's schema up to date and marks it as lwf's.
func (s *DB) prepare(ctx context.Context) error {
	if _, err := s.migrate(ctx); err != nil {
		return s.fail(err)
	}
	if _, err := s.db.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, applicationID)); err != nil {
		return s.fail(err)
	}
	return s.checkSchema(ctx)
}

// columns lists, per table, the columns a store of the current schema
// has: read once from a store migrated in memory.
var columns = sync.OnceValues(func() (map[string][]string, error) {
	db, err := sql.Open("sqlite", "file::memory:")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	s := &DB{db: db, path: ":memory:"}
	if _, err := s.migrate(context.Background()); err != nil {
		return nil, err
	}
	return tableColumns(context.Background(), db)
})

func tableColumns(ctx context.Context, db *sql.DB) (map[string][]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		out[t] = append(out[t], c)
	}
	return out, rows.Err()
}

// checkSchema compares the store's tables and columns with the current
// schema's: a damaged page of the schema can leave a store that opens
// but lacks a column, which must not pass for a store with nothing in it.
func (s *DB) checkSchema(ctx context.Context) error {
	want, err := columns()
	if err != nil {
		return err
	}
	got, err := tableColumns(ctx, s.db)
	if err != nil {
		return &state.DamagedError{Location: s.path, Detail: "its schema cannot be read", Err: err}
	}
	for t, cols := range want {
		if strings.Join(got[t], ",") != strings.Join(cols, ",") {
			return &state.DamagedError{Location: s.path, Detail: fmt.Sprintf("table %s has columns (%s), not (%s)", t, strings.Join(got[t], ", "), strings.Join(cols, ", "))}
		}
	}
	return nil
}

func (s *DB) hasTable(ctx context.Context, name string) bool {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return err == nil && n > 0
}

// fail turns an error of the database into the store's: corruption
// becomes a *state.DamagedError.
func (s *DB) fail(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return &state.DamagedError{Location: s.path, Detail: "SQLite reports: " + sqlite.ErrorCodeString[se.Code()&0xff], Err: err}
		}
	}
	var de *state.DamagedError
	var ne *dump.NotEmptyError
	if errors.As(err, &de) || errors.As(err, &ne) {
		return err
	}
	return fmt.Errorf("state: %w", err)
}

// Close closes the database.
func (s *DB) Close() error {
	for _, st := range []*sql.Stmt{s.update, s.insertEvent, s.cancelRequested} {
		if st != nil {
			st.Close()
		}
	}
	return s.db.Close()
}

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
		return s.fail(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.fail(err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(fmt.Errorf("committing: %w", err))
	}
	return nil
}
