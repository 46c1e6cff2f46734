package state

import (
	"encoding/json"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
)

// State is where one workflow of a run stands, as lwf knows it.
type State string

// The workflow states. A workflow moves planned → submitting → pending →
// running → completed | failed | cancelled; a POST whose outcome cannot be
// known moves it to unknown instead, and a definition the API refused moves
// it to rejected.
const (
	Planned    State = "planned"    // not sent
	Submitting State = "submitting" // intent recorded, POST /workflows in flight
	Pending    State = "pending"    // accepted, waiting to start
	Running    State = "running"
	Completed  State = "completed"
	Failed     State = "failed"
	Cancelled  State = "cancelled"
	// Unknown: the POST may or may not have reached the API (the
	// process died during it, or the connection broke after sending). lwf
	// never sends it again unless told to, since that could run it twice.
	Unknown State = "unknown"
	// Rejected: the API refused the definition (invalidWorkflow, …);
	// nothing ran.
	Rejected State = "rejected"
)

// AllStates returns every state in display order.
func AllStates() []State {
	return []State{Planned, Submitting, Pending, Running, Completed, Failed, Cancelled, Rejected, Unknown}
}

// Terminal reports whether the workflow has ended for good.
func (s State) Terminal() bool {
	switch s {
	case Completed, Failed, Cancelled, Rejected:
		return true
	}
	return false
}

// Active reports whether the API is (or may be) working on the workflow
// and lwf knows its id.
func (s State) Active() bool { return s == Pending || s == Running }

// Run is one compiled plan for one account: its identity and what it was
// made from. Its workflows are stored separately.
type Run struct {
	ID       string    // short id shown to users, e.g. "r-3f9a2c1b7d4e"
	Key      string    // hash of the payloads and the account: the run's identity
	Name     string    // the workflow file's name:
	File     string    // the workflow file, as given
	Account  string    // Credentials.Account(): a hash, never a token
	Endpoint string    // the API address
	Created  time.Time // when the run was created
	// Meta is opaque to the runner: the CLI keeps what it needs to
	// re-compile the plan on re-attach (the raw --input flags).
	Meta json.RawMessage
	// CancelRequested is set by `lwf cancel`; whoever drives the run stops
	// submitting and cancels what is running.
	CancelRequested bool
	Workflows       int // how many workflows the run has
	// Points are, when the run is created, the Points of each of its
	// first workflows (a plan with named loops); not read back.
	Points [][]Point
}

// Workflow is one POST /workflows of a run and everything known about it.
type Workflow struct {
	RunID   string
	Index   int             // 0-based position in the run
	Payload json.RawMessage // the definition sent
	State   State
	// WorkflowID is the API's id, known once the POST has answered.
	WorkflowID    string
	PendingReason string // while pending: "queued" or "outsideWorkingHours"
	Message       string // the API's latest human-readable message
	Completion    json.RawMessage
	// Output is the completion shaped by the reusable workflow's output:
	// expression, when the plan has one.
	Output  json.RawMessage
	Failure *linkedapi.Failure
	// Error is lwf's own note: why a submission is unknown or was
	// rejected, or why the output could not be applied.
	Error string
	// Actions and ActionErrors count the completion's action results and
	// failures, so that summaries need not re-read every completion.
	Actions      int
	ActionErrors int
	Attempts     int // POST /workflows sent for it
	// Submitted is when lwf sent the POST /workflows that created the
	// workflow, or whose outcome is unknown: its last attempt, recorded
	// before the request left, so Linked API received it at this time or
	// later.
	Submitted time.Time
	// Unfinished is when lwf sent the last GET /workflows/{id} that found
	// the workflow pending or running: its last action ended after it.
	// Zero when no poll found it unfinished.
	Unfinished time.Time
	Updated    time.Time
	// Stage is 1 for the file's own workflows; a workflow rendered from
	// the items of a named loop has that loop's stage (2, 3, …).
	Stage int
	// Points say where, in the payload, the lists whose items feed named
	// loops are; Derived is set once they were read and their items
	// rendered into the workflows of the next stage.
	Points  []Point
	Derived bool
}

// Point is where a list that feeds a named loop is in a payload.
type Point struct {
	Pointer  string `json:"pointer"`
	Loop     int    `json:"loop"`
	Instance int    `json:"instance"`
	Item     int    `json:"item"` // the item the element was rendered for; -1 in the file's own payloads
}

