package sandbox

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
)

// TestWebhookAdminEndpoints: the emulated admin endpoints, with the
// workspace token alone, their results and their refusals.
func TestWebhookAdminEndpoints(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHarness(t, Options{})
	t.Cleanup(h.sb.Close)
	var none struct{ Webhooks []webhookReg }
	h.admin("webhook.get", "").result(t, &none)
	if none.Webhooks == nil || len(none.Webhooks) != 0 {
		t.Fatalf("webhooks before any: %+v", none)
	}
	h.admin("webhook.sendTest", "").wantError(t, http.StatusNotFound, "webhookNotFound")
	for _, bad := range []string{`{}`, `{"url":5}`, `{"url":"ftp://127.0.0.1/x"}`, `{"url":"https://hooks.example.com/x"}`,
		`{"url":"http://u:p@127.0.0.1/x"}`, `{"url":"http://127.0.0.1/x","payloadMode":"medium"}`, `[1]`} {
		h.admin("webhook.set", bad).wantError(t, http.StatusBadRequest, "invalidRequestPayload")
	}
	var set struct{ Webhook linkedapi.Webhook }
	h.admin("webhook.set", `{"url":"`+rc.srv.URL+`/x","payloadMode":"thin"}`).result(t, &set)
	w := set.Webhook
	if !strings.HasPrefix(w.ID, "whs-") || w.URL != rc.srv.URL+"/x" || w.PayloadMode != "thin" || !w.IsActive || w.CreatedAt != "2026-03-04T10:00:00.000Z" {
		t.Fatalf("set %+v", w)
	}
	h.admin("webhook.set", `{"url":"`+rc.srv.URL+`/y"}`).wantError(t, http.StatusConflict, "webhookAlreadyExists")
	var got struct{ Webhooks []linkedapi.Webhook }
	h.admin("webhook.get", "").result(t, &got)
	if !reflect.DeepEqual(got.Webhooks, []linkedapi.Webhook{w}) {
		t.Fatalf("get %+v", got)
	}
	h.admin("webhook.setPayloadMode", `{"id":"whs-other","payloadMode":"fat"}`).wantError(t, http.StatusNotFound, "webhookNotFound")
	h.admin("webhook.setPayloadMode", `{"id":"`+w.ID+`","payloadMode":"x"}`).wantError(t, http.StatusBadRequest, "invalidRequestPayload")
	h.admin("webhook.sendTest", "").result(t, new(any))
	first := rc.wait(1)[0]
	if first.d.Type != linkedapi.EventWebhookTest || first.d.Test.Message != testDeliveryMessage || first.d.ID != "webhook.test:1" {
		t.Fatalf("test delivery %s", first.raw)
	}
	h.settle()
	var ds struct{ Deliveries []linkedapi.WebhookDelivery }
	h.admin("webhook.deliveries", "").result(t, &ds)
	if len(ds.Deliveries) != 1 || ds.Deliveries[0].Status != "success" || ds.Deliveries[0].Attempts != 1 ||
		*ds.Deliveries[0].ResponseStatusCode != 200 || ds.Deliveries[0].LastError != nil {
		t.Fatalf("deliveries %+v", ds)
	}
	// A replay sends the same body again, as another delivery.
	h.admin("webhook.replayDelivery", `{"deliveryId":"whd-404"}`).wantError(t, http.StatusNotFound, "deliveryNotFound")
	h.admin("webhook.replayDelivery", `{"deliveryId":"`+ds.Deliveries[0].ID+`"}`).result(t, new(any))
	if again := rc.wait(2)[1]; again.raw != first.raw {
		t.Fatalf("replayed %s", again.raw)
	}
	h.settle()
	h.admin("webhook.deliveries", "").result(t, &ds)
	if len(ds.Deliveries) != 2 || ds.Deliveries[0].EventID != "webhook.test:1" || ds.Deliveries[0].ID == ds.Deliveries[1].ID {
		t.Fatalf("deliveries after the replay %+v", ds)
	}
	if log := h.sb.Deliveries(); !log[1].Replay || log[0].Replay {
		t.Errorf("log %+v", log)
	}
	// Delete takes the id; afterwards there is no webhook and a new one
	// may be set.
	h.admin("webhook.delete", `{"id":"whs-other"}`).wantError(t, http.StatusNotFound, "webhookNotFound")
	h.admin("webhook.delete", `{}`).wantError(t, http.StatusBadRequest, "invalidRequestPayload")
	r := h.admin("webhook.delete", `{"id":"`+w.ID+`"}`)
	if r.status != 200 || r.raw != `{"success":true,"result":{}}`+"\n" {
		t.Fatalf("delete: %s", r.raw)
	}
	h.admin("webhook.get", "").result(t, &got)
	if len(got.Webhooks) != 0 {
		t.Fatalf("after delete %+v", got)
	}
	h.admin("webhook.set", `{"url":"`+rc.srv.URL+`/z"}`).result(t, &set)
	if set.Webhook.ID == w.ID || set.Webhook.PayloadMode != "fat" {
		t.Fatalf("a new webhook %+v", set.Webhook)
	}
	// Authentication: the workspace token alone; a wrong method; an
	// endpoint the sandbox does not emulate.
	h.doWith("POST", "/admin/webhook.get", "", nil).wantError(t, http.StatusUnauthorized, "linkedApiTokenRequired")
	h.doWith("POST", "/admin/webhook.get", "", map[string]string{"linked-api-token": "nope"}).wantError(t, http.StatusUnauthorized, "invalidLinkedApiToken")
	h.do("POST", "/admin/webhook.get", "").result(t, &got) // an identification token does no harm
	if r := h.doWith("GET", "/admin/webhook.get", "", map[string]string{"linked-api-token": DefaultLinkedAPIToken}); r.status != 405 || r.header.Get("Allow") != "POST" {
		t.Fatalf("GET: %d %v", r.status, r.header)
	}
	h.admin("limits.get", `{}`).wantError(t, http.StatusNotFound, "notFound")
	if c := h.sb.Counters(); c.Requests[EndpointWebhookSet] != 10 || c.Requests[EndpointWebhookGet] != 6 {
		t.Errorf("counters %+v", c.Requests)
	}
}

