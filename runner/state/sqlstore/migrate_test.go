package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

var update = flag.Bool("update", false, "rewrite the fixtures of earlier schema versions")

// Earlier schema versions, as the lwf releases that wrote them ran them
// at every open. The fixtures in testdata/ were made from these.
const (
	schemaV1 = `
CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, key TEXT NOT NULL, name TEXT NOT NULL, file TEXT NOT NULL, account TEXT NOT NULL,
	endpoint TEXT NOT NULL, created INTEGER NOT NULL, meta BLOB, cancel_requested INTEGER NOT NULL DEFAULT 0, workflows INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (key, created);
CREATE TABLE IF NOT EXISTS workflows (run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, idx INTEGER NOT NULL, payload BLOB NOT NULL,
	state TEXT NOT NULL, workflow_id TEXT NOT NULL DEFAULT '', pending_reason TEXT NOT NULL DEFAULT '', message TEXT NOT NULL DEFAULT '',
	completion BLOB, output BLOB, failure BLOB, error TEXT NOT NULL DEFAULT '', actions INTEGER NOT NULL DEFAULT 0,
	action_errors INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, submitted INTEGER NOT NULL DEFAULT 0,
	updated INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (run_id, idx));
CREATE INDEX IF NOT EXISTS workflows_by_id ON workflows (workflow_id) WHERE workflow_id != '';
CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	time INTEGER NOT NULL, kind TEXT NOT NULL, detail BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_run ON events (run_id, seq);
PRAGMA user_version = 1;`
	ledgerV2 = `
CREATE TABLE IF NOT EXISTS contacts (account TEXT NOT NULL, person TEXT NOT NULL, alias TEXT NOT NULL DEFAULT '', action TEXT NOT NULL,
	outcome TEXT NOT NULL, time INTEGER NOT NULL, run_id TEXT NOT NULL DEFAULT '', workflow INTEGER NOT NULL DEFAULT -1,
	path TEXT NOT NULL DEFAULT '', campaign TEXT NOT NULL DEFAULT '', source TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS contacts_by_person ON contacts (account, person);
CREATE INDEX IF NOT EXISTS contacts_by_alias ON contacts (account, alias) WHERE alias != '';
CREATE UNIQUE INDEX IF NOT EXISTS contacts_from_runs ON contacts (run_id, workflow, path) WHERE run_id != '';
CREATE UNIQUE INDEX IF NOT EXISTS contacts_imported ON contacts (account, person, action, source) WHERE run_id = '';
CREATE TABLE IF NOT EXISTS completions_read (run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE, idx INTEGER NOT NULL,
	actions BLOB NOT NULL, PRIMARY KEY (run_id, idx));
PRAGMA user_version = 2;`
	fixtureRows = `
INSERT INTO runs VALUES ('r-0123456789ab', 'k1', 'outreach', 'outreach.yaml', 'acct', 'http://127.0.0.1:1', 1772442000000, '{"file":"outreach.yaml"}', 0, 3);
INSERT INTO workflows (run_id, idx, payload, state, workflow_id, completion, actions, attempts, submitted, updated) VALUES
	('r-0123456789ab', 0, '{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/ada"}', 'completed', 'wf-1',
	 '{"actionType":"st.sendConnectionRequest","success":true}', 1, 1, 1772442001000, 1772442060000),
	('r-0123456789ab', 1, '{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/grace"}', 'pending', 'wf-2', NULL, 0, 1, 1772442002000, 1772442002000),
	('r-0123456789ab', 2, '{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/alan"}', 'planned', '', NULL, 0, 0, 0, 1772442000000);
INSERT INTO events (run_id, time, kind, detail) VALUES ('r-0123456789ab', 1772442060000, 'workflow.finished', '{"event":"workflow.finished","run":"r-0123456789ab","index":0}');`
	fixtureLedger = `
INSERT INTO contacts VALUES ('acct', 'https://www.linkedin.com/in/ada', '', 'st.sendConnectionRequest', 'sent', 1772442060000, 'r-0123456789ab', 0, '', 'outreach', '');
INSERT INTO contacts VALUES ('acct', 'https://www.linkedin.com/in/linus', '', '', 'imported', 1772400000000, '', -1, '', '', 'crm.csv');
INSERT INTO completions_read VALUES ('r-0123456789ab', 0, '{"st.sendConnectionRequest":1}');`
)

