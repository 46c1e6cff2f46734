package linkedapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

const (
	testToken = "lat-test-0123456789"
	testIdent = "idt-test-9876543210"
)

func testClient(t *testing.T, url string, mod ...func(*Options)) *Client {
	t.Helper()
	o := Options{BaseURL: url, LinkedAPIToken: testToken, IdentificationToken: testIdent, RatePerSecond: -1}
	for _, m := range mod {
		m(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serve starts a loopback server answering every request with h.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func TestEndpoints(t *testing.T) {
	type call struct {
		name       string
		do         func(c *Client) (any, error)
		method     string
		path       string
		body       string
		result     string
		want       any
		wantNoBody bool
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := []call{
		{
			name: "start",
			do: func(c *Client) (any, error) {
				return c.StartWorkflow(context.Background(), json.RawMessage(`{"actionType":"st.retrieveSSI"}`))
			},
			method: "POST", path: "/workflows", body: `{"actionType":"st.retrieveSSI"}`,
			result: `{"workflowId":"wf-1","workflowStatus":"pending","pendingReason":"queued"}`,
			want:   &StartedWorkflow{WorkflowID: "wf-1", WorkflowStatus: StatusPending, PendingReason: PendingQueued},
		},
		{
			name:   "get",
			do:     func(c *Client) (any, error) { return c.Workflow(context.Background(), "wf/1") },
			method: "GET", path: "/workflows/wf%2F1", wantNoBody: true,
			result: `{"workflowId":"wf/1","workflowStatus":"completed","completion":{"actionType":"st.retrieveSSI","success":true}}`,
			want:   &WorkflowResult{WorkflowID: "wf/1", WorkflowStatus: StatusCompleted, Completion: json.RawMessage(`{"actionType":"st.retrieveSSI","success":true}`)},
		},
		{
			name:   "cancel",
			do:     func(c *Client) (any, error) { return c.CancelWorkflow(context.Background(), "wf-1") },
			method: "DELETE", path: "/workflows/wf-1", wantNoBody: true,
			result: `{"cancelled":true}`, want: &CancelResult{Cancelled: true},
		},
		{
			name: "conversations",
			do: func(c *Client) (any, error) {
				return c.PollConversations(context.Background(), []ConversationRequest{{PersonURL: "u", Type: ConversationST}})
			},
			method: "POST", path: "/conversations/poll", body: `[{"personUrl":"u","type":"st"}]`,
			result: `[{"personUrl":"u","type":"st","messages":[{"id":"m1","sender":"us","text":"hi","time":"t"}]}]`,
			want:   []Conversation{{PersonURL: "u", Type: ConversationST, Messages: []Message{{ID: "m1", Sender: "us", Text: "hi", Time: "t"}}}},
		},
		{
			name:   "inbox",
			do:     func(c *Client) (any, error) { return c.PollInbox(context.Background(), InboxRequest{}) },
			method: "POST", path: "/inbox/poll", body: `{}`,
			result: `{"messages":[]}`, want: &InboxResult{Messages: []InboxMessage{}},
		},
		{
			name: "network",
			do: func(c *Client) (any, error) {
				return c.PollNetwork(context.Background(), NetworkRequest{Type: "connectionAccepted"})
			},
			method: "POST", path: "/network/poll", body: `{"type":"connectionAccepted"}`,
			result: `{"events":[{"id":"e1","type":"connectionAccepted","personUrl":"u","detectedAt":"t"}]}`,
			want:   &NetworkResult{Events: []NetworkEvent{{ID: "e1", Type: "connectionAccepted", PersonURL: "u", DetectedAt: "t"}}},
		},
		{
			name: "stats",
			do: func(c *Client) (any, error) {
				return c.ActionStats(context.Background(), start, start.Add(24*time.Hour))
			},
			method: "GET", path: "/stats/actions?end=2026-01-02T00%3A00%3A00Z&start=2026-01-01T00%3A00%3A00Z", wantNoBody: true,
			result: `[{"actionType":"st.openPersonPage","success":true,"time":"t"}]`,
			want:   []ActionStat{{ActionType: "st.openPersonPage", Success: true, Time: "t"}},
		},
		{
			name:   "account",
			do:     func(c *Client) (any, error) { return c.Account(context.Background()) },
			method: "GET", path: "/account", wantNoBody: true,
			result: `{"name":"Jane","url":"https://www.linkedin.com/in/jane"}`,
			want:   &Account{Name: "Jane", URL: "https://www.linkedin.com/in/jane"},
		},
	}
	for _, tc := range calls {
		t.Run(tc.name, func(t *testing.T) {
			var got *http.Request
			var gotBody []byte
			s := serve(t, func(w http.ResponseWriter, r *http.Request) {
				got = r
				gotBody, _ = io.ReadAll(r.Body)
				io.WriteString(w, `{"success":true,"result":`+tc.result+`}`)
			})
			res, err := tc.do(testClient(t, s.URL))
			if err != nil {
				t.Fatal(err)
			}
			if got.Method != tc.method || got.URL.RequestURI() != tc.path {
				t.Errorf("request = %s %s, want %s %s", got.Method, got.URL.RequestURI(), tc.method, tc.path)
			}
			if tc.wantNoBody && len(gotBody) != 0 {
				t.Errorf("body = %q, want none", gotBody)
			}
			if !tc.wantNoBody && string(gotBody) != tc.body {
				t.Errorf("body = %s, want %s", gotBody, tc.body)
			}
			for k, v := range map[string]string{"linked-api-token": testToken, "identification-token": testIdent, "client": "lwf", "Content-Type": "application/json"} {
				if got.Header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.Header.Get(k), v)
				}
			}
			if !reflect.DeepEqual(res, tc.want) {
				t.Errorf("result = %#v, want %#v", res, tc.want)
			}
		})
	}
}

func TestAPIErrorTyped(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"success":false,"error":{"type":"invalidLinkedApiToken","message":"token `+testToken+` is invalid"}}`)
	})
	_, err := testClient(t, s.URL).Account(context.Background())
	var api *APIError
	if !errors.As(err, &api) {
		t.Fatalf("err = %v, want *APIError", err)
	}
	want := "GET /account: invalidLinkedApiToken (HTTP 401): token [redacted] is invalid"
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if !IsAuth(err) || IsTransient(err) || !NotProcessed(err) {
		t.Errorf("auth=%v transient=%v notProcessed=%v, want true false true", IsAuth(err), IsTransient(err), NotProcessed(err))
	}
}

func TestRateLimitedWithRetryAfter(t *testing.T) {
	s := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"success":false,"error":{"type":"tooManyRequests","message":"slow down"}}`)
	})
	c := testClient(t, s.URL)
	_, err := c.StartWorkflow(context.Background(), json.RawMessage(`{"actionType":"st.retrieveSSI"}`))
	ra, ok := RetryAfter(err)
	if !ok || ra != 7*time.Second {
		t.Errorf("RetryAfter = %v %v, want 7s", ra, ok)
	}
	if !IsTransient(err) || !NotProcessed(err) {
		t.Errorf("transient=%v notProcessed=%v, want both", IsTransient(err), NotProcessed(err))
	}
	if d := c.limiter.reserve(time.Now()); d < 6*time.Second {
		t.Errorf("limiter pause = %v, want about 7s", d)
	}
}

