package sandbox

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	hexenc "encoding/hex"
	"fmt"
	"net/http"
)

// started is the result of POST /workflows.
type started struct {
	WorkflowID     string `json:"workflowId"`
	WorkflowStatus string `json:"workflowStatus"`
	PendingReason  string `json:"pendingReason,omitempty"`
	Message        string `json:"message,omitempty"`
}

func (s *Sandbox) postWorkflow(r *http.Request, acct *account) response {
	switch st := acct.cfg.State; st {
	case AccountSubscriptionRequired:
		return errResponse(newError(http.StatusForbidden, string(st), "No purchased subscription seats available for this LinkedIn account."))
	case AccountTrialLimitReached:
		return errResponse(newError(http.StatusForbidden, string(st), "The workspace has used its free-trial workflow allowance."))
	case AccountPlusPlanRequired:
		return errResponse(newError(http.StatusForbidden, string(st), "Some actions in the workflow require the Plus plan."))
	}
	body, e := s.readBody(r)
	if e == nil {
		var def any
		def, e = decodeWorkflow(s.catalog, body, s.opts.MaxActions, s.opts.MaxListItems)
		if e == nil {
			return s.accept(acct, def, body)
		}
	}
	s.counters.add(func(c *Counters) { c.WorkflowsRejected++ })
	return errResponse(e)
}

// accept stores a valid definition as a new workflow of acct; body is the
// definition as sent, which the workflow keeps until it runs.
func (s *Sandbox) accept(acct *account, def any, body []byte) response {
	now := s.now()
	if wh := acct.cfg.WorkingHours; wh != nil && wh.Reject && !wh.Open(now) {
		return errResponse(newError(http.StatusConflict, errOutsideWorkingHours, fmt.Sprintf(
			"The account is outside its working hours; retry once they reopen at %s.", wh.parkedMessageTime(wh.NextOpen(now)))))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	size := int64(len(body))
	full := func() bool {
		return len(s.workflows) >= s.opts.MaxWorkflows || s.held+size > s.opts.MaxHeldBytes
	}
	s.advance(acct, now)
	s.evict(now, 1, size)
	if full() {
		for _, a := range s.accounts {
			s.advance(a, now)
		}
		s.evict(now, 1, size)
	}
	if full() {
		msg := fmt.Sprintf("The sandbox holds %d workflows in progress, its limit; retry once some have finished.", s.opts.MaxWorkflows)
		if len(s.workflows) < s.opts.MaxWorkflows {
			msg = fmt.Sprintf("The workflows in progress hold %d bytes, the sandbox's limit is %d; retry once some have finished.", s.held, s.opts.MaxHeldBytes)
		}
		resp := errResponse(newError(http.StatusTooManyRequests, errTooManyRequests, msg))
		resp.header.Set("Retry-After", retryAfterSeconds(s.opts.Faults.RetryAfter))
		return resp
	}
	sum := sha256.Sum256([]byte(canonical(def)))
	key := hexenc.EncodeToString(sum[:])
	_, dup := acct.seen.get(key)
	acct.seen.put(key, struct{}{})
	w := &workflow{id: newWorkflowID(), acct: acct, acceptedAt: now}
	s.hold(w, bytes.Clone(body), nil) // no spare capacity from reading it
	s.workflows[w.id] = w
	acct.queue = append(acct.queue, w)
	s.emitWorkflow(w, "workflow.created", wfPending, now)
	s.counters.add(func(c *Counters) {
		c.WorkflowsAccepted++
		if dup {
			c.DuplicatePayloads++
		}
	})
	s.advance(acct, now)
	ack := started{WorkflowID: w.id, WorkflowStatus: wfPending}
	if !w.started && w.parked && acct.cfg.WorkingHours != nil {
		ack.PendingReason, ack.Message = errOutsideWorkingHours, acct.cfg.WorkingHours.parkedMessage(w.planned)
	}
	return okResponse(ack)
}

func (s *Sandbox) getWorkflow(acct *account, id string) response {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(acct, now)
	s.evict(now, 0, 0)
	w, ok := s.workflows[id]
	if !ok || w.acct != acct {
		return errResponse(workflowNotFound(id))
	}
	return okResponse(w.viewAt(now, acct.cfg.WorkingHours))
}

func (s *Sandbox) deleteWorkflow(acct *account, id string) response {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(acct, now)
	s.evict(now, 0, 0)
	w, ok := s.workflows[id]
	if !ok || w.acct != acct {
		return errResponse(workflowNotFound(id))
	}
	cancelled := s.cancel(acct, w, now)
	s.advance(acct, now)
	return okResponse(map[string]bool{"cancelled": cancelled})
}

func workflowNotFound(id string) *apiError {
	return newError(http.StatusNotFound, errWorkflowNotFound, fmt.Sprintf("Workflow %q was not found (unknown, of another account, or evicted after its retention).", id))
}

// newWorkflowID makes an opaque, unguessable id in the documented wf-…
// form.
func newWorkflowID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("wf-%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
