package runner

import (
	"context"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

// maxGroup and maxGroupBytes bound the changes one group commit holds,
// and the completions and outputs they keep in memory until it.
const (
	maxGroup      = 512
	maxGroupBytes = 16 << 20
)

// journal holds what the drive changed and has not committed yet: the
// workflows' new states and the events that changed them, each in order.
// Every commit takes all the states there are in one transaction, so the
// store always holds the workflows as they were at some moment: a crash
// loses the last changes, never one without those before it. Events wait
// for the group commit: the log is never read to decide anything, and
// writing them with each intent would double its cost.
type journal struct {
	states []state.Change // Workflow set, Event empty
	events []state.Change // Event set, Workflow nil
	// urgent: a POST's outcome is among the states; it is committed
	// before the drive waits for anything.
	urgent bool
	oldest time.Time // when the first waiting event was recorded
	bytes  int       // the completions and outputs the states hold
	all    []state.Change
}

// full reports whether the journal must be committed now, whatever the
// time.
func (j *journal) full() bool {
	return len(j.events) >= maxGroup || j.bytes >= maxGroupBytes
}

// record adds t's workflow as it is now, and the event that changed it,
// to the journal; t may be nil for an event about the run. The workflow
// is copied: the drive goes on changing it.
func (d *driver) record(t *tracked, ev state.Event) {
	j := &d.journal
	if t != nil {
		c := *t.w
		j.states = append(j.states, state.Change{Workflow: &c})
		j.bytes += len(c.Completion) + len(c.Output)
	}
	if len(j.events) == 0 {
		j.oldest = d.clock.Now()
	}
	j.events = append(j.events, state.Change{Event: ev})
}

// commit writes the journal, states and events, in one transaction (a
// group commit). It is never interrupted by ctx: a record half-written on
// Ctrl-C is what crash safety is about. On failure everything stays in
// the journal.
func (d *driver) commit(ctx context.Context) error {
	j := &d.journal
	if len(j.states)+len(j.events) == 0 {
		return nil
	}
	j.all = append(append(j.all[:0], j.states...), j.events...)
	err := d.cfg.Store.SaveAll(context.WithoutCancel(ctx), j.all)
	clear(j.all)
	if err != nil {
		return err
	}
	j.statesCommitted()
	clear(j.events)
	j.events = j.events[:0]
	return nil
}

// commitStates writes the journal's states, not its events, in one
// transaction: a POST's outcome.
func (d *driver) commitStates(ctx context.Context) error {
	if len(d.journal.states) == 0 {
		return nil
	}
	if err := d.cfg.Store.SaveAll(context.WithoutCancel(ctx), d.journal.states); err != nil {
		return err
	}
	d.journal.statesCommitted()
	return nil
}

// statesCommitted empties the states once they are in the store.
func (j *journal) statesCommitted() {
	clear(j.states) // let the copies and their completions go
	j.states, j.urgent, j.bytes = j.states[:0], false, 0
}

// commitDue commits what must not wait any longer: the states when they
// hold a POST's outcome; everything when the oldest event has waited
// Policy.GroupCommit or the journal is full. The loop calls it before
// each wait.
func (d *driver) commitDue(ctx context.Context, now time.Time) error {
	j := &d.journal
	if len(j.events) > 0 && (j.full() || !now.Before(j.oldest.Add(d.pol.GroupCommit))) {
		return d.commit(ctx)
	}
	if j.urgent {
		return d.commitStates(ctx)
	}
	return nil
}

// commitBy is when the next group commit falls due; ok is false when
// nothing waits for one.
func (d *driver) commitBy() (at time.Time, ok bool) {
	if len(d.journal.events) == 0 {
		return time.Time{}, false
	}
	return d.journal.oldest.Add(d.pol.GroupCommit), true
}
