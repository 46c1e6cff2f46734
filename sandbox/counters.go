package sandbox

import (
	"maps"
	"sync"
)

// Endpoint names, as Counters.Requests and Faults.Endpoints use them.
const (
	// EndpointPostWorkflows starts workflows.
	EndpointPostWorkflows = "POST /workflows"
	// EndpointGetWorkflow reads a workflow's status and result.
	EndpointGetWorkflow = "GET /workflows/{id}"
	// EndpointDeleteWorkflow cancels a workflow.
	EndpointDeleteWorkflow = "DELETE /workflows/{id}"
	// EndpointConversationsPoll reads synced conversations.
	EndpointConversationsPoll = "POST /conversations/poll"
	// EndpointInboxPoll reads the synced inbox.
	EndpointInboxPoll = "POST /inbox/poll"
	// EndpointNetworkPoll reads network changes.
	EndpointNetworkPoll = "POST /network/poll"
	// EndpointStats reads the executed actions.
	EndpointStats = "GET /stats/actions"
	// EndpointAccount describes the account.
	EndpointAccount = "GET /account"
	// EndpointOther counts requests to unknown paths or with a method the
	// path does not take.
	EndpointOther = "other"
)

// Endpoints lists every API endpoint name.
func Endpoints() []string {
	return append([]string{EndpointPostWorkflows, EndpointGetWorkflow, EndpointDeleteWorkflow, EndpointConversationsPoll,
		EndpointInboxPoll, EndpointNetworkPoll, EndpointStats, EndpointAccount}, adminEndpoints()...)
}

func knownEndpoint(e string) bool {
	for _, x := range Endpoints() {
		if x == e {
			return true
		}
	}
	return false
}

// Counters are what the sandbox saw and did since it started, so tests
// and benchmarks can prove what a client did. GET /_sandbox/counters
// serves the same values as JSON.
type Counters struct {
	// Requests counts API requests by endpoint name (EndpointPostWorkflows,
	// …, EndpointOther), whatever their outcome, faults included.
	Requests map[string]int64 `json:"requests"`
	// Responses counts API responses by HTTP status ("200", "429", …);
	// dropped connections count as "dropped".
	Responses map[string]int64 `json:"responses"`
	// Faults counts injected faults by kind: rateLimit, serverError500,
	// serverError502, serverError503, drop, truncate.
	Faults map[string]int64 `json:"faults"`
	// WorkflowsAccepted counts workflows created by POST /workflows
	// (including those whose answer a fault then replaced).
	WorkflowsAccepted int64 `json:"workflowsAccepted"`
	// WorkflowsRejected counts POST /workflows refused with
	// invalidWorkflow or invalidRequestPayload.
	WorkflowsRejected int64 `json:"workflowsRejected"`
	// DuplicatePayloads counts accepted workflows whose payload (as JSON,
	// keys sorted) equals one the same account had already submitted.
	DuplicatePayloads int64 `json:"duplicatePayloads"`
	// WorkflowsCompleted, WorkflowsFailed and WorkflowsCancelled count
	// workflows that reached those states.
	WorkflowsCompleted int64 `json:"workflowsCompleted"`
	WorkflowsFailed    int64 `json:"workflowsFailed"`
	WorkflowsCancelled int64 `json:"workflowsCancelled"`
	// WorkflowsEvicted counts finished workflows dropped from memory.
	WorkflowsEvicted int64 `json:"workflowsEvicted"`
	// WorkflowsHeld is the number of workflows in memory now.
	WorkflowsHeld int64 `json:"workflowsHeld"`
	// BytesHeld is what those workflows hold now, as Options.MaxHeldBytes
	// counts it: the bytes of their completions and of the bodies of those
	// not yet run.
	BytesHeld int64 `json:"bytesHeld"`
	// ActionsExecuted counts the actions of every executed workflow.
	ActionsExecuted int64 `json:"actionsExecuted"`
	// WebhookDeliveries counts the webhook deliveries made, duplicates and
	// replays included, dropped ones not; WebhookAttempts the POSTs to
	// webhooks, retries included; WebhookDropped the deliveries
	// Faults.WebhookDrop dropped.
	WebhookDeliveries int64 `json:"webhookDeliveries"`
	WebhookAttempts   int64 `json:"webhookAttempts"`
	WebhookDropped    int64 `json:"webhookDropped"`
}

// counters is the live, locked form of Counters.
type counters struct {
	mu sync.Mutex
	c  Counters
}

func newCounters() *counters {
	return &counters{c: Counters{Requests: map[string]int64{}, Responses: map[string]int64{}, Faults: map[string]int64{}}}
}

func (c *counters) add(f func(c *Counters)) {
	c.mu.Lock()
	f(&c.c)
	c.mu.Unlock()
}

func (c *counters) snapshot() Counters {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.c
	out.Requests = maps.Clone(c.c.Requests)
	out.Responses = maps.Clone(c.c.Responses)
	out.Faults = maps.Clone(c.c.Faults)
	return out
}
