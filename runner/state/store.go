package state

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Store keeps runs, their workflows and the contact ledger durably. Every
// write is durable when it returns: the runner relies on it to record its
// intent before each POST /workflows and the workflow id right after.
// Implementations are safe for concurrent use.
type Store interface {
	// Attach returns the latest run with run.Key, or creates run with one
	// planned workflow per payload when there is none or fresh is true,
	// in one transaction, so two processes started together agree on one
	// run. created reports whether the run is new; run.ID is assigned.
	Attach(ctx context.Context, run Run, payloads []json.RawMessage, fresh bool) (got *Run, created bool, err error)
	// Run returns the run with the given id, or ErrNotFound.
	Run(ctx context.Context, id string) (*Run, error)
	// RunByKey returns the latest run with key, or ErrNotFound.
	RunByKey(ctx context.Context, key string) (*Run, error)
	// Resolve finds what a user's id names: a run id, a unique prefix of
	// one (with or without "r-"), or a Linked API workflow id of a stored
	// run. index is the workflow's index for a workflow id, or -1.
	Resolve(ctx context.Context, id string) (run *Run, index int, err error)
	// Runs lists the most recent runs first, at most limit of them.
	Runs(ctx context.Context, limit int) ([]RunSummary, error)
	// Counts tallies a run's workflows by state and sums their action
	// counts; updated is the latest change to any of them.
	Counts(ctx context.Context, runID string) (c Counts, updated time.Time, err error)
	// RequestCancel marks the run for cancellation.
	RequestCancel(ctx context.Context, runID string) error
	// CancelRequested reports whether the run was asked to stop.
	CancelRequested(ctx context.Context, runID string) (bool, error)

	// Workflows returns the run's workflows in index order, without
	// their completions and outputs.
	Workflows(ctx context.Context, runID string) ([]*Workflow, error)
	// WorkflowsFull returns the run's workflows with completions and
	// outputs.
	WorkflowsFull(ctx context.Context, runID string) ([]*Workflow, error)
	// Save records w's current state and the event that changed it in one
	// transaction; w may be nil for an event about the run as a whole. A
	// nil Completion or Output leaves the stored one in place.
	Save(ctx context.Context, w *Workflow, ev Event) error
	// SaveAll records changes, in order, in one transaction: all of them
	// or none (a group commit). A workflow changed more than once ends in
	// its last state, keeping the last Completion and Output that were not
	// nil; every event that has a Kind is logged.
	SaveAll(ctx context.Context, changes []Change) error
	// SaveUnlessCancelled records changes as SaveAll does, in one
	// transaction with a look at the run's cancel flag: when the run was
	// asked to stop (RequestCancel), it records nothing and reports
	// cancelled. The runner commits its intent before each POST
	// /workflows so: no POST leaves once a cancellation is stored.
	SaveUnlessCancelled(ctx context.Context, runID string, changes []Change) (cancelled bool, err error)
	// Events returns the run's last limit events, oldest first.
	Events(ctx context.Context, runID string, limit int) ([]Event, error)

	// Derive records, in one transaction, what a completed workflow of
	// a staged run found: its items and the workflows rendered from them
	// (planned; their Index follows the run's last workflow, their Stage
	// and Points set), and marks workflow from derived, with event ev.
	// Item IDs and workflow indexes are the caller's, in order; derived
	// reports false, and nothing is stored, when from was derived
	// before.
	Derive(ctx context.Context, runID string, from int, items []Item, ws []*Workflow, ev Event) (derived bool, err error)
	// Items returns the run's items in ID order.
	Items(ctx context.Context, runID string) ([]Item, error)

	// Lock takes the run's exclusive lock without waiting: a
	// *LockedError says another process holds it. The lock ends with the
	// process however it ends, so a stale lock never blocks a run.
	Lock(runID string) (Lock, error)
	// Held reports whether some process holds the run's lock right now.
	Held(runID string) bool

	// SyncLedger reads every completed workflow of the account that it
	// has not read before with read, and records what read found: the
	// people reached (the contact ledger) and the succeeded actions by
	// type (for limits, see Activity). It is idempotent and cheap once
	// caught up.
	SyncLedger(ctx context.Context, account string, read ReadCompletion) error
	// Contacts lists the account's ledger entries that match f, oldest
	// first.
	Contacts(ctx context.Context, account string, f ContactFilter) ([]Contact, error)
	// ImportContacts adds entries for people contacted outside lwf; an
	// entry already imported from the same source is kept once. It
	// returns how many were new.
	ImportContacts(ctx context.Context, account string, cs []Contact) (added int, err error)
	// ForgetContact removes every ledger entry of a person (by either
	// URL) for the account; it returns how many entries went.
	ForgetContact(ctx context.Context, account, personURL string) (int, error)
	// OpenWorkflows lists the account's open workflows (see
	// OpenWorkflow).
	OpenWorkflows(ctx context.Context, account string) ([]OpenWorkflow, error)
	// Activity lists what the account's runs created at or after since
	// spent (see Activity). Call SyncLedger first.
	Activity(ctx context.Context, account string, since time.Time) ([]Activity, error)

	// Leads returns the account's leads of a sequence, by person; ""
	// for every account or every sequence.
	Leads(ctx context.Context, account, sequence string) ([]Lead, error)
	// OpenLeads returns the account's leads of a sequence that have not
	// ended (active, waiting, sending), by person.
	OpenLeads(ctx context.Context, account, sequence string) ([]Lead, error)
	// LeadOwners tells, for each person who is a lead of the account, the
	// sequence and the lead's status.
	LeadOwners(ctx context.Context, account string) (map[string]LeadOwner, error)
	// Lead returns the account's lead for a person, or ErrNotFound.
	Lead(ctx context.Context, account, person string) (*Lead, error)
	// SaveLeads records leads (inserted or updated) and their timeline
	// events in one transaction. A lead inserted for a person who is
	// already a lead of another sequence of the account is refused:
	// *LeadTakenError.
	SaveLeads(ctx context.Context, account string, leads []*Lead, events []LeadEvent) error
	// MoveLead gives a lead of one account to another, with its
	// timeline, and logs ev on it: a sender that cannot send hands over
	// the leads it never wrote to. ErrNotFound when from has no such
	// lead; *LeadTakenError when to has the person already.
	MoveLead(ctx context.Context, person, from, to string, ev LeadEvent) error
	// StartSteps creates a run with one planned workflow per payload and
	// records the leads as being sent in it, in one transaction: a crash
	// leaves either both or neither.
	StartSteps(ctx context.Context, run Run, payloads []json.RawMessage, account string, leads []*Lead, events []LeadEvent) (*Run, error)
	// Timeline returns a lead's events, oldest first.
	Timeline(ctx context.Context, account, person string) ([]LeadEvent, error)
	// Cursor returns how far an account's feed was read (zero when never).
	Cursor(ctx context.Context, account, kind string) (Cursor, error)
	// SetCursor records it.
	SetCursor(ctx context.Context, account string, c Cursor) error
	// ResetSequence forgets a sequence's leads and their timelines, and
	// the account's feed cursors, so that it starts over (a sequence
	// played on a new sandbox). It returns how many leads it forgot.
	ResetSequence(ctx context.Context, account, sequence string) (int, error)
	// SaveSource registers a source, replacing the one of the same kind
	// and name (Created is kept).
	SaveSource(ctx context.Context, src Source) error
	// Sources lists the sources of a kind ("" for all), by name.
	Sources(ctx context.Context, kind string) ([]Source, error)
	// SetSourcePaused pauses or resumes a source; ErrNotFound when there
	// is none.
	SetSourcePaused(ctx context.Context, kind, name string, paused bool) error
	// SetAccountState records an account's state.
	SetAccountState(ctx context.Context, st AccountState) error
	// AccountStates lists the accounts' states, by account.
	AccountStates(ctx context.Context) ([]AccountState, error)
	// SaveDelivery records a webhook delivery; created is false when one
	// with its id was recorded before (a retry, a duplicate).
	SaveDelivery(ctx context.Context, d Delivery) (created bool, err error)
	// Deliveries lists the deliveries received at or after since, oldest
	// first, at most limit; pending keeps to those not acted on yet.
	Deliveries(ctx context.Context, since time.Time, pending bool, limit int) ([]Delivery, error)
	// DeliveryDone records that deliveries were acted on, in one
	// transaction.
	DeliveryDone(ctx context.Context, ids ...string) error
	// LockAccount takes the account's exclusive lock without waiting: one
	// process works an account's sequences at a time. A *LockedError says
	// another holds it.
	LockAccount(account string) (Lock, error)

	// Location names the store for messages: a directory, or a server
	// address without its password.
	Location() string
	// Close closes the store.
	Close() error
}

