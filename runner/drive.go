package runner

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
)

// API is the part of the Linked API the runner needs; *linkedapi.Client implements it.
type API interface {
	StartWorkflow(ctx context.Context, definition json.RawMessage) (*linkedapi.StartedWorkflow, error)
	Workflow(ctx context.Context, workflowID string) (*linkedapi.WorkflowResult, error)
	CancelWorkflow(ctx context.Context, workflowID string) (*linkedapi.CancelResult, error)
}

var _ API = (*linkedapi.Client)(nil)

// Config configures Drive.
type Config struct {
	API    API
	Store  Store
	Policy Policy // zero fields take DefaultPolicy's values
	// Events receives every event as it happens, on the runner's
	// goroutine: it must not block for long. The store logs it with the
	// next group commit (see Drive): after a crash, the next drive may
	// report again what the last second's events reported.
	Events func(state.Event)
	// Shape, when set, turns a completed workflow's completion into its
	// output (the output: expression of a reusable workflow).
	Shape func(w *state.Workflow) (json.RawMessage, error)
	// ResubmitUnknown sends again the workflows whose earlier submission is
	// unknown. It can run them twice; only a person can decide it is right.
	ResubmitUnknown bool
	// SubmitOnly returns as soon as every workflow is submitted (--detach).
	SubmitOnly bool
	// LeaveParked returns once every workflow left is parked by Linked
	// API until the account's working hours (pending, outsideWorkingHours),
	// or queued behind such a one (pending, queued, once a parked workflow
	// was seen — by this drive or, ParkedBefore, an earlier one): a later
	// drive picks them up. A sequence tick does not wait a night.
	LeaveParked bool
	// ParkedBefore says an earlier drive of the account left a workflow
	// parked: queued workflows may be waiting behind it.
	ParkedBefore bool
	// Results, when set, are workflow results that arrive without a poll
	// (webhooks): a workflow they know of is not polled — its result is
	// taken as a poll's answer — and a result that arrives wakes the
	// drive. Polls remain for what they do not bring.
	Results Results
	// Refresh polls every active workflow once and returns, submitting
	// nothing: a status snapshot for a run nobody drives.
	Refresh bool
	// Rand drives jitter; nil means a randomly seeded source.
	Rand *rand.Rand
	// Expand, when set, is called with each workflow that completes whose
	// Points name lists that feed named loops, and on load with each such
	// completed workflow not yet derived (Completion may then be nil:
	// Expand reads it from its store). The completion, and every change
	// before it, is committed before Expand is called. It stores the
	// workflows rendered from the lists' items (see state.Store.Derive;
	// their indexes start at next) and returns them, with the event it
	// stored; the drive then submits and tracks them like the others.
	Expand func(ctx context.Context, w *state.Workflow, next int) ([]*state.Workflow, *state.Event, error)
	// Clock tells the time everywhere the runner reads it (events,
	// submission times, when polls are due); nil means the system clock.
	// Waiting still takes real time: a simulated clock that jumps ahead
	// makes what it passed due at once.
	Clock Clock
}

// Results are workflow results known without asking Linked API.
type Results interface {
	// Result returns what is known of a workflow: its result, or known
	// with no result when it finished and must be read with one poll
	// (a thin webhook).
	Result(workflowID string) (res *linkedapi.WorkflowResult, known bool)
	// Subscribe returns a channel that receives when results arrive, and
	// a function that ends the subscription.
	Subscribe() (<-chan struct{}, func())
}

// Clock tells the time.
type Clock interface {
	Now() time.Time
}

// SystemClock is the computer's clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// Outcome is how a Drive ended.
type Outcome struct {
	Counts state.Counts
	// Stopped is true when ctx ended before every workflow settled: the run
	// can be resumed.
	Stopped bool
	// Detached is true when SubmitOnly returned after submitting.
	Detached bool
	// Parked is true when LeaveParked returned with workflows parked
	// until the account's working hours.
	Parked bool
}

