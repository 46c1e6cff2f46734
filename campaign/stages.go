package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// Stager runs a file's named loops (as: on a doFor*): when a workflow
// completes, it reads the items its lists returned, decides per item, in
// order, what to send — run-time if:, the contact ledger, suppression
// lists, people already reached in this run, the account's limits — and
// renders the steps under the loop for each item kept, started at the
// root, batched into root-array workflows of the next stage. Its Expand
// is runner.Config.Expand. It is used by one drive at a time.
type Stager struct {
	Plan  *compiler.Plan
	Store state.Store
	RunID string
	// Check applies the ledger, suppression lists and limits; nil
	// applies none.
	Check *Check
	// ChunkSize bounds the root steps per workflow; 0 means
	// compiler.DefaultChunkSize.
	ChunkSize int

	loaded  bool
	items   map[int]state.Item
	nextID  int
	skipper *Skipper
	// budget is, per limit category, what may still be sent in every
	// period; nil when limits are not applied.
	budget map[string]int
	limit  map[string]schemas.Limit // the rule each budget comes from
}

// Expand implements runner.Config.Expand.
func (s *Stager) Expand(ctx context.Context, w *state.Workflow, next int) ([]*state.Workflow, *state.Event, error) {
	if err := s.load(ctx); err != nil {
		return nil, nil, err
	}
	completion := w.Completion
	if completion == nil {
		full, err := s.Store.WorkflowsFull(ctx, s.RunID)
		if err != nil {
			return nil, nil, err
		}
		if w.Index >= len(full) {
			return nil, nil, fmt.Errorf("run %s has no workflow %d", s.RunID, w.Index)
		}
		completion = full[w.Index].Completion
	}
	found, err := s.found(w, completion)
	if err != nil {
		return nil, nil, err
	}
	var (
		items    []state.Item
		elements []element
		tally    = map[string]int{}
	)
	for _, it := range found {
		it.ID = s.nextID
		s.nextID++
		el, err := s.decide(ctx, &it)
		if err != nil {
			return nil, nil, err
		}
		tally[it.Status]++
		for _, e := range el {
			e.item = len(items)
			elements = append(elements, e)
		}
		items = append(items, it)
		s.items[it.ID] = it
	}
	ws := s.chunk(elements, items, next, w)
	ev := state.Event{Time: time.Now(), Kind: state.EventDerived, RunID: s.RunID, Index: w.Index,
		Message: fmt.Sprintf("%s: %d sent in %s, %d skipped, %d dropped by if:, %d failed",
			results.Plural(len(items), "item"), tally[state.ItemSent], results.Plural(len(ws), "workflow"), tally[state.ItemSkipped], tally[state.ItemDropped], tally[state.ItemFailed])}
	derived, err := s.Store.Derive(ctx, s.RunID, w.Index, items, ws, ev)
	if err != nil || !derived {
		return nil, nil, err
	}
	return ws, &ev, nil
}

// load reads what the run already holds, once: its items (for parents
// and ids), who must not be reached, and what the limits leave.
func (s *Stager) load(ctx context.Context) error {
	if s.loaded {
		return nil
	}
	s.items = map[int]state.Item{}
	its, err := s.Store.Items(ctx, s.RunID)
	if err != nil {
		return err
	}
	for _, it := range its {
		s.items[it.ID] = it
		s.nextID = max(s.nextID, it.ID+1)
	}
	if s.Check != nil {
		if s.Check.Store != nil && s.Check.Account() != "" {
			if err := s.Check.Store.SyncLedger(ctx, s.Check.Account(), ReadCompletion(s.Check.Catalog)); err != nil {
				return err
			}
		}
		if s.skipper, err = s.Check.Skipper(ctx); err != nil {
			return err
		}
		if err := s.loadBudget(ctx); err != nil {
			return err
		}
	}
	s.loaded = true
	return nil
}

// loadBudget works out, per limit category, how much the limits leave:
// what the account sent in each period (this run's earlier stages
// included) and what is rendered but not sent yet, this run's or any
// other's (Store.Activity counts workflows not sent yet).
func (s *Stager) loadBudget(ctx context.Context) error {
	var err error
	s.budget, s.limit, err = s.Check.Remaining(ctx, s.Plan.Limits, nil)
	return err
}

