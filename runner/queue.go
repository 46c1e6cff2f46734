package runner

import (
	"container/heap"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

// taskKind is what the runner does next for a workflow.
type taskKind int

const (
	taskSubmit taskKind = iota // POST /workflows
	taskPoll                   // GET /workflows/{id}
	taskCancel                 // DELETE /workflows/{id}
)

// tracked is the runner's working state for one workflow.
type tracked struct {
	w        *state.Workflow
	offset   int           // number of the first root-array item, for error paths
	interval time.Duration // current un-jittered poll interval
	parked   bool          // last seen pending for outsideWorkingHours
	waiting  bool          // last seen pending behind other work of the account (queued)
	answered bool          // this drive has had an answer about it (POST or GET)
	failures int           // consecutive transient failures
	hard     int           // consecutive non-transient read failures
	next     taskKind
	due      time.Time
	queued   *taskQueue // the queue holding it, if any
	hidx     int
	busy     bool // a request for it is in flight
	// cancel: a DELETE is wanted as soon as no request is in flight.
	cancel bool
	polled bool // Refresh: its one poll is scheduled
}

// taskQueue orders tracked workflows by due time, then index.
type taskQueue []*tracked

// Len implements heap.Interface.
func (q taskQueue) Len() int { return len(q) }

// Less implements heap.Interface.
func (q taskQueue) Less(i, j int) bool {
	if !q[i].due.Equal(q[j].due) {
		return q[i].due.Before(q[j].due)
	}
	return q[i].w.Index < q[j].w.Index
}

// Swap implements heap.Interface.
func (q taskQueue) Swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].hidx, q[j].hidx = i, j
}

// Push implements heap.Interface.
func (q *taskQueue) Push(x any) {
	t := x.(*tracked)
	t.hidx = len(*q)
	t.queued = q
	*q = append(*q, t)
}

// Pop implements heap.Interface.
func (q *taskQueue) Pop() any {
	old := *q
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*q = old[:len(old)-1]
	t.queued, t.hidx = nil, -1
	return t
}

// peek returns the earliest task without removing it.
func (q taskQueue) peek() *tracked {
	if len(q) == 0 {
		return nil
	}
	return q[0]
}

// remove takes t out of whichever queue holds it.
func (t *tracked) dequeue() {
	if t.queued != nil {
		heap.Remove(t.queued, t.hidx)
	}
}
