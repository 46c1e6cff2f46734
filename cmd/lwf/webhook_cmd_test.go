package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/sandbox"
)

// hookSink is a webhook receiver on 127.0.0.1 that records event ids.
type hookSink struct {
	srv *httptest.Server
	mu  sync.Mutex
	ids []string
}

func newHookSink(t *testing.T) *hookSink {
	k := &hookSink{}
	k.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := linkedapi.ReadDelivery(r.Body)
		if err != nil {
			t.Errorf("a delivery the SDK refuses: %v", err)
			return
		}
		k.mu.Lock()
		k.ids = append(k.ids, d.ID)
		k.mu.Unlock()
	}))
	t.Cleanup(k.srv.Close)
	return k
}

func (k *hookSink) got() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.ids...)
}

// hookVarying replaces what changes from run to run — webhook and delivery
// ids, times, loopback ports — with placeholders.
func hookVarying(s string) string {
	for _, r := range []struct{ re, with string }{
		{`whs-[0-9a-f]+`, "whs-ID"},
		{`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`, "TIME"},
		{`127\.0\.0\.1:\d+`, "127.0.0.1:PORT"},
	} {
		s = regexp.MustCompile(r.re).ReplaceAllString(s, r.with)
	}
	return s
}

// TestWebhookCommands walks lwf webhook through set, get, test,
// deliveries and delete against the sandbox, with the workspace token
// alone, and checks that neither a token nor the URL's secret path is
// ever printed.
func TestWebhookCommands(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	delete(tb.env, "IDENTIFICATION_TOKEN")
	sink := newHookSink(t)
	const secret = "3q2-7vYh0aZmWk4uPnT8xRbC1eLdF6sJ"
	hook := sink.srv.URL + "/hooks/" + secret
	var printed strings.Builder
	step := func(args []string, wantCode int, wantOut, wantErr string) {
		t.Helper()
		code, out, errOut := tb.lwf(args...)
		printed.WriteString(out + errOut)
		if code != wantCode || hookVarying(out) != wantOut || hookVarying(errOut) != wantErr {
			t.Errorf("lwf %s: exit %d\n--- stdout\n%s--- stderr\n%s--- want exit %d\n%s--- and\n%s",
				strings.Join(args, " "), code, out, errOut, wantCode, wantOut, wantErr)
		}
	}
	step([]string{"webhook", "get"}, 0, "no webhook is set (lwf webhook set URL sets one)\n", "")
	step([]string{"webhook", "set", hook}, 0,
		"webhook whs-ID set: http://127.0.0.1:PORT/hooks/[redacted] (fat, active, created TIME)\n", "")
	step([]string{"webhook", "set", hook}, 0,
		"webhook whs-ID already set: http://127.0.0.1:PORT/hooks/[redacted] (fat, active, created TIME)\n", "")
	step([]string{"webhook", "set", hook + "-2"}, 1, "",
		"lwf: webhook whs-ID is already set to http://127.0.0.1:PORT/hooks/[redacted]; lwf webhook set --replace replaces it\n")
	step([]string{"webhook", "set", hook, "--payload-mode", "thin", "--replace"}, 0,
		"webhook whs-ID changed to thin: http://127.0.0.1:PORT/hooks/[redacted] (thin, active, created TIME)\n", "")
	step([]string{"webhook", "get", "--format", "json"}, 0, `[
  {
    "id": "whs-ID",
    "url": "http://127.0.0.1:PORT/hooks/[redacted]",
    "payloadMode": "thin",
    "isActive": true,
    "createdAt": "TIME"
  }
]
`, "")
	step([]string{"webhook", "test"}, 0, "test event requested; lwf webhook deliveries shows how it went\n", "")
	for deadline := time.Now().Add(20 * time.Second); len(sink.got()) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the test event never arrived")
		}
	}
	if got := sink.got(); len(got) != 1 || got[0] != "webhook.test:1" {
		t.Fatalf("received %v", got)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		_, out, _ := tb.lwf("webhook", "deliveries")
		if strings.Contains(out, "success") || time.Now().After(deadline) {
			break
		}
	}
	step([]string{"webhook", "deliveries"}, 0, ""+
		"DELIVERY  EVENT           STATUS   ATTEMPTS  HTTP  UPDATED                   LAST ERROR\n"+
		"whd-1     webhook.test:1  success  1         200   TIME\n", "")
	step([]string{"webhook", "set", hook + "-2", "--replace", "--format", "json"}, 0, `{
  "id": "whs-ID",
  "url": "http://127.0.0.1:PORT/hooks/[redacted]",
  "payloadMode": "fat",
  "isActive": true,
  "createdAt": "TIME"
}
`, "lwf: deleted webhook whs-ID (http://127.0.0.1:PORT/hooks/[redacted])\n")
	step([]string{"webhook", "delete"}, 0, "webhook whs-ID deleted\n", "")
	step([]string{"webhook", "delete"}, 0, "no webhook is set: nothing to delete\n", "")
	step([]string{"webhook", "delete", "whs-gone"}, 1, "",
		`lwf: POST /admin/webhook.delete: webhookNotFound (HTTP 404): There is no active webhook "whs-gone".`+"\n")
	if strings.Contains(printed.String(), secret) || strings.Contains(printed.String(), sandbox.DefaultLinkedAPIToken) {
		t.Errorf("a secret was printed:\n%s", printed.String())
	}
}

