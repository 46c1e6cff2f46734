package results

import (
	"fmt"

	"github.com/lwf-dev/lwf/internal/ojson"
)

// Record is one row of a flattened result: groups of fields, one group
// per step named by its action (searchCompanies, openCompanyPage, …), in
// the order they appeared. A field says which action returned it: a
// company found by a search and the page then opened for it fill
// searchCompanies.name and openCompanyPage.name, so neither overwrites
// the other.
type Record struct {
	groups []*recGroup
}

type recGroup struct {
	name string
	keys []string
	vals map[string]any
}

func (r Record) clone() Record {
	c := Record{groups: make([]*recGroup, len(r.groups))}
	for i, g := range r.groups {
		ng := &recGroup{name: g.name, keys: append([]string(nil), g.keys...), vals: make(map[string]any, len(g.vals))}
		for k, v := range g.vals {
			ng.vals[k] = v
		}
		c.groups[i] = ng
	}
	return c
}

func (r *Record) group(name string) *recGroup {
	for _, g := range r.groups {
		if g.name == name {
			return g
		}
	}
	g := &recGroup{name: name, vals: map[string]any{}}
	r.groups = append(r.groups, g)
	return g
}

func (r *Record) set(group, key string, v any) {
	g := r.group(group)
	if _, ok := g.vals[key]; !ok {
		g.keys = append(g.keys, key)
	}
	g.vals[key] = v
}

// merge copies every field of o into r. The groups of o are another
// step's: one whose action already has a group in r (the same action
// twice in a record: two sibling steps, or a step under one of its kind)
// gets its own, numbered from 2 (sendMessage2).
func (r *Record) merge(o Record) {
	renamed := map[string]string{}
	for _, g := range o.groups {
		name := g.name
		if name != "" {
			if n, ok := renamed[name]; ok {
				name = n
			} else {
				for i := 2; r.has(name); i++ {
					name = fmt.Sprintf("%s%d", g.name, i)
				}
				renamed[g.name] = name
			}
		}
		for _, k := range g.keys {
			r.set(name, k, g.vals[k])
		}
	}
}

func (r *Record) has(group string) bool {
	for _, g := range r.groups {
		if g.name == group {
			return true
		}
	}
	return false
}

// recorder turns completions into records.
type recorder struct{}

// groupName names the columns of one step: its action, without its st.
// namespace (nv. actions keep theirs: nv.searchPeople.name). Labels are
// values (a label column), not names: labels made per item by forEach
// would make the columns differ from row to row.
func (rc recorder) groupName(actionType string) string {
	return stepName(actionType, nil)
}

// completionRecords flattens one completion. Root-array elements carry an
// "item" number from offset.
func (rc recorder) completionRecords(v any, offset int) []Record {
	if arr, ok := v.([]any); ok {
		var out []Record
		for i, r := range arr {
			var base Record
			base.set("", "item", offset+i)
			rs, _ := rc.result(r, base)
			out = append(out, rs...)
		}
		return out
	}
	rs, _ := rc.result(v, Record{})
	return rs
}

// result flattens one action result into base: a list in its data makes
// one record per item, children fill in further columns. list reports
// whether a list was expanded anywhere below, however many items it had:
// such records are alternatives, not columns to add.
func (rc recorder) result(v any, base Record) (recs []Record, list bool) {
	o, ok := v.(*ojson.Object)
	if !ok {
		return []Record{base}, false
	}
	at, _ := o.Value("actionType").(string)
	if at == "" {
		return []Record{base}, false
	}
	success := o.Value("success") != false
	top := kidsOf(o.Value("then")) // iterators (and some results) carry then outside data
	if isIterator(at) && success {
		return rc.children(top, base.clone())
	}
	name := rc.groupName(at)
	rec := base.clone()
	if l, ok := o.Value("label").(string); ok && l != "" {
		rec.set(name, "label", l)
	}
	if !success {
		typ := "unknownError"
		if eo, ok := o.Value("error").(*ojson.Object); ok {
			if t, ok := eo.Value("type").(string); ok {
				typ = t
			}
		}
		rec.set(name, "error", typ)
		return []Record{rec}, false
	}
	switch d := o.Value("data").(type) {
	case nil:
		rec.set(name, "success", true)
		return rc.children(top, rec)
	case *ojson.Object:
		setFields(&rec, name, d)
		kids := append(append([]any(nil), top...), kidsOf(d.Value("then"))...)
		return rc.children(kids, rec)
	case []any:
		var out []Record
		for _, item := range d {
			r := rec.clone()
			if io, ok := item.(*ojson.Object); ok {
				setFields(&r, name, io)
				rs, _ := rc.children(kidsOf(io.Value("then")), r)
				out = append(out, rs...)
				continue
			}
			r.set(name, "value", item)
			out = append(out, r)
		}
		return out, true
	default:
		rec.set(name, "value", d)
		return []Record{rec}, false
	}
}

// kidsOf lists the results in a then: one object or an array of them.
func kidsOf(v any) []any {
	switch t := v.(type) {
	case *ojson.Object:
		return []any{t}
	case []any:
		return t
	}
	return nil
}

// children flattens a step's children into rec. Children without lists
// add columns to rec; each child with a list makes its own records, each
// with rec's columns. When every list is empty, rec stands alone.
func (rc recorder) children(kids []any, rec Record) ([]Record, bool) {
	var lists [][]Record
	anyList := false
	for _, k := range kids {
		rs, list := rc.result(k, Record{})
		switch {
		case !list && len(rs) == 1:
			rec.merge(rs[0])
		case list:
			anyList = true
			if len(rs) > 0 {
				lists = append(lists, rs)
			}
		}
	}
	if len(lists) == 0 {
		return []Record{rec}, anyList
	}
	var out []Record
	for _, rs := range lists {
		for _, r := range rs {
			c := rec.clone()
			c.merge(r)
			out = append(out, c)
		}
	}
	return out, true
}

// setFields copies an entity's fields (all but its children) into group.
func setFields(rec *Record, group string, o *ojson.Object) {
	for _, k := range o.Keys() {
		if k != "then" {
			rec.set(group, k, o.Value(k))
		}
	}
}

// valueRecords flattens a shaped output (any JSON): a list makes one
// record per element, anything else one record.
func valueRecords(v any) []Record {
	if arr, ok := v.([]any); ok {
		var out []Record
		for _, e := range arr {
			out = append(out, valueRecord(e))
		}
		return out
	}
	return []Record{valueRecord(v)}
}

func valueRecord(v any) Record {
	var r Record
	if o, ok := v.(*ojson.Object); ok {
		setFields(&r, "", o)
		return r
	}
	r.set("", "value", v)
	return r
}
