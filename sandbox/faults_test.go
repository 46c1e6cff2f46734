package sandbox

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// served starts a sandbox behind a loopback httptest server.
func served(t *testing.T, opts Options) (*Sandbox, *httptest.Server) {
	t.Helper()
	sb, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return sb, srv
}

func call(t *testing.T, srv *httptest.Server, method, path, body string) (*http.Response, []byte, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("linked-api-token", DefaultLinkedAPIToken)
	req.Header.Set("identification-token", DefaultIdentificationToken)
	resp, err := srv.Client().Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

const ssi = `{"actionType":"st.retrieveSSI"}`

func TestFaultRateLimit(t *testing.T) {
	sb, srv := served(t, Options{Faults: Faults{RateLimit: 1, RetryAfter: 1500 * time.Millisecond}})
	resp, body, err := call(t, srv, "POST", "/workflows", ssi)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" ||
		!strings.Contains(string(body), `"type":"tooManyRequests"`) {
		t.Fatalf("HTTP %d Retry-After %q: %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	c := sb.Counters()
	if c.WorkflowsAccepted != 0 || c.Faults["rateLimit"] != 1 || c.Requests[EndpointPostWorkflows] != 1 || c.Responses["429"] != 1 {
		t.Fatalf("a rate-limited request was processed: %+v", c)
	}
}

func TestFaultServerErrors(t *testing.T) {
	sb, srv := served(t, Options{Faults: Faults{ServerError: 1}})
	want := []struct {
		status  int
		ctype   string
		retry   bool
		created bool
	}{
		{500, "application/json; charset=utf-8", false, true},
		{502, "text/html; charset=utf-8", false, true},
		{503, "text/html; charset=utf-8", true, false},
	}
	for i, w := range want {
		before := sb.Counters().WorkflowsAccepted
		resp, body, err := call(t, srv, "POST", "/workflows", ssi)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != w.status || resp.Header.Get("Content-Type") != w.ctype || (resp.Header.Get("Retry-After") != "") != w.retry {
			t.Errorf("answer %d: HTTP %d %s Retry-After %q", i, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Retry-After"))
		}
		if w.status == 500 && !strings.Contains(string(body), `"type":"internalError"`) {
			t.Errorf("500 body %s", body)
		}
		if w.status != 500 && !strings.Contains(string(body), "<html>") {
			t.Errorf("%d body %s", w.status, body)
		}
		if created := sb.Counters().WorkflowsAccepted > before; created != w.created {
			t.Errorf("answer %d (%d): workflow created = %v, want %v", i, w.status, created, w.created)
		}
	}
}

func TestFaultDropAfterProcessing(t *testing.T) {
	sb, srv := served(t, Options{Faults: Faults{Drop: 1}})
	if _, _, err := call(t, srv, "POST", "/workflows", ssi); err == nil {
		t.Fatal("a dropped connection gave a response")
	}
	if c := sb.Counters(); c.WorkflowsAccepted != 1 || c.Responses["dropped"] != 1 {
		t.Fatalf("counters %+v", c)
	}
}

func TestFaultTruncate(t *testing.T) {
	_, srv := served(t, Options{Faults: Faults{Truncate: 1}})
	resp, body, err := call(t, srv, "GET", "/account", "")
	if err != nil {
		t.Fatal(err)
	}
	full, _ := json.Marshal(envelope{Success: true, Result: map[string]string{"name": DefaultAccountName, "url": DefaultAccountURL}})
	full = append(full, '\n')
	if resp.StatusCode != 200 || string(body) != string(full[:len(full)/2]) || json.Valid(body) {
		t.Fatalf("HTTP %d body %q", resp.StatusCode, body)
	}
}

// sleeps records the waits the sandbox asks for instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	if d > 0 {
		s.mu.Lock()
		s.d = append(s.d, d)
		s.mu.Unlock()
	}
	return nil
}

func TestFaultLatencyAndSlowBody(t *testing.T) {
	sb, err := New(Options{Faults: Faults{Latency: 300 * time.Millisecond, SlowBody: 800 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	var rec sleeps
	sb.sleep = rec.sleep
	srv := httptest.NewServer(sb)
	defer srv.Close()
	resp, body, err := call(t, srv, "GET", "/account", "")
	if err != nil || resp.StatusCode != 200 || !json.Valid(body) {
		t.Fatalf("HTTP %v %s %v", resp, body, err)
	}
	want := []time.Duration{300 * time.Millisecond}
	for range 7 { // 8 chunks, a pause between each
		want = append(want, 100*time.Millisecond)
	}
	if len(rec.d) != len(want) {
		t.Fatalf("waits %v, want %v", rec.d, want)
	}
	for i := range want {
		if rec.d[i] != want[i] {
			t.Fatalf("waits %v, want %v", rec.d, want)
		}
	}
	// Control paths get no faults.
	rec.d = nil
	r, err := srv.Client().Get(srv.URL + "/_sandbox/counters")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if len(rec.d) != 0 {
		t.Fatalf("the counters path waited %v", rec.d)
	}
}

func TestFaultSeedAndEndpoints(t *testing.T) {
	statuses := func(seed int64) string {
		_, srv := served(t, Options{Faults: Faults{RateLimit: 0.3, ServerError: 0.3, Seed: seed,
			Endpoints: []string{EndpointGetWorkflow}}})
		var out []string
		for range 20 {
			resp, _, err := call(t, srv, "GET", "/workflows/wf-x", "")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, resp.Status[:3])
			if r, _, _ := call(t, srv, "GET", "/account", ""); r.StatusCode != 200 {
				t.Fatalf("a fault on an endpoint not chosen: %d", r.StatusCode)
			}
		}
		return strings.Join(out, " ")
	}
	a, b, c := statuses(7), statuses(7), statuses(8)
	if a != b {
		t.Fatalf("the same seed gave\n%s\n%s", a, b)
	}
	if a == c {
		t.Fatalf("two seeds gave the same faults: %s", a)
	}
	if !strings.Contains(a, "404") || !strings.Contains(a, "429") {
		t.Fatalf("no mix of faults and answers: %s", a)
	}
}
