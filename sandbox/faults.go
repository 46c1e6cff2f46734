package sandbox

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// fault is the fault one request gets.
type fault int

const (
	faultNone fault = iota
	faultRateLimit
	faultServerError500
	faultServerError502
	faultServerError503
	faultDrop
	faultTruncate
)

// String implements fmt.Stringer.
func (f fault) String() string {
	return [...]string{"none", "rateLimit", "serverError500", "serverError502", "serverError503", "drop", "truncate"}[f]
}

// before reports whether the fault answers before the request is
// processed (so the request had no effect).
func (f fault) before() bool {
	return f == faultRateLimit || f == faultServerError503
}

// dice rolls the faults: one roll per request, from a seeded source, so a
// seed and a request order always give the same faults.
type dice struct {
	mu     sync.Mutex
	r      *rand.Rand
	f      Faults
	nth5xx int
	only   map[string]bool // the endpoints faults apply to; nil: all
}

func newDice(f Faults) *dice {
	d := &dice{r: rand.New(rand.NewPCG(uint64(f.Seed), 0x5eed)), f: f}
	if f.Endpoints != nil {
		d.only = map[string]bool{}
		for _, e := range f.Endpoints {
			d.only[e] = true
		}
	}
	return d
}

func (d *dice) roll(endpoint string) fault {
	if !d.targets(endpoint) {
		return faultNone
	}
	if d.f.RateLimit+d.f.ServerError+d.f.Drop+d.f.Truncate == 0 {
		return faultNone
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.r.Float64()
	switch {
	case u < d.f.RateLimit:
		return faultRateLimit
	case u < d.f.RateLimit+d.f.ServerError:
		d.nth5xx++
		return [...]fault{faultServerError500, faultServerError502, faultServerError503}[(d.nth5xx-1)%3]
	case u < d.f.RateLimit+d.f.ServerError+d.f.Drop:
		return faultDrop
	case u < d.f.RateLimit+d.f.ServerError+d.f.Drop+d.f.Truncate:
		return faultTruncate
	}
	return faultNone
}

// retryAfterSeconds is the Retry-After value: whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// faultResponse is the answer a fault replaces the real one with; drop and
// truncate are handled while writing.
func (s *Sandbox) faultResponse(f fault, real response) response {
	switch f {
	case faultRateLimit:
		r := errResponse(newError(http.StatusTooManyRequests, errTooManyRequests, "Rate limit exceeded. Retry after the time in the Retry-After header."))
		r.header.Set("Retry-After", retryAfterSeconds(s.opts.Faults.RetryAfter))
		return r
	case faultServerError500:
		return errResponse(newError(http.StatusInternalServerError, errInternal, "Internal server error."))
	case faultServerError502:
		return htmlResponse(http.StatusBadGateway, "502 Bad Gateway")
	case faultServerError503:
		r := htmlResponse(http.StatusServiceUnavailable, "503 Service Temporarily Unavailable")
		r.header.Set("Retry-After", retryAfterSeconds(s.opts.Faults.RetryAfter))
		return r
	case faultTruncate:
		real.body = real.body[:len(real.body)/2]
		return real
	}
	return real
}

func htmlResponse(status int, title string) response {
	h := http.Header{}
	h.Set("Content-Type", "text/html; charset=utf-8")
	body := fmt.Sprintf("<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n", title, title)
	return response{status: status, header: h, body: []byte(body)}
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// targets reports whether faults apply to an endpoint.
func (d *dice) targets(endpoint string) bool {
	return endpoint != EndpointOther && (d.only == nil || d.only[endpoint])
}

// write sends a response, spreading the body over slow when positive, or
// drops the connection.
func (s *Sandbox) write(ctx context.Context, w http.ResponseWriter, f fault, resp response, slow time.Duration) {
	if f == faultDrop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler) // no hijacking (HTTP/2, recorders): abort the response
	}
	for k, v := range resp.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	if slow <= 0 || len(resp.body) == 0 {
		w.Write(resp.body)
		return
	}
	const chunks = 8
	size := (len(resp.body) + chunks - 1) / chunks
	flusher, _ := w.(http.Flusher)
	for off := 0; off < len(resp.body); off += size {
		end := min(off+size, len(resp.body))
		if _, err := w.Write(resp.body[off:end]); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		if end < len(resp.body) && s.sleep(ctx, slow/chunks) != nil {
			return
		}
	}
}
