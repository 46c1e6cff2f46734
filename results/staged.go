package results

import (
	"fmt"

	"github.com/lwf-dev/lwf/internal/ojson"
	"github.com/lwf-dev/lwf/runner/state"
)

// stagedRecords makes one record per item that found nothing further —
// each person a named loop reached, and each item skipped, dropped or
// failed on the way — joined with the items above it: their fields (a
// group named by the loop's item, e.g. "company.name"), the fields of the
// pages their steps opened, and the outcome of their actions. Lists
// inside an item's steps are not expanded: they are what the next loop
// goes over.
func (r *Results) stagedRecords() ([]Record, error) {
	rc := recorder{}
	byID := map[int]state.Item{}
	parents := map[int]bool{}
	for _, it := range r.Items {
		byID[it.ID] = it
		if it.Parent >= 0 {
			parents[it.Parent] = true
		}
	}
	byIndex := map[int]*state.Workflow{}
	for _, w := range r.Workflows {
		byIndex[w.Index] = w
	}
	elements := map[int][]any{} // decoded root arrays of stage workflows
	elementsOf := func(it state.Item) ([]any, error) {
		w := byIndex[it.Workflow]
		if it.Steps == 0 || w == nil || w.State != state.Completed || len(w.Completion) == 0 {
			return nil, nil
		}
		all, ok := elements[w.Index]
		if !ok {
			v, err := ojson.Decode(w.Completion)
			if err != nil {
				return nil, fmt.Errorf("workflow %d: reading the completion: %w", w.Index, err)
			}
			all, _ = v.([]any)
			elements[w.Index] = all
		}
		if it.Slot+it.Steps > len(all) {
			return nil, nil
		}
		return all[it.Slot : it.Slot+it.Steps], nil
	}
	var out []Record
	for _, it := range r.Items {
		if parents[it.ID] {
			continue // its children make the rows
		}
		chain := []state.Item{it}
		for p := it.Parent; p >= 0; p = byID[p].Parent {
			if _, ok := byID[p]; !ok {
				break
			}
			chain = append([]state.Item{byID[p]}, chain...)
		}
		var rec Record
		for _, x := range chain {
			group := r.loopName(x.Loop)
			if v, err := ojson.Decode(x.Data); err == nil {
				if o, ok := v.(*ojson.Object); ok {
					setFields(&rec, group, o)
				}
			}
			els, err := elementsOf(x)
			if err != nil {
				return nil, err
			}
			for _, e := range els {
				rc.shallow(e, &rec)
			}
		}
		rec.set("", "status", it.Status)
		if it.Reason != "" {
			rec.set("", "reason", it.Reason)
		}
		out = append(out, rec)
	}
	return out, nil
}

// loopName is the group of a loop's item fields: its item's name.
func (r *Results) loopName(loop int) string {
	if loop >= 0 && loop < len(r.Loops) && r.Loops[loop] != "" {
		return r.Loops[loop]
	}
	return fmt.Sprintf("item%d", loop+1)
}

// shallow adds one action result and its children to rec without
// expanding lists: a page's fields, an action's success or error, a
// list's length.
func (rc recorder) shallow(v any, rec *Record) {
	o, ok := v.(*ojson.Object)
	if !ok {
		return
	}
	at, _ := o.Value("actionType").(string)
	if at == "" {
		return
	}
	kids := kidsOf(o.Value("then"))
	if isIterator(at) {
		for _, k := range kids {
			rc.shallow(k, rec)
		}
		return
	}
	name := rc.groupName(at)
	if o.Value("success") == false {
		typ := "unknownError"
		if eo, ok := o.Value("error").(*ojson.Object); ok {
			if t, ok := eo.Value("type").(string); ok {
				typ = t
			}
		}
		rec.set(name, "error", typ)
		return
	}
	switch d := o.Value("data").(type) {
	case nil:
		rec.set(name, "success", true)
	case *ojson.Object:
		setFields(rec, name, d)
		kids = append(kids, kidsOf(d.Value("then"))...)
	case []any:
		rec.set(name, "count", len(d))
	}
	for _, k := range kids {
		rc.shallow(k, rec)
	}
}
