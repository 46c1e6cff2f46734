package serve

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sequence"
)

// Webhooks: Linked API posts each event to the URL registered with lwf
// webhook set — lwf serve's /hooks/SECRET. Linked API signs nothing that
// its reference documents (§1.6), so the path's secret is what
// authenticates a delivery: whoever knows the URL can post events to it.
// A forged event can do little harm: a workflow's result is only taken
// for a workflow lwf submitted (by its id), other events only make the
// worker look at its feeds and accounts sooner, and an account event is
// checked against the account's own state before anything stops.
//
// A workflow's completion is handed to the drive that tracks the
// workflow at once (its result in fat mode; in thin mode, the drive reads
// it with one poll), and recorded with the drive's next group commit; the
// hub drops duplicates. The other deliveries lwf acts on are stored
// (deduplicated by their event id: retries and duplicates reuse it)
// before they are acknowledged, and acted on after:
//   - network.connectionAccepted, inbox.messageReceived: the worker makes
//     a pass at once, reading the feeds, so a sequence moves on now
//     rather than at its next tick;
//   - account.*: the account's state (reconnection required, frozen:
//     stopped; active: working again).
//
// The rest (a workflow created or started, a message the account sent, a
// test) are acknowledged and dropped.
//
// Polling stays the fallback: with webhooks, a workflow is first polled
// after WebhookGrace, so a lost delivery costs latency, never
// correctness.

// DefaultWebhookGrace is how long after its submission a workflow is
// first polled when webhooks are on: its result is expected sooner.
const DefaultWebhookGrace = 30 * time.Second

// minSecret is the shortest webhook path secret lwf serve accepts.
const minSecret = 24

// Hub holds the workflow results webhooks brought, for the drives
// (runner.Results).
type Hub struct {
	mu   sync.Mutex
	res  map[string]hubEntry
	subs map[chan struct{}]bool
}

type hubEntry struct {
	res *linkedapi.WorkflowResult // nil: finished, to be read with one poll
	at  time.Time
}

// hubKeep bounds how long a result waits in the hub for its drive.
const hubKeep = 6 * time.Hour

// Result implements runner.Results.
func (h *Hub) Result(id string) (*linkedapi.WorkflowResult, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.res[id]
	return e.res, ok
}

// Subscribe implements runner.Results.
func (h *Hub) Subscribe() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[chan struct{}]bool{}
	}
	h.subs[c] = true
	h.mu.Unlock()
	return c, func() {
		h.mu.Lock()
		delete(h.subs, c)
		h.mu.Unlock()
	}
}

// put records a workflow's result (nil: finished, read it) and wakes the
// drives; added says whether the hub learnt anything new.
func (h *Hub) put(id string, res *linkedapi.WorkflowResult, now time.Time) (added bool) {
	h.mu.Lock()
	if h.res == nil {
		h.res = map[string]hubEntry{}
	}
	if old, ok := h.res[id]; !ok || (old.res == nil && res != nil) {
		h.res[id] = hubEntry{res: res, at: now}
		added = true
	}
	for k, e := range h.res {
		if now.Sub(e.at) > hubKeep {
			delete(h.res, k)
		}
	}
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default:
		}
	}
	h.mu.Unlock()
	return added
}

// webhooks is the server's webhook endpoint and what acts on deliveries.
type webhooks struct {
	s   *Server
	hub *Hub
	// accounts maps Linked API's accountId to lwf's account hash.
	accounts map[string]string
	stored   chan struct{} // a delivery was stored
}

