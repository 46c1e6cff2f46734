package linkedapi

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Error types the Linked API returns in its envelope, and the ones the
// client makes up when the server gave none.
const (
	ErrTypeHTTP            = "httpError"       // a non-2xx response without an error envelope
	ErrTypeTooManyRequests = "tooManyRequests" // rate limited
)

// APIError is an error response from the Linked API: the envelope's
// error.type and error.message and the HTTP status. It never holds a token.
type APIError struct {
	Method string // the request's method
	Path   string // the request's path, without the base URL
	Status int    // the HTTP status code
	// Type is the API's error.type ("invalidWorkflow", "tooManyRequests", …),
	// or ErrTypeHTTP when the body carried none.
	Type string
	// Message is the API's error.message, redacted.
	Message string
	// RetryAfter is the delay the server asked for in a Retry-After header
	// (zero when it sent none).
	RetryAfter time.Duration
}

// Error renders the error as "METHOD /path: type (HTTP status): message".
func (e *APIError) Error() string {
	s := fmt.Sprintf("%s %s: %s (HTTP %d)", e.Method, e.Path, e.Type, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Transient reports whether the same request may succeed later: rate
// limiting, request timeouts and server errors.
func (e *APIError) Transient() bool {
	return e.Status == http.StatusTooManyRequests || e.Type == ErrTypeTooManyRequests ||
		e.Status == http.StatusRequestTimeout || e.Status >= 500
}

// NotProcessed reports whether the response proves the server did not act
// on the request: 429 (rate limited) and 503 (unavailable) are answered
// before any work is done, and any other 4xx is a refusal.
func (e *APIError) NotProcessed() bool {
	return e.Status == http.StatusTooManyRequests || e.Status == http.StatusServiceUnavailable ||
		e.Type == ErrTypeTooManyRequests || (e.Status >= 400 && e.Status < 500)
}

// Auth reports whether the error is about the credentials or the account
// rather than the request, so repeating any request is pointless until a
// person fixes it.
func (e *APIError) Auth() bool {
	switch e.Type {
	case "linkedApiTokenRequired", "invalidLinkedApiToken", "identificationTokenRequired",
		"invalidIdentificationToken", "subscriptionRequired", "trialLimitReached",
		"linkedinAccountSignedOut", "languageNotSupported", "accountNotFound":
		return true
	}
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

// TransportError is a request that got no HTTP response: the connection
// could not be made, broke, or the request's deadline passed.
type TransportError struct {
	Method string // the request's method
	Path   string // the request's path, without the base URL
	// Sent is false only when the request provably never left: no
	// connection was obtained for it. When Sent is true the server may
	// have received and acted on it.
	Sent bool
	// Cancelled is true when the caller's context ended the request (as
	// opposed to the client's own per-request deadline).
	Cancelled bool
	Err       error // the underlying error, with tokens redacted from its text
}

// Error renders the error with the request and whether it was sent.
func (e *TransportError) Error() string {
	if !e.Sent {
		return fmt.Sprintf("%s %s: not sent: %v", e.Method, e.Path, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// ResponseError is a response whose body could not be read or decoded: a
// connection cut mid-body, a truncated or non-JSON body. The status line
// did arrive, so the server did see the request.
type ResponseError struct {
	Method string // the request's method
	Path   string // the request's path, without the base URL
	Status int    // the HTTP status code
	Err    error  // what went wrong reading or decoding the body
	// Body is the start of what arrived (at most 4 KiB), for diagnosis.
	Body []byte
}

// Error renders the error with the request and the status.
func (e *ResponseError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d with an unreadable body: %v", e.Method, e.Path, e.Status, e.Err)
}

// Unwrap returns the underlying error.
func (e *ResponseError) Unwrap() error { return e.Err }

// IsTransient reports whether repeating the request that returned err may
// succeed: network failures, truncated or non-JSON bodies, timeouts, 429
// and 5xx responses. Cancellation by the caller's context is not transient.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	var api *APIError
	if errors.As(err, &api) {
		return api.Transient()
	}
	var te *TransportError
	if errors.As(err, &te) {
		return !te.Cancelled
	}
	var re *ResponseError
	return errors.As(err, &re)
}

// NotProcessed reports whether err proves that the server did not act on
// the request, so that even a non-idempotent request (POST /workflows) may
// be sent again: the connection was never made, or the server answered 429,
// 503 or another 4xx refusal.
func NotProcessed(err error) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return !te.Sent
	}
	var re *ResponseError
	if errors.As(err, &re) {
		return re.Status == http.StatusTooManyRequests || re.Status == http.StatusServiceUnavailable
	}
	var api *APIError
	if errors.As(err, &api) {
		return api.NotProcessed()
	}
	return false
}

// RetryAfter returns the delay a 429 or 503 response asked for, if any.
func RetryAfter(err error) (time.Duration, bool) {
	var api *APIError
	if errors.As(err, &api) && api.RetryAfter > 0 {
		return api.RetryAfter, true
	}
	return 0, false
}

// IsAuth reports whether err says the credentials or the account need a
// person's attention (invalid token, no subscription, signed out, …).
func IsAuth(err error) bool {
	var api *APIError
	return errors.As(err, &api) && api.Auth()
}
