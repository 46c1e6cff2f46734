// Package sandbox is a local emulator of the Linked API: an http.Handler
// that answers the same endpoints, with the same envelope, statuses, errors
// and completion shapes as the real service, so that workflows can be
// tried, tested in CI and benchmarked with no LinkedIn account and no risk.
//
// The sandbox reads the same action catalog as the compiler
// (schemas.Default), so a workflow the compiler accepts is accepted here and
// one it rejects is answered with invalidWorkflow and the same details.
// Workflows move pending → running → completed on a clock the sandbox
// controls (Options.Speed, Options.Clock, and with Options.ControllableClock
// POST /_sandbox/clock, which moves it forward so weeks pass in seconds);
// their results are synthetic but deterministic: the same person URL or
// search gives the same data on every run. Searches and lists honour their
// filters, and every entity derives from its URL alone, so a person looks
// the same in a search, an employee list and on their own pages.
// Recognisable inputs trigger every documented action error on purpose (a
// person URL ending in /in/not-found answers personNotFound, one that is no
// LinkedIn URL too), and each account keeps the state that makes sequences
// realistic (a second connection request to the same person answers
// alreadyPending; st.sendMessage reaches connections only).
//
// Fault injection (Options.Faults) adds latency, 429s with Retry-After,
// 5xx answers, dropped connections, truncated and slow bodies, so clients
// can prove their retry logic. Counters (Sandbox.Counters, and
// GET /_sandbox/counters) tell what a client actually did, and the write
// log (Sandbox.Writes, GET /_sandbox/actions) who received what.
//
// Webhooks: with Options.Webhook.URL, or once POST /admin/webhook.set
// registered one, the sandbox pushes the events of the Linked API's
// webhooks — workflow created, started and completed (fat or thin),
// connections accepted, messages sent and received, account status
// changes (SetAccountState, POST /_sandbox/accounts), tests — as they
// happen on the sandbox clock, retries failed deliveries with a doubling
// wait, and injects the faults of Faults.Webhook* (drops, duplicates,
// reordering, delays). The delivery log (Sandbox.Deliveries, GET
// /_sandbox/deliveries) tells what was sent, how often and how it went;
// a sandbox with a webhook must be closed (Close, Server.Close).
//
// Use New for a handler (for example behind httptest.NewServer) or Start
// for a listening server; `lwf sandbox serve` wraps Start. docs/sandbox.md
// documents the behaviour, the error triggers and every decision taken
// where the real API's behaviour is unknown.
package sandbox
