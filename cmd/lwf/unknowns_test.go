package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/sandbox"
)

// dropPost stands in front of the sandbox and drops the connection of
// the nth POST /workflows, after the sandbox processed it (so the
// workflow was accepted) or before (so it was not). It returns the
// number of POSTs it received.
func dropPost(t *testing.T, tb *testbed, nth int, processed bool) func() int {
	var mu sync.Mutex
	posts := 0
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tb.ahead != 0 {
			w.Header().Set("Date", time.Now().Add(tb.ahead).UTC().Format(http.TimeFormat))
		}
		if r.Method == http.MethodPost && r.URL.Path == "/workflows" {
			mu.Lock()
			posts++
			n := posts
			mu.Unlock()
			if n == nth {
				if processed {
					tb.srv.Sandbox.ServeHTTP(httptest.NewRecorder(), r)
				}
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					conn.Close()
				}
				return
			}
		}
		tb.srv.Sandbox.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	tb.env["LINKED_API_ENDPOINT"] = front.URL
	return func() int {
		mu.Lock()
		defer mu.Unlock()
		return posts
	}
}

// TestUnknownSubmissionsAreJudged runs three workflows whose second POST
// loses its answer: lwf leaves it unknown, judges it from the account's
// activity, shows the verdict in the summary and in lwf status, and
// sends nothing again.
func TestUnknownSubmissionsAreJudged(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ahead     time.Duration // the server's clock is ahead of lwf's
		processed bool
		verdict   string // as the summary and lwf status show it
		advice    string
	}{
		{"accepted", 0, true, `almost certainly accepted: 1 action matching its payload \(checkConnectionStatus\) ran at [0-9:]{8}, between those of #1 and #3, sent before and after it`,
			`  Sending them again \(lwf wait r-[0-9a-f]+ --resubmit-unknown\) would run them twice\.\n`},
		{"not accepted", 0, false, `not accepted: #3, sent after it, finished at [0-9:]{8}, and nothing of its kinds \(checkConnectionStatus\) ran from its sending at [0-9:]{8} on that the run's completed workflows do not account for`,
			`  None of them ran: send them again with: lwf wait r-[0-9a-f]+ --resubmit-unknown\n`},
		// Its Date headers tell lwf by how much, and it judges as well.
		{"accepted, the server's clock 40s ahead", 40 * time.Second, true, `almost certainly accepted: 1 action matching its payload \(checkConnectionStatus\) ran at [0-9:]{8}, between those of #1 and #3, sent before and after it`,
			`  Sending them again \(lwf wait r-[0-9a-f]+ --resubmit-unknown\) would run them twice\.\n`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := sandbox.Options{Speed: 100 * time.Millisecond}
			if tc.ahead != 0 {
				opts.Clock = func() time.Time { return time.Now().Add(tc.ahead) }
			}
			tb := newTestbed(t, opts, urls("u", 3)...)
			tb.ahead = tc.ahead
			posts := dropPost(t, tb, 2, tc.processed)
			code, _, stderr := tb.lwf(tb.runArgs()...)
			want := regexp.MustCompile(`(?m)^unknown submissions \(1\): .*\n  #2: the request may have reached Linked API: POST /workflows: .*\n      ` + tc.verdict + "\n" +
				`  The account's activity says: 1 [a-z ]+ \(#2\)\. Nothing is sent again on its own\.\n` + tc.advice)
			if code != exitFindings || !want.MatchString(stderr) {
				t.Fatalf("exit %d, stderr:\n%s\nwant it to match:\n%s", code, stderr, want)
			}
			id, states := tb.runStates()
			if states["unknown"] != 1 || states["completed"] != 2 {
				t.Errorf("states %v", states)
			}
			if c := tb.srv.Sandbox.Counters(); posts() != 3 || c.Requests[sandbox.EndpointStats] != 1 {
				t.Errorf("%d POSTs and %d reads of the activity, want 3 and 1", posts(), c.Requests[sandbox.EndpointStats])
			}
			// lwf status shows the stored verdict, without asking anything.
			_, out, _ := tb.lwf("status", id, "--no-refresh")
			if !regexp.MustCompile(`(?m)^2 +unknown +- +just now +` + tc.verdict + `$`).MatchString(out) {
				t.Errorf("status:\n%s", out)
			}
			_, out, _ = tb.lwf("status", id, "--json", "--no-refresh")
			var doc struct {
				Workflows []struct{ Error, Verdict, Evidence string }
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Workflows) != 3 {
				t.Fatalf("status --json: %v\n%s", err, out)
			}
			w := doc.Workflows[1]
			if !strings.HasPrefix(w.Error, "the request may have reached Linked API: ") || !regexp.MustCompile("^"+tc.verdict+"$").MatchString(w.Verdict+": "+w.Evidence) {
				t.Errorf("status --json: workflow 2 = %+v", w)
			}
			// lwf wait judges again, with one more read, and sends nothing.
			code, _, stderr = tb.lwf("wait", id, "-q")
			if code != exitFindings || !want.MatchString(stderr) {
				t.Errorf("wait: exit %d\n%s", code, stderr)
			}
			if c := tb.srv.Sandbox.Counters(); posts() != 3 || c.DuplicatePayloads != 0 || c.Requests[sandbox.EndpointStats] != 2 {
				t.Errorf("after status and wait: %d POSTs, %d duplicates, %d reads of the activity", posts(), c.DuplicatePayloads, c.Requests[sandbox.EndpointStats])
			}
		})
	}
}

// TestUnknownSubmissionsAfterAnotherRun judges a run that starts right
// after another run of the account: the earlier run's actions show in the
// activity, and lwf accounts for them with its workflows instead of
// taking them for other work of the same kind.
func TestUnknownSubmissionsAfterAnotherRun(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{Speed: 100 * time.Millisecond}, urls("first", 3)...)
	dropPost(t, tb, 5, true)
	if code, _, stderr := tb.lwf(tb.runArgs("-q")...); code != exitOK {
		t.Fatalf("the first run: exit %d\n%s", code, stderr)
	}
	second, _ := json.Marshal(map[string]any{"people": urls("second", 3)})
	write(t, filepath.Join(tb.dir, "second.json"), string(second))
	code, _, stderr := tb.lwf("run", tb.file, "--inputs-file", filepath.Join(tb.dir, "second.json"), "--chunk-size", "1",
		"--poll-start", "5ms", "--poll-max", "20ms", "--rate", "0", "-q")
	want := regexp.MustCompile(`\n      almost certainly accepted: 1 action matching its payload \(checkConnectionStatus\) ran at [0-9:]{8}, between those of #1 and #3, sent before and after it\n`)
	if code != exitFindings || !want.MatchString(stderr) {
		t.Errorf("exit %d\n%s\nwant it to match %s", code, stderr, want)
	}
}
