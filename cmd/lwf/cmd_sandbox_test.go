package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// runSandboxServe runs `lwf sandbox serve ARGS` in-process until ctx ends.
func runSandboxServe(ctx context.Context, stderr *syncBuffer, args ...string) error {
	a := &app{ctx: ctx, stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: stderr, getenv: func(string) string { return "" }}
	cmd := newSandboxCmd(a)
	cmd.SetArgs(append([]string{"serve"}, args...))
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	return cmd.ExecuteContext(ctx)
}

func TestSandboxServeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--addr", "0.0.0.0:0"},
		{"--addr", ":8484"},
		{"--token", "no-colon"},
		{"--rate-limit", "0.7", "--server-errors", "0.7"},
		{"--working-hours", "someday"},
		{"--working-hours-reject"},
		{"--limit", "stMessages"},
		{"--account-state", "frozen"},
		{"--speed", "-1s"},
		{"--fault-endpoint", "GET /nowhere"},
		{"--webhook-url", "https://hooks.example.com/x"},
		{"--webhook-url", "http://127.0.0.1:9/x", "--webhook-payload-mode", "medium"},
		{"--webhook-drop", "2"},
		{"--webhook-attempts", "-1"},
	} {
		var stderr syncBuffer
		err := runSandboxServe(t.Context(), &stderr, args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != exitUsage {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
		if strings.Contains(stderr.String(), "listening") {
			t.Errorf("%v: the sandbox started", args)
		}
	}
}

func TestSandboxServeUntilInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runSandboxServe(ctx, &stderr, "--addr", "127.0.0.1:0", "--token", "t:i", "--speed", "1s",
			"--working-hours", "Mon-Fri 09:00-18:00", "--limit", "stMessages=5", "--rate-limit", "0.1", "--control-clock")
	}()
	re := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); {
		if m := re.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if url == "" {
		t.Fatalf("the sandbox did not start:\n%s", stderr.String())
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/account", nil)
	req.Header.Set("linked-api-token", "t")
	req.Header.Set("identification-token", "i")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != 429 {
		t.Fatalf("GET /account: %d", resp.StatusCode)
	}
	// --control-clock lets the clock move.
	req, _ = http.NewRequestWithContext(ctx, "POST", url+"/_sandbox/clock", strings.NewReader(`{"advance":"48h"}`))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST /_sandbox/clock: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve returned %v", err)
	}
	out := stderr.String()
	for _, want := range []string{"tokens:   t:i", "/_sandbox/counters", "/_sandbox/actions", "/_sandbox/clock (POST", "GET /account", "lwf sandbox stopped"} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
}