// TestWebhookWorkspaces: each linked-api-token is a workspace with its
// own webhook, which gets its own accounts' events only.
func TestWebhookWorkspaces(t *testing.T) {
	a, b := newReceiver(t, nil), newReceiver(t, nil)
	h := newHarness(t, Options{Tokens: map[string][]string{"lat-a": {"idt-a1", "idt-a2"}, "lat-b": {"idt-b"}}})
	t.Cleanup(h.sb.Close)
	for ws, rc := range map[string]*receiver{"lat-a": a, "lat-b": b} {
		r := h.doWith("POST", "/admin/webhook.set", `{"url":"`+rc.srv.URL+`"}`, map[string]string{"linked-api-token": ws})
		r.result(t, new(any))
	}
	for _, id := range []string{"idt-a2", "idt-b"} {
		h.doWith("POST", "/workflows", `{"actionType":"st.retrieveSSI"}`, map[string]string{"linked-api-token": map[string]string{"idt-a2": "lat-a", "idt-b": "lat-b"}[id], "identification-token": id}).result(t, new(any))
	}
	ga, gb := a.wait(3), b.wait(3)
	h.settle()
	if len(a.all()) != 3 || len(b.all()) != 3 || ga[0].d.Workflow.AccountID != AccountID("idt-a2") || gb[0].d.Workflow.AccountID != AccountID("idt-b") {
		t.Fatalf("a:\n%sb:\n%s", types(a.all()), types(b.all()))
	}
	var accts struct{ Accounts []linkedapi.AdminAccount }
	h.doWith("POST", "/admin/accounts.getAll", "", map[string]string{"linked-api-token": "lat-a"}).result(t, &accts)
	want := []linkedapi.AdminAccount{
		{ID: AccountID("idt-a1"), Name: DefaultAccountName, URL: DefaultAccountURL, IdentificationToken: "idt-a1", Status: "active", ConnectedAt: "2026-03-04T10:00:00.000Z"},
		{ID: AccountID("idt-a2"), Name: DefaultAccountName, URL: DefaultAccountURL, IdentificationToken: "idt-a2", Status: "active", ConnectedAt: "2026-03-04T10:00:00.000Z"},
	}
	if !reflect.DeepEqual(accts.Accounts, want) {
		t.Fatalf("accounts %+v", accts.Accounts)
	}
}

