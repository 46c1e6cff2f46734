package linkedapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"time"
)

// StartWorkflow sends POST /workflows with a workflow definition: one
// action object or an array of them. The request is not idempotent: when
// it fails, send it again only if NotProcessed(err) is true, otherwise the
// workflow may run twice.
func (c *Client) StartWorkflow(ctx context.Context, definition json.RawMessage) (*StartedWorkflow, error) {
	if err := checkDefinition(definition); err != nil {
		return nil, err
	}
	var out StartedWorkflow
	if err := c.do(ctx, "POST", "/workflows", definition, &out); err != nil {
		if sw := salvageStarted(err); sw != nil {
			return sw, nil
		}
		return nil, err
	}
	if out.WorkflowID == "" {
		return nil, &ResponseError{Method: "POST", Path: "/workflows", Status: 200, Err: errors.New("the result has no workflowId")}
	}
	return &out, nil
}

// salvageStarted recovers the workflow id from a success response whose
// body was cut short: when what arrived already says success and holds
// the whole workflowId string, the workflow exists and its id is known, so
// the submission is not left unknown.
func salvageStarted(err error) *StartedWorkflow {
	var re *ResponseError
	if !errors.As(err, &re) || re.Status < 200 || re.Status >= 300 {
		return nil
	}
	if !regexp.MustCompile(`^\s*\{\s*"success"\s*:\s*true\s*,`).Match(re.Body) {
		return nil
	}
	m := regexp.MustCompile(`"workflowId"\s*:\s*("(?:[^"\\]|\\.)*")`).FindSubmatch(re.Body)
	if m == nil {
		return nil
	}
	var id string
	if json.Unmarshal(m[1], &id) != nil || id == "" {
		return nil
	}
	return &StartedWorkflow{WorkflowID: id, WorkflowStatus: StatusPending}
}

// checkDefinition refuses, before sending, a definition that is not a JSON
// object or array.
func checkDefinition(def json.RawMessage) error {
	var v any
	if err := json.Unmarshal(def, &v); err != nil {
		return fmt.Errorf("the workflow definition is not JSON: %w", err)
	}
	switch v.(type) {
	case map[string]any, []any:
		return nil
	}
	return errors.New("the workflow definition must be an action object or an array of them")
}

// Workflow sends GET /workflows/{id}: the workflow's status, and its
// completion or failure once it has ended.
func (c *Client) Workflow(ctx context.Context, workflowID string) (*WorkflowResult, error) {
	if workflowID == "" {
		return nil, errors.New("empty workflow id")
	}
	var out WorkflowResult
	if err := c.do(ctx, "GET", "/workflows/"+url.PathEscape(workflowID), nil, &out); err != nil {
		return nil, err
	}
	if out.WorkflowStatus == "" {
		return nil, &ResponseError{Method: "GET", Path: "/workflows/" + workflowID, Status: 200, Err: errors.New("the result has no workflowStatus")}
	}
	return &out, nil
}

// CancelWorkflow sends DELETE /workflows/{id}. Cancelled is false when the
// workflow had already ended.
func (c *Client) CancelWorkflow(ctx context.Context, workflowID string) (*CancelResult, error) {
	if workflowID == "" {
		return nil, errors.New("empty workflow id")
	}
	var out CancelResult
	if err := c.do(ctx, "DELETE", "/workflows/"+url.PathEscape(workflowID), nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PollConversations sends POST /conversations/poll: the messages of
// conversations synced earlier with a syncConversation action.
func (c *Client) PollConversations(ctx context.Context, reqs []ConversationRequest) ([]Conversation, error) {
	if len(reqs) == 0 {
		return nil, errors.New("no conversation to poll")
	}
	body, err := json.Marshal(reqs)
	if err != nil {
		return nil, fmt.Errorf("encoding the request: %w", err)
	}
	var out []Conversation
	if err := c.do(ctx, "POST", "/conversations/poll", body, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// PollInbox sends POST /inbox/poll: messages of every conversation, newest
// first, captured since a syncInbox action ran.
func (c *Client) PollInbox(ctx context.Context, req InboxRequest) (*InboxResult, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encoding the request: %w", err)
	}
	var out InboxResult
	if err := c.do(ctx, "POST", "/inbox/poll", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// PollNetwork sends POST /network/poll: connection events, newest first,
// captured since a syncNetwork action ran.
func (c *Client) PollNetwork(ctx context.Context, req NetworkRequest) (*NetworkResult, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("encoding the request: %w", err)
	}
	var out NetworkResult
	if err := c.do(ctx, "POST", "/network/poll", body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MaxStatsWindow is the longest period GET /stats/actions accepts.
const MaxStatsWindow = 30 * 24 * time.Hour

// ActionStats sends GET /stats/actions: every action the account executed
// between start and end, which may be at most MaxStatsWindow apart.
func (c *Client) ActionStats(ctx context.Context, start, end time.Time) ([]ActionStat, error) {
	if !end.After(start) {
		return nil, errors.New("the stats period ends before it starts")
	}
	if end.Sub(start) > MaxStatsWindow {
		return nil, fmt.Errorf("the stats period is longer than %d days", int(MaxStatsWindow/(24*time.Hour)))
	}
	q := url.Values{}
	q.Set("start", start.UTC().Format(time.RFC3339))
	q.Set("end", end.UTC().Format(time.RFC3339))
	var out []ActionStat
	if err := c.do(ctx, "GET", "/stats/actions?"+q.Encode(), nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Account sends GET /account: the LinkedIn account the identification
// token selects. It is the cheapest way to check the credentials.
func (c *Client) Account(ctx context.Context) (*Account, error) {
	var out Account
	if err := c.do(ctx, "GET", "/account", nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