// Change is a workflow's new state and the event that changed it, one
// element of a group commit (Store.SaveAll). Workflow is nil for an event
// alone (about the run as a whole, or logged after the state it
// describes); an Event without a Kind logs nothing.
type Change struct {
	Workflow *Workflow
	Event    Event
}

// Lock is a held run lock.
type Lock interface {
	// Unlock releases the lock.
	Unlock()
}

// ErrNotFound is returned when no run or workflow matches an id.
var ErrNotFound = errors.New("not found")

// LockedError says another process drives the run (or works what What
// names: an account's sequences).
type LockedError struct {
	RunID string
	What  string // "" for a run
	PID   int    // 0 when unknown
	// Host is the machine of the process that holds the lock, when it is
	// not this one (a store on a server is shared between machines).
	Host string
}

// Error names the run and the process that drives it.
func (e *LockedError) Error() string {
	what, verb := "run "+e.RunID, "driven"
	if e.What != "" {
		what, verb = e.What, "worked"
	}
	switch {
	case e.PID > 0 && e.Host != "":
		return fmt.Sprintf("%s is being %s by another lwf process (pid %d on %s)", what, verb, e.PID, e.Host)
	case e.PID > 0:
		return fmt.Sprintf("%s is being %s by another lwf process (pid %d)", what, verb, e.PID)
	}
	return fmt.Sprintf("%s is being %s by another lwf process", what, verb)
}

