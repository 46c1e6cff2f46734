package unknowns

import (
	"context"
	"fmt"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

// Reader reads the account's activity; *linkedapi.Client is one.
type Reader interface {
	ActionStats(ctx context.Context, start, end time.Time) ([]linkedapi.ActionStat, error)
}

var _ Reader = (*linkedapi.Client)(nil)

// Lookback is how long before a run's first workflow Window starts: the
// account's activity just before the run shows whether other work of
// the same kinds was running, which makes actions matching an unknown
// submission weaker evidence.
const Lookback = 10 * time.Minute

// Window is the period of activity Classify needs to judge a run's
// unknown submissions, on the server's clock: from Lookback before lwf
// sent the run's first workflow that Linked API may have accepted, to
// now. ok is false when the run has no unknown submission.
func Window(ws []*state.Workflow, opts Options) (start, end time.Time, ok bool) {
	opts, _ = opts.withDefaults()
	for _, w := range ws {
		if w.State == state.Unknown {
			ok = true
		}
		if (w.State == state.Unknown || w.WorkflowID != "") && !w.Submitted.IsZero() && (start.IsZero() || w.Submitted.Before(start)) {
			start = w.Submitted
		}
	}
	if !ok || start.IsZero() {
		return time.Time{}, time.Time{}, false
	}
	// On the server's clock, which the request speaks.
	start = start.Add(opts.Skew - Lookback).Truncate(time.Second)
	end = opts.Now.Add(opts.Skew + opts.Tolerance)
	return start, end, true
}

// Check reads the account's activity over the run's window (one request
// per 30 days of it) and classifies the run's unknown submissions. ws
// are the run's workflows with their completions. With opts.SkewFrom, it
// reads 10 minutes wider on each side and takes the skew it reports once
// the activity has been read.
func Check(ctx context.Context, r Reader, ws []*state.Workflow, opts Options) ([]Verdict, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	start, end, ok := Window(ws, opts)
	if !ok {
		return Classify(ws, nil, opts), nil
	}
	if opts.SkewFrom != nil {
		// The read's answer may be the first to tell the server's clock:
		// read wide, then keep the window on that clock.
		start, end = start.Add(-maxSkew), end.Add(maxSkew)
	}
	var stats []linkedapi.ActionStat
	for from := start; from.Before(end); from = from.Add(linkedapi.MaxStatsWindow) {
		to := from.Add(linkedapi.MaxStatsWindow)
		if to.After(end) {
			to = end
		}
		part, err := read(ctx, r, from, to, opts.RetryDelay)
		if err != nil {
			return nil, fmt.Errorf("reading the account's activity: %w", err)
		}
		stats = append(stats, part...)
	}
	if opts.SkewFrom != nil {
		if skew, ok := opts.SkewFrom(); ok {
			opts.Skew = skew
		}
		start, end, _ = Window(ws, opts)
		kept := stats[:0:0]
		for _, st := range stats {
			if at, err := time.Parse(time.RFC3339Nano, st.Time); err != nil || (!at.Before(start) && !at.After(end)) {
				kept = append(kept, st)
			}
		}
		stats = kept
	}
	return Classify(ws, stats, opts), nil
}

// maxSkew is the clock difference Check allows for when it reads before
// it knows it.
const maxSkew = 10 * time.Minute

// attempts bounds the reads of one period: a GET may be repeated, but a
// summary should not wait long for a verdict (with the waits capped at
// 10 s, eight attempts take under a minute). Faults that left submissions
// unknown are likely to strike this read too: four attempts failed one
// time in forty under the fault proof's mix.
const attempts = 8

// read reads one period, again after a transient failure, waiting delay,
// then twice as long each time (a Retry-After the server asks for, if
// longer, up to 10 s).
func read(ctx context.Context, r Reader, from, to time.Time, delay time.Duration) ([]linkedapi.ActionStat, error) {
	if delay <= 0 {
		delay = time.Second
	}
	for n := 1; ; n++ {
		part, err := r.ActionStats(ctx, from, to)
		if err == nil || n == attempts || !linkedapi.IsTransient(err) {
			return part, err
		}
		wait := delay
		if ra, ok := linkedapi.RetryAfter(err); ok && ra > wait {
			wait = min(ra, 10*time.Second)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, err
		case <-t.C:
		}
		delay = min(2*delay, 10*time.Second)
	}
}

// Saver stores a workflow and the event that changed it; a state.Store
// is one.
type Saver interface {
	Save(ctx context.Context, w *state.Workflow, ev state.Event) error
}

// Record stores each verdict after its submission's note (see
// state.WithVerdict), in ws and in s, with a workflow.unknown event
// carrying the new note. The workflows stay unknown.
func Record(ctx context.Context, s Saver, ws []*state.Workflow, vs []Verdict, now time.Time) error {
	for _, v := range vs {
		if v.Index < 0 || v.Index >= len(ws) || ws[v.Index].Index != v.Index || ws[v.Index].State != state.Unknown {
			return fmt.Errorf("no unknown submission #%d to record a verdict for", v.Index+1)
		}
		w := ws[v.Index]
		w.Error, w.Updated = state.WithVerdict(w.Error, v.Verdict, v.Evidence), now
		ev := state.Event{Time: now, Kind: state.EventUnknown, RunID: w.RunID, Index: w.Index, State: w.State, Error: w.Error}
		if err := s.Save(context.WithoutCancel(ctx), w, ev); err != nil {
			return err
		}
	}
	return nil
}
