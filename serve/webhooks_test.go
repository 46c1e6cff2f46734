package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
)

const testSecret = "0123456789abcdef0123456789abcdef"

// hookBed is a bed whose sandbox delivers webhooks to a server that will
// listen on ln.
func hookBed(t *testing.T, opts sandbox.Options, leads int) (*bed, net.Listener) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	opts.Webhook.URL = "http://" + ln.Addr().String() + "/hooks/" + testSecret
	return newBed(t, opts, leads), ln
}

// runServer runs the server on ln until the test ends.
func runServer(t *testing.T, s *Server, ln net.Listener) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
}

// waitFor polls cond every 20 ms for at most d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within %s", what, d)
}

// TestWebhookFaults: the sandbox delivers every event twice, holds events
// back until later ones overtook them, and drops a fifth of them; every
// workflow still completes once in the store, and the only polls are
// those of the workflows whose completion was dropped.
func TestWebhookFaults(t *testing.T) {
	for _, mode := range []string{sandbox.PayloadFat, sandbox.PayloadThin} {
		t.Run(mode, func(t *testing.T) {
			b, ln := hookBed(t, sandbox.Options{Speed: 10 * time.Millisecond,
				Webhook: sandbox.WebhookOptions{PayloadMode: mode, Concurrency: 4},
				Faults:  sandbox.Faults{Seed: 7, WebhookDuplicate: 1, WebhookReorder: 1, WebhookDrop: 0.2}}, 0)
			const n = 30
			var payloads []json.RawMessage
			for i := range n {
				payloads = append(payloads, json.RawMessage(fmt.Sprintf(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/hook-%d"}`, i)))
			}
			key, _ := state.RunKey(b.account, payloads)
			run, _, err := b.db.Attach(context.Background(), state.Run{Key: key, Name: "hooks", Account: b.account, Endpoint: b.sb.URL, Created: time.Now()}, payloads, false)
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(Options{Store: b.db, Accounts: b.accounts, Metrics: b.metrics, Clock: b.clock(), PollEvery: 50 * time.Millisecond,
				WebhookSecret: testSecret, WebhookGrace: 5 * time.Second, Policy: b.policyWith(0), Logf: t.Logf})
			if err != nil {
				t.Fatal(err)
			}
			runServer(t, s, ln)
			waitFor(t, 60*time.Second, "every workflow completed", func() bool {
				c, _, err := b.db.Counts(context.Background(), run.ID)
				return err == nil && c.ByState[state.Completed] == n
			})
			// Completed once each: one "finished" event per workflow.
			evs, err := b.db.Events(context.Background(), run.ID, 10000)
			if err != nil {
				t.Fatal(err)
			}
			finished := map[int]int{}
			for _, e := range evs {
				if e.Kind == state.EventFinished {
					finished[e.Index]++
				}
			}
			for i := range n {
				if finished[i] != 1 {
					t.Errorf("workflow %d finished %d times", i, finished[i])
				}
			}
			dropped, dups := 0, 0
			for _, d := range b.sb.Sandbox.Deliveries() {
				if d.EventType != "workflow.completed" {
					continue
				}
				switch d.Fault {
				case "drop":
					dropped++
				case "duplicate":
					dups++
				}
			}
			polls := int(b.sb.Sandbox.Counters().Requests[sandbox.EndpointGetWorkflow])
			want := dropped // fat: a poll for each dropped completion
			if mode == sandbox.PayloadThin {
				want = n // thin: every completion is read with one poll
			}
			if polls != want || dropped == 0 || dups == 0 {
				t.Errorf("%d polls for %d workflows, %d completions dropped and %d duplicated: want %d polls", polls, n, dropped, dups, want)
			}
			// Completions go to the drives, not to the store; the
			// workflows' other events are dropped: nothing is stored.
			stored, err := b.db.Deliveries(context.Background(), time.Time{}, false, 10*n)
			if err != nil || len(stored) != 0 {
				t.Errorf("%d deliveries stored (%v), want none", len(stored), err)
			}
			code, body, _ := get(t, s.Handler(), "/metrics")
			if code != http.StatusOK || !strings.Contains(body, `lwf_webhook_deliveries_total{outcome="result"}`) || !strings.Contains(body, `lwf_webhook_deliveries_total{outcome="ignored"}`) {
				t.Errorf("metrics: %d, no result or ignored deliveries counted", code)
			}
			t.Logf("%s: %d workflows, %d completions dropped, %d duplicated, %d polls", mode, n, dropped, dups, polls)
		})
	}
}

// policyWith is the bed's policy with PollStart left to the server (0:
// the webhook grace).
func (b *bed) policyWith(start time.Duration) (p runner.Policy) {
	p = b.policy()
	p.PollStart, p.PollMax = start, time.Second
	return p
}

// TestReplyWebhookStopsTheSequenceAtOnce: a reply, delivered by webhook,
// stops a lead at once — the server's worker would otherwise look again
// only an hour later — well before the lead's next step is due.
func TestReplyWebhookStopsTheSequenceAtOnce(t *testing.T) {
	b, ln := hookBed(t, sandbox.Options{ReplyAfter: 30 * time.Minute}, 0)
	const seq = `version: 1
name: connect-thanks
inputs:
  leads: {type: array, items: {type: object, properties: {url: {type: string}}}}
sequence:
  leads: ${{ inputs.leads }}
  key: ${{ lead.url }}
  steps:
    - id: hello
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Hello!
    - id: follow-up
      after: 3d
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Any news?
  exitWhen: [replied]
`
	var rows []map[string]string
	for i := range 4 {
		rows = append(rows, map[string]string{"url": fmt.Sprintf("https://www.linkedin.com/in/friend-%d-already-connected", i)})
	}
	b.register("seq.yaml", seq, rows)
	s, err := New(Options{Store: b.db, Accounts: b.accounts, Metrics: b.metrics, Clock: b.clock(), PollEvery: time.Hour,
		WebhookSecret: testSecret, WebhookGrace: 5 * time.Second, Policy: b.policyWith(0), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	runServer(t, s, ln)
	leads := func(status state.LeadStatus) int {
		ls, _ := b.db.Leads(context.Background(), b.account, "connect-thanks")
		n := 0
		for _, l := range ls {
			if l.Status == status {
				n++
			}
		}
		return n
	}
	// The first pass sends the hellos; the next would be an hour away.
	// A lead is active once its hello is submitted; the reply is timed from
	// when the sandbox carries the message out, so wait for that too.
	waitFor(t, 30*time.Second, "the hellos sent", func() bool {
		hellos := 0
		for _, w := range b.sb.Sandbox.Writes() {
			if w.Text == "Hello!" {
				hellos++
			}
		}
		return leads(state.LeadActive) == 4 && hellos == 4
	})
	start := b.sb.Sandbox.Now()
	if _, err := b.sb.Sandbox.AdvanceClock(time.Hour); err != nil {
		t.Fatal(err)
	}
	// Responsive people answer after 30 minutes: their replies come by
	// webhook and stop them; the others still wait for the follow-up.
	waitFor(t, 20*time.Second, "the repliers stopped", func() bool { return leads(state.LeadExited) > 0 })
	if now := b.sb.Sandbox.Now(); now.Sub(start) > 2*time.Hour {
		t.Errorf("stopped %s after the hellos: the follow-up was due after 3 days, and this should be at once", now.Sub(start))
	}
	for _, w := range b.sb.Sandbox.Writes() {
		if w.Text == "Any news?" {
			t.Errorf("a follow-up went to %s", w.Target)
		}
	}
	code, body, _ := get(t, s.Handler(), "/metrics")
	if code != http.StatusOK || !strings.Contains(body, `lwf_webhook_deliveries_total{outcome="stored"}`) {
		t.Errorf("metrics: %d", code)
	}
}

// TestSequenceUnderWebhookFaults: with acceptances delivered twice, out
// of order and a fifth of them dropped, every lead of a sequence advances
// once per event — one invitation and, once accepted, one thank-you each —
// and the dropped ones are found by the worker's own look at the feed.
func TestSequenceUnderWebhookFaults(t *testing.T) {
	const n = 20
	b, ln := hookBed(t, sandbox.Options{Webhook: sandbox.WebhookOptions{Concurrency: 4},
		Faults: sandbox.Faults{Seed: 11, WebhookDuplicate: 1, WebhookReorder: 1, WebhookDrop: 0.2}}, n)
	s, err := New(Options{Store: b.db, Accounts: b.accounts, Metrics: b.metrics, Clock: b.clock(), PollEvery: 200 * time.Millisecond,
		WebhookSecret: testSecret, WebhookGrace: 5 * time.Second, Policy: b.policyWith(0), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	runServer(t, s, ln)
	writes := func(action string) map[string]int {
		out := map[string]int{}
		for _, w := range b.sb.Sandbox.Writes() {
			if w.Action == action {
				out[w.Target]++
			}
		}
		return out
	}
	leads := func() map[state.LeadStatus]int {
		ls, _ := b.db.Leads(context.Background(), b.account, "connect-thanks")
		out := map[state.LeadStatus]int{}
		for _, l := range ls {
			out[l.Status]++
		}
		return out
	}
	waitFor(t, 30*time.Second, "the invitations sent", func() bool {
		return len(writes("st.sendConnectionRequest")) == n && leads()[state.LeadWaiting] == n
	})
	// The responsive accept after 20 hours; the thanks are due an hour
	// after each acceptance is seen. The clock moves on by half-hours
	// until every lead is either thanked or still waiting, however slowly
	// the worker sees what happened.
	if _, err := b.sb.Sandbox.AdvanceClock(21 * time.Hour); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the accepted thanked", func() bool {
		st := leads()
		if st[state.LeadDone] > 0 && st[state.LeadDone]+st[state.LeadWaiting] == n {
			return true
		}
		if _, err := b.sb.Sandbox.AdvanceClock(30 * time.Minute); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
		return false
	})
	st := leads()
	for person, k := range writes("st.sendConnectionRequest") {
		if k != 1 {
			t.Errorf("%s invited %d times", person, k)
		}
	}
	thanks := writes("st.sendMessage")
	for person, k := range thanks {
		if k != 1 {
			t.Errorf("%s thanked %d times", person, k)
		}
	}
	if len(thanks) != st[state.LeadDone] {
		t.Errorf("%d people thanked, %d leads done", len(thanks), st[state.LeadDone])
	}
	accepted, dropped, dups := 0, 0, 0
	for _, d := range b.sb.Sandbox.Deliveries() {
		if d.EventType != "network.connectionAccepted" {
			continue
		}
		accepted++
		switch d.Fault {
		case "drop":
			dropped++
		case "duplicate":
			dups++
		}
	}
	if accepted == 0 || dups == 0 {
		t.Errorf("%d acceptance deliveries, %d duplicated: the faults did not strike", accepted, dups)
	}
	t.Logf("%d leads thanked, %d waiting; %d acceptance deliveries, %d dropped, %d duplicated", st[state.LeadDone], st[state.LeadWaiting], accepted, dropped, dups)
}

// TestUnreadableResultIsPolled: a completion whose result lwf cannot read
// is acknowledged (a retry would bring the same) and left to one poll;
// a good one that follows is taken.
func TestUnreadableResultIsPolled(t *testing.T) {
	db, err := sqlstore.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(Options{Store: db, WebhookSecret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	deliver := func(body string) int {
		req := httptest.NewRequest("POST", "http://127.0.0.1:8787/hooks/"+testSecret, strings.NewReader(body))
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	bad := `{"id":"workflow.completed:wf-9","type":"workflow.completed","createdAt":"2026-06-25T12:00:00Z",` +
		`"data":{"workflowId":"wf-9","accountId":"acc-1","status":"completed","result":{"workflowId":"wf-other","workflowStatus":"completed"}}}`
	if code := deliver(bad); code != http.StatusNoContent {
		t.Fatalf("an unreadable result answered %d, want 204 (a retry would bring the same)", code)
	}
	if res, ok := s.hooks.hub.Result("wf-9"); !ok || res != nil {
		t.Fatalf("hub: %v %v, want the workflow left to one poll", res, ok)
	}
	good := `{"id":"workflow.completed:wf-9","type":"workflow.completed","createdAt":"2026-06-25T12:00:00Z",` +
		`"data":{"workflowId":"wf-9","accountId":"acc-1","status":"completed","result":{"workflowId":"wf-9","workflowStatus":"completed","completion":{"actionType":"st.retrieveSSI","success":true}}}}`
	if code := deliver(good); code != http.StatusNoContent {
		t.Fatalf("a good result answered %d", code)
	}
	if res, ok := s.hooks.hub.Result("wf-9"); !ok || res == nil {
		t.Fatalf("hub: %v %v, want the result", res, ok)
	}
	if code := deliver(`{"id":`); code != http.StatusBadRequest {
		t.Errorf("a body that is no delivery answered %d, want 400", code)
	}
}
