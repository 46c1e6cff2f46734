package runner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
)

// handle applies one finished request.
func (d *driver) handle(ctx context.Context, r taskResult) error {
	d.inflight--
	r.t.busy = false
	switch r.kind {
	case taskSubmit:
		d.submitting--
		return d.afterSubmit(ctx, r.t, r.started, r.err)
	case taskPoll:
		return d.afterPoll(ctx, r.t, r.sent, r.status, r.err)
	default:
		return d.afterCancel(ctx, r.t, r.cancel, r.err)
	}
}

// afterSubmit records a POST /workflows outcome. It is retried only when
// the error proves the API did not act on it.
func (d *driver) afterSubmit(ctx context.Context, t *tracked, sw *linkedapi.StartedWorkflow, err error) error {
	w, now := t.w, d.clock.Now()
	// Whatever the outcome, it is committed before the drive waits for
	// anything (commitDue) and before the next POST.
	d.journal.urgent = true
	var te *linkedapi.TransportError
	switch {
	case err == nil:
		w.WorkflowID, w.Error = sw.WorkflowID, ""
		w.PendingReason, w.Message = sw.PendingReason, sw.Message
		t.failures = 0
		st := stateOf(sw.WorkflowStatus)
		if !st.Active() {
			st = state.Pending
		}
		if err := d.setState(ctx, t, st, state.EventSubmitted); err != nil {
			return err
		}
		t.interval = d.pol.PollStart
		t.parked = w.PendingReason == linkedapi.PendingOutsideWorkingHours
		t.waiting = w.PendingReason == linkedapi.PendingQueued
		t.answered = true
		d.sawParked = d.sawParked || t.parked
		d.schedule(t, taskPoll, now.Add(d.pollDelay(t)))
		if d.cancelling {
			d.wantCancel(t, now)
		}
		return nil
	case errors.As(err, &te) && te.Cancelled && !te.Sent:
		// Stopping before it was sent: it is simply still planned.
		return d.setState(ctx, t, state.Planned, state.EventStatus)
	case linkedapi.NotProcessed(err) && linkedapi.IsAuth(err):
		d.fatal = err
		return d.setState(ctx, t, state.Planned, state.EventStatus)
	case linkedapi.NotProcessed(err) && linkedapi.IsTransient(err):
		t.failures++
		delay := d.pol.retryDelay(t.failures, retryAfterOf(err), d.rnd)
		w.State = state.Planned
		d.counts.ByState[state.Submitting]--
		d.counts.ByState[state.Planned]++
		if err := d.save(ctx, t, state.Event{Kind: state.EventRetry, Error: err.Error(), Delay: delay}); err != nil {
			return err
		}
		d.schedule(t, taskSubmit, now.Add(delay))
		return nil
	case linkedapi.NotProcessed(err):
		w.Error = err.Error()
		return d.setState(ctx, t, state.Rejected, state.EventFinished)
	default:
		w.Error = unknownNote(err)
		return d.setState(ctx, t, state.Unknown, state.EventUnknown)
	}
}

// unknownNote explains an unknown submission.
func unknownNote(err error) string {
	var re *linkedapi.ResponseError
	if errors.As(err, &re) && re.Status >= 200 && re.Status < 300 {
		return fmt.Sprintf("%s (HTTP %d) but its answer was unreadable, so its id is unknown: it runs untracked, and sending it again would run it twice (%v)", state.AcceptedNote, re.Status, re.Err)
	}
	return fmt.Sprintf("the request may have reached Linked API: %v", err)
}

func retryAfterOf(err error) time.Duration {
	ra, _ := linkedapi.RetryAfter(err)
	return ra
}

// afterPoll records the outcome of a GET /workflows/{id} sent at sent and
// schedules the next.
func (d *driver) afterPoll(ctx context.Context, t *tracked, sent time.Time, res *linkedapi.WorkflowResult, err error) error {
	now := d.clock.Now()
	if err != nil {
		return d.readFailed(ctx, t, err, now)
	}
	t.failures, t.hard = 0, 0
	w := t.w
	switch st := stateOf(res.WorkflowStatus); st {
	case state.Completed:
		return d.complete(ctx, t, res)
	case state.Failed, state.Cancelled:
		w.Failure, w.Message = res.Failure, res.Message
		return d.setState(ctx, t, st, state.EventFinished)
	default:
		// Saved with the next change: a lower bound on when its last
		// action ran.
		w.Unfinished = sent
		changed := st != w.State || res.PendingReason != w.PendingReason || res.Message != w.Message
		w.PendingReason, w.Message = res.PendingReason, res.Message
		if changed {
			if err := d.setState(ctx, t, st, state.EventStatus); err != nil {
				return err
			}
		}
		parked := st == state.Pending && res.PendingReason == linkedapi.PendingOutsideWorkingHours
		t.waiting = st == state.Pending && res.PendingReason == linkedapi.PendingQueued
		t.answered = true
		switch {
		case parked:
		case t.parked:
			t.interval = d.pol.PollStart // it has just left its park: start afresh
		default:
			t.interval = d.pol.nextInterval(t.interval)
		}
		t.parked = parked
		d.sawParked = d.sawParked || parked
		d.schedule(t, taskPoll, now.Add(d.pollDelay(t)))
		return nil
	}
}

// pollDelay is the jittered wait before t's next poll.
func (d *driver) pollDelay(t *tracked) time.Duration {
	if t.parked {
		return d.pol.parkDelay(d.rnd)
	}
	return d.pol.jitter(t.interval, d.rnd)
}

