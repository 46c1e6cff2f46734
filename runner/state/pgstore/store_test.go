package pgstore

import (
	"context"
	"errors"
	"fmt"
	neturl "net/url"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/lwf-dev/lwf/internal/pgtest"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/dump"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/runner/state/storetest"
)

func TestMain(m *testing.M) {
	if os.Getenv(holdEnv) != "" {
		holdLock()
		return
	}
	pgtest.Main(m)
}

var ctx = context.Background()

func open(t *testing.T, url string) *DB {
	t.Helper()
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestStore runs the store suite, which every backend passes, on a real
// PostgreSQL: a new database per test.
func TestStore(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		New:  func(t *testing.T) string { return pgtest.URL(t) },
		Open: func(t *testing.T, url string) state.Store { return open(t, url) },
	})
}

// raw connects to the store's database around lwf.
func raw(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(ctx) })
	return c
}

// TestSchemaInStepWithSQLite: the same migrations, numbered and named as
// sqlstore's, make the same tables and columns — those package dump
// names — but for PostgreSQL's rowid columns.
func TestSchemaInStepWithSQLite(t *testing.T) {
	if got, want := Migrations(), sqlstore.Migrations(); !reflect.DeepEqual(got, want) {
		t.Errorf("migrations:\n got %v\nwant %v (sqlstore's)", got, want)
	}
	if SchemaVersion() != sqlstore.SchemaVersion() {
		t.Errorf("schema version %d, sqlstore's %d", SchemaVersion(), sqlstore.SchemaVersion())
	}
	db := open(t, pgtest.URL(t))
	got, err := db.Columns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	lite, err := sqlstore.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	want, err := lite.Columns(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tables and columns:\n got %v\nwant %v (SQLite's)", got, want)
	}
	if !reflect.DeepEqual(got, dump.Schema()) {
		t.Errorf("tables and columns:\n got %v\nwant %v (package dump's)", got, dump.Schema())
	}
	if v, err := db.SchemaVersion(ctx); err != nil || v != SchemaVersion() {
		t.Errorf("version %d, %v", v, err)
	}
}

// TestOpenMigratesOnceAndStepByStep: stores opened at once by several
// processes are made once; a store of an earlier version takes the steps
// it lacks, keeping its rows.
func TestOpenMigratesOnceAndStepByStep(t *testing.T) {
	url := pgtest.URL(t)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			db, err := Open(ctx, url)
			if err == nil {
				db.Close()
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatalf("opening a new store at once: %v", err)
		}
	}
	// A store left at version 2, with a run in it.
	url = pgtest.URL(t)
	c := raw(t, url)
	sql := `CREATE TABLE lwf_meta (version integer NOT NULL); INSERT INTO lwf_meta VALUES (2);` + migrations[0].sql + migrations[1].sql +
		`INSERT INTO runs (id, key, name, file, account, endpoint, created, meta, workflows) VALUES ('r-0123456789ab', 'k1', 'outreach', 'o.yaml', 'acct', '', 1772442000000, NULL, 1);
		INSERT INTO workflows (run_id, idx, payload, state) VALUES ('r-0123456789ab', 0, '{}', 'planned');`
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := db.Workflows(ctx, "r-0123456789ab")
	if err != nil || len(ws) != 1 || ws[0].Stage != 1 || ws[0].Derived || !ws[0].Unfinished.IsZero() {
		t.Errorf("a migrated workflow: %+v %v", ws, err)
	}
	if applied, err := db.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Errorf("migrating again took %v (%v)", applied, err)
	}
}

