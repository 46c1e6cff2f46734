package unknowns

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// role is how an explanation may place a workflow's actions.
type role int

const (
	// exact: a completed workflow with its completion: a block of exactly
	// the actions it reports.
	exact role = iota
	// loose: a workflow lwf knows was accepted whose actions it does not
	// know (failed, cancelled, still running, or no completion): a block
	// of any of its payload's kinds, possibly empty.
	loose
	// unsure: an unknown submission: a block like loose.
	unsure
)

// unbounded is the block size of payloads whose actions fan out.
const unbounded = math.MaxInt32

// item is one workflow of the run, as the explanations place it.
type item struct {
	w    *state.Workflow
	role role
	// sent: none of its actions ran before it (the POST left then).
	sent time.Time
	// done: every action had run by then (zero: not known).
	done time.Time
	// unfinished: its last action ran after it (zero: not known).
	unfinished time.Time
	// exact: the completion's actions by kind and outcome, their count
	// and the sum of their hashes.
	counts map[string]int
	n      int
	sum    uint64
	// loose and unsure: the action types the payload can run, and at most
	// how many actions.
	kinds map[string]bool
	max   int
	// answered: an unknown submission Linked API answered with a 2xx.
	answered bool
}

// record is one action of the account's activity.
type record struct {
	kind string // action type
	key  string // action type and outcome
	hash uint64
	at   time.Time
}

// recordKey names an action by type and outcome.
func recordKey(actionType string, success bool) string {
	return fmt.Sprintf("%s %t", actionType, success)
}

// keyHash spreads a key over 64 bits, so that a block's actions can be
// compared by the sum of their hashes.
func keyHash(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	x := h.Sum64()
	// splitmix64's finaliser: sums of FNV values alone collide easily.
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// items builds the workflows explanations place, in the order lwf sent
// them: earlier runs' first, all loose, then the run's own. It lists the
// run's unknown submissions it cannot place (sent by an lwf that did not
// record when).
func items(ws, earlier []*state.Workflow, cat *schemas.Catalog) (out []*item, unplaced []*state.Workflow) {
	for _, w := range earlier {
		if w.Submitted.IsZero() || (w.WorkflowID == "" && w.State != state.Unknown) {
			continue
		}
		it := &item{w: w, role: loose, sent: w.Submitted}
		it.kinds, it.max = signature(w.Payload, cat)
		if w.State.Terminal() {
			it.done = w.Updated
		}
		if w.State == state.Completed {
			it.max = w.Actions
		}
		out = append(out, it)
	}
	for _, w := range ws {
		it := &item{w: w, sent: w.Submitted}
		switch {
		case w.State == state.Unknown:
			it.role = unsure
			it.answered = strings.HasPrefix(w.Error, state.AcceptedNote)
		case w.WorkflowID == "":
			continue // never accepted: nothing of it ran
		case w.State == state.Completed && len(w.Completion) > 0 && !w.Updated.IsZero():
			it.role, it.done, it.unfinished = exact, w.Updated, w.Unfinished
			if err := it.readCompletion(cat); err != nil {
				it.role, it.counts = loose, nil
			}
		default:
			it.role = loose
			if w.State.Terminal() {
				it.done = w.Updated
			}
		}
		if it.role != exact {
			it.kinds, it.max = signature(w.Payload, cat)
		}
		if it.sent.IsZero() {
			if it.role == unsure {
				unplaced = append(unplaced, w)
			}
			continue
		}
		out = append(out, it)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].sent.Before(out[j].sent) })
	return out, unplaced
}

// readCompletion counts the completion's actions by kind and outcome.
func (it *item) readCompletion(cat *schemas.Catalog) error {
	it.counts = map[string]int{}
	return results.Walk(nil, it.w.Completion, func(v results.Visit) {
		at, _ := v.Result["actionType"].(string)
		if iterates(cat, at) {
			return
		}
		k := recordKey(at, v.Result["success"] == true)
		it.counts[k]++
		it.n++
		it.sum += keyHash(k)
	})
}

// iterates reports whether an action is a doFor* iterator: the activity
// does not list them, as completions do not count them.
func iterates(cat *schemas.Catalog, actionType string) bool {
	a := cat.Lookup(actionType)
	return a != nil && a.Iterates != ""
}

// signature reads what a payload can run: its action types, and at most
// how many actions (unbounded when a list's items get children).
func signature(payload json.RawMessage, cat *schemas.Catalog) (map[string]bool, int) {
	kinds := map[string]bool{}
	var v any
	if err := json.Unmarshal(payload, &v); err != nil {
		return kinds, unbounded
	}
	n, fans := 0, false
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			at, _ := x["actionType"].(string)
			if at == "" {
				return
			}
			a := cat.Lookup(at)
			then, hasThen := x["then"]
			if hasThen && (a == nil || a.Iterates != "" || a.Result.Kind == "list") {
				fans = true
			}
			if a == nil || a.Iterates == "" {
				kinds[at] = true
				n++
			}
			if hasThen {
				walk(then)
			}
		}
	}
	walk(v)
	if fans {
		return kinds, unbounded
	}
	return kinds, n
}

// records reads the activity, oldest first, iterators aside, on lwf's
// clock: skew earlier than the server's.
func records(stats []linkedapi.ActionStat, skew time.Duration, cat *schemas.Catalog) ([]record, error) {
	out := make([]record, 0, len(stats))
	for i, s := range stats {
		at, err := time.Parse(time.RFC3339Nano, s.Time)
		if err != nil {
			return nil, fmt.Errorf("action %d of the account's activity has an unreadable time %q", i+1, s.Time)
		}
		if iterates(cat, s.ActionType) {
			continue
		}
		k := recordKey(s.ActionType, s.Success)
		out = append(out, record{kind: s.ActionType, key: k, hash: keyHash(k), at: at.Add(-skew)})
	}
	// The API lists them oldest first; equal times keep its order.
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out, nil
}
