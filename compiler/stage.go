package compiler

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/types"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/schemas"
)

// A doFor* step that names its item with as: is a loop lwf runs itself:
// the people (companies, posts, jobs) it goes over exist only when the
// server has found them, so expressions under it are evaluated per item
// at run time, and the steps under it are sent per item, each starting at
// the root (openPersonPage with the item's URL, …).
//
// At compile time the steps under such a loop are checked with the item
// typed by the catalog (result.item of the list the loop goes over), and
// the payloads leave the loop out: its list step only retrieves. Each
// payload says where its lists are (Plan.Points); Plan.Render turns one
// item into the steps to send for it.

// Loop is one named loop of a file.
type Loop struct {
	ID       int    `json:"id"`
	As       string `json:"as"`       // the item's name
	Iterator string `json:"iterator"` // st.doForPeople
	List     string `json:"list"`     // the list it goes over: st.retrieveCompanyEmployees
	// Parent is the named loop this one is under, -1 at the top.
	Parent int `json:"parent"`
	// Stage is the loop's stage: 2 for a loop in the file's own
	// payloads, 3 for one under it, …
	Stage int `json:"stage"`
	Line  int `json:"line"` // where as: is written
	// Param is the URL parameter an item sets on the steps under the
	// loop, from the first of URLFields the item has.
	Param     string    `json:"param,omitempty"`
	URLFields []string  `json:"urlFields,omitempty"`
	node      *dsl.Node // the doFor* step
	item      types.Type
}

// Point is where, in a payload, a list whose items feed a named loop is.
type Point struct {
	Pointer string `json:"pointer"` // the list step's JSON pointer
	Loop    int    `json:"loop"`
	// Instance says which expansion of the loop it is (a loop inside a
	// forEach is expanded once per item); set in the file's payloads.
	Instance int `json:"instance"`
	// Item is the item the payload element was rendered for; -1 in the
	// file's own payloads.
	Item int `json:"item"`
}

// loopInstance is one expansion of a named loop in the file's payloads,
// with the scope its steps see.
type loopInstance struct {
	loop  int
	scope *scope
}

// loopState is the compilation's bookkeeping of named loops.
type loopState struct {
	ids       map[*dsl.Node]int
	loops     []Loop
	instances []loopInstance
	// named maps a lowered doFor* object to its instance (in the file's
	// payloads) or to -1-loopID (rendered: the item is the renderer's).
	named map[*object]int
	// inside is the named loop whose steps are being lowered, -1 outside;
	// forEachDepth is len(c.loops) when it was entered.
	inside, forEachDepth int
}

func newLoopState() *loopState {
	return &loopState{ids: map[*dsl.Node]int{}, named: map[*object]int{}, inside: -1}
}

// isNamedLoop reports whether step n is a doFor* that names its item.
func (c *compilation) isNamedLoop(n *dsl.Node) bool {
	if n.Lookup("as") == nil || n.Lookup("forEach") != nil {
		return false
	}
	ap := n.Lookup("action")
	if ap == nil || ap.Value.Kind != dsl.ScalarNode {
		return false
	}
	a := c.cat.Lookup(schemas.FullName(ap.Value.Value))
	return a != nil && a.Iterates != ""
}

// enterLoop starts lowering the steps under a named loop: it registers
// the loop (and this expansion of it) and returns the scope its steps
// see, with the item unknown and typed by the list's items. It returns
// nil for a step that is no named loop.
func (c *compilation) enterLoop(o *object, n *dsl.Node, sc *scope, action, parent *schemas.Action) (inner *scope, leave func()) {
	if action == nil || action.Iterates == "" || !c.isNamedLoop(n) {
		return nil, nil
	}
	ls := c.stages
	asName, indexName := c.loopNames(n)
	id, seen := ls.ids[n]
	if !seen {
		id = len(ls.loops)
		ls.ids[n] = id
		l := Loop{ID: id, As: asName, Iterator: action.Name, Parent: ls.inside, Stage: 2, Line: n.Lookup("as").Value.Pos.Line, node: n}
		if ls.inside >= 0 {
			l.Stage = ls.loops[ls.inside].Stage + 1
		}
		if action.ItemURL != nil {
			l.Param, l.URLFields = action.ItemURL.Param, action.ItemURL.Fields
		}
		l.item = types.Map{types.Extra: types.Any}
		if parent != nil {
			l.List = parent.Name
			l.item = listItemType(parent.Result.Item)
		}
		ls.loops = append(ls.loops, l)
	}
	if ls.inside >= 0 && len(c.loops) > ls.forEachDepth {
		c.errorAt(n.Lookup("as").Key, diag.CodeFieldValue, "a named loop cannot be inside a forEach: that is inside another named loop",
			"name the item of the outer loop only, or move the forEach: out of it")
	}
	switch {
	case c.render != nil:
		ls.named[o] = -1 - id
	case c.opts.Symbolic:
		// validate sends nothing.
	case ls.inside >= 0:
		// A loop under another named loop is expanded when the outer
		// one's items are rendered; here it is only marked for counts.
		ls.named[o] = -1 - id
	default:
		ls.named[o] = len(ls.instances)
		ls.instances = append(ls.instances, loopInstance{loop: id, scope: sc})
	}
	inner = sc.child()
	inner.loops = inner.loops.with(asName, ls.loops[id].List, "")
	inner.setType(asName, ls.loops[id].item)
	inner.setType(indexName, types.Int)
	inner.setUnknown(asName, true)
	inner.setUnknown(indexName, true)
	before, depth := ls.inside, ls.forEachDepth
	ls.inside, ls.forEachDepth = id, len(c.loops)
	return inner, func() { ls.inside, ls.forEachDepth = before, depth }
}

