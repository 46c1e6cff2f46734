package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a sandbox clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)} // a Wednesday
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness drives a sandbox in-process with the default tokens.
type harness struct {
	t     *testing.T
	sb    *Sandbox
	clock *fakeClock
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := newFakeClock()
	if opts.Clock == nil {
		opts.Clock = clock.Now
	}
	sb, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return &harness{t: t, sb: sb, clock: clock}
}

// reply is a decoded answer.
type reply struct {
	status int
	header http.Header
	raw    string
	env    struct {
		Success bool            `json:"success"`
		Result  json.RawMessage `json:"result"`
		Error   *struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
}

func (h *harness) do(method, path, body string) reply {
	h.t.Helper()
	return h.doWith(method, path, body, map[string]string{
		"linked-api-token": DefaultLinkedAPIToken, "identification-token": DefaultIdentificationToken})
}

func (h *harness) doWith(method, path, body string, headers map[string]string) reply {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.sb.ServeHTTP(rec, req)
	r := reply{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	if err := json.Unmarshal(rec.Body.Bytes(), &r.env); err != nil {
		h.t.Fatalf("%s %s: body is not JSON: %v\n%s", method, path, err, r.raw)
	}
	return r
}

// result decodes a successful answer's result into v.
func (r reply) result(t *testing.T, v any) {
	t.Helper()
	if r.status != http.StatusOK || !r.env.Success {
		t.Fatalf("want a success, got HTTP %d: %s", r.status, r.raw)
	}
	if err := json.Unmarshal(r.env.Result, v); err != nil {
		t.Fatalf("decoding result: %v\n%s", err, r.raw)
	}
}

// wantError checks an error answer.
func (r reply) wantError(t *testing.T, status int, typ string) {
	t.Helper()
	if r.status != status || r.env.Success || r.env.Error == nil || r.env.Error.Type != typ {
		t.Fatalf("want HTTP %d %s, got HTTP %d: %s", status, typ, r.status, r.raw)
	}
}

// submit posts a workflow and returns its id.
func (h *harness) submit(body string) string {
	h.t.Helper()
	var ack struct {
		WorkflowID     string `json:"workflowId"`
		WorkflowStatus string `json:"workflowStatus"`
	}
	h.do("POST", "/workflows", body).result(h.t, &ack)
	if !strings.HasPrefix(ack.WorkflowID, "wf-") || ack.WorkflowStatus != "pending" {
		h.t.Fatalf("unexpected ack %+v", ack)
	}
	return ack.WorkflowID
}

// wfView is the decoded GET /workflows/{id}.
type wfView struct {
	WorkflowID     string          `json:"workflowId"`
	WorkflowStatus string          `json:"workflowStatus"`
	PendingReason  string          `json:"pendingReason"`
	Message        string          `json:"message"`
	Completion     json.RawMessage `json:"completion"`
	Failure        *struct {
		Reason  string `json:"reason"`
		Message string `json:"message"`
	} `json:"failure"`
}

func (h *harness) get(id string) wfView {
	h.t.Helper()
	var v wfView
	h.do("GET", "/workflows/"+id, "").result(h.t, &v)
	return v
}

// run submits a workflow, lets it finish and returns its completion.
func (h *harness) run(body string) any {
	h.t.Helper()
	id := h.submit(body)
	v := h.get(id)
	if v.WorkflowStatus != "completed" {
		h.t.Fatalf("want completed, got %+v", v)
	}
	var c any
	if err := json.Unmarshal(v.Completion, &c); err != nil {
		h.t.Fatal(err)
	}
	return c
}

// at walks a decoded JSON value: keys for objects, indexes for arrays.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: not an object: %v", path, v)
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("at %v: not an array with index %d: %v", path, k, v)
			}
			v = a[k]
		}
	}
	return v
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func decode(t *testing.T, raw []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	return v
}

// errorType is the error type of an action result, "" when it succeeded.
func errorType(result any) string {
	m, _ := result.(map[string]any)
	e, _ := m["error"].(map[string]any)
	s, _ := e["type"].(string)
	return s
}

// connection returns the URL of one of the account's existing connections
// (people st.retrieveConnections lists), responsive or not: people the
// account may message with st.sendMessage.
func (h *harness) connection(responsive bool, skip int) string {
	h.t.Helper()
	for i := 0; i < 1000; i++ {
		slug := h.sb.gen.randomPerson(seeded("test connection", strconv.Itoa(i)), kindConnection)
		if p := h.sb.gen.person(slug); p.responsive == responsive && p.initialStatus == statusConnected {
			if skip == 0 {
				return in + slug
			}
			skip--
		}
	}
	h.t.Fatal("no such connection")
	return ""
}

// control calls a /_sandbox/ path, with no tokens; its answer is plain
// JSON, not the API's envelope.
func (h *harness) control(method, path, body string) reply {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	rec := httptest.NewRecorder()
	h.sb.ServeHTTP(rec, httptest.NewRequest(method, path, rd))
	return reply{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
}
