package runner

import (
	"context"

	"github.com/lwf-dev/lwf/runner/state"
)

// Store is the part of a state.Store the runner needs.
type Store interface {
	// Workflows returns the run's workflows in index order. Completion and
	// Output may be left empty: the runner does not read them back.
	Workflows(ctx context.Context, runID string) ([]*state.Workflow, error)
	// SaveAll records changes, in order, in one transaction: all of them
	// or none. A workflow changed more than once ends in its last state,
	// keeping the last Completion and Output that were not nil; a change
	// whose Workflow is nil only logs its event, one whose Event has no
	// Kind logs nothing. It must be durable when it returns: the runner
	// relies on it to record its intent before each POST /workflows (see
	// Drive).
	SaveAll(ctx context.Context, changes []state.Change) error
	// SaveUnlessCancelled records changes as SaveAll does unless the run
	// was asked to stop: then it records nothing and reports cancelled.
	// The cancel flag is read in the same transaction, so that no POST
	// leaves once a cancellation is stored.
	SaveUnlessCancelled(ctx context.Context, runID string, changes []state.Change) (cancelled bool, err error)
	// CancelRequested reports whether the run was asked to stop.
	CancelRequested(ctx context.Context, runID string) (bool, error)
}

var _ Store = state.Store(nil)
