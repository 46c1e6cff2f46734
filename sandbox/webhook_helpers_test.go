package sandbox

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
)

// received is one POST a receiver got.
type received struct {
	raw string
	d   *linkedapi.Delivery
}

// receiver is a webhook endpoint on 127.0.0.1 that records every POST,
// parsed with the Go SDK's ParseDelivery, and answers with answer (200
// when nil).
type receiver struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	got []received
}

func newReceiver(t *testing.T, answer func(r *http.Request, n int, d *linkedapi.Delivery) int) *receiver {
	t.Helper()
	rc := &receiver{t: t}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("delivery %s with Content-Type %q", r.Method, r.Header.Get("Content-Type"))
		}
		d, err := linkedapi.ParseDelivery(body)
		if err != nil {
			t.Errorf("the SDK refuses a delivery: %v\n%s", err, body)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		rc.got = append(rc.got, received{raw: string(body), d: d})
		n := len(rc.got)
		rc.mu.Unlock()
		status := http.StatusOK
		if answer != nil {
			status = answer(r, n, d)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// wait waits until the receiver got n POSTs and returns them.
func (rc *receiver) wait(n int) []received {
	rc.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		rc.mu.Lock()
		got := append([]received(nil), rc.got...)
		rc.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			rc.t.Fatalf("the receiver got %d deliveries, want %d:\n%s", len(got), n, types(got))
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// count is how many POSTs the receiver got so far.
func (rc *receiver) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

// all returns what the receiver got so far.
func (rc *receiver) all() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// types lists the event types and ids of deliveries, one a line.
func types(got []received) string {
	var b strings.Builder
	for _, g := range got {
		b.WriteString(g.d.Type + " " + g.d.ID + "\n")
	}
	return b.String()
}

// newHookHarness is a harness whose sandbox delivers to rc, closed with
// the test.
func newHookHarness(t *testing.T, rc *receiver, opts Options) *harness {
	t.Helper()
	opts.Webhook.URL = rc.srv.URL + "/hooks/0123456789abcdef0123"
	h := newHarness(t, opts)
	t.Cleanup(h.sb.Close)
	return h
}

// settle lets the delivery loop catch up with the clock and waits until
// nothing is left to send, so that a test can say nothing more comes.
func (h *harness) settle() {
	h.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	start := h.sb.hooks.passes.Load()
	for {
		h.sb.nudge()
		h.sb.hooks.mu.Lock()
		busy := len(h.sb.hooks.queue) + h.sb.hooks.inFlight
		h.sb.hooks.mu.Unlock()
		if busy == 0 && h.sb.hooks.passes.Load() >= start+3 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("the deliveries did not settle: %d queued", busy)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// advance moves the test clock and wakes the delivery loop.
func (h *harness) advance(d time.Duration) {
	h.clock.Advance(d)
	h.sb.nudge()
}

// admin calls an admin endpoint with the default linked-api-token alone.
func (h *harness) admin(name, body string) reply {
	h.t.Helper()
	return h.doWith("POST", "/admin/"+name, body, map[string]string{"linked-api-token": DefaultLinkedAPIToken})
}
