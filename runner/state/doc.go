// Package state is lwf's durable store of runs: an embedded SQLite
// database (modernc.org/sqlite, no cgo) under .lwf/ holding every run, its
// workflows with their payloads, statuses and completions, and an event
// log; plus a per-run lock file so that two processes never drive the same
// run.
//
// The database never holds a token: runs name their account by
// runner.Credentials.Account, a hash. It does hold what the workflows
// returned, which is personal data about LinkedIn members, so the
// directory is created readable by its owner only.
package state
