package campaign

import (
	"encoding/json"

	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// ContactedErrors are the action errors after which a person counts as
// contacted all the same: the request or conversation already exists.
// Any other failure (personNotFound, messagingNotAllowed, limitExceeded,
// …) reached nobody and leaves the person free for a later run.
func ContactedErrors() []string { return []string{"alreadyConnected", "alreadyPending"} }

// OutcomeSent is the outcome of an action that succeeded.
const OutcomeSent = "sent"

// reaches reports whether the catalog says an action reaches a person in
// a way the ledger remembers (schemas.Action.ReachesPerson).
func reaches(cat *schemas.Catalog, actionType string) bool {
	a := cat.Lookup(actionType)
	return a != nil && a.ReachesPerson()
}

// iterates reports whether an action is a doFor* iterator.
func iterates(cat *schemas.Catalog, actionType string) bool {
	a := cat.Lookup(actionType)
	return a != nil && a.Iterates != ""
}

// ContactsIn lists the people a completed workflow reached: every result
// of an action that reaches a person that succeeded, or failed with one
// of ContactedErrors, and whose person is known — from the step's
// personUrl, or from the profile or list item above it (server-side
// iteration: the URLs come back in the completion). Time, RunID,
// Workflow and Campaign are left for the caller.
func ContactsIn(cat *schemas.Catalog, payload, completion json.RawMessage) ([]state.Contact, error) {
	var out []state.Contact
	err := results.Walk(payload, completion, func(v results.Visit) {
		at, _ := v.Result["actionType"].(string)
		if !reaches(cat, at) || !v.Person.Known() {
			return
		}
		outcome := resultOutcome(v.Result)
		if outcome == "" {
			return
		}
		primary, alias := v.Person.URLs()
		out = append(out, state.Contact{Person: primary, Alias: alias, ActionType: at, Outcome: outcome, Path: v.Path})
	})
	return out, err
}

// resultOutcome is a result's ledger outcome, "" when it reached nobody.
func resultOutcome(r map[string]any) string {
	if r["success"] == true {
		return OutcomeSent
	}
	e, _ := r["error"].(map[string]any)
	t, _ := e["type"].(string)
	for _, ok := range ContactedErrors() {
		if t == ok {
			return t
		}
	}
	return ""
}

// Target is a person a payload addresses by URL: a step that reaches a
// person, with personUrl of its own or under a step that names the
// person.
type Target struct {
	Person     string // normalised
	ActionType string
}

// TargetsIn lists the people a payload will reach by name, before it
// runs: what a workflow in flight may do. People found by server-side
// iteration are unknown until its completion.
func TargetsIn(cat *schemas.Catalog, payload json.RawMessage) ([]Target, error) {
	var p any
	if err := json.Unmarshal(payload, &p); err != nil {
		return nil, err
	}
	var out []Target
	var walk func(v any, who string)
	walk = func(v any, who string) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, who)
			}
		case map[string]any:
			if s := schemas.PersonIn(x); s != "" {
				who = s
			}
			at, _ := x["actionType"].(string)
			if iterates(cat, at) {
				who = "" // each item is someone else
			}
			if who != "" && reaches(cat, at) {
				out = append(out, Target{Person: schemas.NormalizePersonURL(who), ActionType: at})
			}
			walk(x["then"], who)
		}
	}
	walk(p, "")
	return out, nil
}

// ActionsIn counts a completion's succeeded actions by type, doFor*
// iterators aside: what the account spent of its limits. Failed actions
// sent nothing to LinkedIn that counts against them.
func ActionsIn(cat *schemas.Catalog, completion json.RawMessage) (map[string]int, error) {
	out := map[string]int{}
	err := results.Walk(nil, completion, func(v results.Visit) {
		at, _ := v.Result["actionType"].(string)
		if v.Result["success"] == true && !iterates(cat, at) {
			out[at]++
		}
	})
	return out, err
}

// ReadCompletion is what the store's SyncLedger calls on each completed
// workflow: the people it reached and what it spent.
func ReadCompletion(cat *schemas.Catalog) state.ReadCompletion {
	return func(payload, completion json.RawMessage) ([]state.Contact, map[string]int) {
		contacts, _ := ContactsIn(cat, payload, completion)
		actions, _ := ActionsIn(cat, completion)
		return contacts, actions
	}
}

// StepOutcome is how one execution of a payload step ended.
type StepOutcome struct {
	Success bool
	Error   string // the action error's type when it failed
	Person  string // the person it concerned, normalised, when known
}

// StepOutcomes returns the outcomes of the payload step at pointer (a
// JSON pointer into the payload, such as "/3" or "/then/then"): one, or
// one per item under server-side iteration; none when the step never ran.
func StepOutcomes(payload, completion json.RawMessage, pointer string) ([]StepOutcome, error) {
	var out []StepOutcome
	err := results.Walk(payload, completion, func(v results.Visit) {
		if v.Pointer != pointer || v.Step == nil {
			return
		}
		o := StepOutcome{Success: v.Result["success"] == true}
		if !o.Success {
			o.Error = "unknownError"
			if e, _ := v.Result["error"].(map[string]any); e != nil {
				if t, _ := e["type"].(string); t != "" {
					o.Error = t
				}
			}
		}
		if v.Person.Known() {
			o.Person, _ = v.Person.URLs()
		}
		out = append(out, o)
	})
	return out, err
}
