package state

import (
	"encoding/json"
	"time"
)

// Contact is one entry of the contact ledger: a person an action reached
// (or, imported, a person contacted outside lwf).
type Contact struct {
	// Account is the account whose entry it is (the store fills it in).
	Account string `json:"account,omitempty"`
	// Person is the person's URL, normalised
	// (schemas.NormalizePersonURL): the public URL when known, else the
	// hashed one.
	Person string `json:"person"`
	// Alias is the person's other URL (the hashed one when Person is
	// public), normalised; "" when only one is known.
	Alias string `json:"alias,omitempty"`
	// ActionType is the action that reached the person; "" for imported
	// entries, which count for every action.
	ActionType string `json:"actionType"`
	// Outcome is "sent", or the error that still means the person was
	// reached (alreadyConnected, alreadyPending), or "imported".
	Outcome  string    `json:"outcome"`
	Time     time.Time `json:"time"`
	RunID    string    `json:"run,omitempty"`
	Workflow int       `json:"workflow"`
	// Path is where in the workflow's completion the action's result is,
	// as a JSON pointer with list items numbered: one entry per result.
	Path     string `json:"path,omitempty"`
	Campaign string `json:"campaign,omitempty"`
	// Source is the file an imported entry came from; "" for runs.
	Source string `json:"source,omitempty"`
}

// URLs returns the person's URLs: Person, and Alias when known.
func (c Contact) URLs() []string {
	if c.Alias == "" {
		return []string{c.Person}
	}
	return []string{c.Person, c.Alias}
}

// ContactFilter selects ledger entries; empty fields match everything.
type ContactFilter struct {
	Person   string // a URL, normalised before matching Person or Alias
	Campaign string
	Action   string // an action type; imported entries (any action) match too
	// Accounts, when set, are the accounts whose entries match — a team's
	// senders — instead of the account Contacts is given.
	Accounts []string
}

// ReadCompletion reads what a completed workflow did: the people its
// contact actions reached (Time, RunID, Workflow and Campaign are filled
// in by the store) and its succeeded actions by type. A completion it
// cannot read still counts as read: it would fail the same way every time.
type ReadCompletion func(payload, completion json.RawMessage) (contacts []Contact, actions map[string]int)

// OpenWorkflow is a workflow that may still reach people, or may have
// reached them without lwf knowing whom: not yet sent, in flight, of
// unknown outcome, or cancelled after it was sent.
type OpenWorkflow struct {
	RunID    string
	Campaign string
	Index    int
	State    State
	Payload  json.RawMessage
}

// Activity is what one workflow of an account's run spent, or may spend,
// of the account's limits.
type Activity struct {
	RunID string
	// Created is when the workflow was sent (its run's creation when the
	// store has no submission time): its actions count in that period.
	// A workflow not sent yet (State Planned) counts in every period: it
	// spends when it is sent, now or soon.
	Created time.Time
	Index   int
	State   State
	// Actions are a completed workflow's succeeded actions by type, as
	// SyncLedger read them.
	Actions map[string]int
	// Completion is set instead of Actions for a completed workflow that
	// SyncLedger has not read yet.
	Completion json.RawMessage
	// Payload is set for workflows that were sent and may still run, or
	// may have run without a completion to say what they did (submitting,
	// pending, running, unknown, cancelled): all they ask for counts.
	Payload json.RawMessage
}