// RunSummary is one line of `lwf runs`.
type RunSummary struct {
	Run
	Counts  Counts
	Updated time.Time
}

// DamagedError says a store cannot be trusted: its file is empty or not
// a database, its pages are corrupt, or its records contradict each
// other. lwf stops rather than carry on from what is left, since a run
// that lost its record of a workflow would send it again.
type DamagedError struct {
	Location string // the store
	Detail   string // what is wrong
	Err      error  // the underlying error, if any
}

// Error says what is wrong and what to do.
func (e *DamagedError) Error() string {
	return fmt.Sprintf("the state store %s is damaged: %s. lwf stops rather than start afresh where a store was; lwf state check tells more. "+
		"Restore the store from a backup, or move it aside to start an empty one (lwf then forgets its runs and its contact ledger)", e.Location, e.Detail)
}

// Unwrap returns the underlying error.
func (e *DamagedError) Unwrap() error { return e.Err }

// NewerError says a store was written by a newer lwf: this one would not
// know what its newer tables mean, so it does not touch it.
type NewerError struct {
	Path             string // the store, as Location names it
	Version, Current int
}

// Error says what to do.
func (e *NewerError) Error() string {
	return fmt.Sprintf("the state store %s has schema version %d, newer than this lwf's %d: a newer lwf wrote it; upgrade lwf to use it", e.Path, e.Version, e.Current)
}

// Stats counts what a store holds, for lwf state.
type Stats struct {
	Version   int // schema version
	Runs      int
	Workflows int
	Contacts  int // ledger entries
	Leads     int
}

// Migration is one numbered step of a store's schema. Every backend
// takes the same steps, with the same numbers and names, in its own SQL.
type Migration struct {
	Version int
	Name    string
}

// ErrLockLost says the store lost a lock this process held — its
// database session ended (the network, a server restart) — so another
// process may hold it now: nothing more is sent under it.
var ErrLockLost = errors.New("state: the lock on the run was lost with its database session: another process may be driving it now; nothing more is sent here")

// LeadTakenError says a person is already a lead of another sequence of
// the account: a person hears from one sequence at a time.
type LeadTakenError struct {
	Person, Sequence string
}

// Error names the sequence that has the person.
func (e *LeadTakenError) Error() string {
	return fmt.Sprintf("%s is already a lead of sequence %s", e.Person, e.Sequence)
}