// Item is one item a named loop went over — a person, company, post or
// job a list returned — and what lwf did with it.
type Item struct {
	RunID string `json:"-"`
	ID    int    `json:"id"` // unique within the run, from 0
	Loop  int    `json:"loop"`
	// Parent is the item whose steps found this one, -1 for items the
	// file's own payloads found; Instance is then the expansion of the
	// loop (Point.Instance).
	Parent   int `json:"parent"`
	Instance int `json:"instance"`
	Index    int `json:"index"` // its position in its list
	// Source is the workflow whose completion listed it, and Path where.
	Source int    `json:"source"`
	Path   string `json:"path"`
	// Key names it across lists: the normalised URL of the person (or
	// the URL of the company, post or job).
	Key  string          `json:"key"`
	Data json.RawMessage `json:"data"`
	// Status is what lwf did: ItemSent, ItemSkipped, ItemDropped or
	// ItemFailed; Reason says why for the last three.
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// Workflow and Slot are where its steps went (Steps elements of that
	// workflow's root array from Slot on); -1 when nothing was sent.
	Workflow int `json:"workflow"`
	Slot     int `json:"slot"`
	Steps    int `json:"steps"`
	// Variants are the versions variants: gave the item's actions, as
	// campaign encodes them (opaque to the store).
	Variants json.RawMessage `json:"variants,omitempty"`
}

// What lwf did with an item.
const (
	ItemSent    = "sent"    // its steps are in a workflow
	ItemSkipped = "skipped" // its actions were left out: reached before, suppressed, over a limit
	ItemDropped = "dropped" // if: left its steps out
	ItemFailed  = "failed"  // its steps cannot be made from its data (Reason says why)
)

// EventKind names an event.
type EventKind string

// The events a run reports.
const (
	EventRunStart    EventKind = "run.start"    // driving starts (new run or re-attach)
	EventRunEnd      EventKind = "run.end"      // every workflow has settled
	EventRunStopped  EventKind = "run.stopped"  // driving stopped early (Ctrl-C, timeout): resumable
	EventRunDetached EventKind = "run.detached" // --detach: everything is submitted
	EventRunCancel   EventKind = "run.cancel"   // cancellation requested
	EventSubmitting  EventKind = "workflow.submitting"
	EventSubmitted   EventKind = "workflow.submitted"
	EventStatus      EventKind = "workflow.status"   // pending/running, reason or message changed
	EventFinished    EventKind = "workflow.finished" // completed, failed, cancelled or rejected
	EventUnknown     EventKind = "workflow.unknown"
	EventRetry       EventKind = "workflow.retry" // a transient failure; retried after Delay
	// EventDerived: a completed workflow's items were read and rendered
	// into the next stage's workflows (Message says how many).
	EventDerived EventKind = "workflow.derived"
)

// Event is one thing that happened to a run, for progress displays,
// --json-events and the state store's log.
type Event struct {
	Time       time.Time `json:"time"`
	Kind       EventKind `json:"event"`
	RunID      string    `json:"run"`
	Index      int       `json:"index"` // workflow index; -1 for run events
	WorkflowID string    `json:"workflowId,omitempty"`
	State      State     `json:"state,omitempty"`
	// PendingReason and Message are the API's, as received.
	PendingReason string        `json:"pendingReason,omitempty"`
	Message       string        `json:"message,omitempty"`
	Error         string        `json:"error,omitempty"`
	Delay         time.Duration `json:"delayMs,omitempty"`
	Counts        *Counts       `json:"counts,omitempty"`
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (e *Event) UnmarshalJSON(b []byte) error {
	type plain Event
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*e = Event(p)
	e.Delay = p.Delay * time.Millisecond
	return nil
}

// Counts summarise a run: workflows by state, and actions once known.
type Counts struct {
	Total    int           `json:"total"`
	ByState  map[State]int `json:"byState"`
	Actions  int           `json:"actions"`      // action results in completions so far
	Errors   int           `json:"actionErrors"` // of which failed
	Finished int           `json:"finished"`     // workflows in a terminal state
}

// CountStates tallies workflows by state.
func CountStates(ws []*Workflow) Counts {
	c := Counts{Total: len(ws), ByState: map[State]int{}}
	for _, w := range ws {
		c.ByState[w.State]++
		if w.State.Terminal() {
			c.Finished++
		}
	}
	return c
}
