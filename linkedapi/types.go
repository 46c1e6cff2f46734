package linkedapi

import "encoding/json"

// Status is a workflow's status as the Linked API reports it.
type Status string

// The workflow statuses of the Linked API.
const (
	StatusPending   Status = "pending"   // accepted and queued, not started
	StatusRunning   Status = "running"   // executing
	StatusCompleted Status = "completed" // done; the completion holds every action's result
	StatusFailed    Status = "failed"    // done; the failure says why
)

// Terminal reports whether the status is final. Statuses the API may add
// later are taken as not final, so tracking goes on.
func (s Status) Terminal() bool {
	return s == StatusCompleted || s == StatusFailed || s == "cancelled" || s == "canceled"
}

// Pending reasons the API gives while a workflow is pending.
const (
	// PendingQueued: waiting behind other work on the same account.
	PendingQueued = "queued"
	// PendingOutsideWorkingHours: parked until the account's working hours
	// reopen, possibly the next working day; Message says when.
	PendingOutsideWorkingHours = "outsideWorkingHours"
)

// StartedWorkflow is the result of POST /workflows.
type StartedWorkflow struct {
	WorkflowID     string `json:"workflowId"`
	WorkflowStatus Status `json:"workflowStatus,omitempty"`
	PendingReason  string `json:"pendingReason,omitempty"`
	Message        string `json:"message,omitempty"`
}

// WorkflowResult is the result of GET /workflows/{id}: the status, and
// once it is terminal, the completion or the failure.
type WorkflowResult struct {
	WorkflowID     string `json:"workflowId"`
	WorkflowStatus Status `json:"workflowStatus"`
	Message        string `json:"message,omitempty"`
	PendingReason  string `json:"pendingReason,omitempty"`
	// Completion is every action's result, in the shape of the definition:
	// one result object, or an array of them for a root array.
	Completion json.RawMessage `json:"completion,omitempty"`
	Failure    *Failure        `json:"failure,omitempty"`
}

// Failure says why a workflow failed as a whole.
type Failure struct {
	Reason  string `json:"reason"`
	Message string `json:"message,omitempty"`
}

// CancelResult is the result of DELETE /workflows/{id}.
type CancelResult struct {
	Cancelled bool `json:"cancelled"`
}

// ConversationType selects standard LinkedIn ("st") or Sales Navigator ("nv")
// messaging.
type ConversationType string

// The conversation types.
const (
	ConversationST ConversationType = "st"
	ConversationNV ConversationType = "nv"
)

// ConversationRequest asks for the messages of one synced conversation.
type ConversationRequest struct {
	PersonURL string           `json:"personUrl"`
	Type      ConversationType `json:"type"`
	// Since is an ISO 8601 time; only newer messages are returned.
	Since string `json:"since,omitempty"`
}

// Conversation is one conversation returned by POST /conversations/poll.
type Conversation struct {
	PersonURL string           `json:"personUrl"`
	PersonURN string           `json:"personUrn,omitempty"`
	Type      ConversationType `json:"type"`
	Since     string           `json:"since,omitempty"`
	SyncUntil string           `json:"syncUntil,omitempty"`
	Messages  []Message        `json:"messages"`
}

// Message is one message of a conversation.
type Message struct {
	ID       string `json:"id"`
	Sender   string `json:"sender"` // "us" or "them"
	Text     string `json:"text"`
	Time     string `json:"time"`
	ThreadID string `json:"threadId,omitempty"`
}

// InboxRequest filters POST /inbox/poll; the zero value asks for everything.
type InboxRequest struct {
	Since    string           `json:"since,omitempty"`
	Type     ConversationType `json:"type,omitempty"`
	ThreadID string           `json:"threadId,omitempty"`
}

// InboxMessage is one message returned by POST /inbox/poll.
type InboxMessage struct {
	ID              string           `json:"id"`
	Type            ConversationType `json:"type"`
	ThreadID        string           `json:"threadId"`
	PersonURL       string           `json:"personUrl"`
	PersonURN       string           `json:"personUrn,omitempty"`
	PersonHashedURL string           `json:"personHashedUrl,omitempty"`
	PersonPublicURL *string          `json:"personPublicUrl,omitempty"`
	Sender          string           `json:"sender"`
	Text            string           `json:"text"`
	Time            string           `json:"time"`
}

// InboxResult is the result of POST /inbox/poll, newest first.
type InboxResult struct {
	Messages []InboxMessage `json:"messages"`
}

// NetworkRequest filters POST /network/poll; the zero value asks for
// everything.
type NetworkRequest struct {
	Since string `json:"since,omitempty"`
	// Type is "connectionAccepted", "connectionAdded" or
	// "connectionRequestReceived".
	Type string `json:"type,omitempty"`
}

// NetworkEvent is one change in the account's network.
type NetworkEvent struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	PersonURL  string `json:"personUrl"`
	PersonURN  string `json:"personUrn,omitempty"`
	DetectedAt string `json:"detectedAt"`
}

// NetworkResult is the result of POST /network/poll, newest first.
type NetworkResult struct {
	Events []NetworkEvent `json:"events"`
}

// ActionStat is one action the account executed, from GET /stats/actions.
type ActionStat struct {
	ActionType string `json:"actionType"`
	Success    bool   `json:"success"`
	Time       string `json:"time"`
}

// Account is the LinkedIn account behind the identification token.
type Account struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}
