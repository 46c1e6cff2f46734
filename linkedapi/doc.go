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
// Webhooks: ParseDelivery (and ReadDelivery) validate and decode the body
// of a delivery Linked API pushes to a webhook into a typed Delivery, and
// the admin calls — SetWebhook, Webhooks, SetWebhookPayloadMode,
// DeleteWebhook, WebhookDeliveries, ReplayWebhookDelivery,
// SendTestWebhook, AdminAccounts — manage the workspace's webhook. They
// send the workspace token alone (linked-api-token): the admin API has no
// token of its own and must not receive the identification token.
//
// Decisions where the reference (§1.6, §7.9) says "unknown":
//
//   - data.result of a fat workflow.completed: a result holding a string
//     workflowStatus is read as the workflow GET /workflows/{id} returns
//     (lwf's sandbox sends that form, the only one that also carries a
//     failure); any other result is read as the completion itself.
//     WorkflowEvent.WorkflowResult says when one GET is still needed.
//   - Signatures: none is documented, so none is checked; a delivery
//     proves only that its sender knew the webhook's URL, whose
//     unguessable path is its only secret (RedactWebhookURL prints it
//     without that path).
//   - Unknown event types are accepted with their data kept raw, never an
//     error (the Python SDK 1.3.5 raises on them; the event set has grown
//     twice since webhooks appeared).
//
// The package imports nothing else of lwf.
package linkedapi
