package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/sandbox"
)

// TestServeRefusesWithoutToken: an address other than loopback needs a
// token, and a token must be long enough; neither is ever printed.
func TestServeRefusesWithoutToken(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	for _, c := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"--listen", "0.0.0.0:0"}, "", "--listen 0.0.0.0:0 is not a loopback address: lwf serve needs a token there (set LWF_SERVE_TOKEN, or give --token-file)"},
		{[]string{"--listen", ":8787"}, "", "--listen :8787 is not a loopback address"},
		{[]string{"--listen", "0.0.0.0:0"}, "short-secret", "the token in $LWF_SERVE_TOKEN is 12 characters long; lwf serve needs at least 16"},
		{[]string{"--token-file", filepath.Join(tb.dir, "missing")}, "", "--token-file: open "},
		{[]string{"--dashboard-only", "--profile", "x"}, "", "--dashboard-only works no account: leave out --profile"},
	} {
		tb.env["LWF_SERVE_TOKEN"] = c.env
		code, _, stderr := tb.lwf(append([]string{"serve"}, c.args...)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, want 2 and %q in\n%s", c.args, code, c.want, stderr)
		}
		if c.env != "" && strings.Contains(stderr, c.env) {
			t.Errorf("%v: the token is printed", c.args)
		}
	}
}

// TestServeWorksAndStops: lwf serve works a sequence registered with
// lwf run --enqueue, serves the dashboard and health checks with a
// token, and stops on its context's end with exit 0.
func TestServeWorksAndStops(t *testing.T) {
	tb, f, people := seqTestbed(t)
	token := "serve-test-token-0123456789"
	tb.env["LWF_SERVE_TOKEN"] = token
	if code, _, stderr := tb.lwf(tb.seqArgs("run", f, "--enqueue")...); code != exitOK {
		t.Fatalf("--enqueue: exit %d\n%s", code, stderr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- mainWithEnv(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--sandbox-clock", "--endpoint", tb.srv.URL, "--poll-every", "50ms",
			"--poll-start", "2ms", "--poll-max", "5ms", "--rate", "0", "--grace", "1s"}, strings.NewReader(""), &bytes.Buffer{}, &stderr,
			func(k string) string { return tb.env[k] })
	}()
	addr := regexp.MustCompile(`dashboard at (http://127\.0\.0\.1:\d+/)`)
	var base string
	deadline := time.Now().Add(20 * time.Second)
	for base == "" {
		if m := addr.FindStringSubmatch(stderr.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("lwf serve did not start:\n%s", stderr.String())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	for tb.wrote("st.sendConnectionRequest") < len(people) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d invited\n%s", tb.wrote("st.sendConnectionRequest"), len(people), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	fetch := func(path, auth string) (int, string) {
		req, _ := http.NewRequest("GET", base+strings.TrimPrefix(path, "/"), nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := fetch("/healthz", ""); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	if code, _ := fetch("/", ""); code != http.StatusSeeOther {
		t.Errorf("/ without the token: %d", code)
	}
	if code, body := fetch("/sequences/connect-thanks", token); code != 200 || !strings.Contains(body, "Funnel") {
		t.Errorf("the sequence page with the token: %d\n%s", code, body)
	}
	if code, body := fetch("/metrics", token); code != 200 || !strings.Contains(body, `lwf_api_requests_total{endpoint="POST /workflows",status="200"}`) {
		t.Errorf("/metrics: %d\n%s", code, body)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK || !strings.Contains(stderr.String(), "lwf serve: stopped") {
			t.Errorf("exit %d\n%s", code, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("lwf serve did not stop")
	}
	if strings.Contains(stderr.String(), token) {
		t.Error("the token is printed")
	}
	if c := tb.srv.Sandbox.Counters(); c.DuplicatePayloads != 0 {
		t.Errorf("%d payloads sent twice", c.DuplicatePayloads)
	}
}

// TestServeTakesWebhooks: the way a user sets webhooks up — lwf webhook
// set pointing at lwf serve's /hooks/SECRET, LWF_WEBHOOK_SECRET for lwf
// serve — and a queued run completes from the webhooks alone: the POSTs,
// no poll, and the secret printed nowhere.
func TestServeTakesWebhooks(t *testing.T) {
	people := urls("hook", 6)
	tb := newTestbed(t, sandbox.Options{Speed: 20 * time.Millisecond}, people...)
	const secret = "Zq8-wR3nT5yUe7iOp9aSd1fG2hJk4lXc"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var printed strings.Builder
	code, out, stderr := tb.lwf("webhook", "set", "http://"+addr+"/hooks/"+secret, "--payload-mode", "fat")
	printed.WriteString(out + stderr)
	if code != exitOK {
		t.Fatalf("webhook set: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = tb.lwf(tb.runArgs("--enqueue")...)
	printed.WriteString(out + stderr)
	if code != exitOK || tb.posts() != 0 {
		t.Fatalf("--enqueue: exit %d, %d POSTs\n%s", code, tb.posts(), stderr)
	}
	tb.env["LWF_WEBHOOK_SECRET"] = secret
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var serveErr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- mainWithEnv(ctx, []string{"serve", "--listen", addr, "--poll-every", "50ms", "--rate", "0", "--grace", "1s"},
			strings.NewReader(""), &bytes.Buffer{}, &serveErr, func(k string) string { return tb.env[k] })
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, states := tb.runStates()
		if states["completed"] == len(people) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not completed by webhooks within 20 s (the first poll comes after 30 s): %v\n%s", states, serveErr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Errorf("lwf serve: exit %d\n%s", code, serveErr.String())
	}
	printed.WriteString(serveErr.String())
	c := tb.srv.Sandbox.Counters()
	if c.Requests[sandbox.EndpointPostWorkflows] != int64(len(people)) || c.Requests[sandbox.EndpointGetWorkflow] != 0 || c.DuplicatePayloads != 0 {
		t.Errorf("requests %v, %d payloads twice: want %d POSTs and no poll", c.Requests, c.DuplicatePayloads, len(people))
	}
	if strings.Contains(printed.String(), secret) || strings.Contains(printed.String(), sandbox.DefaultLinkedAPIToken) {
		t.Errorf("a secret is printed:\n%s", printed.String())
	}
	if !strings.Contains(serveErr.String(), "webhooks at") {
		t.Errorf("lwf serve does not say where it takes webhooks:\n%s", serveErr.String())
	}
}
