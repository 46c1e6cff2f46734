// Package serve is lwf serve: one long-running process that works the
// sequences and queued runs of a state store (a worker.Worker loop, as
// lwf worker runs it), and serves a dashboard of them, Prometheus
// metrics and health endpoints over HTTP.
//
// The dashboard is server-rendered with html/template from embedded
// templates: every value that came from a lead's list, a profile or the
// Linked API is escaped by the template package, never written as HTML.
// Its only actions — cancel a run, pause or resume a sequence or an
// account — are POST forms that carry a per-process anti-forgery token
// and are refused from other sites (http.CrossOriginProtection).
//
// Authentication is a bearer token (Options.Token): requests carry it in
// an Authorization header, or log in once through a form that sets an
// HTTP-only cookie derived from it. Without a token the handler answers
// only requests addressed to a loopback host, so that a web page cannot
// reach it by rebinding a name to 127.0.0.1; lwf serve refuses to listen
// on another address without one.
//
// Server.Handle mounts more handlers beside the dashboard (webhook
// reception), and Metrics.WebhookDelivery counts their deliveries.
package serve
