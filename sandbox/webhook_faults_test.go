package sandbox

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
)

// deliveriesOf returns the log's deliveries of one event.
func deliveriesOf(sb *Sandbox, eventID string) []Delivery {
	var out []Delivery
	for _, d := range sb.Deliveries() {
		if d.EventID == eventID {
			out = append(out, d)
		}
	}
	return out
}

// statuses lists the receiver statuses of a delivery's attempts.
func statuses(d Delivery) []int {
	var out []int
	for _, a := range d.Attempts {
		out = append(out, a.HTTP)
	}
	return out
}

// TestWebhookRetries: a non-2xx answer is retried, with the same body
// and event id, until the receiver takes it.
func TestWebhookRetries(t *testing.T) {
	rc := newReceiver(t, func(_ *http.Request, n int, _ *linkedapi.Delivery) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	})
	h := newHookHarness(t, rc, Options{Webhook: WebhookOptions{Backoff: time.Millisecond}})
	h.admin("webhook.sendTest", "").result(t, new(any))
	got := rc.wait(3)
	h.settle()
	if len(rc.all()) != 3 || got[0].raw != got[1].raw || got[1].raw != got[2].raw || got[0].d.ID != "webhook.test:1" {
		t.Fatalf("attempts:\n%s", types(rc.all()))
	}
	ds := deliveriesOf(h.sb, "webhook.test:1")
	if len(ds) != 1 || ds[0].Status != DeliverySuccess || !reflect.DeepEqual(statuses(ds[0]), []int{500, 500, 204}) ||
		ds[0].Attempts[0].Error != "HTTP 500" || ds[0].Attempts[2].Error != "" {
		t.Fatalf("log %+v", ds)
	}
	if c := h.sb.Counters(); c.WebhookAttempts != 3 || c.WebhookDeliveries != 1 {
		t.Errorf("counters %+v", c)
	}
}

// TestWebhookGivesUp: after the last attempt the delivery is failed, as
// the admin API shows it.
func TestWebhookGivesUp(t *testing.T) {
	rc := newReceiver(t, func(*http.Request, int, *linkedapi.Delivery) int { return http.StatusServiceUnavailable })
	h := newHookHarness(t, rc, Options{Webhook: WebhookOptions{Attempts: 3, Backoff: time.Millisecond}})
	h.admin("webhook.sendTest", "").result(t, new(any))
	rc.wait(3)
	h.settle()
	if n := len(rc.all()); n != 3 {
		t.Fatalf("%d attempts", n)
	}
	var res struct{ Deliveries []linkedapi.WebhookDelivery }
	h.admin("webhook.deliveries", "").result(t, &res)
	d := res.Deliveries[0]
	if len(res.Deliveries) != 1 || d.Status != linkedapi.DeliveryFailed || d.Attempts != 3 || d.ResponseStatusCode == nil ||
		*d.ResponseStatusCode != 503 || d.LastError == nil || *d.LastError != "HTTP 503" || d.EventID != "webhook.test:1" {
		t.Fatalf("admin deliveries: %+v", res.Deliveries)
	}
}

