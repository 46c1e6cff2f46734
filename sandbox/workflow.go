package sandbox

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"time"
)

// Workflow statuses. "cancelled" is the sandbox's answer for a workflow
// cancelled with DELETE; the reference documents no status for it.
const (
	wfPending   = "pending"
	wfRunning   = "running"
	wfCompleted = "completed"
	wfFailed    = "failed"
	wfCancelled = "cancelled"
)

// workflow is one accepted workflow. Its schedule is computed lazily: a
// workflow starts when the clock passes max(acceptance + Speed, the end of
// the account's previous workflow), moved to the next opening of the
// working hours; it is executed then, and finishes Speed per action later.
type workflow struct {
	id         string
	acct       *account
	body       []byte // the definition as sent, until executed
	acceptedAt time.Time

	started bool
	start   time.Time // when it started (or failed before starting)
	finish  time.Time // when it finished; after start
	planned time.Time // while pending: the planned start, once known
	parked  bool      // the start waits for the working hours

	total      int             // actions executed
	completion json.RawMessage // once executed successfully
	failure    *failure        // once failed or cancelled
	events     []event         // effects on the account, in time order
	applied    int             // events applied so far

	cancelled bool
	done      bool // finished and applied; in the eviction heap
	evictAt   time.Time
	retiredAt int64 // s.seq when it was retired: the older first among equal evictAt
}

