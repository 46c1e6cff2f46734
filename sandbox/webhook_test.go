package sandbox

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
)

const adaURL = "https://www.linkedin.com/in/ada-lovelace"

// TestWebhookWorkflowEvents: a workflow's created, started and completed
// events arrive as the sandbox clock passes them, each with its own id
// and createdAt, the fat completed one carrying the workflow as GET shows
// it.
func TestWebhookWorkflowEvents(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHookHarness(t, rc, Options{Speed: time.Minute})
	t0 := h.clock.Now()
	id := h.submit(`{"actionType":"st.openPersonPage","personUrl":"` + adaURL + `"}`)
	rc.wait(1)
	h.advance(time.Minute) // it starts
	rc.wait(2)
	h.advance(time.Minute) // its one action is done
	got := rc.wait(3)
	h.settle()
	if n := len(rc.all()); n != 3 {
		t.Fatalf("%d deliveries:\n%s", n, types(rc.all()))
	}
	want := []struct {
		typ    string
		status linkedapi.Status
		at     time.Time
	}{
		{linkedapi.EventWorkflowCreated, linkedapi.StatusPending, t0},
		{linkedapi.EventWorkflowStarted, linkedapi.StatusRunning, t0.Add(time.Minute)},
		{linkedapi.EventWorkflowCompleted, linkedapi.StatusCompleted, t0.Add(2 * time.Minute)},
	}
	for i, w := range want {
		d := got[i].d
		if d.ID != w.typ+":"+id || d.Type != w.typ || !d.CreatedAt.Equal(w.at) || d.Workflow.WorkflowID != id ||
			d.Workflow.Status != w.status || d.Workflow.AccountID != AccountID(DefaultIdentificationToken) {
			t.Errorf("delivery %d: %s", i, got[i].raw)
		}
		if i < 2 && d.Workflow.Result != nil {
			t.Errorf("%s carries a result", d.Type)
		}
	}
	res, ok, err := got[2].d.Workflow.WorkflowResult()
	v := h.get(id)
	if err != nil || !ok || !jsonEqual(res.Completion, v.Completion) || res.WorkflowStatus != "completed" {
		t.Errorf("fat result %+v %v %v, GET completion %s", res, ok, err, v.Completion)
	}
	if !strings.Contains(got[0].raw, `"createdAt":"2026-03-04T10:00:00.000Z"`) {
		t.Errorf("createdAt not in the documented form: %s", got[0].raw)
	}
}

func jsonEqual(a, b []byte) bool {
	var x, y bytes.Buffer
	return json.Compact(&x, a) == nil && json.Compact(&y, b) == nil && x.String() == y.String()
}

// TestWebhookThinMode: in thin mode workflow.completed leaves the result
// out, and POST /admin/webhook.setPayloadMode switches modes.
func TestWebhookThinMode(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHookHarness(t, rc, Options{Webhook: WebhookOptions{PayloadMode: PayloadThin}})
	h.submit(`{"actionType":"st.retrieveSSI"}`)
	got := rc.wait(3)
	if got[2].d.Type != linkedapi.EventWorkflowCompleted || got[2].d.Workflow.Result != nil || strings.Contains(got[2].raw, "result") {
		t.Fatalf("thin completed: %s", got[2].raw)
	}
	if _, ok, _ := got[2].d.Workflow.WorkflowResult(); ok {
		t.Error("a thin delivery claims a result")
	}
	var hooks struct{ Webhooks []webhookReg }
	h.admin("webhook.get", "").result(t, &hooks)
	h.admin("webhook.setPayloadMode", `{"id":"`+hooks.Webhooks[0].ID+`","payloadMode":"fat"}`).result(t, new(any))
	h.submit(`{"actionType":"st.retrieveSSI"}`)
	got = rc.wait(6)
	if _, ok, err := got[5].d.Workflow.WorkflowResult(); !ok || err != nil {
		t.Fatalf("fat again: %s", got[5].raw)
	}
}

// TestWebhookFailedWorkflow: a workflow that fails at its start sends no
// started event, and its fat completed event carries the failure.
func TestWebhookFailedWorkflow(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHookHarness(t, rc, Options{AccountState: AccountSignedOut})
	id := h.submit(`{"actionType":"st.retrieveSSI"}`)
	got := rc.wait(2)
	h.settle()
	if n := len(rc.all()); n != 2 || got[0].d.Type != linkedapi.EventWorkflowCreated || got[1].d.Type != linkedapi.EventWorkflowCompleted {
		t.Fatalf("deliveries:\n%s", types(rc.all()))
	}
	res, ok, err := got[1].d.Workflow.WorkflowResult()
	if err != nil || !ok || res.WorkflowStatus != "failed" || res.Failure == nil || res.Failure.Reason != "linkedinAccountSignedOut" || res.WorkflowID != id {
		t.Fatalf("failed result %+v: %s", res, got[1].raw)
	}
}

