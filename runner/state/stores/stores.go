// Package stores opens the state store a user names: a directory for the
// embedded SQLite store (package sqlstore), or a postgres:// or
// postgresql:// URL for a PostgreSQL server (package pgstore). It is the
// one place lwf decides which.
package stores

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/dump"
	"github.com/lwf-dev/lwf/runner/state/pgstore"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
)

// Store is a state store with what lwf state does to it besides the
// runner's work.
type Store interface {
	state.Store
	// Check reads the whole store and lists what is wrong with it.
	Check(ctx context.Context) ([]string, error)
	// Stats counts what it holds.
	Stats(ctx context.Context) (state.Stats, error)
	// Migrate brings its schema up to date and returns the steps taken.
	Migrate(ctx context.Context) ([]int, error)
	// Export writes the whole store to w, as it is at one moment.
	Export(ctx context.Context, w io.Writer) (*dump.Trailer, error)
	// Import loads what Export wrote, by either backend, into this
	// store, which must be empty.
	Import(ctx context.Context, r io.Reader) (*dump.Trailer, error)
}

var (
	_ Store = (*sqlstore.DB)(nil)
	_ Store = (*pgstore.DB)(nil)
)

// IsURL reports whether spec names a PostgreSQL store rather than a
// directory.
func IsURL(spec string) bool { return pgstore.IsURL(spec) }

// Redact returns spec as it may be printed: a URL without its password,
// a directory as it is.
func Redact(spec string) string {
	if IsURL(spec) {
		return pgstore.Redact(spec)
	}
	return spec
}

// Open opens the store spec names, creating it when there is none, and
// brings its schema up to date.
func Open(ctx context.Context, spec string) (Store, error) {
	if IsURL(spec) {
		return pgstore.Open(ctx, spec)
	}
	return sqlstore.Open(ctx, spec)
}

// Exists reports whether there is a store where spec says, without
// making one.
func Exists(ctx context.Context, spec string) (bool, error) {
	if IsURL(spec) {
		return pgstore.Exists(ctx, spec)
	}
	_, err := os.Stat(filepath.Join(spec, "state.db"))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, os.ErrNotExist):
		return false, nil
	}
	return false, err
}