// readFailed handles a failed GET or DELETE: transient failures are
// retried with backoff for ever; auth errors stop the drive; other errors
// are retried a few times, then the workflow is marked failed.
func (d *driver) readFailed(ctx context.Context, t *tracked, err error, now time.Time) error {
	var te *linkedapi.TransportError
	if errors.As(err, &te) && te.Cancelled {
		return nil // stopping
	}
	if linkedapi.IsAuth(err) {
		d.fatal = err
		return nil
	}
	if !linkedapi.IsTransient(err) {
		t.hard++
		if t.hard >= d.pol.GiveUpAfter {
			if apiType(err) == "workflowNotFound" && t.w.WorkflowID != "" {
				// Linked API accepted it and no longer has it (evicted
				// after its retention): it may well have run. Unknown,
				// not failed: nothing sends it, or its people, again.
				t.w.Error = "Linked API no longer has it (workflowNotFound): whether its actions ran is unknown"
				return d.setState(ctx, t, state.Unknown, state.EventFinished)
			}
			t.w.Failure = &linkedapi.Failure{Reason: apiType(err), Message: "lwf could not read the workflow: " + err.Error()}
			return d.setState(ctx, t, state.Failed, state.EventFinished)
		}
	}
	t.failures++
	delay := d.pol.retryDelay(t.failures, retryAfterOf(err), d.rnd)
	d.emit(t, state.Event{Kind: state.EventRetry, Error: err.Error(), Delay: delay})
	d.schedule(t, t.next, now.Add(delay))
	return nil
}

func apiType(err error) string {
	var api *linkedapi.APIError
	if errors.As(err, &api) {
		return api.Type
	}
	return linkedapi.ErrTypeHTTP
}

// complete stores a completion, its output and its action counts.
func (d *driver) complete(ctx context.Context, t *tracked, res *linkedapi.WorkflowResult) error {
	w := t.w
	w.Completion, w.Message, w.PendingReason = res.Completion, res.Message, ""
	if ins, err := results.Inspect(res.Completion, t.offset); err == nil {
		w.Actions, w.ActionErrors = ins.Actions, len(ins.Errors)
	}
	d.counts.Actions += w.Actions
	d.counts.Errors += w.ActionErrors
	if d.cfg.Shape != nil {
		out, err := d.cfg.Shape(w)
		if err != nil {
			w.Error = "applying the output expression: " + err.Error()
		} else {
			w.Output = out
		}
	}
	err := d.setState(ctx, t, state.Completed, state.EventFinished)
	if err == nil && len(w.Points) > 0 && d.cfg.Expand != nil {
		err = d.expand(ctx, t)
	}
	// The store has it; a run of thousands of workflows need not hold every
	// completion in memory.
	w.Completion, w.Output = nil, nil
	return err
}

// afterCancel records a DELETE /workflows/{id} outcome.
func (d *driver) afterCancel(ctx context.Context, t *tracked, res *linkedapi.CancelResult, err error) error {
	now := d.clock.Now()
	if err != nil {
		if linkedapi.IsTransient(err) || linkedapi.IsAuth(err) {
			return d.readFailed(ctx, t, err, now)
		}
		// It cannot be cancelled (it has probably ended): track it instead.
		t.cancel = false
		d.emit(t, state.Event{Kind: state.EventRetry, Error: err.Error()})
		d.schedule(t, taskPoll, now)
		return nil
	}
	t.cancel = false
	if res.Cancelled {
		return d.setState(ctx, t, state.Cancelled, state.EventFinished)
	}
	d.schedule(t, taskPoll, now) // it had already ended: read how
	return nil
}

// checkCancel reads the run's cancel flag (at most every CancelCheck; each
// submission reads it too) and starts cancelling when it is set.
func (d *driver) checkCancel(ctx context.Context, now time.Time) error {
	if d.cancelling || now.Sub(d.lastCheck) < d.pol.CancelCheck {
		return nil
	}
	d.lastCheck = now
	yes, err := d.cfg.Store.CancelRequested(context.WithoutCancel(ctx), d.runID)
	if err != nil || !yes {
		return err
	}
	return d.startCancelling(ctx, now)
}

// startCancelling stops submitting, cancels the planned workflows and asks
// for a DELETE of the active ones.
func (d *driver) startCancelling(ctx context.Context, now time.Time) error {
	d.cancelling = true
	d.emitRun(state.EventRunCancel, "")
	for _, t := range d.all {
		switch {
		case t.w.State == state.Planned:
			t.dequeue()
			if err := d.setState(ctx, t, state.Cancelled, state.EventFinished); err != nil {
				return err
			}
		case t.w.State.Active():
			d.wantCancel(t, now)
		}
	}
	return nil
}

// wantCancel asks for a DELETE of t as soon as no request for it is in
// flight.
func (d *driver) wantCancel(t *tracked, now time.Time) {
	t.cancel = true
	if !t.busy {
		d.schedule(t, taskCancel, now)
	}
}

// stateOf maps the API's status to a state; statuses the API may add later
// are taken as still running.
func stateOf(s linkedapi.Status) state.State {
	switch s {
	case linkedapi.StatusPending:
		return state.Pending
	case linkedapi.StatusCompleted:
		return state.Completed
	case linkedapi.StatusFailed:
		return state.Failed
	case "cancelled", "canceled":
		return state.Cancelled
	}
	return state.Running
}
