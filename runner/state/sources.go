package state

import (
	"encoding/json"
	"time"
)

// Source is a file registered in the store so that any lwf process with
// the store — lwf worker, lwf serve, on any machine — can work it: a
// sequence whose ticks it runs. Its identity is its kind and name: the
// latest registration of a name wins.
type Source struct {
	Kind string `json:"kind"` // SourceSequence
	Name string `json:"name"`
	// File is the file's name as it was given; Content the file as read.
	File    string `json:"file"`
	Content []byte `json:"content"`
	// Inputs are the input values it was registered with, resolved (a CSV
	// file's rows, not its path): a worker elsewhere has not the file.
	Inputs json.RawMessage `json:"inputs"`
	// Accounts are the accounts (hashes) it works for: its senders.
	Accounts []string `json:"accounts"`
	// Paused stops its work until resumed (lwf serve's dashboard).
	Paused  bool      `json:"paused"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// The kinds of source.
const SourceSequence = "sequence"

// AccountState is what lwf knows of an account's health, and whether its
// work is paused.
type AccountState struct {
	Account string `json:"account"`
	// Label names the account for people: its profile's name.
	Label string `json:"label,omitempty"`
	// Stopped says why lwf gives the account no more work ("" when it
	// works): signed out, limitExceeded, noSalesNavigator, paused by a
	// person.
	Stopped string    `json:"stopped,omitempty"`
	Since   time.Time `json:"since,omitzero"`
	Updated time.Time `json:"updated"`
}

// Delivery is a webhook delivery Linked API made, as it was received:
// stored before it is acknowledged, acted on after.
type Delivery struct {
	ID         string    `json:"id"` // the event's id: retries reuse it
	Type       string    `json:"type"`
	AccountID  string    `json:"accountId,omitempty"`
	WorkflowID string    `json:"workflowId,omitempty"`
	Created    time.Time `json:"created"` // when the event happened
	Received   time.Time `json:"received"`
	Body       []byte    `json:"-"`
	Done       bool      `json:"done"` // acted on
}