// ServeHTTP stores a delivery and acknowledges it; acting on it comes
// after.
func (h *webhooks) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := h.s.opts.Metrics
	d, err := linkedapi.ReadDelivery(r.Body)
	if err != nil {
		m.WebhookDelivery(WebhookRejected)
		http.Error(w, "not a Linked API delivery", http.StatusBadRequest)
		return
	}
	if !acted(d) {
		// Nothing to do (a workflow created or started, a message the
		// account sent, a test): acknowledged, not stored.
		m.WebhookDelivery(WebhookIgnored)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if d.Type == linkedapi.EventWorkflowCompleted && d.Workflow != nil {
		// A result goes straight to the drive that tracks the workflow,
		// which records it with its next group commit: were lwf to stop
		// before, the drive polls the workflow when it starts again.
		res, ok, err := d.Workflow.WorkflowResult()
		if err != nil {
			// A result lwf cannot read: acknowledged (a retry would bring
			// the same), and read with one poll as in thin mode.
			h.s.logf("webhook: %s: %v; the workflow is polled instead", clipID(d.ID), err)
			ok = false
		}
		if !ok {
			res = nil // thin: one poll reads it
		}
		if h.hub.put(d.Workflow.WorkflowID, res, time.Now()) {
			m.WebhookDelivery(WebhookResult)
		} else {
			m.WebhookDelivery(WebhookDuplicate)
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	rec := state.Delivery{ID: d.ID, Type: d.Type, Created: d.CreatedAt, Received: time.Now(), Body: mustJSON(d)}
	switch {
	case d.Workflow != nil:
		rec.AccountID, rec.WorkflowID = d.Workflow.AccountID, d.Workflow.WorkflowID
	case d.Account != nil:
		rec.AccountID = d.Account.AccountID
	case d.Message != nil:
		rec.AccountID = d.Message.AccountID
	case d.Connection != nil:
		rec.AccountID = d.Connection.AccountID
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	created, err := h.s.opts.Store.SaveDelivery(ctx, rec)
	if err != nil {
		// Not stored, not acknowledged: Linked API sends it again.
		h.s.logf("webhook: storing %s: %v", clipID(d.ID), err)
		http.Error(w, "the delivery could not be stored; send it again", http.StatusServiceUnavailable)
		return
	}
	if created {
		m.WebhookDelivery(WebhookStored)
		select {
		case h.stored <- struct{}{}:
		default:
		}
	} else {
		m.WebhookDelivery(WebhookDuplicate)
	}
	w.WriteHeader(http.StatusNoContent)
}

// process acts on the deliveries not acted on yet, whenever one is
// stored, until ctx ends.
func (h *webhooks) process(ctx context.Context) {
	for {
		h.processPending(ctx)
		select {
		case <-ctx.Done():
			return
		case <-h.stored:
		case <-time.After(time.Minute):
		}
	}
}

func (h *webhooks) processPending(ctx context.Context) {
	for ctx.Err() == nil {
		ds, err := h.s.opts.Store.Deliveries(ctx, time.Time{}, true, 200)
		if err != nil {
			h.s.logf("webhook: reading the deliveries: %v", err)
			return
		}
		if len(ds) == 0 {
			return
		}
		// Acting again on a delivery is harmless (a result put twice, one
		// more worker pass), so a batch is marked done after it is acted
		// on, in one transaction.
		ids := make([]string, len(ds))
		for i, d := range ds {
			h.act(ctx, d)
			ids[i] = d.ID
		}
		if err := h.s.opts.Store.DeliveryDone(ctx, ids...); err != nil {
			h.s.logf("webhook: %v", err)
			return
		}
	}
}

// acted says whether act does anything with a delivery.
func acted(d *linkedapi.Delivery) bool {
	switch {
	case d.Type == linkedapi.EventWorkflowCompleted && d.Workflow != nil:
		return true
	case d.Connection != nil, d.Message != nil && d.Message.Sender == "them":
		return true
	case d.Account != nil:
		return true
	}
	return false
}

// act does what a delivery says (see acted).
func (h *webhooks) act(ctx context.Context, rec state.Delivery) {
	d, err := linkedapi.ParseDelivery(rec.Body)
	if err != nil {
		h.s.logf("webhook: stored delivery %s: %v", clipID(rec.ID), err)
		return
	}
	now := time.Now()
	switch {
	case d.Type == linkedapi.EventWorkflowCompleted && d.Workflow != nil:
		res, ok, err := d.Workflow.WorkflowResult()
		if err != nil {
			h.s.logf("webhook: %v", err)
			return
		}
		if !ok {
			res = nil // thin: one poll reads it
		}
		h.hub.put(d.Workflow.WorkflowID, res, now)
	case d.Connection != nil, d.Message != nil && d.Message.Sender == "them":
		h.s.kickWorker()
	case d.Account != nil:
		acc, ok := h.accounts[d.Account.AccountID]
		if !ok {
			h.s.logf("webhook: %s for an account this lwf does not know (%s)", d.Type, clipID(d.Account.AccountID))
			return
		}
		st := state.AccountState{Account: acc, Updated: now, Since: now}
		switch d.Account.Status {
		case linkedapi.AccountStatusActive:
			// Working again: clears a stop for the account's trouble, not a
			// person's pause.
			sts, err := h.s.opts.Store.AccountStates(ctx)
			if err != nil {
				return
			}
			for _, old := range sts {
				if old.Account == acc && strings.HasPrefix(old.Stopped, sequence.StopSignedOut) {
					_ = h.s.opts.Store.SetAccountState(ctx, st)
				}
			}
		default:
			st.Stopped = sequence.StopSignedOut + ": " + d.Account.Status + " (Linked API's " + d.Type + ")"
			if err := h.s.opts.Store.SetAccountState(ctx, st); err != nil {
				h.s.logf("webhook: %v", err)
			}
		}
		h.s.kickWorker()
	}
}

// mustJSON is a delivery as lwf stores it.
func mustJSON(d *linkedapi.Delivery) []byte {
	b, err := json.Marshal(d)
	if err != nil {
		return []byte(`{}`)
	}
	return b
}

// clipID keeps an id from a hostile body short in logs.
func clipID(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// errNoSecret is returned for a webhook secret too short to be one.
var errNoSecret = errors.New("serve: the webhook path secret must be at least 24 characters")
