package sqlstore

// schema creates the tables; user_version records the schema's version.
const schema = `
CREATE TABLE IF NOT EXISTS runs (
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
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (key, created);
CREATE TABLE IF NOT EXISTS workflows (
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
CREATE INDEX IF NOT EXISTS workflows_by_id ON workflows (workflow_id) WHERE workflow_id != '';
CREATE TABLE IF NOT EXISTS events (
	seq    INTEGER PRIMARY KEY AUTOINCREMENT,
	run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
	time   INTEGER NOT NULL,
	kind   TEXT NOT NULL,
	detail BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_run ON events (run_id, seq);
` + ledgerSchema + `
PRAGMA user_version = 2;
`
