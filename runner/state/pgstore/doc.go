// Package pgstore implements state.Store on PostgreSQL, for teams and
// machines that share one store: CI on runners that keep nothing, two
// people working one account, several lwf processes at once.
//
// It keeps exactly what package sqlstore keeps, in the same tables and
// columns, taking the same numbered migrations in PostgreSQL's SQL (a
// test holds the two in step): times as milliseconds (bigint), what lwf
// wrote as JSON as bytea — the bytes as written, never re-encoded as
// jsonb would (jsonb reorders keys and drops whitespace, and refuses
// a payload that is not JSON, which lwf state check must be able to
// report instead). Its one table of its own, lwf_meta, holds the schema
// version.
//
// Several processes, on several machines, may use one store at once:
// creating a run takes a transaction-scoped advisory lock on its key, so
// that two processes agree on one run; the intent before each POST reads
// the run's cancel flag with a row lock (FOR SHARE); a lead inserted for a
// person another sequence holds is refused, whichever commits first. Run
// and account locks are session-level advisory locks, each on a
// connection of its own held for the lock's life: when the process dies,
// its sessions end and their locks with them.
//
// It uses pgx's own interface (a pgxpool.Pool) rather than database/sql:
// a group commit sends its updates in one batch, one round trip, where
// database/sql would wait for each.
package pgstore
