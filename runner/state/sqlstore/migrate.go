package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lwf-dev/lwf/runner/state"
)

// migration is one numbered step of the schema. A store records the last
// step it took in user_version; Open takes the steps after it, in order,
// each in its own transaction. Steps are never edited once released: a
// change is a new step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations are every schema step, oldest first.
var migrations = []migration{
	{1, "runs, their workflows and the event log", `
CREATE TABLE runs (
	id               TEXT PRIMARY KEY,
	key              TEXT NOT NULL,
	name             TEXT NOT NULL,
	file             TEXT NOT NULL,
	account          TEXT NOT NULL,
	endpoint         TEXT NOT NULL,
	created          INTEGER NOT NULL,
	meta             BLOB,
	cancel_requested INTEGER NOT NULL DEFAULT 0,
	workflows        INTEGER NOT NULL
);
CREATE INDEX runs_by_key ON runs (key, created);
CREATE TABLE workflows (
	run_id         TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	idx            INTEGER NOT NULL,
	payload        BLOB NOT NULL,
	state          TEXT NOT NULL,
	workflow_id    TEXT NOT NULL DEFAULT '',
	pending_reason TEXT NOT NULL DEFAULT '',
	message        TEXT NOT NULL DEFAULT '',
	completion     BLOB,
	output         BLOB,
	failure        BLOB,
	error          TEXT NOT NULL DEFAULT '',
	actions        INTEGER NOT NULL DEFAULT 0,
	action_errors  INTEGER NOT NULL DEFAULT 0,
	attempts       INTEGER NOT NULL DEFAULT 0,
	submitted      INTEGER NOT NULL DEFAULT 0,
	updated        INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (run_id, idx)
);
CREATE INDEX workflows_by_id ON workflows (workflow_id) WHERE workflow_id != '';
CREATE TABLE events (
	seq    INTEGER PRIMARY KEY AUTOINCREMENT,
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	time   INTEGER NOT NULL,
	kind   TEXT NOT NULL,
	detail BLOB NOT NULL
);
CREATE INDEX events_by_run ON events (run_id, seq);
`},
	// The ledger has no foreign key to runs: it must outlive them, since
	// forgetting a run must not make its people contactable again.
	{2, "the contact ledger and what each completion spent", `
CREATE TABLE contacts (
	account  TEXT NOT NULL,
	person   TEXT NOT NULL,
	alias    TEXT NOT NULL DEFAULT '',
	action   TEXT NOT NULL,
	outcome  TEXT NOT NULL,
	time     INTEGER NOT NULL,
	run_id   TEXT NOT NULL DEFAULT '',
	workflow INTEGER NOT NULL DEFAULT -1,
	path     TEXT NOT NULL DEFAULT '',
	campaign TEXT NOT NULL DEFAULT '',
	source   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX contacts_by_person ON contacts (account, person);
CREATE INDEX contacts_by_alias ON contacts (account, alias) WHERE alias != '';
CREATE UNIQUE INDEX contacts_from_runs ON contacts (run_id, workflow, path) WHERE run_id != '';
CREATE UNIQUE INDEX contacts_imported ON contacts (account, person, action, source) WHERE run_id = '';
CREATE TABLE completions_read (
	run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	idx     INTEGER NOT NULL,
	actions BLOB NOT NULL,
	PRIMARY KEY (run_id, idx)
);
`},
	// Named loops: what each workflow's lists feed, and the items lwf
	// went over. Existing workflows are stage 1 with nothing to derive.
	{3, "stages: items of named loops", `
ALTER TABLE workflows ADD COLUMN stage INTEGER NOT NULL DEFAULT 1;
ALTER TABLE workflows ADD COLUMN points BLOB;
ALTER TABLE workflows ADD COLUMN derived INTEGER NOT NULL DEFAULT 0;
CREATE TABLE items (
	run_id   TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	id       INTEGER NOT NULL,
	loop     INTEGER NOT NULL,
	parent   INTEGER NOT NULL,
	instance INTEGER NOT NULL,
	idx      INTEGER NOT NULL,
	source   INTEGER NOT NULL,
	path     TEXT NOT NULL,
	key      TEXT NOT NULL,
	data     BLOB NOT NULL,
	status   TEXT NOT NULL,
	reason   TEXT NOT NULL DEFAULT '',
	workflow INTEGER NOT NULL,
	slot     INTEGER NOT NULL,
	steps    INTEGER NOT NULL,
	variants BLOB,
	PRIMARY KEY (run_id, id)
);
CREATE INDEX items_by_key ON items (run_id, key);
`},
	// When a poll last found each workflow unfinished: with submitted, it
	// places the workflow's actions in the account's activity, which is
	// how unknown submissions are judged.
	{4, "when each workflow was last seen unfinished", `
ALTER TABLE workflows ADD COLUMN unfinished INTEGER NOT NULL DEFAULT 0;
`},
	// Sequences: one row per lead of an account (a person is a lead of
	// one sequence at a time), their timelines, and how far the account's
	// event feeds were read.
	{5, "sequences: leads, their timelines, event cursors", `
CREATE TABLE leads (
	account  TEXT NOT NULL,
	person   TEXT NOT NULL,
	sequence TEXT NOT NULL,
	data     BLOB NOT NULL,
	step     TEXT NOT NULL,
	status   TEXT NOT NULL,
	due      INTEGER NOT NULL,
	since    INTEGER NOT NULL,
	run_id   TEXT NOT NULL DEFAULT '',
	workflow INTEGER NOT NULL DEFAULT -1,
	slot     INTEGER NOT NULL DEFAULT -1,
	results  BLOB,
	variants BLOB,
	error    TEXT NOT NULL DEFAULT '',
	updated  INTEGER NOT NULL,
	PRIMARY KEY (account, person)
);
CREATE INDEX leads_by_sequence ON leads (account, sequence, status, due);
CREATE TABLE lead_events (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	account TEXT NOT NULL,
	person  TEXT NOT NULL,
	time    INTEGER NOT NULL,
	kind    TEXT NOT NULL,
	step    TEXT NOT NULL DEFAULT '',
	detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX lead_events_by_lead ON lead_events (account, person, seq);
CREATE TABLE cursors (
	account TEXT NOT NULL,
	kind    TEXT NOT NULL,
	synced  INTEGER NOT NULL DEFAULT 0,
	since   TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (account, kind)
);
`},
	// Teams and services: the files workers tick (sources), and each
	// account's state (why it gets no more work).
	{6, "sources for workers, account states", `
CREATE TABLE sources (
	kind     TEXT NOT NULL,
	name     TEXT NOT NULL,
	file     TEXT NOT NULL,
	content  BLOB NOT NULL,
	inputs   BLOB NOT NULL,
	accounts TEXT NOT NULL,
	paused   INTEGER NOT NULL DEFAULT 0,
	created  INTEGER NOT NULL,
	updated  INTEGER NOT NULL,
	PRIMARY KEY (kind, name)
);
CREATE TABLE account_states (
	account TEXT PRIMARY KEY,
	label   TEXT NOT NULL DEFAULT '',
	stopped TEXT NOT NULL DEFAULT '',
	since   INTEGER NOT NULL DEFAULT 0,
	updated INTEGER NOT NULL
);
`},
	// lwf serve: webhook deliveries, stored before they are acknowledged.
	{7, "webhook deliveries", `
CREATE TABLE deliveries (
	id          TEXT PRIMARY KEY,
	type        TEXT NOT NULL,
	account_id  TEXT NOT NULL DEFAULT '',
	workflow_id TEXT NOT NULL DEFAULT '',
	created     INTEGER NOT NULL DEFAULT 0,
	received    INTEGER NOT NULL,
	body        BLOB NOT NULL,
	done        integer NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_by_received ON deliveries (received);
`},
	// The deliveries not acted on yet, found without walking those that were.
	{8, "pending deliveries index", `
CREATE INDEX deliveries_pending ON deliveries (received, id) WHERE done = 0;
`},
}