// TestWebhookCancelledWorkflow: a cancelled workflow sends nothing after
// its creation (reference §1.6).
func TestWebhookCancelledWorkflow(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHookHarness(t, rc, Options{Speed: time.Minute})
	id := h.submit(`{"actionType":"st.retrieveSSI"}`)
	h.do("DELETE", "/workflows/"+id, "").result(t, new(any))
	h.advance(time.Hour)
	h.settle()
	if got := rc.all(); len(got) != 1 || got[0].d.Type != linkedapi.EventWorkflowCreated {
		t.Fatalf("deliveries:\n%s", types(got))
	}
}

// TestWebhookOnlyAfterRegistration: what happened before the webhook was
// set is not delivered; what happens after is.
func TestWebhookOnlyAfterRegistration(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHarness(t, Options{})
	t.Cleanup(h.sb.Close)
	h.run(`{"actionType":"st.retrieveSSI"}`)
	h.admin("webhook.set", `{"url":"`+rc.srv.URL+`"}`).result(t, new(any))
	h.settle()
	if got := rc.all(); len(got) != 0 {
		t.Fatalf("delivered what came before the webhook:\n%s", types(got))
	}
	id := h.submit(`{"actionType":"st.retrieveSSI"}`)
	got := rc.wait(3)
	for _, g := range got {
		if g.d.Workflow.WorkflowID != id {
			t.Errorf("a delivery of another workflow: %s", g.raw)
		}
	}
}

// strangers returns people the account is not connected with, responsive
// or not.
func (h *harness) strangers(responsive bool, n int) []string {
	h.t.Helper()
	var out []string
	for i := 0; len(out) < n && i < 100; i++ {
		for _, p := range at(h.t, h.run(`{"actionType":"st.searchPeople","term":"CTO `+string(rune('a'+i))+`","limit":20}`), "data").([]any) {
			u := at(h.t, p, "publicUrl").(string)
			if q := h.sb.gen.person(u); q.responsive == responsive && q.initialStatus == statusNotConnected && len(out) < n {
				out = append(out, u)
			}
		}
	}
	if len(out) < n {
		h.t.Fatal("not enough strangers")
	}
	return out
}

// TestWebhookConnectionAccepted: the people of AcceptAfter and Spread
// accept when the clock reaches their time, and each acceptance is
// delivered once, with the id and time POST /network/poll gives it; a
// request withdrawn first, and people who never accept, send nothing.
func TestWebhookConnectionAccepted(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHookHarness(t, rc, Options{AcceptAfter: 72 * time.Hour, Spread: 96 * time.Hour})
	h.run(`{"actionType":"st.syncNetwork"}`)
	yes, no := h.strangers(true, 4), h.strangers(false, 2)
	for _, u := range append(append([]string{}, yes...), no...) {
		h.run(`{"actionType":"st.sendConnectionRequest","personUrl":"` + u + `"}`)
	}
	h.run(`{"actionType":"st.withdrawConnectionRequest","personUrl":"` + yes[3] + `"}`)
	for i := 0; i < 40; i++ {
		h.advance(6 * time.Hour)
	}
	h.settle()
	var accepted []received
	for _, g := range rc.all() {
		if strings.HasPrefix(g.d.Type, "network.") {
			accepted = append(accepted, g)
		}
	}
	var poll struct{ Events []networkEvent }
	h.do("POST", "/network/poll", `{}`).result(t, &poll)
	if len(accepted) != 3 || len(poll.Events) != 3 {
		t.Fatalf("%d acceptances delivered, %d polled:\n%s", len(accepted), len(poll.Events), types(accepted))
	}
	sort.Slice(poll.Events, func(i, j int) bool { return poll.Events[i].DetectedAt < poll.Events[j].DetectedAt })
	for i, g := range accepted {
		e := poll.Events[i]
		if g.d.Type != linkedapi.EventNetworkConnectionAccepted || g.d.ID != "network.connectionAccepted:"+e.ID ||
			g.d.Connection.PersonURL != e.PersonURL || g.d.Connection.DetectedAt != e.DetectedAt || iso(g.d.CreatedAt) != e.DetectedAt {
			t.Errorf("delivery %s, polled %+v", g.raw, e)
		}
		if i > 0 && g.d.CreatedAt.Before(accepted[i-1].d.CreatedAt) {
			t.Errorf("out of clock order: %s after %s", g.d.CreatedAt, accepted[i-1].d.CreatedAt)
		}
	}
	for _, g := range accepted {
		for _, u := range append([]string{yes[3]}, no...) {
			if g.d.Connection.PersonURL == u {
				t.Errorf("an acceptance from %s", u)
			}
		}
	}
}

