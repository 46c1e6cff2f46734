package linkedapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// Event types of webhook deliveries (reference §1.6). A delivery of a type
// not listed here is still accepted by ParseDelivery, with its data kept
// raw: Linked API adds event types over time.
const (
	EventWorkflowCreated                  = "workflow.created"
	EventWorkflowStarted                  = "workflow.started"
	EventWorkflowCompleted                = "workflow.completed"
	EventAccountActive                    = "account.active"
	EventAccountReconnectionRequired      = "account.reconnectionRequired"
	EventAccountFrozen                    = "account.frozen"
	EventAccountDeleted                   = "account.deleted"
	EventInboxMessageReceived             = "inbox.messageReceived"
	EventInboxMessageSent                 = "inbox.messageSent"
	EventNetworkConnectionAccepted        = "network.connectionAccepted"
	EventNetworkConnectionAdded           = "network.connectionAdded"
	EventNetworkConnectionRequestReceived = "network.connectionRequestReceived"
	EventWebhookTest                      = "webhook.test"
)

// EventTypes lists every documented event type.
func EventTypes() []string {
	return []string{EventWorkflowCreated, EventWorkflowStarted, EventWorkflowCompleted,
		EventAccountActive, EventAccountReconnectionRequired, EventAccountFrozen, EventAccountDeleted,
		EventInboxMessageReceived, EventInboxMessageSent,
		EventNetworkConnectionAccepted, EventNetworkConnectionAdded, EventNetworkConnectionRequestReceived,
		EventWebhookTest}
}

// Account statuses, as account events and the admin account list report
// them.
const (
	AccountStatusActive               = "active"
	AccountStatusReconnectionRequired = "reconnection_required" // the LinkedIn session expired; reconnect the account
	AccountStatusFrozen               = "frozen"                // the subscription was downgraded or expired
	AccountStatusDeleted              = "deleted"
)

// MaxDeliveryBytes bounds the body of one delivery ParseDelivery and
// ReadDelivery accept: the same bound as a response of the API, since a
// fat workflow.completed carries a whole completion.
const MaxDeliveryBytes = DefaultMaxResponseBytes

// Delivery is one event Linked API pushed to a webhook: the envelope
// {id, type, createdAt, data} and its data decoded by family. Exactly one
// of Workflow, Account, Message, Connection and Test is set for a known
// type; none for a type this package does not know, whose Data is all
// there is.
//
// The same event may arrive more than once (a retry reuses its ID) and
// events arrive in no guaranteed order: deduplicate on ID, order by
// CreatedAt.
type Delivery struct {
	// ID identifies the event, e.g. "workflow.completed:wf-…"; every
	// retry of the event carries the same one.
	ID string `json:"id"`
	// Type is the event type (EventWorkflowCompleted, …).
	Type string `json:"type"`
	// CreatedAt is when the event happened; zero when the delivery had
	// none.
	CreatedAt time.Time `json:"createdAt"`
	// Data is the event's data as it arrived.
	Data json.RawMessage `json:"data,omitempty"`

	Workflow   *WorkflowEvent   `json:"-"`
	Account    *AccountEvent    `json:"-"`
	Message    *MessageEvent    `json:"-"`
	Connection *ConnectionEvent `json:"-"`
	Test       *TestEvent       `json:"-"`
}

// WorkflowEvent is the data of workflow.created, workflow.started and
// workflow.completed.
type WorkflowEvent struct {
	WorkflowID string `json:"workflowId"`
	AccountID  string `json:"accountId"`
	// Status is pending (created), running (started), or completed or
	// failed (completed).
	Status Status `json:"status"`
	// Result is present only on workflow.completed delivered in fat
	// payload mode. See WorkflowResult for its shape.
	Result json.RawMessage `json:"result,omitempty"`
}

// AccountEvent is the data of the account.* events.
type AccountEvent struct {
	AccountID string `json:"accountId"`
	// Status is AccountStatusActive, AccountStatusReconnectionRequired,
	// AccountStatusFrozen or AccountStatusDeleted.
	Status string `json:"status"`
}

// MessageEvent is the data of inbox.messageReceived and inbox.messageSent.
type MessageEvent struct {
	AccountID       string           `json:"accountId"`
	Type            ConversationType `json:"type"`
	ThreadID        string           `json:"threadId"`
	PersonURL       string           `json:"personUrl"`
	PersonURN       string           `json:"personUrn,omitempty"`
	PersonHashedURL string           `json:"personHashedUrl,omitempty"`
	PersonPublicURL *string          `json:"personPublicUrl,omitempty"`
	MessageID       string           `json:"messageId"`
	Sender          string           `json:"sender"` // "us" or "them"
	Text            string           `json:"text"`
	Time            string           `json:"time"`
}

// ConnectionEvent is the data of the network.* events.
type ConnectionEvent struct {
	AccountID  string `json:"accountId"`
	PersonURL  string `json:"personUrl"`
	PersonURN  string `json:"personUrn,omitempty"`
	DetectedAt string `json:"detectedAt"`
}

// TestEvent is the data of webhook.test, which POST
// /admin/webhook.sendTest asks for.
type TestEvent struct {
	Message string `json:"message"`
}

// ReadDelivery reads a delivery body from r, at most MaxDeliveryBytes of
// it, and parses it with ParseDelivery.
func ReadDelivery(r io.Reader) (*Delivery, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxDeliveryBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the delivery: %w", err)
	}
	return ParseDelivery(body)
}