// SchemaVersion is the schema version this lwf writes: the last
// migration's.
func SchemaVersion() int { return migrations[len(migrations)-1].version }

// NewerError says a store was written by a newer lwf.
type NewerError = state.NewerError

// Migrations lists the schema's steps, oldest first, by version and name:
// every backend takes the same steps.
func Migrations() []state.Migration {
	out := make([]state.Migration, len(migrations))
	for i, m := range migrations {
		out[i] = state.Migration{Version: m.version, Name: m.name}
	}
	return out
}

// version reads the store's schema version.
func version(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v)
	return v, err
}

// Migrate brings the store's schema up to date (Open already did, unless
// another process changed it since) and returns the versions it took.
func (s *DB) Migrate(ctx context.Context) ([]int, error) { return s.migrate(ctx) }

// migrate takes every migration the store has not taken. Each runs in an
// immediate transaction that re-reads the version, so processes opening
// the same store at once take each step once.
func (s *DB) migrate(ctx context.Context) (applied []int, err error) {
	for _, m := range migrations {
		done := false
		err := s.tx(ctx, func(tx *sql.Tx) error {
			v, err := version(ctx, tx)
			if err != nil {
				return err
			}
			if v >= m.version {
				done = true
				return nil
			}
			if v != m.version-1 {
				return fmt.Errorf("schema version %d cannot take migration %d", v, m.version)
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
			// PRAGMA takes no parameters; m.version is a constant.
			_, err = tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, m.version))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migrating the state store %s: %w", s.path, err)
		}
		if !done {
			applied = append(applied, m.version)
		}
	}
	return applied, nil
}
