package sandbox

import (
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

// actionResult is one action's entry in a completion, in the documented
// shape: {actionType, label?, success, data?, error?}.
type actionResult struct {
	ActionType string       `json:"actionType"`
	Label      *string      `json:"label,omitempty"`
	Success    bool         `json:"success"`
	Data       any          `json:"data,omitempty"`
	Error      *actionError `json:"error,omitempty"`
}

// actionError is an action-level error: the workflow still completes.
type actionError struct {
	Type    string `json:"type"`
	Message string `json:"message"`
}

// subject is what an action acts on when its parent supplies it: the
// person of a doForPeople item or of an opened profile, and so on.
type subject struct {
	person  *person
	company *company
	post    *post
	job     *job
	url     string // the URL the subject came from, for the error triggers
}

// event is a change to an account's state at a time on the sandbox clock.
// A workflow's events are applied as the clock passes them, so a cancelled
// workflow keeps only the effects of the actions it had executed.
type event struct {
	at    time.Time
	apply func(a *account)
}

// execution runs one workflow definition against one account's state. It
// sees the account as it was when the workflow started plus its own
// effects so far (the overlay), and produces the completion and the
// timed events that apply those effects.
type execution struct {
	s      *Sandbox
	acct   *account
	start  time.Time
	anchor time.Time
	n      int // actions executed so far
	events []event
	people map[string]*personState // overlay of the account's people
	counts map[string][]time.Time  // overlay of limited categories
}

func (s *Sandbox) newExecution(acct *account, start time.Time) *execution {
	return &execution{s: s, acct: acct, start: start, anchor: dayAnchor(start),
		people: map[string]*personState{}, counts: map[string][]time.Time{}}
}

// run executes a whole definition: one action object, or a root array of
// them, whose completion is an array in the same order.
func (x *execution) run(def any) any {
	switch d := def.(type) {
	case map[string]any:
		return x.node(d, subject{})
	case []any:
		out := make([]any, 0, len(d))
		for _, item := range d {
			if m, ok := item.(map[string]any); ok {
				out = append(out, x.node(m, subject{}))
			}
		}
		return out
	}
	return nil
}

// tick accounts for one executed action and returns the time it finishes.
func (x *execution) tick() time.Time {
	x.n++
	return x.start.Add(time.Duration(x.n) * x.acct.cfg.Speed)
}

func (x *execution) node(def map[string]any, parent subject) *actionResult {
	name, _ := def["actionType"].(string)
	res := &actionResult{ActionType: name}
	if l, ok := def["label"].(string); ok {
		res.Label = &l
	}
	a := x.s.catalog.Lookup(name)
	if a == nil || x.n >= x.s.opts.MaxActions { // checked at POST; a guard only
		res.Error = &actionError{Type: "unknownError", Message: "the sandbox could not run this action"}
		return res
	}
	params := paramsOf(def)
	at := x.tick()
	subj := x.resolve(a, params, parent)
	if e := x.check(a, params, subj, at); e != nil {
		res.Error = e
		x.record(a, false, at)
		return res
	}
	data, childSubj := x.produce(a, params, subj, at)
	x.record(a, true, at)
	x.effects(a, params, subj, at)
	x.logWrite(a, params, subj, data, at)
	then, hasThen := def["then"]
	switch d := data.(type) {
	case []map[string]any:
		if hasThen {
			x.iterate(a, d, then)
		}
		res.Data = d
	case map[string]any:
		if hasThen {
			d["then"] = x.children(then, childSubj)
		}
		res.Data = d
	default:
		if hasThen {
			res.Data = map[string]any{"then": x.children(then, childSubj)}
		}
	}
	res.Success = true
	return res
}

// children runs a then: an object gives one result object, an array an
// array of them, mirroring the request.
func (x *execution) children(then any, subj subject) any {
	switch t := then.(type) {
	case map[string]any:
		return x.node(t, subj)
	case []any:
		out := make([]any, 0, len(t))
		for _, item := range t {
			if m, ok := item.(map[string]any); ok {
				out = append(out, x.node(m, subj))
			}
		}
		return out
	}
	return nil
}

// iterate runs the doFor* children of a list action once per item. Each
// item's then holds the doFor* action's children results — the doFor*
// itself leaves no result object — as an object or an array, mirroring the
// doFor*'s own then.
func (x *execution) iterate(a *schemas.Action, items []map[string]any, then any) {
	var loops []map[string]any
	switch t := then.(type) {
	case map[string]any:
		loops = append(loops, t)
	case []any:
		for _, item := range t {
			if m, ok := item.(map[string]any); ok {
				loops = append(loops, m)
			}
		}
	}
	for _, item := range items {
		subj := x.itemSubject(a.Result.Entity, item)
		var results []any
		for _, loop := range loops {
			inner, ok := loop["then"]
			if !ok {
				continue
			}
			if len(loops) == 1 {
				item["then"] = x.children(inner, subj)
				break
			}
			switch r := x.children(inner, subj).(type) {
			case []any:
				results = append(results, r...)
			case nil:
			default:
				results = append(results, r)
			}
		}
		if len(loops) > 1 {
			item["then"] = results
		}
	}
}

// record adds the action to the account's statistics.
func (x *execution) record(a *schemas.Action, ok bool, at time.Time) {
	if a.Iterates != "" {
		return
	}
	s := stat{ActionType: a.Name, Success: ok, Time: iso(at), at: at}
	x.later(at, func(acc *account) { acc.addStat(s) })
	if ok && a.Category != "" {
		if _, limited := x.acct.cfg.Limits[a.Category]; limited {
			cat := a.Category
			x.counts[cat] = append(x.counts[cat], at)
			x.later(at, func(acc *account) { acc.limitCounts[cat] = append(pruneDay(acc.limitCounts[cat], at), at) })
		}
	}
}

func (x *execution) later(at time.Time, f func(a *account)) {
	x.events = append(x.events, event{at: at, apply: f})
}

// pruneDay drops the times more than a day before now.
func pruneDay(ts []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(now.Add(-24*time.Hour)) {
		i++
	}
	return ts[i:]
}

func paramsOf(def map[string]any) map[string]any {
	p := make(map[string]any, len(def))
	for k, v := range def {
		switch k {
		case "actionType", "label", "then":
		default:
			p[k] = v
		}
	}
	return p
}

func str(params map[string]any, key string) string {
	s, _ := params[key].(string)
	return s
}