// listItemType is the static type of a list's items, from the catalog: a
// map of their fields.
func listItemType(fields map[string]string) types.Type {
	if len(fields) == 0 {
		return types.Map{types.Extra: types.Any}
	}
	m := types.Map{}
	for name, t := range fields {
		m[name] = typeFromJSON(strings.TrimSuffix(t, "?"))
		if strings.HasSuffix(t, "?") {
			m[name] = types.Any // may be null
		}
	}
	return m
}

// stripLoops returns the payload form of a tree: every named loop left
// out of its list step's then (the list step only retrieves), and where
// each such list step is. The tree itself is left whole, for counts and
// checks.
func (c *compilation) stripLoops(tree any, item int) (any, []Point) {
	var points []Point
	// strip returns v without named loops, and whether it changed (v
	// itself is never changed: a copy is made along the way).
	var strip func(v any, ptr string) (any, bool)
	strip = func(v any, ptr string) (any, bool) {
		switch x := v.(type) {
		case []any:
			out := make([]any, len(x))
			changed := false
			for i, e := range x {
				s, ch := strip(e, ptr+"/"+strconv.Itoa(i))
				changed = changed || ch
				out[i] = s
			}
			if !changed {
				return x, false
			}
			return out, true
		case *object:
			t, ok := x.Get("then")
			if !ok {
				return x, false
			}
			kids := []any{t}
			single := true
			if arr, isArr := t.([]any); isArr {
				kids, single = arr, false
			}
			var kept []any
			removed := false
			for _, k := range kids {
				ko, _ := k.(*object)
				if inst, named := c.stages.named[ko]; named {
					removed = true
					p := Point{Pointer: ptr, Item: item, Instance: inst}
					if inst < 0 {
						p.Loop, p.Instance = -1-inst, -1
					} else {
						p.Loop = c.stages.instances[inst].loop
					}
					points = append(points, p)
					continue
				}
				kept = append(kept, k)
			}
			cp := x
			if removed {
				cp = x.Clone()
				switch {
				case len(kept) == 0:
					cp.Delete("then")
				case single:
					cp.Set("then", kept[0])
				default:
					cp.Set("then", kept)
				}
			}
			if nt, ok := cp.Get("then"); ok {
				if s, ch := strip(nt, ptr+"/then"); ch {
					if cp == x {
						cp = x.Clone()
					}
					cp.Set("then", s)
					removed = true
				}
			}
			return cp, removed
		}
		return v, false
	}
	out, _ := strip(tree, "")
	return out, points
}

