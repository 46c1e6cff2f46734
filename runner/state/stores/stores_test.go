package stores

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/lwf-dev/lwf/internal/pgtest"
	"github.com/lwf-dev/lwf/runner/state/pgstore"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/runner/state/storetest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var ctx = context.Background()

func open(t *testing.T, spec string) Store {
	t.Helper()
	db, err := Open(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func export(t *testing.T, db Store) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := db.Export(ctx, &b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fixture copies an SQLite store of an earlier schema version into a new
// directory.
func fixture(t *testing.T, name string) string {
	t.Helper()
	src, err := os.Open(filepath.Join("..", "sqlstore", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dir := t.TempDir()
	dst, err := os.OpenFile(filepath.Join(dir, "state.db"), os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatal(err)
	}
	dst.Close()
	return dir
}

// TestSQLiteToPostgresAndBackLosesNothing moves stores from SQLite to
// PostgreSQL and back through lwf state export and import: a store with
// something in every table, and the stores of every earlier schema
// version once migrated. Each holds the same records (row counts and
// checksums of the runs, the ledger and the leads) and exports the same
// bytes wherever it is.
func TestSQLiteToPostgresAndBackLosesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		lite func(t *testing.T) string
	}{
		{"every table", func(t *testing.T) string {
			dir := t.TempDir()
			storetest.Fill(t, open(t, dir))
			return dir
		}},
		{"v1.db", func(t *testing.T) string { return fixture(t, "v1.db") }},
		{"v2.db", func(t *testing.T) string { return fixture(t, "v2.db") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lite := open(t, tc.lite(t))
			// The ledger is read from the completions first, as every
			// command that reads it does.
			if err := lite.SyncLedger(ctx, "acct", storetest.Read(t)); err != nil {
				t.Fatal(err)
			}
			want := storetest.TakeDigest(t, lite)
			file := export(t, lite)
			t.Logf("%s: %s", tc.name, want)

			pg := open(t, pgtest.URL(t))
			if _, err := pg.Import(ctx, bytes.NewReader(file)); err != nil {
				t.Fatal(err)
			}
			if got := storetest.TakeDigest(t, pg); got.String() != want.String() {
				t.Errorf("on PostgreSQL:\n got %s\nwant %s", got, want)
			}
			again := export(t, pg)
			if !bytes.Equal(again, file) {
				t.Errorf("PostgreSQL exports\n%s\nSQLite exported\n%s", again, file)
			}
			back := open(t, t.TempDir())
			if _, err := back.Import(ctx, bytes.NewReader(again)); err != nil {
				t.Fatal(err)
			}
			if got := storetest.TakeDigest(t, back); got.String() != want.String() {
				t.Errorf("back on SQLite:\n got %s\nwant %s", got, want)
			}
			if problems, err := pg.Check(ctx); err != nil || len(problems) > 0 {
				t.Errorf("check on PostgreSQL: %v %v", problems, err)
			}
		})
	}
}

func TestOpenChoosesByURL(t *testing.T) {
	dir := t.TempDir()
	if _, ok := open(t, dir).(*sqlstore.DB); !ok {
		t.Error("a directory did not open SQLite")
	}
	url := pgtest.URL(t)
	if ok, err := Exists(ctx, url); ok || err != nil {
		t.Errorf("an empty database holds a store: %v %v", ok, err)
	}
	if _, ok := open(t, url).(*pgstore.DB); !ok {
		t.Error("a URL did not open PostgreSQL")
	}
	for spec, want := range map[string]bool{dir: true, filepath.Join(dir, "none"): false, url: true} {
		if ok, err := Exists(ctx, spec); ok != want || err != nil {
			t.Errorf("Exists(%s) = %v %v, want %v", Redact(spec), ok, err, want)
		}
	}
	for spec, want := range map[string]bool{"postgres://h/db": true, "postgresql://h/db": true, ".lwf": false, "postgres:/x": false, "/var/lib/lwf": false} {
		if IsURL(spec) != want {
			t.Errorf("IsURL(%s) = %v", spec, !want)
		}
	}
}