// TestWebhookTimeout: a receiver slower than the timeout has failed the
// attempt; the retry reaches it.
func TestWebhookTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	rc := newReceiver(t, func(r *http.Request, n int, _ *linkedapi.Delivery) int {
		if n == 1 {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		return http.StatusOK
	})
	h := newHookHarness(t, rc, Options{Webhook: WebhookOptions{Timeout: 50 * time.Millisecond, Backoff: time.Millisecond}})
	h.admin("webhook.sendTest", "").result(t, new(any))
	rc.wait(2)
	deadline := time.Now().Add(20 * time.Second)
	for {
		ds := deliveriesOf(h.sb, "webhook.test:1")
		if len(ds) == 1 && ds[0].Status == DeliverySuccess {
			if a := ds[0].Attempts; len(a) != 2 || a[0].Error != "timeout after 50ms" || a[0].HTTP != 0 || a[1].HTTP != 200 {
				t.Fatalf("attempts %+v", a)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("log %+v", ds)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestWebhookBackoff(t *testing.T) {
	o := WebhookOptions{Backoff: time.Second, MaxBackoff: 10 * time.Second}
	var got []time.Duration
	for n := 1; n <= 7; n++ {
		got = append(got, o.backoff(n))
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second, 10 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("backoff %v, want %v", got, want)
	}
	if d := (WebhookOptions{Backoff: time.Hour, MaxBackoff: 1 << 62}).backoff(64); d != 1<<62 {
		t.Errorf("an overflowing backoff: %v", d)
	}
}

// gate is a receiver whose first POST waits until the test opens it (or
// the sandbox gives up on it), so that the events the test makes meanwhile
// reach the delivery loop in one batch, whatever the machine's speed.
func gate(t *testing.T) (*receiver, func()) {
	open := make(chan struct{})
	rc := newReceiver(t, func(r *http.Request, n int, _ *linkedapi.Delivery) int {
		if n == 1 {
			select {
			case <-open:
			case <-r.Context().Done():
			}
		}
		return http.StatusOK
	})
	var once bool
	return rc, func() {
		if !once {
			once = true
			close(open)
		}
	}
}

// burst sends n test events behind a gated first one and returns the
// event ids in the order the receiver got them, the gate's own first.
func burst(t *testing.T, f Faults, n int) ([]string, *harness) {
	t.Helper()
	rc, open := gate(t)
	t.Cleanup(open)
	h := newHookHarness(t, rc, Options{Faults: f})
	for k := 1; len(rc.all()) == 0; k++ { // until one is not dropped
		h.admin("webhook.sendTest", "").result(t, new(any))
		deadline := time.Now().Add(20 * time.Second)
		for len(rc.all()) == 0 && !(len(deliveriesOf(h.sb, fmt.Sprintf("webhook.test:%d", k))) > 0 &&
			deliveriesOf(h.sb, fmt.Sprintf("webhook.test:%d", k))[0].Status == DeliveryDropped) {
			if time.Now().After(deadline) {
				t.Fatal("the gate's event never arrived")
			}
			time.Sleep(time.Millisecond)
		}
	}
	for i := 0; i < n; i++ {
		h.admin("webhook.sendTest", "").result(t, new(any))
	}
	open()
	h.settle()
	var ids []string
	for _, g := range rc.all() {
		ids = append(ids, strings.TrimPrefix(g.d.ID, "webhook.test:"))
	}
	return ids, h
}

// TestWebhookDuplicates: with WebhookDuplicate every event arrives twice,
// with the same id and body.
func TestWebhookDuplicates(t *testing.T) {
	ids, h := burst(t, Faults{WebhookDuplicate: 1}, 3)
	if want := []string{"1", "1", "2", "2", "3", "3", "4", "4"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("order %v, want %v", ids, want)
	}
	ds := deliveriesOf(h.sb, "webhook.test:2")
	if len(ds) != 2 || ds[0].Fault != "" || ds[1].Fault != "duplicate" || ds[0].ID == ds[1].ID {
		t.Fatalf("log %+v", ds)
	}
}

// TestWebhookReorder: with WebhookReorder every event is overtaken by the
// next one: they arrive in swapped pairs.
func TestWebhookReorder(t *testing.T) {
	ids, h := burst(t, Faults{WebhookReorder: 1}, 4)
	// The gate's own event, alone, waited out its hold.
	if want := []string{"1", "3", "2", "5", "4"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("order %v, want %v", ids, want)
	}
	if ds := deliveriesOf(h.sb, "webhook.test:2"); len(ds) != 1 || ds[0].Fault != "reorder" {
		t.Fatalf("log %+v", ds)
	}
}

// TestWebhookDrops: WebhookDrop drops its share of events, the same ones
// for the same seed; the log shows them, the admin API does not.
func TestWebhookDrops(t *testing.T) {
	const n = 60
	dropped := func(seed int64) ([]string, []string) {
		ids, h := burst(t, Faults{WebhookDrop: 0.2, Seed: seed}, n)
		var logged []string
		for _, d := range h.sb.Deliveries() {
			if d.Status == DeliveryDropped {
				logged = append(logged, strings.TrimPrefix(d.EventID, "webhook.test:"))
				if d.Fault != "drop" || len(d.Attempts) != 0 {
					t.Errorf("dropped %+v", d)
				}
			}
		}
		var res struct{ Deliveries []linkedapi.WebhookDelivery }
		h.admin("webhook.deliveries", "").result(t, &res)
		events := map[string]bool{}
		for _, d := range h.sb.Deliveries() {
			events[d.EventID] = true
		}
		if len(res.Deliveries)+len(logged) != len(events) || len(ids) != len(res.Deliveries) || len(events) < n+1 {
			t.Errorf("seed %d: %d events, %d delivered, %d in the admin list, %d dropped", seed, len(events), len(ids), len(res.Deliveries), len(logged))
		}
		if c := h.sb.Counters(); c.WebhookDropped != int64(len(logged)) {
			t.Errorf("counters %+v", c)
		}
		return ids, logged
	}
	ids1, drops1 := dropped(7)
	ids2, drops2 := dropped(7)
	_, drops3 := dropped(8)
	if !reflect.DeepEqual(drops1, drops2) || !reflect.DeepEqual(ids1, ids2) {
		t.Errorf("one seed, two outcomes: %v and %v", drops1, drops2)
	}
	if reflect.DeepEqual(drops1, drops3) {
		t.Errorf("two seeds drop the same events: %v", drops1)
	}
	if len(drops1) < n/10 || len(drops1) > n*3/10 {
		t.Errorf("%d of %d dropped for a share of 0.2", len(drops1), n)
	}
	for _, id := range ids1 {
		for _, d := range drops1 {
			if id == d {
				t.Errorf("dropped event %s was delivered", id)
			}
		}
	}
}

// TestWebhookFaultsDeterministic: one seed and one order of requests give
// the same deliveries, every fault at once.
func TestWebhookFaultsDeterministic(t *testing.T) {
	f := Faults{WebhookDrop: 0.2, WebhookDuplicate: 0.5, WebhookReorder: 0.5, Seed: 3}
	a, _ := burst(t, f, 30)
	b, _ := burst(t, f, 30)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("two runs:\n%v\n%v", a, b)
	}
	sorted := true
	for i := 1; i < len(a); i++ {
		var x, y int
		fmt.Sscan(a[i-1], &x)
		fmt.Sscan(a[i], &y)
		sorted = sorted && x <= y
	}
	if sorted {
		t.Errorf("nothing came out of order: %v", a)
	}
}

// TestWebhookDelay: WebhookDelay holds every delivery back.
func TestWebhookDelay(t *testing.T) {
	rc := newReceiver(t, nil)
	h := newHookHarness(t, rc, Options{Faults: Faults{WebhookDelay: time.Hour}})
	h.admin("webhook.sendTest", "").result(t, new(any))
	start := h.sb.hooks.passes.Load()
	for h.sb.hooks.passes.Load() < start+3 {
		h.sb.nudge()
		time.Sleep(time.Millisecond)
	}
	ds := deliveriesOf(h.sb, "webhook.test:1")
	if len(ds) != 1 || ds[0].Status != DeliveryPending || len(ds[0].Attempts) != 0 || len(rc.all()) != 0 {
		t.Fatalf("log %+v, received %d", ds, len(rc.all()))
	}
}

// TestWebhookConcurrency: with Concurrency 2 a receiver stuck on one
// delivery still gets the next; with the default, it waits.
func TestWebhookConcurrency(t *testing.T) {
	for _, conc := range []int{0, 2} {
		rc, open := gate(t)
		t.Cleanup(open)
		h := newHookHarness(t, rc, Options{Webhook: WebhookOptions{Concurrency: conc, Timeout: time.Minute}})
		h.admin("webhook.sendTest", "").result(t, new(any))
		rc.wait(1)
		h.admin("webhook.sendTest", "").result(t, new(any))
		if conc == 2 {
			rc.wait(2) // while the first is still held at the gate
		} else {
			for len(deliveriesOf(h.sb, "webhook.test:2")) == 0 {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond) // time enough for a second attempt, were one allowed
			if n := len(rc.all()); n != 1 {
				t.Errorf("one at a time, %d arrived while the first was held", n)
			}
		}
		open()
		rc.wait(2)
	}
}
