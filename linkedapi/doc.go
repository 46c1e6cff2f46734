// Package linkedapi is a Go client for Linked API (linkedapi.io), which
// runs LinkedIn actions in cloud browsers: lwf's Go SDK, usable on its
// own.
//
// A Client covers every endpoint of the main API — StartWorkflow (POST
// /workflows, what the official SDKs call executeCustomWorkflow),
// Workflow, CancelWorkflow, PollConversations, PollInbox, PollNetwork,
// ActionStats and Account — with typed requests and results, a deadline
// on every request, a shared request-rate bound (Limiter) that a 429's
// Retry-After also pauses, and connection reuse tuned for many concurrent
// polls.
//
// Errors are typed: *APIError (the API's error envelope), *TransportError
// (no response) and *ResponseError (a response that is not a Linked API
// envelope). IsTransient says whether the same request may succeed
// later, NotProcessed whether the server provably did not act on it —
// the only case in which POST /workflows may be sent again, since a
// workflow sent twice runs twice — and IsAuth whether only a person can
// fix the cause.
//
// Credentials hold the two tokens; printing them with any verb, or
// encoding them as JSON, never shows a token, and every error a Client
// returns has them redacted. Plain http is refused except on loopback
// addresses, such as a local sandbox (lwf sandbox serve).
//
// The package imports nothing else of lwf.
package linkedapi