// Settled reports whether nothing is left for lwf to do on its own: every
// workflow is terminal or unknown.
func (o Outcome) Settled() bool {
	n := o.Counts.ByState[state.Unknown]
	for _, s := range state.AllStates() {
		if s.Terminal() {
			n += o.Counts.ByState[s]
		}
	}
	return n == o.Counts.Total
}

// Drive submits the run's planned workflows and tracks every workflow
// until all have settled or ctx ends. The caller must hold the run's lock:
// only one process may drive a run.
//
// Intent is committed before each POST /workflows, and the POST's outcome
// (the workflow id) right after: before the drive waits for anything, and
// at the latest with the next POST's intent. A workflow found
// mid-submission (the previous process died) is marked unknown and never
// sent again unless cfg.ResubmitUnknown. Every other change — what polls
// find, completions, cancellations — and every event is committed in
// groups, at most Policy.GroupCommit after it was made, before
// Config.Expand derives items from a completion, and when Drive returns.
// Each commit takes every workflow change made before it, so the store
// always holds the run as it was at some moment: a crash loses at most the
// changes of the last GroupCommit, a workflow whose completion was lost is
// polled again, and nothing is ever sent again. Transient failures are
// retried without end; an auth or account error stops the drive and is
// returned, since no request can succeed until a person acts.
func Drive(ctx context.Context, cfg Config, runID string) (Outcome, error) {
	if cfg.API == nil || cfg.Store == nil {
		return Outcome{}, errors.New("runner: Config needs an API and a Store")
	}
	d := &driver{cfg: cfg, pol: cfg.Policy.withDefaults(), rnd: cfg.Rand, runID: runID, clock: cfg.Clock, sawParked: cfg.ParkedBefore}
	if d.clock == nil {
		d.clock = SystemClock{}
	}
	if d.rnd == nil {
		d.rnd = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	// Neither channel ever blocks a sender: at most Concurrency requests
	// are in flight, and a worker is started for each one over the
	// workers there are.
	d.results = make(chan taskResult, d.pol.Concurrency)
	d.requests = make(chan request, d.pol.Concurrency)
	defer close(d.requests)
	if err := d.load(ctx); err != nil {
		return Outcome{}, err
	}
	out, err := d.loop(ctx)
	// Whatever ended the drive, what it did is in the store when it
	// returns.
	if cerr := d.commit(ctx); err == nil {
		err = cerr
	}
	return out, err
}

// driver is one Drive's state. Only the loop goroutine touches it; the
// workers get copies of what they need on requests and report back on
// results.
type driver struct {
	// sawParked: a workflow of the account was parked (Config.LeaveParked).
	sawParked  bool
	cfg        Config
	clock      Clock
	pol        Policy
	rnd        *rand.Rand
	runID      string
	all        []*tracked
	submits    taskQueue
	polls      taskQueue
	inflight   int
	submitting int
	requests   chan request
	workers    int
	results    chan taskResult
	counts     state.Counts
	cancelling bool
	lastCheck  time.Time
	fatal      error
	// offset numbers the root-array items of the next workflow added.
	offset int
	// underived are the completed workflows found on load whose items
	// were never rendered (the process stopped in between).
	underived []*tracked
	// journal holds the changes not committed yet.
	journal journal
}

type taskResult struct {
	t       *tracked
	kind    taskKind
	sent    time.Time // when the request was sent
	started *linkedapi.StartedWorkflow
	status  *linkedapi.WorkflowResult
	cancel  *linkedapi.CancelResult
	err     error
}

// load reads the run and decides what each workflow needs.
func (d *driver) load(ctx context.Context) error {
	ws, err := d.cfg.Store.Workflows(ctx, d.runID)
	if err != nil {
		return fmt.Errorf("reading run %s: %w", d.runID, err)
	}
	if len(ws) == 0 {
		return fmt.Errorf("run %s has no workflows", d.runID)
	}
	d.counts = state.CountStates(ws)
	now, offset := d.clock.Now(), 0
	for _, w := range ws {
		t := &tracked{w: w, offset: offset, hidx: -1}
		offset += results.RootItems(w.Payload)
		d.all = append(d.all, t)
		d.counts.Actions += w.Actions
		d.counts.Errors += w.ActionErrors
		switch {
		case w.State == state.Submitting:
			d.journal.urgent = true
			w.Error = "lwf stopped while sending this workflow, so whether Linked API received it is unknown"
			if err := d.setState(ctx, t, state.Unknown, state.EventUnknown); err != nil {
				return err
			}
		case w.State == state.Unknown && d.cfg.ResubmitUnknown:
			d.journal.urgent = true
			w.Error = ""
			if err := d.setState(ctx, t, state.Planned, state.EventStatus); err != nil {
				return err
			}
		}
		if w.State == state.Completed && len(w.Points) > 0 && !w.Derived && d.cfg.Expand != nil && !d.cfg.Refresh {
			d.underived = append(d.underived, t)
		}
		switch {
		case d.cfg.Refresh:
			if w.State.Active() {
				d.schedule(t, taskPoll, now)
			}
		case w.State == state.Planned:
			d.schedule(t, taskSubmit, now)
		case w.State.Active() && !d.cfg.SubmitOnly:
			t.interval = d.pol.intervalForAge(now.Sub(w.Submitted))
			t.parked = w.PendingReason == linkedapi.PendingOutsideWorkingHours
			t.waiting = w.PendingReason == linkedapi.PendingQueued
			d.sawParked = d.sawParked || t.parked
			d.schedule(t, taskPoll, now.Add(time.Duration(d.rnd.Float64()*float64(d.pol.PollStart))))
		}
	}
	d.offset = offset
	return nil
}

// expand asks Config.Expand for the workflows t's items render into,
// and takes them on: they are tracked and submitted like the others. The
// journal is committed first: Expand derives from the completion as
// stored.
func (d *driver) expand(ctx context.Context, t *tracked) error {
	if err := d.commit(ctx); err != nil {
		return err
	}
	ws, ev, err := d.cfg.Expand(context.WithoutCancel(ctx), t.w, len(d.all))
	if err != nil {
		return fmt.Errorf("rendering the items found by workflow %d: %w", t.w.Index+1, err)
	}
	t.w.Derived = true
	now := d.clock.Now()
	for _, w := range ws {
		nt := &tracked{w: w, offset: d.offset, hidx: -1}
		d.offset += results.RootItems(w.Payload)
		d.all = append(d.all, nt)
		d.counts.Total++
		d.counts.ByState[w.State]++
		if w.State == state.Planned && !d.cfg.Refresh {
			d.schedule(nt, taskSubmit, now)
		}
	}
	if ev != nil {
		ev.RunID, ev.Index = d.runID, t.w.Index
		d.publish(*ev)
	}
	return nil
}

// loop dispatches due requests and handles their results until the run
// settles, ctx ends or a fatal error occurs.
func (d *driver) loop(ctx context.Context) (Outcome, error) {
	d.emitRun(state.EventRunStart, "")
	for _, t := range d.underived {
		if err := d.expand(ctx, t); err != nil {
			return Outcome{Counts: d.snapshot()}, err
		}
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var arrived <-chan struct{}
	if d.cfg.Results != nil {
		var unsubscribe func()
		arrived, unsubscribe = d.cfg.Results.Subscribe()
		defer unsubscribe()
	}
	for {
		if ctx.Err() != nil || d.fatal != nil {
			return d.stop(ctx)
		}
		now := d.clock.Now()
		if err := d.checkCancel(ctx, now); err != nil {
			return Outcome{Counts: d.snapshot()}, err
		}
		if err := d.dispatch(ctx, now); err != nil {
			return Outcome{Counts: d.snapshot()}, err
		}
		if d.inflight == 0 {
			if d.cfg.SubmitOnly && d.submits.Len() == 0 {
				d.emitRun(state.EventRunDetached, "")
				return Outcome{Counts: d.snapshot(), Detached: true}, nil
			}
			if d.submits.Len() == 0 && d.polls.Len() == 0 {
				d.emitRun(state.EventRunEnd, "")
				return Outcome{Counts: d.snapshot()}, nil
			}
			if d.cfg.LeaveParked && d.submits.Len() == 0 && d.allParked() {
				d.emitRun(state.EventRunDetached, "parked until the account's working hours")
				return Outcome{Counts: d.snapshot(), Parked: true}, nil
			}
		}
		if err := d.commitDue(ctx, now); err != nil {
			return Outcome{Counts: d.snapshot()}, err
		}
		timer.Reset(d.nextWake(now))
		select {
		case r := <-d.results:
			if err := d.handle(ctx, r); err != nil {
				return Outcome{Counts: d.snapshot()}, err
			}
		case <-timer.C:
		case <-arrived:
			d.takeResults(d.clock.Now())
		case <-ctx.Done():
		}
	}
}

// takeResults makes the polls of the workflows whose results arrived
// due now: their results are taken without a request (or, for a thin
// notice, with one).
func (d *driver) takeResults(now time.Time) {
	var due []*tracked
	for _, t := range d.polls {
		if t.next == taskPoll && t.w.WorkflowID != "" && t.due.After(now) {
			if _, known := d.cfg.Results.Result(t.w.WorkflowID); known {
				due = append(due, t)
			}
		}
	}
	for _, t := range due {
		d.schedule(t, taskPoll, now)
	}
}

// allParked reports whether every workflow still polled waits for the
// account's working hours: parked, or queued behind what is (one parked
// workflow holds up the account's queue), with at least one parked.
func (d *driver) allParked() bool {
	parked := false
	for _, t := range d.polls {
		if !t.answered || !t.parked && !t.waiting {
			return false // what the store says is not enough: ask once
		}
		parked = parked || t.parked
	}
	return parked || d.sawParked
}

// stop waits for the requests in flight (a POST always finishes: its
// outcome must be recorded) and reports the drive as stopped.
func (d *driver) stop(ctx context.Context) (Outcome, error) {
	for d.inflight > 0 {
		if err := d.handle(ctx, <-d.results); err != nil {
			return Outcome{Counts: d.snapshot()}, err
		}
	}
	if d.fatal != nil {
		return Outcome{Counts: d.snapshot(), Stopped: true}, d.fatal
	}
	d.emitRun(state.EventRunStopped, context.Cause(ctx).Error())
	return Outcome{Counts: d.snapshot(), Stopped: true}, nil
}

// nextWake is how long to sleep before something may be due.
func (d *driver) nextWake(now time.Time) time.Duration {
	wake := now.Add(d.pol.CancelCheck)
	if at, ok := d.commitBy(); ok && at.Before(wake) {
		wake = at
	}
	if d.inflight >= d.pol.Concurrency {
		// Every slot is busy: nothing can start before a result frees
		// one, and a result wakes the loop. Waking for requests that are
		// due would only spin.
		return wake.Sub(now)
	}
	if t := d.polls.peek(); t != nil && t.due.Before(wake) {
		wake = t.due
	}
	if t := d.submits.peek(); t != nil && !d.cancelling && d.submitting < d.pol.SubmitConcurrency && t.due.Before(wake) {
		wake = t.due
	}
	return max(wake.Sub(now), 0)
}

// dispatch starts every due request the concurrency bounds allow, polls
// first: they are few at any moment and keep results timely, while
// submissions are many at the start of a large run.
func (d *driver) dispatch(ctx context.Context, now time.Time) error {
	for d.inflight < d.pol.Concurrency {
		if t := d.polls.peek(); t != nil && !t.due.After(now) {
			heap.Pop(&d.polls)
			d.start(ctx, t)
			continue
		}
		t := d.submits.peek()
		if t == nil || t.due.After(now) || d.cancelling || d.submitting >= d.pol.SubmitConcurrency {
			return nil
		}
		heap.Pop(&d.submits)
		if err := d.submit(ctx, t, now); err != nil || d.cancelling {
			return err
		}
	}
	return nil
}

// submit commits the intent to send t, with every workflow's state
// changed before it (their events wait for the group commit), and sends t
// — unless the run was asked to stop: the store reads its cancel flag in
// the intent's transaction, so no POST leaves once `lwf cancel` is
// stored. It then starts cancelling instead.
func (d *driver) submit(ctx context.Context, t *tracked, now time.Time) error {
	before := t.w.Submitted
	t.w.Attempts++
	// Recorded before the request leaves: Linked API cannot have
	// received it earlier, which places an unknown submission in the
	// account's activity.
	t.w.Submitted = now
	d.move(t, state.Submitting)
	ev := d.fill(t, state.Event{Kind: state.EventSubmitting})
	t.w.Updated = ev.Time
	d.record(t, ev)
	d.lastCheck = now
	cancelled, err := d.cfg.Store.SaveUnlessCancelled(context.WithoutCancel(ctx), d.runID, d.journal.states)
	if err != nil || cancelled {
		d.withdraw(t, before)
		if err != nil {
			return err
		}
		return d.startCancelling(ctx, now)
	}
	d.journal.statesCommitted()
	d.publish(ev)
	d.start(ctx, t)
	return nil
}

// withdraw takes back the intent to send t, which was not committed: the
// POST is not sent, and the intent must not reach the store with a later
// commit (the next process would take it for a POST whose outcome it
// cannot know).
func (d *driver) withdraw(t *tracked, submitted time.Time) {
	j := &d.journal
	if n := len(j.states); n > 0 && j.states[n-1].Workflow.Index == t.w.Index && j.states[n-1].Workflow.State == state.Submitting {
		j.states[n-1] = state.Change{}
		j.states = j.states[:n-1]
	}
	if n := len(j.events); n > 0 && j.events[n-1].Event.Kind == state.EventSubmitting && j.events[n-1].Event.Index == t.w.Index {
		j.events[n-1] = state.Change{}
		j.events = j.events[:n-1]
	}
	d.move(t, state.Planned)
	t.w.Attempts--
	t.w.Submitted = submitted
}

// start hands t's next request to a worker.
func (d *driver) start(ctx context.Context, t *tracked) {
	d.inflight++
	t.busy = true
	if t.next == taskSubmit {
		d.submitting++
	}
	if t.next == taskPoll && d.cfg.Results != nil && t.w.WorkflowID != "" {
		if res, known := d.cfg.Results.Result(t.w.WorkflowID); known && res != nil {
			// Delivered: the answer of a poll that costs no request.
			r := taskResult{t: t, kind: taskPoll, sent: d.clock.Now(), status: res}
			go func() { d.results <- r }()
			return
		}
	}
	if d.workers < d.inflight {
		d.workers++
		go d.work()
	}
	d.requests <- request{ctx: ctx, kind: t.next, t: t, payload: t.w.Payload, id: t.w.WorkflowID, sent: d.clock.Now()}
}

// request is one request for a worker to send: copies of what it needs.
type request struct {
	ctx     context.Context
	kind    taskKind
	t       *tracked // only passed back
	payload json.RawMessage
	id      string
	sent    time.Time
}

// work sends requests until the drive ends. The workers live as long as
// the drive: a goroutine per request would grow a new stack for each.
func (d *driver) work() {
	for q := range d.requests {
		r := taskResult{t: q.t, kind: q.kind, sent: q.sent}
		switch q.kind {
		case taskSubmit:
			r.started, r.err = d.cfg.API.StartWorkflow(linkedapi.CompleteOnceSent(q.ctx), q.payload)
		case taskPoll:
			r.status, r.err = d.cfg.API.Workflow(q.ctx, q.id)
		case taskCancel:
			r.cancel, r.err = d.cfg.API.CancelWorkflow(q.ctx, q.id)
		}
		d.results <- r
	}
}

// schedule queues t's next request at time at.
func (d *driver) schedule(t *tracked, kind taskKind, at time.Time) {
	t.dequeue()
	if kind == taskPoll && t.cancel {
		kind = taskCancel
	}
	if kind != taskSubmit && d.cfg.SubmitOnly && !d.cancelling {
		return
	}
	if d.cfg.Refresh {
		if t.polled || kind == taskSubmit {
			return
		}
		t.polled = true
	}
	t.next, t.due = kind, at
	if kind == taskSubmit {
		heap.Push(&d.submits, t)
	} else {
		heap.Push(&d.polls, t)
	}
}
