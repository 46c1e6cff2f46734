// Package runner drives runs: it submits a run's workflows to Linked API,
// tracks every one to its end and records each step in a Store, without
// ever sending the same work twice.
//
// Drive commits its intent before each POST /workflows and the workflow
// id right after, and everything else in group commits (one transaction
// for the changes of up to a second, Policy.GroupCommit); it polls with an
// adaptive interval (Policy), retries transient failures without
// aborting, and never re-sends a submission whose outcome is unknown
// unless asked to. Time is read from Config.Clock, so tests can drive runs
// on a simulated clock.
//
// runner takes already-compiled payloads; it knows nothing about the YAML
// language. The Linked API client is package linkedapi, the records and
// the Store interface are package state (with the SQLite store in
// state/sqlstore), and what completions say is package results.
package runner
