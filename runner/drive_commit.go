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

// journal holds the changes the drive made and has not committed yet, in
// order. Every commit takes all of them in one transaction (Store.SaveAll),
// so the store always holds the drive's state as it was at some moment:
// a crash loses the last changes, never one without those before it.
type journal struct {
	changes []state.Change
	// urgent: a POST's outcome is among them; it is committed before
	// the drive waits for anything.
	urgent bool
	oldest time.Time // when the first of them was made
	bytes  int       // the completions and outputs they hold
}

// full reports whether the journal must be committed now, whatever the
// time.
func (j *journal) full() bool {
	return len(j.changes) >= maxGroup || j.bytes >= maxGroupBytes
}

// record adds t's workflow as it is now, and the event that changed it,
// to the journal; t may be nil for an event about the run. The workflow
// is copied: the drive goes on changing it.
func (d *driver) record(t *tracked, ev state.Event) {
	var w *state.Workflow
	if t != nil {
		c := *t.w
		w = &c
		d.journal.bytes += len(c.Completion) + len(c.Output)
	}
	if len(d.journal.changes) == 0 {
		d.journal.oldest = d.clock.Now()
	}
	d.journal.changes = append(d.journal.changes, state.Change{Workflow: w, Event: ev})
}

// commit writes every change of the journal in one transaction. It is
// never interrupted by ctx: a record half-written on Ctrl-C is what crash
// safety is about. On failure the changes stay in the journal.
func (d *driver) commit(ctx context.Context) error {
	if len(d.journal.changes) == 0 {
		return nil
	}
	if err := d.cfg.Store.SaveAll(context.WithoutCancel(ctx), d.journal.changes); err != nil {
		return err
	}
	d.journal.committed()
	return nil
}

// committed empties the journal once its changes are in the store.
func (j *journal) committed() {
	clear(j.changes) // let the copies and their completions go
	j.changes, j.urgent, j.bytes = j.changes[:0], false, 0
}

// commitDue commits the journal when it must not wait any longer: it holds
// a POST's outcome, its oldest change has waited Policy.GroupCommit, or it
// is full. The loop calls it before each wait.
func (d *driver) commitDue(ctx context.Context, now time.Time) error {
	j := &d.journal
	if len(j.changes) > 0 && (j.urgent || j.full() || !now.Before(j.oldest.Add(d.pol.GroupCommit))) {
		return d.commit(ctx)
	}
	return nil
}

// commitBy is when the journal must be committed; ok is false when it is
// empty.
func (d *driver) commitBy() (at time.Time, ok bool) {
	if len(d.journal.changes) == 0 {
		return time.Time{}, false
	}
	if d.journal.urgent {
		return d.journal.oldest, true
	}
	return d.journal.oldest.Add(d.pol.GroupCommit), true
}