// loopsDigest identifies what the named loops of a file send: the text of
// their steps. A run's identity includes it, so that an edited note makes
// a new run (whose ledger checks still leave out whoever was reached).
func (c *compilation) loopsDigest() string {
	if len(c.stages.loops) == 0 {
		return ""
	}
	h := sha256.New()
	for _, l := range c.stages.loops {
		fmt.Fprintf(h, "%d\x00%s\x00", l.ID, dumpNode(l.node))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// dumpNode writes a node's content (not its position) deterministically.
func dumpNode(n *dsl.Node) string {
	var b strings.Builder
	var walk func(n *dsl.Node)
	walk = func(n *dsl.Node) {
		if n == nil {
			return
		}
		switch n.Kind {
		case dsl.MapNode:
			b.WriteByte('{')
			for _, p := range n.Pairs {
				b.WriteString(strconv.Quote(p.Key.Value))
				b.WriteByte(':')
				walk(p.Value)
				b.WriteByte(',')
			}
			b.WriteByte('}')
		case dsl.SeqNode:
			b.WriteByte('[')
			for _, it := range n.Items {
				walk(it)
				b.WriteByte(',')
			}
			b.WriteByte(']')
		default:
			b.WriteString(n.Tag)
			b.WriteString(strconv.Quote(n.Value))
		}
	}
	walk(n)
	return b.String()
}

// loopScope is what a scope knows of the loops it is under.
type loopScope struct {
	items   map[string]string // item name → the list action it comes from
	unnamed string            // a doFor* above without as:, e.g. "doForPeople (line 7)"
}

// with returns a copy with an item added, or the unnamed loop set.
func (l *loopScope) with(item, list, unnamed string) *loopScope {
	n := &loopScope{items: map[string]string{}}
	if l != nil {
		for k, v := range l.items {
			n.items[k] = v
		}
		n.unnamed = l.unnamed
	}
	if item != "" {
		n.items[item] = list
		n.unnamed = ""
	}
	if unnamed != "" {
		n.unnamed = unnamed
	}
	return n
}

// enterUnnamedLoop returns the scope of the steps under a doFor* without
// as:, which remembers the loop for a hint when an expression names an
// item that does not exist.
func (c *compilation) enterUnnamedLoop(n *dsl.Node, sc *scope, action *schemas.Action) *scope {
	if action == nil || action.Iterates == "" || n.Lookup("as") != nil {
		return nil
	}
	return sc.withLoops(sc.loops.with("", "", fmt.Sprintf("%s (line %d)", action.DisplayName(), n.Pos.Line)))
}

// loopHint improves the messages about loop items: a name used under a
// doFor* without as: (the items exist only at run time; naming the loop
// lets lwf run it), and a field the list's items do not have.
func loopHint(ee *exprError, sc *scope) *exprError {
	if ee == nil || ee.code != diag.CodeExprUndefined {
		return ee
	}
	if field, ok := strings.CutPrefix(ee.msg, "undefined field "); ok && sc.seqLater != nil {
		field, _ = strconv.Unquote(field)
		if contains(sc.seqLater, field) {
			ee.msg = fmt.Sprintf("steps.%s is read before step %s runs", field, field)
			ee.hint = "a step sees the outcome of the steps before it only"
			return ee
		}
		if before, ok := sc.types["steps"].(types.Map); ok {
			if _, known := before[field]; !known {
				ids := make([]string, 0, len(before))
				for id := range before {
					ids = append(ids, id)
				}
				sortStrings(ids)
				ee.msg = fmt.Sprintf("there is no step %q", field)
				ee.hint = "the steps before this one: " + strings.Join(ids, ", ")
				if n := diag.Nearest(field, ids); n != "" {
					ee.hint = fmt.Sprintf("did you mean %q? %s", n, ee.hint)
				}
				if len(ids) == 0 {
					ee.hint = "this is the first step: no step ran before it"
				}
				return ee
			}
		}
	}
	if sc.loops == nil {
		return ee
	}
	l := sc.loops
	if name, ok := strings.CutPrefix(ee.msg, "undefined name "); ok && l.unnamed != "" {
		name, _ = strconv.Unquote(name)
		ee.hint = fmt.Sprintf("the items of %s exist only when the workflow runs: name the loop's item with `as: %s` and lwf runs the loop itself, with %s.name and the other fields available here",
			l.unnamed, name, name)
		return ee
	}
	if field, ok := strings.CutPrefix(ee.msg, "undefined field "); ok {
		field, _ = strconv.Unquote(field)
		// Only when one item lacks the field can the message name it.
		lacking, lackingList := "", ""
		for item, list := range l.items {
			t, _ := sc.types[item].(types.Map)
			if _, has := t[field]; t == nil || list == "" || has {
				continue
			}
			if lacking != "" {
				return ee
			}
			lacking, lackingList = item, list
		}
		if lacking == "" {
			return ee
		}
		t := sc.types[lacking].(types.Map)
		fields := make([]string, 0, len(t))
		for f := range t {
			fields = append(fields, f)
		}
		sortStrings(fields)
		ee.msg = fmt.Sprintf("the items of %s have no field %q", lackingList, field)
		ee.hint = fmt.Sprintf("%s.* fields: %s", lacking, strings.Join(fields, ", "))
		if n := diag.Nearest(field, fields); n != "" {
			ee.hint = fmt.Sprintf("did you mean %q? %s", n, ee.hint)
		}
	}
	return ee
}

// loopMarker marks a named loop's doFor* in the plain trees kept for
// counts: its value is the loop's ID.
const loopMarker = "\x00loop"

// plainMarked is plain(tree) with named loops marked for the counts.
func (c *compilation) plainMarked(tree any) any {
	out := plain(tree)
	var mark func(o, p any)
	mark = func(o, p any) {
		switch x := o.(type) {
		case []any:
			pl, _ := p.([]any)
			for i := range x {
				if i < len(pl) {
					mark(x[i], pl[i])
				}
			}
		case *object:
			pm, _ := p.(map[string]any)
			if pm == nil {
				return
			}
			if inst, ok := c.stages.named[x]; ok && inst >= 0 {
				pm[loopMarker] = c.stages.instances[inst].loop
			} else if ok {
				pm[loopMarker] = -1 - inst
			}
			if t, ok := x.Get("then"); ok {
				mark(t, pm["then"])
			}
		}
	}
	mark(tree, out)
	return out
}