// TestWebhookAccountEvents: an account whose status changes — signed out,
// frozen, reconnected — sends the account event of its new status, once;
// a state that leaves the status as it was sends nothing.
func TestWebhookAccountEvents(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHookHarness(t, rc, Options{})
	label := AccountLabel(DefaultIdentificationToken)
	if err := h.sb.SetAccountState(DefaultIdentificationToken, AccountSignedOut); err != nil {
		t.Fatal(err)
	}
	h.advance(time.Minute)
	r := h.control("POST", "/_sandbox/accounts", `{"account":"`+label+`","state":"subscriptionRequired"}`)
	if r.status != 200 || !strings.Contains(r.raw, `"status":"frozen"`) {
		t.Fatalf("control: %d %s", r.status, r.raw)
	}
	if err := h.sb.SetAccountState(DefaultIdentificationToken, AccountTrialLimitReached); err != nil { // active again
		t.Fatal(err)
	}
	if err := h.sb.SetAccountState(DefaultIdentificationToken, AccountPlusPlanRequired); err != nil { // still active
		t.Fatal(err)
	}
	got := rc.wait(3)
	h.settle()
	id := AccountID(DefaultIdentificationToken)
	want := []struct{ typ, status, id string }{
		{linkedapi.EventAccountReconnectionRequired, linkedapi.AccountStatusReconnectionRequired, "account.reconnectionRequired:" + id + ":1"},
		{linkedapi.EventAccountFrozen, linkedapi.AccountStatusFrozen, "account.frozen:" + id + ":2"},
		{linkedapi.EventAccountActive, linkedapi.AccountStatusActive, "account.active:" + id + ":3"},
	}
	if len(rc.all()) != 3 {
		t.Fatalf("deliveries:\n%s", types(rc.all()))
	}
	for i, w := range want {
		d := got[i].d
		if d.Type != w.typ || d.ID != w.id || d.Account.AccountID != id || d.Account.Status != w.status {
			t.Errorf("delivery %d: %s", i, got[i].raw)
		}
	}
	// Workflows see the state from now on.
	h.do("POST", "/workflows", `{"actionType":"st.retrieveSSI"}`).wantError(t, http.StatusForbidden, "plusPlanRequired")
	if err := h.sb.SetAccountState(DefaultIdentificationToken, AccountSignedOut); err != nil {
		t.Fatal(err)
	}
	if v := h.get(h.submit(`{"actionType":"st.retrieveSSI"}`)); v.Failure == nil || v.Failure.Reason != "linkedinAccountSignedOut" {
		t.Fatalf("signed out: %+v", v)
	}
	for _, bad := range []string{`{"account":"acct-none","state":""}`, `{"account":"` + label + `","state":"asleep"}`, `{}`, `[]`} {
		if r := h.control("POST", "/_sandbox/accounts", bad); r.status != 404 && r.status != 400 {
			t.Errorf("%s: %d %s", bad, r.status, r.raw)
		}
	}
	if r := h.control("GET", "/_sandbox/accounts", ""); r.status != 200 || !strings.Contains(r.raw, `"state":"linkedinAccountSignedOut","status":"reconnection_required"`) {
		t.Errorf("GET: %s", r.raw)
	}
	if err := h.sb.SetAccountState("idt-unknown", AccountSignedOut); err == nil {
		t.Error("an unknown token was accepted")
	}
}

// TestWebhookDeleteCancels: deleting the webhook cancels the deliveries
// not yet sent; the log keeps them.
func TestWebhookDeleteCancels(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHookHarness(t, rc, Options{Faults: Faults{WebhookDelay: time.Hour}})
	h.admin("webhook.sendTest", "").result(t, new(any))
	for len(deliveriesOf(h.sb, "webhook.test:1")) == 0 {
		h.sb.nudge()
		time.Sleep(time.Millisecond)
	}
	var got struct{ Webhooks []linkedapi.Webhook }
	h.admin("webhook.get", "").result(t, &got)
	h.admin("webhook.delete", `{"id":"`+got.Webhooks[0].ID+`"}`).result(t, new(any))
	ds := deliveriesOf(h.sb, "webhook.test:1")
	if len(ds) != 1 || ds[0].Status != DeliveryCancelled || len(rc.all()) != 0 {
		t.Fatalf("log %+v", ds)
	}
	var res struct{ Deliveries []linkedapi.WebhookDelivery }
	h.admin("webhook.deliveries", "").result(t, &res)
	if len(res.Deliveries) != 1 || res.Deliveries[0].Status != "failed" || res.Deliveries[0].LastError == nil {
		t.Fatalf("admin %+v", res.Deliveries)
	}
}