// TestWebhookNetworkNeedsASync: as for POST /network/poll, acceptances
// are seen only once st.syncNetwork ran.
func TestWebhookNetworkNeedsASync(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHookHarness(t, rc, Options{AcceptAfter: time.Hour})
	u := h.strangers(true, 1)[0]
	h.run(`{"actionType":"st.sendConnectionRequest","personUrl":"` + u + `"}`)
	h.advance(2 * time.Hour)
	h.settle()
	for _, g := range rc.all() {
		if strings.HasPrefix(g.d.Type, "network.") {
			t.Fatalf("an acceptance without a sync: %s", g.raw)
		}
	}
}

// TestWebhookRequestBeforeTheWebhook: a request sent before the webhook
// was set is accepted after it, and that acceptance is delivered.
func TestWebhookRequestBeforeTheWebhook(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHarness(t, Options{AcceptAfter: time.Hour, ReplyAfter: time.Hour})
	t.Cleanup(h.sb.Close)
	h.run(`{"actionType":"st.syncNetwork"}`)
	h.run(`{"actionType":"st.syncInbox"}`)
	u := h.strangers(true, 1)[0]
	h.run(`{"actionType":"st.sendConnectionRequest","personUrl":"` + u + `"}`)
	friend := h.connection(true, 0)
	h.run(`{"actionType":"st.sendMessage","personUrl":"` + friend + `","text":"Hello"}`)
	h.admin("webhook.set", `{"url":"`+rc.srv.URL+`"}`).result(t, new(any))
	h.advance(2 * time.Hour)
	got := rc.wait(2)
	h.settle()
	if len(rc.all()) != 2 || got[0].d.Type != linkedapi.EventNetworkConnectionAccepted || got[1].d.Type != linkedapi.EventInboxMessageReceived {
		t.Fatalf("deliveries:\n%s", types(rc.all()))
	}
}

// TestWebhookMessages: the account's own message is delivered as
// inbox.messageSent when it is sent, the answer of a ReplyAfter person as
// inbox.messageReceived when it arrives, each as POST /inbox/poll shows
// it; a message from before the inbox sync is not delivered (its answer,
// after the sync, is).
func TestWebhookMessages(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHookHarness(t, rc, Options{ReplyAfter: 2 * time.Hour})
	friend := h.connection(true, 0)
	h.run(`{"actionType":"st.sendMessage","personUrl":"` + friend + `","text":"before the sync"}`)
	h.advance(time.Minute)
	h.run(`{"actionType":"st.syncInbox"}`)
	h.advance(time.Hour)
	h.run(`{"actionType":"st.sendMessage","personUrl":"` + friend + `","text":"Shall we talk?"}`)
	h.settle()
	inbox := func() []received {
		var out []received
		for _, g := range rc.all() {
			if strings.HasPrefix(g.d.Type, "inbox.") {
				out = append(out, g)
			}
		}
		return out
	}
	if msgs := inbox(); len(msgs) != 1 || msgs[0].d.Type != linkedapi.EventInboxMessageSent || msgs[0].d.Message.Text != "Shall we talk?" {
		t.Fatalf("before the answers:\n%s", types(msgs))
	}
	h.advance(time.Hour) // the answer to the first message
	h.settle()
	h.advance(time.Hour) // the answer to the second
	h.settle()
	msgs := inbox()
	var poll struct{ Messages []inboxMessage }
	h.do("POST", "/inbox/poll", `{}`).result(t, &poll)
	if len(msgs) != 3 || len(poll.Messages) != 3 {
		t.Fatalf("delivered:\n%spolled %+v", types(msgs), poll.Messages)
	}
	for i, g := range msgs {
		m, p := g.d.Message, poll.Messages[2-i] // the poll is newest first
		if g.d.ID != g.d.Type+":"+p.ID || m.MessageID != p.ID || m.Text != p.Text || m.Sender != p.Sender || m.Time != p.Time ||
			m.ThreadID != p.ThreadID || m.PersonURL != friend || m.Type != "st" || iso(g.d.CreatedAt) != p.Time {
			t.Errorf("delivered %s, polled %+v", g.raw, p)
		}
	}
	if msgs[0].d.Message.Sender != "us" || msgs[1].d.Message.Sender != "them" || msgs[2].d.Message.Sender != "them" {
		t.Errorf("the answers are not the person's:\n%s", types(msgs))
	}
}
