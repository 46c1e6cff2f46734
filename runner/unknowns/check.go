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
// unknown submissions: from Lookback before lwf sent the run's first
// workflow that Linked API may have accepted, to now. ok is false when
// the run has no unknown submission.
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
	start = start.Add(-Lookback).Truncate(time.Second)
	end = opts.Now.Add(opts.Tolerance)
	return start, end, true
}

// Check reads the account's activity over the run's window (one request
// per 30 days of it) and classifies the run's unknown submissions. ws
// are the run's workflows with their completions.
func Check(ctx context.Context, r Reader, ws []*state.Workflow, opts Options) ([]Verdict, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	start, end, ok := Window(ws, opts)
	if !ok {
		return Classify(ws, nil, opts), nil
	}
	var stats []linkedapi.ActionStat
	for from := start; from.Before(end); from = from.Add(linkedapi.MaxStatsWindow) {
		to := from.Add(linkedapi.MaxStatsWindow)
		if to.After(end) {
			to = end
		}
		part, err := r.ActionStats(ctx, from, to)
		if err != nil {
			return nil, fmt.Errorf("reading the account's activity: %w", err)
		}
		stats = append(stats, part...)
	}
	return Classify(ws, stats, opts), nil
}