// categories counts a payload's actions by limit category, at most.
func (s *Stager) categories(payload json.RawMessage) map[string]int {
	return PayloadCategories(s.catalog(), payload)
}

// PayloadCategories counts a payload's actions by limit category, at
// most (server-side iteration at its lists' limits).
func PayloadCategories(cat *schemas.Catalog, payload json.RawMessage) map[string]int {
	out := map[string]int{}
	for _, n := range (&compiler.Plan{Payloads: []json.RawMessage{payload}}).Counts(cat) {
		if a := cat.Lookup(n.ActionType); a != nil && a.Category != "" {
			out[a.Category] += n.Total()
		}
	}
	return out
}

func (s *Stager) catalog() *schemas.Catalog {
	if s.Check != nil && s.Check.Catalog != nil {
		return s.Check.Catalog
	}
	cat, _ := schemas.Default()
	return cat
}

// found lists the items w's lists returned, in completion order.
func (s *Stager) found(w *state.Workflow, completion json.RawMessage) ([]state.Item, error) {
	var out []state.Item
	err := results.Walk(w.Payload, completion, func(v results.Visit) {
		for _, p := range w.Points {
			if v.Pointer != p.Pointer || v.Step == nil || p.Loop < 0 || p.Loop >= len(s.Plan.Loops) {
				continue
			}
			list, _ := v.Result["data"].([]any)
			loop := s.Plan.Loops[p.Loop]
			for i, e := range list {
				m, ok := e.(map[string]any)
				if !ok {
					continue
				}
				delete(m, "then") // a server-side loop's results, not the item's data
				data, _ := json.Marshal(m)
				out = append(out, state.Item{RunID: s.RunID, Loop: p.Loop, Parent: p.Item, Instance: p.Instance, Index: i,
					Source: w.Index, Path: v.Path + "/data/" + strconv.Itoa(i), Key: itemKey(loop, m), Data: data, Workflow: -1})
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("workflow %d: %w", w.Index+1, err)
	}
	return out, nil
}

// itemKey names an item across lists: its URL, normalised for people.
func itemKey(l compiler.Loop, m map[string]any) string {
	for _, f := range l.URLFields {
		if u, _ := m[f].(string); u != "" {
			if strings.HasPrefix(l.Param, "person") {
				return schemas.NormalizePersonURL(u)
			}
			return strings.ToLower(strings.TrimRight(strings.TrimSpace(u), "/"))
		}
	}
	return ""
}

// element is one root step to send, for the item items[item].
type element struct {
	step     json.RawMessage
	points   []compiler.Point
	variants []compiler.Variant // Payload: the element's index among the item's steps
	item     int
}

// decide renders one item and records what lwf does with it.
func (s *Stager) decide(ctx context.Context, it *state.Item) ([]element, error) {
	ci, err := s.compilerItem(*it)
	if err != nil {
		return nil, err
	}
	var skip func(string, string) (compiler.Skip, bool)
	if s.skipper != nil {
		skip = s.skipper.Skip
	}
	r, err := s.Plan.Render(ctx, ci, skip)
	if err != nil {
		return nil, err
	}
	switch {
	case len(r.Problems) > 0:
		it.Status, it.Reason = state.ItemFailed, r.Problems[0].String()
		return nil, nil
	case !r.Kept() && len(r.Skipped) > 0:
		it.Status, it.Reason = state.ItemSkipped, skipReason(r.Skipped)
		return nil, nil
	case !r.Kept():
		it.Status = state.ItemDropped
		return nil, nil
	}
	if reason := s.spend(r.Steps); reason != "" {
		it.Status, it.Reason = state.ItemSkipped, reason
		return nil, nil
	}
	it.Status = state.ItemSent
	if len(r.Skipped) > 0 {
		it.Reason = "partly: " + skipReason(r.Skipped)
	}
	var out []element
	for i, st := range r.Steps {
		var vs []compiler.Variant
		for _, v := range r.Variants {
			if v.Payload == i {
				vs = append(vs, v)
			}
		}
		out = append(out, element{step: st, points: r.Points[i], variants: vs})
		if s.skipper != nil {
			for _, t := range s.targets(st) {
				s.skipper.Remember(t.ActionType, t.Person, s.RunID)
			}
		}
	}
	return out, nil
}

// targets lists the people a rendered step will reach.
func (s *Stager) targets(step json.RawMessage) []Target {
	ts, _ := TargetsIn(s.catalog(), step)
	return ts
}

// spend takes what the steps need from the budget, or says which limit
// they would pass (and takes nothing).
func (s *Stager) spend(steps []json.RawMessage) string {
	if s.budget == nil {
		return ""
	}
	need := map[string]int{}
	for _, st := range steps {
		for cat, n := range s.categories(st) {
			need[cat] += n
		}
	}
	for cat, n := range need {
		if b, ok := s.budget[cat]; ok && n > b {
			l := s.limit[cat]
			return fmt.Sprintf("over the %s limit of %s (%d, %s): left for a later run", l.Period, cat, l.Max, l.Source)
		}
	}
	for cat, n := range need {
		if _, ok := s.budget[cat]; ok {
			s.budget[cat] -= n
		}
	}
	return ""
}

func skipReason(sk []compiler.Skipped) string {
	parts := make([]string, 0, len(sk))
	for _, x := range sk {
		parts = append(parts, strings.TrimPrefix(x.ActionType, "st.")+": "+x.Reason)
	}
	return strings.Join(parts, "; ")
}

// compilerItem makes the item Render takes, with its parents.
func (s *Stager) compilerItem(it state.Item) (compiler.Item, error) {
	var data map[string]any
	if err := json.Unmarshal(it.Data, &data); err != nil {
		return compiler.Item{}, fmt.Errorf("item %d: %w", it.ID, err)
	}
	ci := compiler.Item{ID: it.ID, Loop: it.Loop, Instance: it.Instance, Index: it.Index, Data: data}
	if it.Parent < 0 {
		return ci, nil
	}
	parent, ok := s.items[it.Parent]
	if !ok {
		return compiler.Item{}, errors.New("item " + strconv.Itoa(it.ID) + ": its parent item is not in the store")
	}
	p, err := s.compilerItem(parent)
	if err != nil {
		return compiler.Item{}, err
	}
	ci.Parents = append(p.Parents, compiler.Item{ID: p.ID, Loop: p.Loop, Instance: p.Instance, Index: p.Index, Data: p.Data})
	ci.Instance = -1
	return ci, nil
}

// chunk batches the elements into root-array workflows of the next
// stage, and records where each item's steps went.
func (s *Stager) chunk(els []element, items []state.Item, next int, from *state.Workflow) []*state.Workflow {
	size := s.ChunkSize
	if size <= 0 {
		size = compiler.DefaultChunkSize
	}
	var ws []*state.Workflow
	for i := 0; i < len(els); i += size {
		batch := els[i:min(i+size, len(els))]
		arr := make([]json.RawMessage, len(batch))
		w := &state.Workflow{RunID: s.RunID, Index: next + len(ws), State: state.Planned, Stage: from.Stage + 1, Updated: time.Now()}
		for slot, e := range batch {
			arr[slot] = e.step
			it := &items[e.item]
			if it.Steps == 0 {
				it.Workflow, it.Slot = w.Index, slot
			}
			it.Steps++
			for _, p := range e.points {
				w.Points = append(w.Points, state.Point{Pointer: "/" + strconv.Itoa(slot) + p.Pointer, Loop: p.Loop, Instance: p.Instance, Item: p.Item})
			}
			if len(e.variants) > 0 {
				var vs []compiler.Variant
				if len(it.Variants) > 0 {
					_ = json.Unmarshal(it.Variants, &vs)
				}
				for _, v := range e.variants {
					v.Payload, v.Pointer = w.Index, "/"+strconv.Itoa(slot)+v.Pointer
					vs = append(vs, v)
				}
				it.Variants, _ = json.Marshal(vs)
			}
		}
		w.Payload, _ = json.Marshal(arr) // raw JSON steps
		ws = append(ws, w)
	}
	for i := range items {
		if items[i].Steps == 0 {
			items[i].Workflow = -1
		}
	}
	return ws
}
