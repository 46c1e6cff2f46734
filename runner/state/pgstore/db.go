package pgstore

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/dump"
)

// DB is the PostgreSQL state store.
type DB struct {
	pool *pgxpool.Pool
	loc  string // the URL without its password
	// lockConfig makes the connections that hold session locks.
	lockConfig *pgx.ConnConfig
	host       string
	// held are the run locks this process holds, for fencing.
	heldMu sync.Mutex
	held   map[string]*sessionLock
}

var _ state.Store = (*DB)(nil)

// IsURL reports whether spec names a PostgreSQL store: a postgres:// or
// postgresql:// URL.
func IsURL(spec string) bool {
	return strings.HasPrefix(spec, "postgres://") || strings.HasPrefix(spec, "postgresql://")
}

// Redact returns a store's URL without its password (in the user info
// or a password= parameter), to be printed: postgres://lwf@db:5432/lwf.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		scheme, _, _ := strings.Cut(raw, "://")
		return scheme + "://(a URL that cannot be parsed)"
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if strings.Contains(strings.ToLower(k), "password") {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

// Open connects to the store at url (postgres://user:password@host/db),
// creating its tables in an empty database and bringing its schema up to
// date, in one transaction that other processes opening it wait for. A
// database that holds other tables and no lwf store is refused and left
// as it was; a store written by a newer lwf is refused (*state.NewerError);
// one whose tables lack columns is damaged (*state.DamagedError).
//
// The tables go in the first schema of the search path (public, or
// search_path=NAME in the URL). The user needs CREATE on it the first
// time, and at each migration.
func Open(ctx context.Context, rawURL string) (*DB, error) {
	loc := Redact(rawURL)
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("the state store %s: %w", loc, err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 15 * time.Second
	}
	host, _ := os.Hostname()
	if _, ok := cfg.ConnConfig.RuntimeParams["application_name"]; !ok {
		cfg.ConnConfig.RuntimeParams["application_name"] = "lwf"
	}
	lockConfig := cfg.ConnConfig.Copy()
	// A lock's session names its process, for the message of whoever
	// finds it taken; and the server drops the session of a machine that
	// vanished (a cut cable, a dead host) within a minute, releasing its
	// locks, instead of after hours of TCP silence.
	lockConfig.RuntimeParams["application_name"] = fmt.Sprintf("lwf %d@%s", os.Getpid(), host)
	for k, v := range map[string]string{"tcp_keepalives_idle": "20", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "3"} {
		if _, ok := lockConfig.RuntimeParams[k]; !ok {
			lockConfig.RuntimeParams[k] = v
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("the state store %s: %w", loc, err)
	}
	s := &DB{pool: pool, loc: loc, lockConfig: lockConfig, host: host, held: map[string]*sessionLock{}}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to the state store %s: %w", loc, err)
	}
	if _, err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.checkColumns(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store's connections (not those of locks still held).
func (s *DB) Close() error {
	s.pool.Close()
	return nil
}

// Location returns the store's URL without its password.
func (s *DB) Location() string { return s.loc }

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

// fail turns an error of the database into the store's: corruption the
// server reports, and tables or columns that went missing, make a
// *state.DamagedError.
func (s *DB) fail(err error) error {
	if err == nil {
		return nil
	}
	var de *state.DamagedError
	var ne *state.NewerError
	var le *state.LeadTakenError
	var nee *dump.NotEmptyError
	if errors.As(err, &de) || errors.As(err, &ne) || errors.As(err, &le) || errors.As(err, &nee) || errors.Is(err, errCancelled) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "XX001", "XX002": // data_corrupted, index_corrupted
			return &state.DamagedError{Location: s.loc, Detail: "PostgreSQL reports: " + pe.Message, Err: err}
		case "42P01", "42703": // undefined_table, undefined_column
			return &state.DamagedError{Location: s.loc, Detail: "PostgreSQL reports: " + pe.Message, Err: err}
		}
	}
	return fmt.Errorf("state: %w", err)
}

// retryable reports whether a transaction failed only because of another
// one, and may be run again: a deadlock or a serialization failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// tx runs fn in a transaction, again (up to three times) when PostgreSQL
// broke a deadlock by failing it. fn must not keep anything of a try
// that failed.
func (s *DB) tx(ctx context.Context, fn func(pgx.Tx) error) error {
	for try := 0; ; try++ {
		err := pgx.BeginFunc(ctx, s.pool, fn)
		if try < 3 && retryable(err) {
			continue
		}
		return s.fail(err)
	}
}

type scanner interface{ Scan(dest ...any) error }

// Exists reports whether the database at rawURL holds an lwf store, and
// changes nothing: commands that only read a store never create one.
func Exists(ctx context.Context, rawURL string) (bool, error) {
	loc := Redact(rawURL)
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return false, fmt.Errorf("the state store %s: %w", loc, err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 15 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("connecting to the state store %s: %w", loc, err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1`, metaTable).Scan(&n); err != nil {
		return false, fmt.Errorf("the state store %s: %w", loc, err)
	}
	return n > 0, nil
}
