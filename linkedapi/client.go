package linkedapi

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the Linked API's address.
const DefaultBaseURL = "https://api.linkedapi.io"

// Defaults of Options.
const (
	// DefaultRequestTimeout bounds one request, from sending to the last
	// byte of the body. The official SDKs set none; a request that hangs
	// forever would stall a run.
	DefaultRequestTimeout = 30 * time.Second
	// DefaultRatePerSecond is the request-rate bound shared by every call
	// of one client: well under any published Linked API limit, and still
	// enough to track thousands of workflows with lwf's polling.
	DefaultRatePerSecond = 10
	// DefaultMaxResponseBytes caps a response body (completions of large
	// searches are a few megabytes).
	DefaultMaxResponseBytes = 64 << 20
	// DefaultRetryAfterCap caps how long a Retry-After header can pause the
	// client.
	DefaultRetryAfterCap = 5 * time.Minute
)

// Options configure a Client. Only the tokens are required.
type Options struct {
	// BaseURL is the API's address; "" means DefaultBaseURL. Plain http is
	// refused except on loopback addresses (a local sandbox), so tokens are
	// never sent in the clear.
	BaseURL string
	// LinkedAPIToken is the workspace token (header linked-api-token).
	LinkedAPIToken string
	// IdentificationToken selects the LinkedIn account (header
	// identification-token).
	IdentificationToken string
	// ClientName is sent in the client header; "" means "lwf".
	ClientName string
	// UserAgent is sent in the User-Agent header; "" means "lwf".
	UserAgent string
	// HTTPClient sends the requests; nil means one with a transport tuned
	// for many concurrent polls (see NewTransport).
	HTTPClient *http.Client
	// RequestTimeout bounds every request; 0 means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Limiter bounds the request rate; nil means a new limiter of
	// RatePerSecond.
	Limiter *Limiter
	// RatePerSecond is used when Limiter is nil: 0 means
	// DefaultRatePerSecond, a negative value means no bound.
	RatePerSecond float64
	// MaxResponseBytes caps a response body; 0 means DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// RetryAfterCap caps the pause a Retry-After header imposes; 0 means
	// DefaultRetryAfterCap.
	RetryAfterCap time.Duration
	// Trace, when set, is called once per request after it ends, for
	// debugging output. It never sees headers or bodies.
	Trace func(Trace)
}

// Trace describes one finished request, for --debug output.
type Trace struct {
	Method   string        // the request's method
	Path     string        // the request's path and query, without the base URL
	Status   int           // 0 when no response arrived
	Duration time.Duration // from sending to the end of the body
	Bytes    int           // response body size
	Err      error         // redacted; nil on success
}

// Client calls the Linked API. It is safe for concurrent use; create one
// per account and share it.
type Client struct {
	base     string
	hdr      http.Header
	http     *http.Client
	timeout  time.Duration
	limiter  *Limiter
	maxBytes int64
	raCap    time.Duration
	trace    func(Trace)
	red      *redactor
}

// New returns a client for the account the tokens select.
func New(opts Options) (*Client, error) {
	base, err := checkBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if opts.LinkedAPIToken == "" {
		return nil, errors.New("the linked-api-token is empty")
	}
	c := &Client{
		base:     base,
		http:     opts.HTTPClient,
		timeout:  orDuration(opts.RequestTimeout, DefaultRequestTimeout),
		limiter:  opts.Limiter,
		maxBytes: opts.MaxResponseBytes,
		raCap:    orDuration(opts.RetryAfterCap, DefaultRetryAfterCap),
		trace:    opts.Trace,
		red:      newRedactor(opts.LinkedAPIToken, opts.IdentificationToken),
	}
	if c.http == nil {
		c.http = &http.Client{Transport: NewTransport()}
	}
	if c.limiter == nil {
		rate := opts.RatePerSecond
		if rate == 0 {
			rate = DefaultRatePerSecond
		}
		c.limiter = NewLimiter(rate, int(max(rate, 1)))
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxResponseBytes
	}
	c.hdr = http.Header{}
	c.hdr.Set("linked-api-token", opts.LinkedAPIToken)
	if opts.IdentificationToken != "" {
		c.hdr.Set("identification-token", opts.IdentificationToken)
	}
	c.hdr.Set("client", orString(opts.ClientName, "lwf"))
	c.hdr.Set("User-Agent", orString(opts.UserAgent, "lwf"))
	c.hdr.Set("Content-Type", "application/json")
	c.hdr.Set("Accept", "application/json")
	return c, nil
}

// BaseURL returns the API address the client talks to.
func (c *Client) BaseURL() string { return c.base }

// Limiter returns the client's request-rate limiter.
func (c *Client) Limiter() *Limiter { return c.limiter }

// NewTransport returns an http.Transport tuned for one API host polled by
// many goroutines: enough idle connections per host to reuse them instead
// of reconnecting (the standard library keeps only 2), bounded connection
// count, and timeouts on every phase.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          128,
		MaxIdleConnsPerHost:   64,
		MaxConnsPerHost:       64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: DefaultRequestTimeout,
		ExpectContinueTimeout: time.Second,
	}
}

// checkBaseURL validates the API address and returns it without a
// trailing slash.
func checkBaseURL(raw string) (string, error) {
	if raw == "" {
		return DefaultBaseURL, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("endpoint %q is not an http(s) URL", RedactURL(raw))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("endpoint %q must not carry credentials, a query or a fragment", RedactURL(raw))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("endpoint %q uses plain http: tokens would travel in the clear; use https (plain http is allowed only on loopback addresses)", RedactURL(raw))
	}
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func orString(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// RedactURL returns an address fit to print: without the user name,
// password, query and fragment it may carry (they could hold secrets).
// Text that is not a URL loses everything between "://" and the last "@"
// before the path.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err == nil && u.Host != "" {
		if u.User != nil {
			u.User = url.User("redacted")
		}
		if u.RawQuery != "" {
			u.RawQuery = "redacted"
		}
		u.Fragment, u.RawFragment = "", ""
		return strings.Replace(u.String(), "redacted@", "[redacted]@", 1)
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		rest, scheme = raw, ""
	}
	host, path, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		host = "[redacted]" + host[i:]
	}
	out := host
	if path != "" {
		out += "/" + strings.SplitN(strings.SplitN(path, "?", 2)[0], "#", 2)[0]
	}
	if ok {
		out = scheme + "://" + out
	}
	return out
}
