package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/lwf-dev/lwf/runner/state"
)

// MemoryStore is a Store that keeps runs in memory: for programs that
// track workflows within one process, and for tests. The state subpackage
// has the durable SQLite store lwf uses.
type MemoryStore struct {
	mu   sync.Mutex
	runs map[string]*memRun
}

type memRun struct {
	run    state.Run
	ws     []*state.Workflow
	events []state.Event
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{runs: map[string]*memRun{}} }

// AddRun creates a run with one planned workflow per payload.
func (m *MemoryStore) AddRun(run state.Run, payloads []json.RawMessage) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.runs[run.ID]; ok {
		return fmt.Errorf("run %s exists", run.ID)
	}
	run.Workflows = len(payloads)
	r := &memRun{run: run}
	for i, p := range payloads {
		r.ws = append(r.ws, &state.Workflow{RunID: run.ID, Index: i, Payload: p, State: state.Planned})
	}
	m.runs[run.ID] = r
	return nil
}

// Workflows returns copies of the run's workflows.
func (m *MemoryStore) Workflows(_ context.Context, runID string) ([]*state.Workflow, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[runID]
	if !ok {
		return nil, fmt.Errorf("no run %s", runID)
	}
	out := make([]*state.Workflow, len(r.ws))
	for i, w := range r.ws {
		c := *w
		out[i] = &c
	}
	return out, nil
}

// Save stores a copy of w and appends ev to the run's log.
func (m *MemoryStore) Save(_ context.Context, w *state.Workflow, ev state.Event) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(w, ev); err != nil {
		return err
	}
	m.save(w, ev)
	return nil
}

// SaveAll stores each change as Save does, all at once: no reader sees
// part of them.
func (m *MemoryStore) SaveAll(_ context.Context, changes []state.Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.saveAll(changes)
}

// SaveUnlessCancelled stores the changes as SaveAll does unless
// RequestCancel was called for the run.
func (m *MemoryStore) SaveUnlessCancelled(_ context.Context, runID string, changes []state.Change) (cancelled bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.runs[runID]; ok && r.run.CancelRequested {
		return true, nil
	}
	return false, m.saveAll(changes)
}

func (m *MemoryStore) saveAll(changes []state.Change) error {
	for _, c := range changes {
		if err := m.check(c.Workflow, c.Event); err != nil {
			return err
		}
	}
	for _, c := range changes {
		m.save(c.Workflow, c.Event)
	}
	return nil
}

// runOf is the run a change belongs to.
func runOf(w *state.Workflow, ev state.Event) string {
	if w != nil {
		return w.RunID
	}
	return ev.RunID
}

// check says why w and ev cannot be saved.
func (m *MemoryStore) check(w *state.Workflow, ev state.Event) error {
	id := runOf(w, ev)
	r, ok := m.runs[id]
	if !ok {
		return fmt.Errorf("no run %s", id)
	}
	if w != nil && (w.Index < 0 || w.Index >= len(r.ws)) {
		return fmt.Errorf("run %s has no workflow %d", id, w.Index)
	}
	return nil
}

// save stores w, and logs ev unless it has no Kind.
func (m *MemoryStore) save(w *state.Workflow, ev state.Event) {
	r := m.runs[runOf(w, ev)]
	if w != nil {
		c := *w
		old := r.ws[w.Index]
		// The runner drops completions from memory after saving them;
		// keep the stored ones.
		if c.Completion == nil {
			c.Completion, c.Output = old.Completion, old.Output
		}
		r.ws[w.Index] = &c
	}
	if ev.Kind != "" {
		r.events = append(r.events, ev)
	}
}

// CancelRequested reports whether RequestCancel was called for the run.
func (m *MemoryStore) CancelRequested(_ context.Context, runID string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.runs[runID]
	return ok && r.run.CancelRequested, nil
}

// RequestCancel asks whoever drives the run to cancel it.
func (m *MemoryStore) RequestCancel(runID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.runs[runID]; ok {
		r.run.CancelRequested = true
	}
}

// Events returns the run's event log.
func (m *MemoryStore) Events(runID string) []state.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.runs[runID]; ok {
		return append([]state.Event(nil), r.events...)
	}
	return nil
}