// ParseDelivery validates and decodes the body of a webhook delivery. It
// fails on a body larger than MaxDeliveryBytes, one that is not a JSON
// object, has no string id or type, or a createdAt that is no RFC 3339
// time, and on the data of a known type that lacks what a receiver needs
// to act on it (a workflow event without workflowId or status, a
// workflow.completed whose status is not final, …). An unknown type is
// no error: its data is kept raw. Extra fields are ignored everywhere.
//
// Linked API documents no signature (reference §1.6): a parsed delivery
// proves only that its sender knew the webhook's URL.
func ParseDelivery(body []byte) (*Delivery, error) {
	if len(body) > MaxDeliveryBytes {
		return nil, fmt.Errorf("the delivery is larger than %d bytes", MaxDeliveryBytes)
	}
	var env struct {
		ID        *string         `json:"id"`
		Type      *string         `json:"type"`
		CreatedAt *string         `json:"createdAt"`
		Data      json.RawMessage `json:"data"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("the delivery is not a JSON object")
	}
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return nil, fmt.Errorf("the delivery is not a valid event: %w", err)
	}
	switch {
	case env.ID == nil || *env.ID == "":
		return nil, errors.New(`the delivery has no "id"`)
	case env.Type == nil || *env.Type == "":
		return nil, errors.New(`the delivery has no "type"`)
	}
	d := &Delivery{ID: *env.ID, Type: *env.Type}
	if len(env.Data) > 0 && string(env.Data) != "null" {
		d.Data = env.Data
	}
	if env.CreatedAt != nil {
		t, err := time.Parse(time.RFC3339Nano, *env.CreatedAt)
		if err != nil {
			return nil, fmt.Errorf("delivery %q: createdAt %q is not an RFC 3339 time", clip(d.ID), clip(*env.CreatedAt))
		}
		d.CreatedAt = t
	}
	if err := d.decodeData(); err != nil {
		return nil, fmt.Errorf("delivery %q (%s): %w", clip(d.ID), d.Type, err)
	}
	return d, nil
}

// decodeData fills the family field of a known type.
func (d *Delivery) decodeData() error {
	family, _, _ := strings.Cut(d.Type, ".")
	known := false
	for _, t := range EventTypes() {
		known = known || t == d.Type
	}
	if !known {
		return nil
	}
	if d.Data == nil {
		return errors.New("no data")
	}
	var into any
	switch family {
	case "workflow":
		d.Workflow = &WorkflowEvent{}
		into = d.Workflow
	case "account":
		d.Account = &AccountEvent{}
		into = d.Account
	case "inbox":
		d.Message = &MessageEvent{}
		into = d.Message
	case "network":
		d.Connection = &ConnectionEvent{}
		into = d.Connection
	default:
		d.Test = &TestEvent{}
		into = d.Test
	}
	if err := json.Unmarshal(d.Data, into); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return d.check()
}

// check says what a known event lacks.
func (d *Delivery) check() error {
	var missing []string
	need := func(name, v string) {
		if v == "" {
			missing = append(missing, name)
		}
	}
	switch {
	case d.Workflow != nil:
		w := d.Workflow
		need("workflowId", w.WorkflowID)
		need("status", string(w.Status))
		if len(missing) == 0 && d.Type == EventWorkflowCompleted && !w.Status.Terminal() {
			return fmt.Errorf("workflow.completed with status %q", clip(string(w.Status)))
		}
		if string(w.Result) == "null" {
			w.Result = nil
		}
	case d.Account != nil:
		need("accountId", d.Account.AccountID)
		need("status", d.Account.Status)
	case d.Message != nil:
		need("accountId", d.Message.AccountID)
		need("messageId", d.Message.MessageID)
	case d.Connection != nil:
		need("accountId", d.Connection.AccountID)
		need("personUrl", d.Connection.PersonURL)
	}
	if len(missing) > 0 {
		return fmt.Errorf("data has no %s", strings.Join(missing, " or "))
	}
	return nil
}

// WorkflowResult returns the result a fat workflow.completed carries, as
// GET /workflows/{id} shows it. ok is false when the delivery does not
// tell the whole result — thin payload mode, or a failed workflow whose
// result does not say why — and one GET /workflows/{id} is then needed.
//
// The shape of data.result is not documented (reference §1.6, §7.9).
// lwf's decision: a result holding a string workflowStatus is the
// workflow as GET /workflows/{id} returns it (what lwf's sandbox sends,
// and what a thin-mode receiver fetches); any other result is the
// completion itself, the shape the reference presumes.
func (e *WorkflowEvent) WorkflowResult() (res *WorkflowResult, ok bool, err error) {
	if e == nil || len(e.Result) == 0 || !e.Status.Terminal() {
		return nil, false, nil
	}
	var probe struct {
		WorkflowStatus *string `json:"workflowStatus"`
	}
	if json.Unmarshal(e.Result, &probe) == nil && probe.WorkflowStatus != nil {
		var r WorkflowResult
		if err := json.Unmarshal(e.Result, &r); err != nil {
			return nil, false, fmt.Errorf("workflow %q: result: %w", clip(e.WorkflowID), err)
		}
		if r.WorkflowID == "" {
			r.WorkflowID = e.WorkflowID
		}
		if r.WorkflowID != e.WorkflowID || r.WorkflowStatus != e.Status {
			return nil, false, fmt.Errorf("workflow %q: the result is of workflow %q, status %q", clip(e.WorkflowID), clip(r.WorkflowID), clip(string(r.WorkflowStatus)))
		}
		if r.WorkflowStatus == StatusFailed && r.Failure == nil || r.WorkflowStatus == StatusCompleted && len(r.Completion) == 0 {
			return nil, false, nil
		}
		return &r, true, nil
	}
	if e.Status != StatusCompleted {
		return nil, false, nil
	}
	return &WorkflowResult{WorkflowID: e.WorkflowID, WorkflowStatus: e.Status, Completion: e.Result}, true, nil
}

// clip keeps a value from a hostile body short in error messages.
func clip(s string) string {
	const n = 80
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
