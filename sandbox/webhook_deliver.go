package sandbox

import (
	"bytes"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Delivery statuses in the delivery log. The admin API knows the first
// four; dropped and cancelled are the sandbox's own.
const (
	DeliveryPending    = "pending"    // waiting for its first attempt or its next retry
	DeliveryDelivering = "delivering" // an attempt is in flight
	DeliverySuccess    = "success"    // the receiver answered 2xx
	DeliveryFailed     = "failed"     // every attempt failed
	DeliveryDropped    = "dropped"    // Faults.WebhookDrop: never sent
	DeliveryCancelled  = "cancelled"  // the webhook was deleted before it was sent
)

// Delivery is one delivery of a webhook event: GET /_sandbox/deliveries
// lists them, oldest first. A retry is another attempt of the same
// delivery; a duplicate (Faults.WebhookDuplicate) and a replay are other
// deliveries of the same event, with the same EventID.
type Delivery struct {
	ID      string `json:"id"`      // "whd-1", "whd-2", … in the order they were made
	Webhook string `json:"webhook"` // the webhook's id ("whs-…")
	// Account labels the account the event is about (AccountLabel); empty
	// for webhook.test.
	Account     string `json:"account,omitempty"`
	EventID     string `json:"eventId"`
	EventType   string `json:"eventType"`
	EventTime   string `json:"eventTime"` // the event's createdAt, on the sandbox clock
	PayloadMode string `json:"payloadMode"`
	Status      string `json:"status"`
	// Fault says which webhook fault shaped the delivery: "duplicate"
	// (the second delivery of its event), "reorder" (held back until a
	// later event overtook it), "drop"; empty for none.
	Fault string `json:"fault,omitempty"`
	// Replay is true for a delivery made by POST /admin/webhook.replayDelivery.
	Replay   bool      `json:"replay,omitempty"`
	Attempts []Attempt `json:"attempts"`
}

// Attempt is one POST of a delivery to its webhook.
type Attempt struct {
	// Order counts every attempt of the sandbox, so tests can see in which
	// order the receiver was called.
	Order int64  `json:"order"`
	Time  string `json:"time"`             // real time, when the attempt ended
	HTTP  int    `json:"status,omitempty"` // the receiver's status; 0 when none came
	Error string `json:"error,omitempty"`  // why the attempt failed
}

// delivery is the live form of a Delivery.
type delivery struct {
	Delivery
	ws      string    // the workspace (linked-api-token)
	body    []byte    // nil once the delivery is done and its body was let go
	due     time.Time // real time of the next attempt
	order   int64     // orders deliveries due at the same time
	held    bool      // waiting for a later event to overtake it
	idx     int       // its place in the queue's heap; -1 when not queued
	created time.Time // sandbox clock, for the admin API
	updated time.Time
}

// maxKeptBodies bounds the bytes of the bodies of finished deliveries
// kept for POST /admin/webhook.replayDelivery; older ones are let go.
const maxKeptBodies = 32 << 20

// hookState is the webhooks' state: registrations, the queue and the
// log. Its own lock, never held while taking Sandbox.mu.
type hookState struct {
	mu        sync.Mutex
	regs      map[string]*webhookReg // by workspace
	queue     deliveryQueue          // waiting for an attempt, soonest first
	held      []*delivery            // held back by the reorder fault (also in queue)
	inFlight  int                    // attempts being made
	log       []*delivery            // every delivery, oldest first, at most DefaultDeliveryLog
	kept      []*delivery            // finished deliveries still holding their body, oldest first
	keptBytes int
	nextID    int64 // deliveries made
	nextReg   int64 // webhooks registered
	order     int64
	attempts  int64
	dice      *rand.Rand
	opts      WebhookOptions
	client    *http.Client

	passes  atomic.Int64 // turns of the delivery loop, for tests that wait for it
	wake    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	running bool
	closed  bool
}

func newHookState(o Options) *hookState {
	h := &hookState{
		regs: map[string]*webhookReg{},
		dice: rand.New(rand.NewPCG(uint64(o.Faults.Seed), 0x400c)),
		opts: o.Webhook,
		wake: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	h.client = &http.Client{
		Timeout:   o.Webhook.Timeout,
		Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 4, ResponseHeaderTimeout: o.Webhook.Timeout},
		// A receiver's redirect is not followed: any non-2xx is a failure.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return h
}

// nudge wakes the dispatcher; it never blocks.
func (s *Sandbox) nudge() {
	select {
	case s.hooks.wake <- struct{}{}:
	default:
	}
}

// register sets ws's webhook, unless it has one — then existing is that
// one — and starts deliveries if they had not started.
func (s *Sandbox) register(ws, rawURL, mode string) (reg webhookReg, existing *webhookReg) {
	now := s.now()
	h := s.hooks
	h.mu.Lock()
	closed := h.closed
	h.mu.Unlock()
	if !closed {
		s.mu.Lock()
		s.enableEvents(now)
		s.mu.Unlock()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if r := h.regs[ws]; r != nil {
		cp := *r
		return webhookReg{}, &cp
	}
	h.nextReg++
	r := &webhookReg{ID: fmt.Sprintf("whs-%016x", seeded("webhook", ws, strconv.FormatInt(h.nextReg, 10)).Uint64()),
		URL: rawURL, PayloadMode: mode, IsActive: true, CreatedAt: isoMillis(now), registeredAt: now}
	h.regs[ws] = r
	if !h.running && !h.closed {
		h.running = true
		go s.dispatch()
	}
	return *r, nil
}

// unregister deletes ws's webhook: its deliveries not yet sent are
// cancelled, the log keeps them.
func (s *Sandbox) unregister(ws string) {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.regs, ws)
	kept := h.queue[:0]
	for _, d := range h.queue {
		if d.ws == ws {
			d.Status, d.updated, d.idx = DeliveryCancelled, s.now(), -1
			d.body = nil
			continue
		}
		kept = append(kept, d)
	}
	h.queue = kept
	for i, d := range h.queue {
		d.idx = i
	}
	heap.Init(&h.queue)
}

// Close stops webhook deliveries (those in flight end first); the
// sandbox still answers requests. A sandbox with a webhook must be
// closed; Server.Close does it.
func (s *Sandbox) Close() {
	h := s.hooks
	h.mu.Lock()
	running := h.running
	if !h.closed {
		h.closed = true
		close(h.stop)
	}
	h.mu.Unlock()
	if running {
		<-h.done
	}
	s.mu.Lock()
	s.hooksOn, s.events, s.checks = false, nil, nil
	s.mu.Unlock()
}

// dispatch is the delivery loop: it turns events into deliveries and
// sends the due ones, WebhookOptions.Concurrency at a time — by default
// one, so that a seed and an order of requests always give the same
// deliveries in the same order.
func (s *Sandbox) dispatch() {
	h := s.hooks
	defer close(h.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-h.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	const idle = 50 * time.Millisecond // also catches clocks moved behind the sandbox's back
	slots := make(chan struct{}, h.opts.Concurrency)
	var inFlight sync.WaitGroup
	defer inFlight.Wait()
	for {
		h.passes.Add(1)
		evs, next := s.collect()
		s.enqueue(evs)
		d, wait := h.due(time.Now())
		if d != nil {
			select {
			case slots <- struct{}{}:
			case <-h.stop:
				h.mu.Lock()
				d.Status = DeliveryPending
				h.inFlight--
				h.mu.Unlock()
				return
			}
			inFlight.Add(1)
			go func() {
				defer inFlight.Done()
				s.attempt(ctx, d)
				<-slots
				s.nudge()
			}()
			continue
		}
		if !next.IsZero() {
			wait = min(wait, next.Sub(s.now()))
		}
		t := time.NewTimer(max(min(wait, idle), time.Millisecond))
		select {
		case <-h.stop:
			t.Stop()
			return
		case <-h.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// enqueue makes the deliveries of new events and rolls their faults: for
// each event, in order, one roll each for drop, duplicate and reorder.
func (s *Sandbox) enqueue(evs []hookEvent) {
	if len(evs) == 0 {
		return
	}
	h := s.hooks
	f := s.opts.Faults
	wall := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range evs {
		drop, dup, reorder := h.dice.Float64() < f.WebhookDrop, h.dice.Float64() < f.WebhookDuplicate, h.dice.Float64() < f.WebhookReorder
		for _, ws := range s.workspacesOf(e) {
			reg := h.regs[ws]
			if reg == nil || e.at.Before(reg.registeredAt) {
				continue
			}
			d := h.newDelivery(s, ws, reg, e, wall.Add(f.WebhookDelay))
			if drop {
				d.Status, d.Fault, d.body = DeliveryDropped, "drop", nil
				s.counters.add(func(c *Counters) { c.WebhookDropped++ })
				continue
			}
			// A delivery that overtakes held ones is never held itself:
			// with every event reordered, they arrive in swapped pairs.
			if h.overtake(d) == 0 && reorder {
				d.held, d.Fault = true, "reorder"
				d.due = wall.Add(max(f.WebhookDelay, DefaultWebhookReorderHold))
				h.held = append(h.held, d)
			}
			heap.Push(&h.queue, d)
			made := int64(1)
			if dup {
				c := h.newDelivery(s, ws, reg, e, d.due)
				c.Fault = "duplicate"
				heap.Push(&h.queue, c)
				made++
			}
			s.counters.add(func(c *Counters) { c.WebhookDeliveries += made })
		}
	}
}

// workspacesOf lists the workspaces an event goes to: those whose token
// accepts the event's account.
func (s *Sandbox) workspacesOf(e hookEvent) []string {
	if e.ws != "" {
		return []string{e.ws}
	}
	var out []string
	for ws, ids := range s.tokens {
		if ids[e.token] {
			out = append(out, ws)
		}
	}
	sort.Strings(out)
	return out
}

// newDelivery makes a delivery of e to reg, due at due. Callers hold
// h.mu.
func (h *hookState) newDelivery(s *Sandbox, ws string, reg *webhookReg, e hookEvent, due time.Time) *delivery {
	data := e.data
	if reg.PayloadMode == PayloadFat && e.fat != nil {
		data = e.fat
	}
	body, _ := json.Marshal(struct {
		ID        string `json:"id"`
		Type      string `json:"type"`
		CreatedAt string `json:"createdAt"`
		Data      any    `json:"data"`
	}{e.id, e.typ, isoMillis(e.at), data})
	h.nextID++
	h.order += 2
	d := &delivery{
		Delivery: Delivery{ID: "whd-" + strconv.FormatInt(h.nextID, 10), Webhook: reg.ID, Account: e.account, EventID: e.id,
			EventType: e.typ, EventTime: isoMillis(e.at), PayloadMode: reg.PayloadMode, Status: DeliveryPending, Attempts: []Attempt{}},
		ws: ws, body: body, due: due, order: h.order, idx: -1, created: s.now(), updated: s.now(),
	}
	h.log = append(h.log, d)
	if len(h.log) > DefaultDeliveryLog {
		h.log[0] = nil
		h.log = h.log[1:]
	}
	return d
}

// overtake releases the held deliveries of d's webhook to go right after
// d, and returns how many there were. Callers hold h.mu.
func (h *hookState) overtake(d *delivery) int {
	n := 0
	still := h.held[:0]
	for _, q := range h.held {
		switch {
		case !q.held || q.idx < 0: // its hold ran out, or it was cancelled
		case q.ws == d.ws:
			q.held, q.due, q.order = false, d.due, d.order+1
			heap.Fix(&h.queue, q.idx)
			n++
		default:
			still = append(still, q)
		}
	}
	clear(h.held[len(still):])
	h.held = still
	return n
}

// due returns the next delivery whose time came, or how long until one
// does.
func (h *hookState) due(now time.Time) (*delivery, time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.queue) == 0 {
		return nil, time.Hour
	}
	if best := h.queue[0]; best.due.After(now) {
		return nil, best.due.Sub(now)
	}
	best := heap.Pop(&h.queue).(*delivery)
	best.Status, best.held = DeliveryDelivering, false
	h.inFlight++
	return best, 0
}

// attempt POSTs d once and records the outcome: done on 2xx, retried
// with a doubling wait otherwise, failed after the last attempt.
func (s *Sandbox) attempt(ctx context.Context, d *delivery) {
	h := s.hooks
	h.mu.Lock()
	reg := h.regs[d.ws]
	body := d.body
	h.mu.Unlock()
	status, errText := 0, "the webhook was deleted"
	if reg != nil && reg.ID == d.Webhook {
		status, errText = s.post(ctx, reg.URL, body)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.attempts++
	h.inFlight--
	d.Attempts = append(d.Attempts, Attempt{Order: h.attempts, Time: time.Now().UTC().Format(time.RFC3339Nano), HTTP: status, Error: errText})
	d.updated = s.now()
	s.counters.add(func(c *Counters) { c.WebhookAttempts++ })
	switch {
	case errText == "":
		d.Status = DeliverySuccess
	case reg == nil || reg.ID != d.Webhook || len(d.Attempts) >= h.opts.Attempts:
		d.Status = DeliveryFailed
	default:
		d.Status = DeliveryPending
		d.due = time.Now().Add(h.opts.backoff(len(d.Attempts)))
		if h.regs[d.ws] != nil && h.regs[d.ws].ID == d.Webhook {
			heap.Push(&h.queue, d)
		} else { // deleted while the attempt was in flight
			d.Status = DeliveryCancelled
		}
		return
	}
	h.keep(d)
}

// deliveryQueue is a heap of deliveries by due time, then order.
type deliveryQueue []*delivery

// Len implements heap.Interface.
func (q deliveryQueue) Len() int { return len(q) }

// Less implements heap.Interface.
func (q deliveryQueue) Less(i, j int) bool {
	if !q[i].due.Equal(q[j].due) {
		return q[i].due.Before(q[j].due)
	}
	return q[i].order < q[j].order
}

// Swap implements heap.Interface.
func (q deliveryQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].idx, q[j].idx = i, j
}

// Push implements heap.Interface.
func (q *deliveryQueue) Push(x any) {
	d := x.(*delivery)
	d.idx = len(*q)
	*q = append(*q, d)
}

// Pop implements heap.Interface.
func (q *deliveryQueue) Pop() any {
	old := *q
	d := old[len(old)-1]
	old[len(old)-1] = nil
	d.idx = -1
	*q = old[:len(old)-1]
	return d
}

var _ heap.Interface = (*deliveryQueue)(nil)

// keep holds a finished delivery's body for replays, within
// maxKeptBodies. Callers hold h.mu.
func (h *hookState) keep(d *delivery) {
	h.kept = append(h.kept, d)
	h.keptBytes += len(d.body)
	for h.keptBytes > maxKeptBodies && len(h.kept) > 0 {
		h.keptBytes -= len(h.kept[0].body)
		h.kept[0].body = nil
		h.kept[0] = nil
		h.kept = h.kept[1:]
	}
}

// post sends one attempt and returns the receiver's status and, when the
// attempt failed, why.
func (s *Sandbox) post(ctx context.Context, target string, body []byte) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, s.hooks.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, "the webhook URL cannot be used"
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "lwf-sandbox")
	resp, err := s.hooks.client.Do(req)
	if err != nil {
		// The URL may hold a secret path: the log says what failed, not
		// where.
		var ue *url.Error
		if errors.As(err, &ue) {
			if ue.Timeout() {
				return 0, "timeout after " + s.hooks.opts.Timeout.String()
			}
			err = ue.Err
		}
		return 0, "no response: " + err.Error()
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, "HTTP " + strconv.Itoa(resp.StatusCode)
	}
	return resp.StatusCode, ""
}

// Deliveries returns the webhook deliveries the sandbox made, oldest
// first, at most DefaultDeliveryLog of them.
func (s *Sandbox) Deliveries() []Delivery {
	h := s.hooks
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]Delivery, len(h.log))
	for i, d := range h.log {
		out[i] = d.Delivery
		out[i].Attempts = append([]Attempt{}, d.Attempts...)
	}
	return out
}
