package sequence

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/runner/state"
)

// LeadView is a lead as lwf leads shows it.
type LeadView struct {
	Account  string           `json:"account"`
	Person   string           `json:"person"`
	Sequence string           `json:"sequence"`
	Status   state.LeadStatus `json:"status"`
	Step     string           `json:"step,omitempty"`
	// Due is when its step may run (a wait's deadline); zero when none.
	Due   time.Time `json:"due,omitzero"`
	Since time.Time `json:"since"`
	Error string    `json:"error,omitempty"`
	// Steps are the outcomes of its steps so far, Events the events seen
	// (connectionAccepted, replied: when), Variants the versions its steps
	// were sent in.
	Steps    map[string]compiler.StepResult `json:"steps"`
	Events   map[string]string              `json:"events"`
	Variants map[string]string              `json:"variants,omitempty"`
	Data     map[string]any                 `json:"data"`
	Timeline []state.LeadEvent              `json:"timeline,omitempty"`
}

// View decodes a stored lead for display.
func View(l state.Lead) LeadView {
	v := LeadView{Account: l.Account, Person: l.Person, Sequence: l.Sequence, Status: l.Status, Step: l.Step, Due: l.Due, Since: l.Since,
		Error: l.Error, Steps: map[string]compiler.StepResult{}, Events: map[string]string{}}
	var stored struct {
		Steps  map[string]compiler.StepResult `json:"steps"`
		Events map[string]string              `json:"events"`
	}
	if json.Unmarshal(l.Results, &stored) == nil {
		if stored.Steps != nil {
			v.Steps = stored.Steps
		}
		for k, t := range stored.Events {
			switch k {
			case seenTimeout:
				v.Events["timeout"] = t
			case seenSendingTimeout:
			default:
				v.Events[k] = t
			}
		}
	}
	_ = json.Unmarshal(l.Variants, &v.Variants)
	_ = json.Unmarshal(l.Data, &v.Data)
	return v
}

// StepOrder lists step ids in the sequence's order, then any other id the
// leads have (steps removed from the file), sorted.
func StepOrder(seq *compiler.Sequence, views []LeadView) []string {
	var out []string
	seen := map[string]bool{}
	if seq != nil {
		for _, s := range seq.Steps {
			out, seen[s.ID] = append(out, s.ID), true
		}
	}
	var extra []string
	for _, v := range views {
		for id := range v.Steps {
			if !seen[id] {
				extra, seen[id] = append(extra, id), true
			}
		}
	}
	sort.Strings(extra)
	return append(out, extra...)
}

// Outcome is a step's outcome in one word: ok, skipped, failed, or "".
func Outcome(r compiler.StepResult, done bool) string {
	switch {
	case !done:
		return ""
	case r.OK:
		return "ok"
	case strings.HasPrefix(r.Error, "skipped") || r.Error == "if: false":
		return "skipped"
	}
	return "failed"
}