func TestNewerForeignAndDamagedStoresAreRefused(t *testing.T) {
	url := pgtest.URL(t)
	open(t, url).Close()
	c := raw(t, url)
	if _, err := c.Exec(ctx, `UPDATE lwf_meta SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, url)
	var ne *state.NewerError
	if !errors.As(err, &ne) || ne.Version != SchemaVersion()+1 {
		t.Fatalf("a newer store: %v", err)
	}
	want := fmt.Sprintf("the state store %s has schema version %d, newer than this lwf's %d: a newer lwf wrote it; upgrade lwf to use it", Redact(url), SchemaVersion()+1, SchemaVersion())
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}

	// Another program's database is left as it was.
	url = pgtest.URL(t)
	c = raw(t, url)
	if _, err := c.Exec(ctx, `CREATE TABLE notes (id integer); CREATE TABLE runs (id text)`); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, url)
	var de *state.DamagedError
	if !errors.As(err, &de) || de.Detail != "the database's schema public holds tables (notes, runs), but not an lwf state store" {
		t.Fatalf("another program's database: %v", err)
	}
	var n int
	if err := c.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d tables after the refusal (%v), want the 2 that were there", n, err)
	}

	// A store that lost a column is damaged; one that lost workflows too.
	url = pgtest.URL(t)
	db := open(t, url)
	ps := storetest.Payloads(3)
	run, _, err := db.Attach(ctx, storetest.TestRun(t, ps), ps, false)
	if err != nil {
		t.Fatal(err)
	}
	c = raw(t, url)
	if _, err := c.Exec(ctx, `DELETE FROM workflows WHERE idx = 2; UPDATE workflows SET payload = '{"actionType":' WHERE idx = 1`); err != nil {
		t.Fatal(err)
	}
	problems, err := db.Check(ctx)
	if got, want := strings.Join(problems, "|"), "1 runs miss some of their workflows|run "+run.ID+" workflow 2: the payload is not JSON"; err != nil || got != want {
		t.Errorf("problems\n%s (%v)\nwant\n%s", got, err, want)
	}
	if _, err := db.Workflows(ctx, run.ID); !errors.As(err, &de) || !strings.Contains(de.Detail, "has 3 workflows, but the store holds 2 of them") {
		t.Errorf("reading a run that lost workflows: %v", err)
	}
	if _, err := c.Exec(ctx, `ALTER TABLE leads DROP COLUMN variants`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, url); !errors.As(err, &de) || de.Detail != "its table leads has no column variants" {
		t.Errorf("a store without a column: %v", err)
	}
	if problems, err := db.Check(ctx); err != nil || len(problems) != 1 || problems[0] != "its table leads has no column variants" {
		t.Errorf("check of a store without a column: %v %v", problems, err)
	}
}

// TestPasswordNeverShown: the URL's password is in no error, location or
// message, whether the server is there or not.
func TestPasswordNeverShown(t *testing.T) {
	url := pgtest.URL(t)
	password := "canary-pw-7f3a91"
	// The test server's own password is in url: it must stay hidden too.
	parsed, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	real, _ := parsed.User.Password()
	db := open(t, url)
	if real == "" || strings.Contains(db.Location(), real) || db.Location() != "postgres://"+parsed.User.Username()+"@"+parsed.Host+parsed.Path+"?"+parsed.RawQuery {
		t.Errorf("location %s", db.Location())
	}
	for _, bad := range []string{
		"postgres://lwf:" + password + "@127.0.0.1:1/lwf?connect_timeout=2",                        // no server
		"postgres://lwf:" + password + "@" + url[strings.Index(url, "@")+1:],                       // a wrong password
		"postgresql://127.0.0.1:1/lwf?password=" + password + "&connect_timeout=2&sslmode=disable", // a password parameter
		"postgres://lwf:" + password + "@127.0.0.1:bad/lwf",                                        // not a URL pgx reads
	} {
		_, err := Open(ctx, bad)
		if err == nil {
			t.Errorf("%s opened", Redact(bad))
			continue
		}
		if strings.Contains(err.Error(), password) {
			t.Errorf("the password is in the error: %v", err)
		}
		if !strings.Contains(err.Error(), "the state store") {
			t.Errorf("the error does not name the store: %v", err)
		}
	}
	for in, want := range map[string]string{
		"postgres://lwf:secret@db:5432/lwf?sslmode=require":       "postgres://lwf@db:5432/lwf?sslmode=require",
		"postgresql://db/lwf?password=secret&application_name=ci": "postgresql://db/lwf?application_name=ci",
		"postgres://lwf@db/lwf":                                   "postgres://lwf@db/lwf",
		"postgres://lwf:secret@[::1]:5432/lwf#frag":               "postgres://lwf@[::1]:5432/lwf",
		"postgres://lwf:se cret@db:bad/%zz":                       "postgres://(a URL that cannot be parsed)",
	} {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%s) = %s, want %s", in, got, want)
		}
	}
}
