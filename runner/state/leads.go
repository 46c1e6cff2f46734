package state

import (
	"encoding/json"
	"time"
)

// Lead is one person in a sequence of an account: where they stand and
// what happened to them. A person is a lead of one sequence per account
// at a time.
type Lead struct {
	Account  string `json:"account"` // the account hash (never a token)
	Person   string `json:"person"`  // normalised URL: the lead's identity
	Sequence string `json:"sequence"`
	// Data is the lead's entry in the sequence's list, as given.
	Data json.RawMessage `json:"data"`
	// Step is the id of the step the lead is at: the next to run, or the
	// wait being waited, or the one being sent; "" once it ended.
	Step   string     `json:"step"`
	Status LeadStatus `json:"status"`
	// Due is when the step may run (a wait's timeout for a waiting lead).
	Due time.Time `json:"due"`
	// Since is when the lead reached its step.
	Since time.Time `json:"since"`
	// Run, Workflow and Slot say where a lead being sent is: the
	// element Slot of workflow Workflow of run Run.
	Run      string `json:"run,omitempty"`
	Workflow int    `json:"workflow"`
	Slot     int    `json:"slot"`
	// Results are the outcomes of its steps so far, by step id, as the
	// sequence's expressions read them (steps.ID).
	Results json.RawMessage `json:"results,omitempty"`
	// Variants are the versions variants: gave its steps (opaque here).
	Variants json.RawMessage `json:"variants,omitempty"`
	Error    string          `json:"error,omitempty"`
	Updated  time.Time       `json:"updated"`
}

// LeadOwner is a person's sequence, and where the lead stands in it.
type LeadOwner struct {
	Sequence string
	Status   LeadStatus
}

// LeadStatus is where a lead stands.
type LeadStatus string

// The lead statuses.
const (
	LeadActive  LeadStatus = "active"  // its step runs when due
	LeadWaiting LeadStatus = "waiting" // for an event, until Due
	LeadSending LeadStatus = "sending" // its step is in a run being driven
	LeadDone    LeadStatus = "done"    // every step ran
	LeadExited  LeadStatus = "exited"  // an exit event (replied) or a wait that timed out
	LeadFailed  LeadStatus = "failed"  // a step failed; Error says how
	LeadUnknown LeadStatus = "unknown" // a step's submission has an unknown outcome: never sent again
	LeadRemoved LeadStatus = "removed" // no longer in the sequence's list
)

// Ended reports whether the lead is finished with its sequence.
func (s LeadStatus) Ended() bool {
	switch s {
	case LeadDone, LeadExited, LeadFailed, LeadUnknown, LeadRemoved:
		return true
	}
	return false
}

// LeadEvent is one line of a lead's timeline.
type LeadEvent struct {
	Person string    `json:"person"`
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"` // entered, sent, ok, error, skipped, event, timeout, exited, done, removed, unknown
	Step   string    `json:"step,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Cursor is how far an account's event feed (network, inbox) was read.
type Cursor struct {
	Kind string // "network" or "inbox"
	// Synced is when the account's one-time sync action ran (zero: never).
	Synced time.Time
	// Since is the feed's time of the newest event read: the next poll
	// asks for later ones.
	Since string
}