// failure is why a workflow failed as a whole.
type failure struct {
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// view is the result of GET /workflows/{id}.
type view struct {
	WorkflowID     string          `json:"workflowId"`
	WorkflowStatus string          `json:"workflowStatus"`
	PendingReason  string          `json:"pendingReason,omitempty"`
	Message        string          `json:"message,omitempty"`
	Completion     json.RawMessage `json:"completion,omitempty"`
	Failure        *failure        `json:"failure,omitempty"`
}

// viewAt is the workflow as the API shows it at now. The account must be
// advanced to now first.
func (w *workflow) viewAt(now time.Time, wh *WorkingHours) view {
	v := view{WorkflowID: w.id}
	switch {
	case w.cancelled:
		v.WorkflowStatus, v.Failure = wfCancelled, w.failure
	case !w.started:
		v.WorkflowStatus, v.PendingReason = wfPending, "queued"
		if w.parked && wh != nil {
			v.PendingReason, v.Message = errOutsideWorkingHours, wh.parkedMessage(w.planned)
		}
	case now.Before(w.finish):
		v.WorkflowStatus = wfRunning
		done := w.total
		if span := w.finish.Sub(w.start); span > 0 {
			done = int(int64(w.total) * int64(now.Sub(w.start)) / int64(span))
		}
		v.Message = fmt.Sprintf("%d of %d actions done", done, w.total)
	case w.failure != nil:
		v.WorkflowStatus, v.Failure = wfFailed, w.failure
	default:
		v.WorkflowStatus, v.Completion = wfCompleted, w.completion
	}
	return v
}

// advance brings an account's workflows up to now: starts and executes
// the ones whose time came, applies the effects the clock has passed and
// retires finished workflows. Callers hold s.mu.
func (s *Sandbox) advance(a *account, now time.Time) {
	for len(a.queue) > 0 {
		w := a.queue[0]
		if !w.started && !s.schedule(a, w, now) {
			return
		}
		w.applyUntil(a, now)
		if now.Before(w.finish) {
			return
		}
		a.queue = a.queue[1:]
		a.lastFinish = w.finish
		status := wfCompleted
		if w.failure != nil {
			status = wfFailed
		}
		s.emitWorkflow(w, "workflow.completed", status, w.finish)
		s.retire(w)
	}
	if s.held > s.opts.MaxHeldBytes {
		s.evict(now, 0, 0)
	}
}

// schedule starts w if its time came, and reports whether it did.
func (s *Sandbox) schedule(a *account, w *workflow, now time.Time) bool {
	ready := w.acceptedAt.Add(a.cfg.Speed)
	if a.lastFinish.After(ready) {
		ready = a.lastFinish
	}
	start := ready
	if wh := a.cfg.WorkingHours; wh != nil {
		start = wh.NextOpen(ready)
		w.parked = start.After(ready)
		if w.parked && wh.MaxWait > 0 && start.Sub(w.acceptedAt) > wh.MaxWait {
			expiry := w.acceptedAt.Add(wh.MaxWait)
			if now.Before(expiry) {
				w.planned = start
				return false
			}
			w.started, w.start, w.finish = true, expiry, expiry
			s.hold(w, nil, nil)
			w.failure = &failure{Reason: errWorkingHoursWaitExpired,
				Message: "The workflow waited too long for the account working hours; start it again inside them."}
			return true
		}
	}
	w.planned = start
	if start.After(now) {
		return false
	}
	s.execute(a, w, start)
	return true
}

// execute runs w at start: it fails at once for an account that cannot
// work, otherwise it computes the completion and the timed effects.
func (s *Sandbox) execute(a *account, w *workflow, start time.Time) {
	w.started, w.start, w.finish = true, start, start
	switch st := a.cfg.State; st {
	case AccountSignedOut:
		w.failure = &failure{Reason: string(st), Message: "The LinkedIn account is signed out in the cloud browser; reconnect it on the platform."}
	case AccountLanguageNotSupported:
		w.failure = &failure{Reason: string(st), Message: "The LinkedIn account's interface language is not supported."}
	default:
		// The body was checked at POST; it decodes the same way again.
		def, _ := decodeJSON(w.body)
		x := s.newExecution(a, start)
		s.hold(w, nil, marshal(x.run(def)))
		w.total, w.events = x.n, x.events
		w.finish = start.Add(time.Duration(x.n) * a.cfg.Speed)
		s.emitWorkflow(w, "workflow.started", wfRunning, start)
		total := int64(x.n)
		s.counters.add(func(c *Counters) { c.ActionsExecuted += total })
		return
	}
	s.hold(w, nil, nil)
}

// hold sets what w keeps in memory, its pending body and its completion,
// and keeps s.held, the bytes Options.MaxHeldBytes bounds, exact.
// Callers hold s.mu.
func (s *Sandbox) hold(w *workflow, body []byte, completion json.RawMessage) {
	s.held += int64(len(body)+len(completion)) - int64(len(w.body)+len(w.completion))
	w.body, w.completion = body, completion
}

// applyUntil applies the workflow's effects up to now.
func (w *workflow) applyUntil(a *account, now time.Time) {
	for w.applied < len(w.events) && !w.events[w.applied].at.After(now) {
		w.events[w.applied].apply(a)
		w.events[w.applied].apply = nil
		w.applied++
	}
	if w.applied == len(w.events) {
		w.events = nil
		w.applied = 0
	}
}

// retire marks a finished workflow done and schedules its eviction.
func (s *Sandbox) retire(w *workflow) {
	if w.done {
		return
	}
	w.done = true
	w.events = nil
	w.evictAt = w.finish.Add(s.opts.Retention)
	s.seq++
	w.retiredAt = s.seq
	heap.Push(&s.evictions, w)
	s.counters.add(func(c *Counters) {
		switch {
		case w.cancelled:
			c.WorkflowsCancelled++
		case w.failure != nil:
			c.WorkflowsFailed++
		default:
			c.WorkflowsCompleted++
		}
	})
}

// cancel stops w at now: a pending workflow never runs; a running one
// keeps the effects of the actions executed so far. It reports whether
// there was anything to cancel.
func (s *Sandbox) cancel(a *account, w *workflow, now time.Time) bool {
	if w.done || w.cancelled {
		return false
	}
	if w.started && !now.Before(w.finish) {
		return false
	}
	running := w.started
	w.applyUntil(a, now)
	w.cancelled = true
	w.failure = &failure{Reason: errWorkflowCancelled, Message: "The workflow was cancelled."}
	w.events, w.applied = nil, 0
	s.hold(w, nil, nil)
	if !running {
		w.started, w.start = true, now
	}
	w.finish = now
	for i, q := range a.queue {
		if q == w {
			a.queue = append(a.queue[:i], a.queue[i+1:]...)
			break
		}
	}
	if running { // the account is free for its next workflow from now on
		a.lastFinish = now
	}
	s.retire(w)
	return true
}

// evict drops the finished workflows whose retention ended, and when the
// store is full — room more workflows or bytes more would not fit — the
// oldest finished ones whatever their retention. Without a new workflow to
// make room for, the last finished one stays however large, so that a
// completion larger than the bound can still be read. Callers hold s.mu.
func (s *Sandbox) evict(now time.Time, room int, bytes int64) {
	for s.evictions.Len() > 0 {
		w := s.evictions[0]
		tooMany := len(s.workflows)+room > s.opts.MaxWorkflows
		tooLarge := s.held+bytes > s.opts.MaxHeldBytes && (room > 0 || s.evictions.Len() > 1)
		if w.evictAt.After(now) && !tooMany && !tooLarge {
			return
		}
		heap.Pop(&s.evictions)
		delete(s.workflows, w.id)
		s.hold(w, nil, nil)
		s.counters.add(func(c *Counters) { c.WorkflowsEvicted++ })
	}
}
