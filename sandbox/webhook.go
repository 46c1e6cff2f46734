package sandbox

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"
)

// Webhook delivery (docs/sandbox.md, "Webhooks"): the sandbox pushes the
// events of reference §1.6 to a workspace's webhook as they happen on the
// sandbox clock, with the documented envelope, payload modes and retries,
// and the faults of Faults.Webhook*. A workspace is one linked-api-token;
// its webhook is Options.Webhook.URL from the start, or the one POST
// /admin/webhook.set registers.

// Defaults of WebhookOptions.
const (
	// DefaultWebhookAttempts is how many times a delivery is attempted
	// before it is marked failed: the documented 8.
	DefaultWebhookAttempts = 8
	// DefaultWebhookBackoff is the wait before the first retry; each
	// further retry waits twice as long as the one before.
	DefaultWebhookBackoff = time.Second
	// DefaultWebhookMaxBackoff caps the wait between two attempts.
	DefaultWebhookMaxBackoff = time.Minute
	// DefaultWebhookTimeout bounds one attempt, from connecting to the
	// receiver's status line; a receiver slower than that has timed out.
	DefaultWebhookTimeout = 10 * time.Second
	// DefaultWebhookReorderHold is the longest a delivery held back by
	// Faults.WebhookReorder waits for a later event to overtake it.
	DefaultWebhookReorderHold = time.Second
	// DefaultDeliveryLog is how many deliveries the sandbox remembers for
	// GET /_sandbox/deliveries and POST /admin/webhook.deliveries.
	DefaultDeliveryLog = 10000
)

// Payload modes of a webhook.
const (
	PayloadFat  = "fat"  // workflow.completed carries data.result
	PayloadThin = "thin" // it does not: GET /workflows/{id} fetches it
)

// WebhookOptions configure webhook delivery. With URL set, every
// workspace (every linked-api-token of Options.Tokens) starts with that
// webhook, as if POST /admin/webhook.set had registered it when the
// sandbox started; without it, deliveries start with the first
// webhook.set. Durations are real time, not the sandbox clock: retries
// and timeouts concern the receiver, which lives in real time.
type WebhookOptions struct {
	// URL receives the deliveries: an http(s) URL on a loopback address,
	// unless Options.AllowNonLoopback.
	URL string
	// PayloadMode is PayloadFat (the default, as in the API) or
	// PayloadThin.
	PayloadMode string
	// Attempts is how many attempts a delivery gets; zero means
	// DefaultWebhookAttempts.
	Attempts int
	// Backoff is the wait before the first retry, doubled for each
	// further one; zero means DefaultWebhookBackoff.
	Backoff time.Duration
	// MaxBackoff caps the wait between attempts; zero means
	// DefaultWebhookMaxBackoff.
	MaxBackoff time.Duration
	// Timeout bounds one attempt; zero means DefaultWebhookTimeout.
	Timeout time.Duration
	// Concurrency is how many attempts may be in flight at once; zero
	// means 1: deliveries then arrive in the order they were made, the
	// same for a seed and an order of requests. More keeps a slow
	// receiver, or a burst of events, from delaying the rest.
	Concurrency int
}

func (w WebhookOptions) withDefaults() WebhookOptions {
	if w.PayloadMode == "" {
		w.PayloadMode = PayloadFat
	}
	if w.Attempts == 0 {
		w.Attempts = DefaultWebhookAttempts
	}
	if w.Backoff == 0 {
		w.Backoff = DefaultWebhookBackoff
	}
	if w.MaxBackoff == 0 {
		w.MaxBackoff = DefaultWebhookMaxBackoff
	}
	if w.Timeout == 0 {
		w.Timeout = DefaultWebhookTimeout
	}
	if w.Concurrency == 0 {
		w.Concurrency = 1
	}
	return w
}

// backoff is the wait after the n-th failed attempt: Backoff doubled
// n-1 times, at most MaxBackoff.
func (w WebhookOptions) backoff(n int) time.Duration {
	d := w.Backoff
	for i := 1; i < n && d < w.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.MaxBackoff)
}

func (w WebhookOptions) validate(allowRemote bool) error {
	var errs []error
	if w.URL != "" {
		if err := checkWebhookURL(w.URL, allowRemote); err != nil {
			errs = append(errs, errors.New("webhook: "+err.Error()))
		}
	}
	if w.PayloadMode != PayloadFat && w.PayloadMode != PayloadThin {
		errs = append(errs, fmt.Errorf("webhook: payload mode %q is not fat or thin", w.PayloadMode))
	}
	if w.Attempts < 0 || w.Backoff < 0 || w.MaxBackoff < 0 || w.Timeout < 0 || w.Concurrency < 0 {
		errs = append(errs, errors.New("webhook: attempts and durations must not be negative"))
	}
	return errors.Join(errs...)
}

// checkWebhookURL accepts an http(s) URL without credentials, on a
// loopback address unless remote addresses are allowed. The real API
// wants the opposite — HTTPS at a public address — but the sandbox
// delivers to receivers on the same machine, and to nothing else.
func checkWebhookURL(raw string, allowRemote bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return errors.New("the URL must be an absolute http or https URL")
	}
	if u.User != nil {
		return errors.New("the URL must not carry credentials")
	}
	if allowRemote {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("the sandbox delivers only to loopback addresses (127.0.0.1, ::1, localhost), not to %q", host)
	}
	return nil
}

// webhookReg is a workspace's active webhook.
type webhookReg struct {
	ID           string `json:"id"`
	URL          string `json:"url"`
	PayloadMode  string `json:"payloadMode"`
	IsActive     bool   `json:"isActive"`
	CreatedAt    string `json:"createdAt"`
	registeredAt time.Time
}

// isoMillis is the createdAt form of the webhook documentation:
// 2026-06-25T12:00:00.000Z.
func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