// makeFixture writes a store of an earlier version with plain SQL, as
// that version left it.
func makeFixture(t *testing.T, path string, stmts ...string) {
	t.Helper()
	os.Remove(path)
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// copyFixture puts a fixture where Open looks for a store.
func copyFixture(t *testing.T, name string) string {
	t.Helper()
	src, err := os.Open(filepath.Join("testdata", name))
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

// digest summarises what a store holds: row counts and a checksum of the
// runs, workflows and ledger.
func digest(t *testing.T, db *sql.DB, ledger bool) string {
	t.Helper()
	h := sha256.New()
	qs := []string{
		`SELECT id || key || name || account || workflows FROM runs ORDER BY id`,
		`SELECT run_id || idx || payload || state || workflow_id || coalesce(completion, '') FROM workflows ORDER BY run_id, idx`,
		`SELECT kind || detail FROM events ORDER BY seq`,
	}
	if ledger {
		qs = append(qs, `SELECT account || person || action || outcome || time || run_id || source FROM contacts ORDER BY rowid`)
	}
	for _, q := range qs {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(h, s)
			n++
		}
		rows.Close()
		fmt.Fprintf(h, "%d rows\n", n)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func TestMigrateFromEveryEarlierVersion(t *testing.T) {
	if *update {
		makeFixture(t, filepath.Join("testdata", "v1.db"), schemaV1, fixtureRows)
		makeFixture(t, filepath.Join("testdata", "v2.db"), schemaV1, ledgerV2, fixtureRows, fixtureLedger)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		fixture  string
		version  int
		contacts int // ledger entries after the first sync
	}{
		{"v1.db", 1, 1}, // the completed request to Ada, read from its completion
		{"v2.db", 2, 2}, // Ada (already read) and Linus (imported)
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			dir := copyFixture(t, tc.fixture)
			raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			before := digest(t, raw, tc.version >= 2)
			if v, _ := version(ctx, raw); v != tc.version {
				t.Fatalf("fixture has version %d, want %d", v, tc.version)
			}
			raw.Close()

			db := open(t, dir)
			if v, _ := version(ctx, db.db); v != SchemaVersion() {
				t.Errorf("version after Open = %d, want %d", v, SchemaVersion())
			}
			var app int
			db.db.QueryRow(`PRAGMA application_id`).Scan(&app)
			if app != applicationID {
				t.Errorf("application_id = %#x, want %#x", app, applicationID)
			}
			if after := digest(t, db.db, tc.version >= 2); after != before {
				t.Errorf("the data changed in migration: %s → %s", before, after)
			}
			// The records read back through the store as they were.
			ws, err := db.Workflows(ctx, "r-0123456789ab")
			if err != nil || len(ws) != 3 || ws[0].State != state.Completed || ws[1].WorkflowID != "wf-2" || ws[2].State != state.Planned {
				t.Fatalf("workflows %+v, %v", ws, err)
			}
			if err := db.SyncLedger(ctx, "acct", read(t)); err != nil {
				t.Fatal(err)
			}
			cs, err := db.Contacts(ctx, "acct", state.ContactFilter{})
			if err != nil || len(cs) != tc.contacts {
				t.Errorf("%d contacts (%v), want %d: %+v", len(cs), err, tc.contacts, cs)
			}
			if problems, err := db.Check(ctx); err != nil || len(problems) > 0 {
				t.Errorf("check after migration: %v %v", problems, err)
			}
			// Version 3: no poll time is known for earlier workflows; the
			// new column takes one.
			if !ws[1].Unfinished.IsZero() {
				t.Errorf("a migrated workflow was seen unfinished at %v", ws[1].Unfinished)
			}
			ws[1].Unfinished = time.UnixMilli(1772442030000)
			if err := db.Save(ctx, ws[1], state.Event{RunID: "r-0123456789ab", Index: 1, Kind: state.EventStatus}); err != nil {
				t.Fatal(err)
			}
			if again, _ := db.Workflows(ctx, "r-0123456789ab"); !again[1].Unfinished.Equal(ws[1].Unfinished) {
				t.Errorf("unfinished read back as %v, want %v", again[1].Unfinished, ws[1].Unfinished)
			}
		})
	}
}

func TestNewerStoreIsRefused(t *testing.T) {
	dir := copyFixture(t, "v2.db")
	raw, _ := sql.Open("sqlite", "file:"+filepath.Join(dir, "state.db"))
	if _, err := raw.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, SchemaVersion()+1)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err := Open(context.Background(), dir)
	var ne *NewerError
	if !errors.As(err, &ne) || ne.Version != SchemaVersion()+1 {
		t.Fatalf("err = %v, want a NewerError", err)
	}
	want := fmt.Sprintf("the state store %s has schema version %d, newer than this lwf's %d: a newer lwf wrote it; upgrade lwf to use it",
		filepath.Join(dir, "state.db"), SchemaVersion()+1, SchemaVersion())
	if err.Error() != want {
		t.Errorf("message\n%s\nwant\n%s", err, want)
	}
}
