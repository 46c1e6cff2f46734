package runner

import (
	"context"
	"maps"

	"github.com/lwf-dev/lwf/runner/state"
)

// setState moves t to state s, saves it with an event of kind k, and
// keeps the counts.
func (d *driver) setState(ctx context.Context, t *tracked, s state.State, k state.EventKind) error {
	d.move(t, s)
	return d.save(ctx, t, state.Event{Kind: k})
}

// move moves t to state s and keeps the counts.
func (d *driver) move(t *tracked, s state.State) {
	if old := t.w.State; old != s {
		d.counts.ByState[old]--
		d.counts.ByState[s]++
		if s.Terminal() && !old.Terminal() {
			d.counts.Finished++
		}
		t.w.State = s
	}
	if s.Terminal() {
		t.w.PendingReason = ""
	}
}

// save records t's workflow and ev in the journal, to be committed with
// the next group (see commitDue), and reports ev. With a negative
// Policy.GroupCommit it commits at once.
func (d *driver) save(ctx context.Context, t *tracked, ev state.Event) error {
	ev = d.fill(t, ev)
	t.w.Updated = ev.Time
	d.record(t, ev)
	if d.pol.GroupCommit < 0 || d.journal.full() {
		if err := d.commit(ctx); err != nil {
			return err
		}
	}
	d.publish(ev)
	return nil
}

// emit reports an event that is not stored (retries).
func (d *driver) emit(t *tracked, ev state.Event) { d.publish(d.fill(t, ev)) }

// emitRun reports an event about the whole run and records it with the
// next group commit.
func (d *driver) emitRun(k state.EventKind, msg string) {
	ev := state.Event{Time: d.clock.Now(), Kind: k, RunID: d.runID, Index: -1, Message: msg}
	c := d.snapshot()
	ev.Counts = &c
	d.record(nil, ev)
	d.publish(ev)
}

func (d *driver) fill(t *tracked, ev state.Event) state.Event {
	w := t.w
	ev.Time, ev.RunID, ev.Index = d.clock.Now(), d.runID, w.Index
	ev.WorkflowID, ev.State = w.WorkflowID, w.State
	ev.PendingReason = w.PendingReason
	if ev.Message == "" {
		ev.Message = w.Message
	}
	if ev.Error == "" && (ev.Kind == state.EventUnknown || w.State == state.Rejected) {
		ev.Error = w.Error
	}
	if ev.Kind == state.EventFinished && w.Failure != nil && ev.Error == "" {
		ev.Error = w.Failure.Reason
		if w.Failure.Message != "" {
			ev.Error += ": " + w.Failure.Message
		}
	}
	return ev
}

func (d *driver) publish(ev state.Event) {
	if d.cfg.Events == nil {
		return
	}
	if ev.Counts == nil {
		c := d.snapshot()
		ev.Counts = &c
	}
	d.cfg.Events(ev)
}

// snapshot copies the counts for an event or the outcome.
func (d *driver) snapshot() state.Counts {
	c := d.counts
	c.ByState = maps.Clone(d.counts.ByState)
	for s, n := range c.ByState {
		if n == 0 {
			delete(c.ByState, s)
		}
	}
	return c
}