func TestFailureClassification(t *testing.T) {
	tests := []struct {
		name                      string
		h                         http.HandlerFunc
		wantType                  string // "transport", "response", "api"
		wantTransient, wantUnsent bool
	}{
		{"bad gateway", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502); io.WriteString(w, "<html>") }, "api", true, false},
		{"unavailable", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }, "api", true, true},
		{"not json", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>") }, "response", true, false},
		{"truncated", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, `{"success":true,"res`)
		}, "response", true, false},
		{"reset after reading", func(w http.ResponseWriter, r *http.Request) {
			io.ReadAll(r.Body)
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, "transport", true, false},
		{"invalid workflow", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(400)
			io.WriteString(w, `{"success":false,"error":{"type":"invalidWorkflow","message":"no"}}`)
		}, "api", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := serve(t, tc.h)
			_, err := testClient(t, s.URL).StartWorkflow(context.Background(), json.RawMessage(`[]`))
			var (
				te *TransportError
				re *ResponseError
				ae *APIError
			)
			got := map[bool]string{errors.As(err, &te): "transport", errors.As(err, &re): "response", errors.As(err, &ae): "api"}[true]
			if got != tc.wantType || IsTransient(err) != tc.wantTransient || NotProcessed(err) != tc.wantUnsent {
				t.Errorf("err %v: type %s transient %v notProcessed %v, want %s %v %v", err, got, IsTransient(err), NotProcessed(err), tc.wantType, tc.wantTransient, tc.wantUnsent)
			}
		})
	}
}

