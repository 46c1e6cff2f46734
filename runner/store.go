package runner

import (
	"context"

	"github.com/lwf-dev/lwf/runner/state"
)

// Store is the part of a state.Store the runner needs. Save must be
// durable when it returns: the runner relies on it to record its intent
// before each POST /workflows and the workflow id right after.
type Store interface {
	// Workflows returns the run's workflows in index order. Completion and
	// Output may be left empty: the runner does not read them back.
	Workflows(ctx context.Context, runID string) ([]*state.Workflow, error)
	// Save records w's current state and the event that changed it in one
	// transaction. w may be nil for an event about the run as a whole.
	Save(ctx context.Context, w *state.Workflow, ev state.Event) error
	// CancelRequested reports whether the run was asked to stop.
	CancelRequested(ctx context.Context, runID string) (bool, error)
}

var _ Store = state.Store(nil)
