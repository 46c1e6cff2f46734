package linkedapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

// envelope is the Linked API's response wrapper.
type envelope struct {
	Success *bool           `json:"success"`
	Result  json.RawMessage `json:"result"`
	Error   *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// do sends one request and decodes the envelope's result into out (which
// may be nil). body is JSON or nil. It makes exactly one attempt: the
// caller decides about retries with IsTransient and NotProcessed.
func (c *Client) do(ctx context.Context, method, path string, body []byte, out any) error {
	if err := c.limiter.Wait(ctx); err != nil {
		return &TransportError{Method: method, Path: path, Cancelled: true, Err: err}
	}
	start := time.Now()
	status, n, err := c.roundTrip(ctx, method, path, body, out)
	if c.trace != nil {
		c.trace(Trace{Method: method, Path: path, Status: status, Duration: time.Since(start), Bytes: n, Err: err})
	}
	return err
}

func (c *Client) roundTrip(ctx context.Context, method, path string, body []byte, out any) (status, n int, err error) {
	if ctx.Value(completeOnceSentKey{}) != nil {
		// Only the request's own deadline may end it now.
		ctx = context.WithoutCancel(ctx)
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var gotConn atomic.Bool
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(rctx, method, c.base+path, rd)
	if err != nil {
		return 0, 0, fmt.Errorf("%s %s: %w", method, path, c.red.Err(err))
	}
	req.Header = c.hdr.Clone()
	if adminPath(path) {
		req.Header.Del("identification-token")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, 0, &TransportError{
			Method:    method,
			Path:      path,
			Sent:      gotConn.Load() && !isDialError(err),
			Cancelled: ctx.Err() != nil,
			Err:       c.red.Err(innerURLError(err)),
		}
	}
	defer resp.Body.Close()
	data, rerr := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	status, n = resp.StatusCode, len(data)
	if rerr != nil {
		return status, n, &ResponseError{Method: method, Path: path, Status: status, Err: c.red.Err(innerURLError(rerr)), Body: c.bodyStart(data)}
	}
	if int64(len(data)) > c.maxBytes {
		return status, n, &ResponseError{Method: method, Path: path, Status: status, Err: fmt.Errorf("body larger than %d bytes", c.maxBytes)}
	}
	ra := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if ra > 0 && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
		c.limiter.PauseFor(min(ra, c.raCap))
	}
	return status, n, c.decode(method, path, status, ra, data, out)
}

// decode reads the envelope of a response that arrived whole.
func (c *Client) decode(method, path string, status int, ra time.Duration, data []byte, out any) error {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil || (env.Success == nil && env.Error == nil) {
		if status >= 200 && status < 300 {
			if err == nil {
				err = errors.New("no success or error field")
			}
			return &ResponseError{Method: method, Path: path, Status: status, Err: fmt.Errorf("not a Linked API envelope: %w", err), Body: c.bodyStart(data)}
		}
		return &APIError{Method: method, Path: path, Status: status, Type: ErrTypeHTTP, Message: http.StatusText(status), RetryAfter: ra}
	}
	if env.Error != nil || !*env.Success || status >= 300 {
		e := &APIError{Method: method, Path: path, Status: status, Type: ErrTypeHTTP, RetryAfter: ra}
		if env.Error != nil {
			e.Type = orString(env.Error.Type, ErrTypeHTTP)
			e.Message = c.red.String(env.Error.Message)
		}
		return e
	}
	if out == nil {
		return nil
	}
	if len(env.Result) == 0 || string(env.Result) == "null" {
		return &ResponseError{Method: method, Path: path, Status: status, Err: errors.New("the envelope has no result")}
	}
	if err := json.Unmarshal(env.Result, out); err != nil {
		return &ResponseError{Method: method, Path: path, Status: status, Err: fmt.Errorf("decoding the result: %w", err)}
	}
	return nil
}

type completeOnceSentKey struct{}

// CompleteOnceSent returns a context for a request that must not be
// abandoned half-way: while it waits for the rate limiter, ending ctx
// abandons it unsent; once it is being sent, only its own deadline ends
// it, so its outcome is known. The runner sends POST /workflows this way,
// so that Ctrl-C never leaves a submission whose outcome is unknown.
func CompleteOnceSent(ctx context.Context) context.Context {
	return context.WithValue(ctx, completeOnceSentKey{}, true)
}

// bodyStart keeps the first 4 KiB of a body, redacted.
func (c *Client) bodyStart(b []byte) []byte {
	return []byte(c.red.String(string(b[:min(len(b), 4096)])))
}

// isDialError reports whether err happened while connecting, before any
// byte of the request could be written.
func isDialError(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect")
}

// innerURLError drops net/url's "Post \"https://…\":" prefix: the client's
// own errors already name the method and path.
func innerURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
