package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/lwf-dev/lwf/schemas"
)

// ActionError is one action that failed inside a completed workflow.
type ActionError struct {
	Workflow   int      `json:"workflow"` // index of the workflow in its run
	Path       []string `json:"path"`     // where in the tree, e.g. searchCompanies, [3], openCompanyPage
	ActionType string   `json:"actionType"`
	Type       string   `json:"type"`
	Message    string   `json:"message,omitempty"`
}

// PathString joins the path as lwf prints it:
// "searchCompanies › [3] › openCompanyPage".
func (e ActionError) PathString() string { return strings.Join(e.Path, " › ") }

// String renders "path: type", as in
// "searchCompanies › [3] › openCompanyPage › retrieveCompanyEmployees: retrievingNotAllowed".
func (e ActionError) String() string { return e.PathString() + ": " + e.Type }

// Inspection is what a completion says about its actions.
type Inspection struct {
	Actions int           // action results, doFor* wrappers not counted
	Errors  []ActionError // every failed action, in tree order
}

// Inspect walks a completion (one action result, or an array of them for a
// root array) and counts its actions and failures. Elements of a root
// array are numbered from offset, so that a campaign split into several
// workflows numbers its items as the file does. It accepts then as an
// object or an array at any level, with or without a doFor* wrapper
// around each item's children.
func Inspect(completion json.RawMessage, offset int) (Inspection, error) {
	var ins Inspection
	if len(bytes.TrimSpace(completion)) == 0 {
		return ins, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(completion))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return ins, fmt.Errorf("reading the completion: %w", err)
	}
	if arr, ok := v.([]any); ok {
		for i, r := range arr {
			ins.result(r, []string{"[" + strconv.Itoa(offset+i) + "]"})
		}
		return ins, nil
	}
	ins.result(v, nil)
	return ins, nil
}

// result visits one action result object.
func (ins *Inspection) result(v any, path []string) {
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	at, _ := m["actionType"].(string)
	if at == "" {
		return
	}
	wrapper := isIterator(at)
	failed := m["success"] == false
	here := path
	if !wrapper || failed {
		here = appendPath(path, stepName(at, m["label"]))
	}
	if !wrapper {
		ins.Actions++
	}
	if failed {
		e := ActionError{Path: here, ActionType: at, Type: "unknownError"}
		if em, ok := m["error"].(map[string]any); ok {
			e.Type, _ = em["type"].(string)
			e.Message, _ = em["message"].(string)
		}
		ins.Errors = append(ins.Errors, e)
	}
	ins.then(m["then"], here)
	switch d := m["data"].(type) {
	case map[string]any:
		ins.then(d["then"], here)
	case []any:
		for i, item := range d {
			if im, ok := item.(map[string]any); ok {
				ins.then(im["then"], appendPath(here, "["+strconv.Itoa(i)+"]"))
			}
		}
	}
}

// then visits a then: one result object or an array of them.
func (ins *Inspection) then(v any, path []string) {
	switch t := v.(type) {
	case map[string]any:
		ins.result(t, path)
	case []any:
		for _, r := range t {
			ins.result(r, path)
		}
	}
}

func appendPath(path []string, s string) []string {
	return append(path[:len(path):len(path)], s)
}

// isIterator reports whether the action is a doFor* iterator (the
// catalog's Iterates): it has no result of its own, so error paths show
// the item index instead.
func isIterator(actionType string) bool {
	cat, err := schemas.Default()
	if err != nil {
		return false
	}
	a := cat.Lookup(actionType)
	return a != nil && a.Iterates != ""
}

// stepName is how a step appears in a path: the name users write (st.
// implied, nv. kept) and its label, if any, in parentheses.
func stepName(actionType string, label any) string {
	name := strings.TrimPrefix(actionType, "st.")
	if l, ok := label.(string); ok && l != "" {
		name += "(" + l + ")"
	}
	return name
}