// TestWebhookCommandRefusals: the exit codes of what lwf or the API
// refuses.
func TestWebhookCommandRefusals(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	for _, tt := range []struct {
		env  map[string]string
		args []string
		code int
		err  string
	}{
		{nil, []string{"webhook", "set", "hooks.example.com/x"}, 2, `lwf: webhook URL "hooks.example.com/x" is not an http(s) URL` + "\n"},
		{nil, []string{"webhook", "set", "https://hooks.example.com/x"}, 2,
			`lwf: POST /admin/webhook.set: invalidRequestPayload (HTTP 400): Invalid request body: the sandbox delivers only to loopback addresses (127.0.0.1, ::1, localhost), not to "hooks.example.com".` + "\n"},
		{nil, []string{"webhook", "set", "http://127.0.0.1:9/x", "--payload-mode", "medium"}, 2, `lwf: --payload-mode: "medium" is not fat or thin` + "\n"},
		{nil, []string{"webhook", "get", "--format", "yaml"}, 2, `lwf: --format: "yaml" is not text or json` + "\n"},
		{nil, []string{"webhook", "test"}, 1, "lwf: POST /admin/webhook.sendTest: webhookNotFound (HTTP 404): There is no active webhook; set one with POST /admin/webhook.set.\n"},
		{map[string]string{"LINKED_API_TOKEN": "nope-nope"}, []string{"webhook", "get"}, 2,
			"lwf: POST /admin/webhook.get: invalidLinkedApiToken (HTTP 401): The provided 'linked-api-token' is invalid.\n"},
		{map[string]string{"LINKED_API_TOKEN": ""}, []string{"webhook", "get"}, 2, "lwf: environment: the linked-api-token is missing\n"},
	} {
		saved := map[string]string{}
		for k, v := range tt.env {
			saved[k] = tb.env[k]
			tb.env[k] = v
		}
		code, out, errOut := tb.lwf(tt.args...)
		if code != tt.code || out != "" || errOut != tt.err {
			t.Errorf("lwf %s: exit %d, stdout %q\n got %s\nwant %s", strings.Join(tt.args, " "), code, out, errOut, tt.err)
		}
		for k, v := range saved {
			tb.env[k] = v
		}
	}
}

// TestSandboxServeDeliversWebhooks: lwf sandbox serve --webhook-url
// delivers, with the --webhook-* faults, and its delivery log says so.
func TestSandboxServeDeliversWebhooks(t *testing.T) {
	sink := newHookSink(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runSandboxServe(ctx, &stderr, "--addr", "127.0.0.1:0", "--quiet", "--webhook-url", sink.srv.URL+"/hooks/0123456789abcdef0123",
			"--webhook-payload-mode", "thin", "--webhook-duplicate", "1")
	}()
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("the sandbox did not start:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "  webhook:  http://127.0.0.1:") || !strings.Contains(stderr.String(), "/hooks/[redacted] (thin), deliveries at "+url+"/_sandbox/deliveries") {
		t.Errorf("banner:\n%s", stderr.String())
	}
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/admin/webhook.sendTest", nil)
	req.Header.Set("linked-api-token", sandbox.DefaultLinkedAPIToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(20 * time.Second); len(sink.got()) < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("received %v", sink.got())
		}
	}
	resp, err = http.Get(url + "/_sandbox/deliveries")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var log []sandbox.Delivery
	if err := json.Unmarshal(body, &log); err != nil || len(log) != 2 || log[1].Fault != "duplicate" || log[0].PayloadMode != "thin" {
		t.Fatalf("log %s: %v", body, err)
	}
	if got := sink.got(); got[0] != "webhook.test:1" || got[1] != "webhook.test:1" {
		t.Errorf("received %v", got)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
