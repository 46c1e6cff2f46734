package runner

import (
	"context"
	"errors"
	"fmt"
	"time"
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
		return d.afterPoll(ctx, r.t, r.status, r.err)
	default:
		return d.afterCancel(ctx, r.t, r.cancel, r.err)
	}
}

// afterSubmit records a POST /workflows outcome. It is retried only when
// the error proves the API did not act on it.
func (d *driver) afterSubmit(ctx context.Context, t *tracked, sw *StartedWorkflow, err error) error {
	w, now := t.w, time.Now()
	var te *TransportError
	switch {
	case err == nil:
		w.WorkflowID, w.Submitted, w.Error = sw.WorkflowID, now, ""
		w.PendingReason, w.Message = sw.PendingReason, sw.Message
		t.failures = 0
		st := stateOf(sw.WorkflowStatus)
		if !st.Active() {
			st = StatePending
		}
		if err := d.setState(ctx, t, st, EventSubmitted); err != nil {
			return err
		}
		t.interval = d.pol.PollStart
		t.parked = w.PendingReason == PendingOutsideWorkingHours
		d.schedule(t, taskPoll, now.Add(d.pollDelay(t)))
		if d.cancelling {
			d.wantCancel(t, now)
		}
		return nil
	case errors.As(err, &te) && te.Cancelled && !te.Sent:
		// Stopping before it was sent: it is simply still planned.
		return d.setState(ctx, t, StatePlanned, EventStatus)
	case NotProcessed(err) && IsAuth(err):
		d.fatal = err
		return d.setState(ctx, t, StatePlanned, EventStatus)
	case NotProcessed(err) && IsTransient(err):
		t.failures++
		delay := d.pol.retryDelay(t.failures, retryAfterOf(err), d.rnd)
		w.State = StatePlanned
		d.counts.ByState[StateSubmitting]--
		d.counts.ByState[StatePlanned]++
		if err := d.save(ctx, t, Event{Kind: EventRetry, Error: err.Error(), Delay: delay}); err != nil {
			return err
		}
		d.schedule(t, taskSubmit, now.Add(delay))
		return nil
	case NotProcessed(err):
		w.Error = err.Error()
		return d.setState(ctx, t, StateRejected, EventFinished)
	default:
		w.Error = unknownNote(err)
		return d.setState(ctx, t, StateUnknown, EventUnknown)
	}
}

// unknownNote explains an unknown submission.
func unknownNote(err error) string {
	var re *ResponseError
	if errors.As(err, &re) && re.Status >= 200 && re.Status < 300 {
		return fmt.Sprintf("Linked API accepted it (HTTP %d) but its answer was unreadable, so its id is unknown: it runs untracked, and sending it again would run it twice (%v)", re.Status, re.Err)
	}
	return fmt.Sprintf("the request may have reached Linked API: %v", err)
}

func retryAfterOf(err error) time.Duration {
	ra, _ := RetryAfter(err)
	return ra
}

// afterPoll records a GET /workflows/{id} outcome and schedules the next.
func (d *driver) afterPoll(ctx context.Context, t *tracked, res *WorkflowResult, err error) error {
	now := time.Now()
	if err != nil {
		return d.readFailed(ctx, t, err, now)
	}
	t.failures, t.hard = 0, 0
	w := t.w
	switch st := stateOf(res.WorkflowStatus); st {
	case StateCompleted:
		return d.complete(ctx, t, res)
	case StateFailed, StateCancelled:
		w.Failure, w.Message = res.Failure, res.Message
		return d.setState(ctx, t, st, EventFinished)
	default:
		changed := st != w.State || res.PendingReason != w.PendingReason || res.Message != w.Message
		w.PendingReason, w.Message = res.PendingReason, res.Message
		if changed {
			if err := d.setState(ctx, t, st, EventStatus); err != nil {
				return err
			}
		}
		parked := st == StatePending && res.PendingReason == PendingOutsideWorkingHours
		switch {
		case parked:
		case t.parked:
			t.interval = d.pol.PollStart // it has just left its park: start afresh
		default:
			t.interval = d.pol.nextInterval(t.interval)
		}
		t.parked = parked
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
	var te *TransportError
	if errors.As(err, &te) && te.Cancelled {
		return nil // stopping
	}
	if IsAuth(err) {
		d.fatal = err
		return nil
	}
	if !IsTransient(err) {
		t.hard++
		if t.hard >= d.pol.GiveUpAfter {
			t.w.Failure = &Failure{Reason: apiType(err), Message: "lwf could not read the workflow: " + err.Error()}
			return d.setState(ctx, t, StateFailed, EventFinished)
		}
	}
	t.failures++
	delay := d.pol.retryDelay(t.failures, retryAfterOf(err), d.rnd)
	d.emit(t, Event{Kind: EventRetry, Error: err.Error(), Delay: delay})
	d.schedule(t, t.next, now.Add(delay))
	return nil
}

func apiType(err error) string {
	var api *APIError
	if errors.As(err, &api) {
		return api.Type
	}
	return ErrTypeHTTP
}

// complete stores a completion, its output and its action counts.
func (d *driver) complete(ctx context.Context, t *tracked, res *WorkflowResult) error {
	w := t.w
	w.Completion, w.Message, w.PendingReason = res.Completion, res.Message, ""
	if ins, err := Inspect(res.Completion, t.offset); err == nil {
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
	err := d.setState(ctx, t, StateCompleted, EventFinished)
	// The store has it; a run of thousands of workflows need not hold every
	// completion in memory.
	w.Completion, w.Output = nil, nil
	return err
}

// afterCancel records a DELETE /workflows/{id} outcome.
func (d *driver) afterCancel(ctx context.Context, t *tracked, res *CancelResult, err error) error {
	now := time.Now()
	if err != nil {
		if IsTransient(err) || IsAuth(err) {
			return d.readFailed(ctx, t, err, now)
		}
		// It cannot be cancelled (it has probably ended): track it instead.
		t.cancel = false
		d.emit(t, Event{Kind: EventRetry, Error: err.Error()})
		d.schedule(t, taskPoll, now)
		return nil
	}
	t.cancel = false
	if res.Cancelled {
		return d.setState(ctx, t, StateCancelled, EventFinished)
	}
	d.schedule(t, taskPoll, now) // it had already ended: read how
	return nil
}

// checkCancel reads the run's cancel flag (at most every CancelCheck
// unless force) and starts cancelling when it is set.
func (d *driver) checkCancel(ctx context.Context, now time.Time, force bool) error {
	if d.cancelling || (!force && now.Sub(d.lastCheck) < d.pol.CancelCheck) {
		return nil
	}
	d.lastCheck = now
	yes, err := d.cfg.Store.CancelRequested(context.WithoutCancel(ctx), d.runID)
	if err != nil || !yes {
		return err
	}
	d.cancelling = true
	d.emitRun(EventRunCancel, "")
	for _, t := range d.all {
		switch {
		case t.w.State == StatePlanned:
			t.dequeue()
			if err := d.setState(ctx, t, StateCancelled, EventFinished); err != nil {
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
func stateOf(s Status) State {
	switch s {
	case StatusPending:
		return StatePending
	case StatusCompleted:
		return StateCompleted
	case StatusFailed:
		return StateFailed
	case "cancelled", "canceled":
		return StateCancelled
	}
	return StateRunning
}
