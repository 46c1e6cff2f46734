// Package runner submits Linked API workflows, tracks them to the end and
// reads their results, without ever sending the same work twice.
//
// It has three layers, usable separately:
//
//   - Client is a Linked API HTTP client, usable on its own as a Go SDK:
//     every endpoint of the main API, typed requests and responses, typed
//     errors (*APIError, *TransportError, *ResponseError) that say whether a
//     request may be repeated, a deadline on every request, a shared request
//     rate bound and connection reuse tuned for many concurrent polls.
//   - Runner drives one run (a list of workflow payloads for one account):
//     it records its intent in a Store before each POST /workflows and the
//     workflow id right after, polls with an adaptive interval, retries
//     transient failures without aborting, and never re-sends a submission
//     whose outcome is unknown unless asked to.
//   - The result readers (Errors, Rows, the Writer implementations) turn
//     completions into action-error reports and JSON, JSON Lines or CSV.
//
// runner takes already-compiled payloads; it knows nothing about the YAML
// language. The SQLite store lives in the state subpackage, so a program
// that only needs the client does not link a database.
package runner