func TestConnectionRefusedIsNotSent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = testClient(t, "http://"+addr).StartWorkflow(context.Background(), json.RawMessage(`{}`))
	var te *TransportError
	if !errors.As(err, &te) || te.Sent || !NotProcessed(err) || !IsTransient(err) {
		t.Fatalf("err = %#v, want an unsent transient TransportError", err)
	}
}

func TestDeadlineAndCancel(t *testing.T) {
	release := make(chan struct{})
	s := serve(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	c := testClient(t, s.URL, func(o *Options) { o.RequestTimeout = 50 * time.Millisecond })
	_, err := c.Account(context.Background())
	var te *TransportError
	if !errors.As(err, &te) || !te.Sent || te.Cancelled || !IsTransient(err) {
		t.Errorf("deadline: err = %#v, want a sent, transient TransportError", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = testClient(t, s.URL).Account(ctx)
	if !errors.As(err, &te) || !te.Cancelled || IsTransient(err) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancel: err = %#v, want a cancelled TransportError", err)
	}
}

func TestBaseURLChecks(t *testing.T) {
	for raw, want := range map[string]string{
		"":                            DefaultBaseURL,
		"https://api.example.com/":    "https://api.example.com",
		"http://127.0.0.1:8080":       "http://127.0.0.1:8080",
		"http://localhost:1/":         "http://localhost:1",
		"http://api.example.com":      "error",
		"https://u:p@api.example.com": "error",
		"ftp://x":                     "error",
	} {
		got, err := checkBaseURL(raw)
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("checkBaseURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestDefinitionChecked(t *testing.T) {
	c := testClient(t, "http://127.0.0.1:1")
	_, err := c.StartWorkflow(context.Background(), json.RawMessage(`"x"`))
	if want := "the workflow definition must be an action object or an array of them"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

func TestTruncatedStartSalvagesTheID(t *testing.T) {
	for body, want := range map[string]string{
		`{"success":true,"result":{"workflowId":"wf-42","workflowSta`: "wf-42",
		`{"success":true,"result":{"workflowId":"wf-4`:                "",
		`{"success":false,"error":{"workflowId":"wf-42","t`:           "",
	} {
		s := serve(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "200")
			io.WriteString(w, body)
		})
		sw, err := testClient(t, s.URL).StartWorkflow(context.Background(), json.RawMessage(`{}`))
		got := ""
		if err == nil {
			got = sw.WorkflowID
		}
		if got != want {
			t.Errorf("body %s: id %q (err %v), want %q", body, got, err, want)
		}
	}
}

func TestEndpointSecretsAreNeverPrinted(t *testing.T) {
	for _, raw := range []string{
		"https://user:s3cr3t-pw@api.example.com",
		"http://user:s3cr3t-pw@api.example.com/v1",
		"https://api.example.com/?token=s3cr3t-pw",
		"ftp://user:s3cr3t-pw@host",
		"user:s3cr3t-pw@host:99999/x",
		"https://s3cr3t-pw@api.example.com/#frag",
	} {
		_, err := New(Options{BaseURL: raw, LinkedAPIToken: testToken})
		if err == nil {
			t.Errorf("%s: accepted", raw)
			continue
		}
		js, _ := json.Marshal(Credentials{Endpoint: raw})
		for _, s := range []string{err.Error(), RedactURL(raw), string(js)} {
			if strings.Contains(s, "s3cr3t") {
				t.Errorf("%s: printed the secret: %s", raw, s)
			}
		}
	}
	if got := RedactURL("https://user:pw@api.example.com/v1?q=1"); got != "https://[redacted]@api.example.com/v1?redacted" {
		t.Errorf("RedactURL = %s", got)
	}
}
