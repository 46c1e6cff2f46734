package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
)

// fakeAPI is an in-process Linked API: each accepted workflow is pending
// for pendingPolls polls, running for runningPolls more, then completed
// with a result per root action. Hooks inject failures.
type fakeAPI struct {
	mu           sync.Mutex
	pendingPolls int
	runningPolls int
	// onStart may fail the attempt-th POST (0-based) of a definition;
	// accept reports whether the workflow is created anyway (a response
	// lost after processing).
	onStart  func(def string, attempt int) (err error, accept bool)
	attempts map[string]int
	onPoll   func(id string, n int) error
	// pendingReason and message are reported while pending.
	pendingReason, message string
	block                  chan struct{} // when set, POSTs wait for it
	starts                 int
	accepted               map[string]json.RawMessage // id → definition
	byDefinition           map[string]int             // definition → times accepted
	polls                  map[string]int
	cancelled              map[string]bool
	deletes                int
}

func newFakeAPI() *fakeAPI {
	return &fakeAPI{pendingPolls: 1, runningPolls: 1, accepted: map[string]json.RawMessage{},
		byDefinition: map[string]int{}, attempts: map[string]int{}, polls: map[string]int{}, cancelled: map[string]bool{}}
}

func (f *fakeAPI) StartWorkflow(ctx context.Context, def json.RawMessage) (*linkedapi.StartedWorkflow, error) {
	if f.block != nil {
		<-f.block
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.starts++
	var err error
	accept := true
	if f.onStart != nil {
		err, accept = f.onStart(string(def), f.attempts[string(def)])
	}
	f.attempts[string(def)]++
	var id string
	if accept {
		id = fmt.Sprintf("wf-%d", len(f.accepted)+1)
		f.accepted[id] = def
		f.byDefinition[string(def)]++
	}
	if err != nil {
		return nil, err
	}
	return &linkedapi.StartedWorkflow{WorkflowID: id, WorkflowStatus: linkedapi.StatusPending, PendingReason: f.pendingReason, Message: f.message}, nil
}

func (f *fakeAPI) Workflow(ctx context.Context, id string) (*linkedapi.WorkflowResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.polls[id]
	f.polls[id]++
	if f.onPoll != nil {
		if err := f.onPoll(id, n); err != nil {
			return nil, err
		}
	}
	def, ok := f.accepted[id]
	if !ok {
		return nil, &linkedapi.APIError{Method: "GET", Path: "/workflows/" + id, Status: 404, Type: "workflowNotFound"}
	}
	switch {
	case f.cancelled[id]:
		return &linkedapi.WorkflowResult{WorkflowID: id, WorkflowStatus: "cancelled"}, nil
	case n < f.pendingPolls:
		return &linkedapi.WorkflowResult{WorkflowID: id, WorkflowStatus: linkedapi.StatusPending, PendingReason: f.pendingReason, Message: f.message}, nil
	case n < f.pendingPolls+f.runningPolls:
		return &linkedapi.WorkflowResult{WorkflowID: id, WorkflowStatus: linkedapi.StatusRunning}, nil
	}
	return &linkedapi.WorkflowResult{WorkflowID: id, WorkflowStatus: linkedapi.StatusCompleted, Completion: fakeCompletion(def)}, nil
}

func (f *fakeAPI) CancelWorkflow(ctx context.Context, id string) (*linkedapi.CancelResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes++
	if _, ok := f.accepted[id]; !ok {
		return nil, &linkedapi.APIError{Method: "DELETE", Path: "/workflows/" + id, Status: 404, Type: "workflowNotFound"}
	}
	f.cancelled[id] = true
	return &linkedapi.CancelResult{Cancelled: true}, nil
}

// duplicates counts definitions accepted more than once.
func (f *fakeAPI) duplicates() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.byDefinition {
		n += c - 1
	}
	return n
}

// fakeCompletion answers each root action with success, or with an error
// when the action has "fail": "<type>".
func fakeCompletion(def json.RawMessage) json.RawMessage {
	var one map[string]any
	var many []map[string]any
	res := func(a map[string]any) map[string]any {
		r := map[string]any{"actionType": a["actionType"], "success": true}
		if t, ok := a["fail"].(string); ok {
			r["success"] = false
			r["error"] = map[string]any{"type": t, "message": "injected"}
		}
		return r
	}
	var out any
	if json.Unmarshal(def, &many) == nil {
		var rs []any
		for _, a := range many {
			rs = append(rs, res(a))
		}
		out = rs
	} else if json.Unmarshal(def, &one) == nil {
		out = res(one)
	}
	b, _ := json.Marshal(out)
	return b
}

// fastPolicy makes every interval a millisecond or so.
func fastPolicy() Policy {
	return Policy{
		PollStart: time.Millisecond, PollFactor: 1.5, PollMax: 4 * time.Millisecond, Jitter: 0.1,
		Park: 2 * time.Millisecond, RetryBase: time.Millisecond, RetryMax: 4 * time.Millisecond,
		RetryAfterCap: 5 * time.Millisecond, CancelCheck: time.Millisecond,
	}
}