// TestWebhookLogHidesTheURL: a delivery that cannot connect says why,
// never the URL, whose path may be a secret.
func TestWebhookLogHidesTheURL(t *testing.T) {
	rc := newReceiver(t, nil)
	rc.srv.Close()
	h := newHookHarness(t, rc, Options{Webhook: WebhookOptions{Attempts: 1}})
	h.admin("webhook.sendTest", "").result(t, new(any))
	h.settle()
	ds := deliveriesOf(h.sb, "webhook.test:1")
	if len(ds) != 1 || ds[0].Status != DeliveryFailed || !strings.HasPrefix(ds[0].Attempts[0].Error, "no response: ") ||
		strings.Contains(ds[0].Attempts[0].Error, "0123456789abcdef") {
		t.Fatalf("log %+v", ds)
	}
	r := h.control("GET", "/_sandbox/deliveries", "")
	if r.status != 200 || strings.Contains(r.raw, "0123456789abcdef") || !strings.Contains(r.raw, `"status":"failed"`) {
		t.Fatalf("GET /_sandbox/deliveries: %s", r.raw)
	}
}

func TestWebhookOptions(t *testing.T) {
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{Webhook: WebhookOptions{URL: "127.0.0.1:9/x"}}, "webhook: the URL must be an absolute http or https URL"},
		{Options{Webhook: WebhookOptions{URL: "https://hooks.example.com/x"}}, `webhook: the sandbox delivers only to loopback addresses (127.0.0.1, ::1, localhost), not to "hooks.example.com"`},
		{Options{Webhook: WebhookOptions{URL: "http://127.0.0.1:9/", PayloadMode: "medium"}}, `webhook: payload mode "medium" is not fat or thin`},
		{Options{Webhook: WebhookOptions{Attempts: -1}}, "webhook: attempts and durations must not be negative"},
		{Options{Faults: Faults{WebhookDrop: 1.5}}, "the webhook drop share 1.5 is not between 0 and 1"},
		{Options{Faults: Faults{WebhookDelay: -time.Second}}, "fault durations must not be negative"},
	} {
		_, err := New(tt.opts)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%+v: %v, want %s", tt.opts.Webhook, err, tt.want)
		}
	}
	sb, err := New(Options{AllowNonLoopback: true, Webhook: WebhookOptions{URL: "https://hooks.example.com/x"}})
	if err != nil {
		t.Fatalf("a remote webhook with AllowNonLoopback: %v", err)
	}
	sb.Close()
	sb.Close() // twice is fine
}

// TestWebhookToTheSandboxReceiver: a sandbox can deliver to its own
// /_sandbox/receiver, which records what arrives.
func TestWebhookToTheSandboxReceiver(t *testing.T) {
	srv, err := Start(t.Context(), "127.0.0.1:0", Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	client, err := linkedapi.New(linkedapi.Options{BaseURL: srv.URL, LinkedAPIToken: DefaultLinkedAPIToken, RatePerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.SetWebhook(t.Context(), srv.URL+"/_sandbox/receiver", linkedapi.PayloadThin); err != nil {
		t.Fatal(err)
	}
	if err := client.SendTestWebhook(t.Context()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		ds, err := client.WebhookDeliveries(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 1 && ds[0].Status == linkedapi.DeliverySuccess {
			if *ds[0].ResponseStatusCode != http.StatusNoContent {
				t.Fatalf("delivery %+v", ds[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries %+v", ds)
		}
		time.Sleep(5 * time.Millisecond)
	}
	resp, err := http.Get(srv.URL + "/_sandbox/receiver")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []Received
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("received %+v", got)
	}
	d, err := linkedapi.ParseDelivery(got[0].Body)
	if err != nil || d.Type != linkedapi.EventWebhookTest || d.Test.Message != testDeliveryMessage {
		t.Fatalf("received %s: %v", got[0].Body, err)
	}
	if r := (&harness{t: t, sb: srv.Sandbox}).control("PUT", "/_sandbox/receiver", ""); r.status != 405 {
		t.Errorf("PUT: %d", r.status)
	}
}
