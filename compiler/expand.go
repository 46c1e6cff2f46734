package compiler

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/types"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/schemas"
)

// DefaultMaxActions bounds the actions one file may expand to, so that a
// forEach over a huge list, nested forEach or a fan-out through uses: ends
// in a diagnostic, not in a payload nobody can send.
const DefaultMaxActions = 100_000

// expansion counts the actions a file expands to, across the reusable
// workflows it inlines (every compilation of one file shares it), and
// remembers whether the cap was hit. Once it is, nothing more is expanded
// and no payload is made: a workflow is never silently cut short.
type expansion struct {
	count int
	max   int
	over  bool
}

// countAction counts one more action (step n) and reports, at n, the
// action that passes the cap. It returns false once the cap is passed.
func (c *compilation) countAction(n *dsl.Node) bool {
	e := c.exp
	e.count++
	if e.count <= e.max {
		return true
	}
	if !e.over {
		e.over = true
		at := n
		if ap := n.Lookup("action"); ap != nil {
			at = ap.Value
		}
		c.errorAt(at, diag.CodeTooManyActions, fmt.Sprintf("the workflow expands to more than %d actions here", e.max),
			"split the input into several runs, or inline fewer reusable workflows")
	}
	return false
}

// stepSrc remembers where a lowered step came from, for diagnostics.
type stepSrc struct {
	file   string     // the file the step is written in
	via    *viaSite   // set when the step comes from a reusable workflow
	spread *dsl.Node  // the value of params:, for parameters it supplied
	loops  []loopInfo // the forEach iterations it was expanded in, for messages
	node   *dsl.Node  // the step mapping
	action *dsl.Node  // the value of action: (nil if missing)
	params map[string]*dsl.Pair
	then   *dsl.Pair
}

// evalVars evaluates vars: in order; each sees the inputs and the vars
// before it.
func (c *compilation) evalVars(n *dsl.Node) {
	if n == nil {
		return
	}
	vt := types.Map{}
	vv := map[string]any{}
	c.scope.own(ownTypes | ownValues)
	c.scope.types["vars"], c.scope.values["vars"] = vt, vv
	c.scope.retype()
	// Each var changes the scope's types: its signature is derived from
	// the one without vars, rather than computed again from every type.
	base := c.scope.signature()
	for _, p := range n.Pairs {
		name := p.Key.Value
		if !lang.IsIdent(name) {
			c.errorAt(p.Key, diag.CodeFieldValue, fmt.Sprintf("var name %q must be an identifier (letters, digits, _)", name), "")
			continue
		}
		taintBefore := c.engine.taint.n
		v, ok := c.lowerValue(p.Value, c.scope)
		if c.engine.taint.n > taintBefore {
			c.scope.setTainted("vars." + name)
		}
		v = exprValue(v)
		if u, isU := v.(schemas.Unknown); isU || !ok {
			vt[name] = typeFromJSON(u.Type)
			c.scope.setUnknown("vars."+name, true)
			c.scope.rebase(base, "vars", vt)
			continue
		}
		vt[name] = typeOfValue(v)
		vv[name] = v
		c.scope.rebase(base, "vars", vt)
	}
}

// exprValue turns a lowered value back into what expressions read
// (objects to maps, int64 to int).
func exprValue(v any) any {
	switch x := v.(type) {
	case *object:
		m := make(map[string]any, x.Len())
		for _, k := range x.Keys() {
			m[k] = exprValue(x.Value(k))
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = exprValue(e)
		}
		return out
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = exprValue(e)
		}
		return m
	case int64:
		return int(x)
	}
	return v
}

// expandList expands a step or a list of steps.
func (c *compilation) expandList(n *dsl.Node, sc *scope, parent *schemas.Action) []*object {
	switch n.Kind {
	case dsl.MapNode:
		return c.expandStep(n, sc, parent)
	case dsl.SeqNode:
		var out []*object
		for _, it := range n.Items {
			out = append(out, c.expandList(it, sc, parent)...)
		}
		return out
	}
	c.errorAt(n, diag.CodeFieldType, "a step must be a mapping with action:", "")
	return nil
}

// expandStep expands one step: forEach makes one copy per item, if drops
// it, and the rest is lowered.
func (c *compilation) expandStep(n *dsl.Node, sc *scope, parent *schemas.Action) []*object {
	if c.exp.over || c.ctx.Err() != nil {
		return nil
	}
	fe := n.Lookup("forEach")
	if fe == nil {
		if !c.isNamedLoop(n) {
			for _, k := range []string{"as", "index"} {
				if p := n.Lookup(k); p != nil {
					c.errorAt(p.Key, diag.CodeUnknownField, fmt.Sprintf("%s: names the item of forEach: or of a doFor* loop (doForPeople, doForCompanies, …); this step has neither", k), "")
				}
			}
		}
		return c.expandOne(n, sc, parent)
	}
	taintBefore := c.engine.taint.n
	items, unknownItem, ok := c.forEachItems(fe.Value, sc)
	if !ok {
		return nil
	}
	taintedItems := c.engine.taint.n > taintBefore
	asName, indexName := c.loopNames(n)
	source := c.forEachSource(fe.Value, sc)
	lines, csvFile := c.csvLines[source], filepath.Base(c.csvFile[source])
	var out []*object
	var prev *scope
	for i, item := range items {
		inner := sc.child()
		if prev != nil && i > 0 && sameShape(items[i-1], item) {
			// Items of one shape (the rows of a CSV file): the scopes
			// share one set of types, typed once.
			inner.types, inner.delta, inner.sig = prev.types, prev.delta, prev.signature()
		} else {
			inner.setType(asName, itemType(item, unknownItem))
			inner.setType(indexName, types.Int)
			if prev != nil && sameType(prev.types[asName], inner.types[asName]) {
				inner.sig = prev.signature()
			}
		}
		prev = inner
		inner.setValue(asName, item)
		inner.setValue(indexName, i)
		if isUnknown(item) {
			inner.setUnknown(asName, true)
		}
		if taintedItems {
			inner.setTainted(asName)
		}
		l := loopInfo{as: asName, source: source, index: i, none: isUnknown(item)}
		if i < len(lines) {
			l.file, l.line = csvFile, lines[i]
		}
		c.loops = append(c.loops, l)
		out = append(out, c.expandOne(n, inner, parent)...)
		c.loops = c.loops[:len(c.loops)-1]
		if c.exp.over {
			c.errorAt(fe.Key, diag.CodeTooManyActions, fmt.Sprintf("forEach expands the workflow past %d actions", c.exp.max), "split the input into several runs")
			break
		}
		if c.ctx.Err() != nil {
			break
		}
	}
	return out
}

// forEachItems evaluates a forEach value. Symbolically (no value for the
// list), the step is checked once with a typed placeholder item.
func (c *compilation) forEachItems(n *dsl.Node, sc *scope) (items []any, itemT types.Type, ok bool) {
	v, ok := c.lowerValue(n, sc)
	if !ok {
		return nil, nil, false
	}
	if u, isU := v.(schemas.Unknown); isU {
		if u.Type != "" && u.Type != "array" {
			c.errorAt(n, diag.CodeExprType, fmt.Sprintf("forEach needs a list, got %s", u.Type), "")
			return nil, nil, false
		}
		return []any{schemas.Unknown{}}, c.staticItemType(n, sc), true
	}
	list, isList := v.([]any)
	if !isList {
		c.errorAt(n, diag.CodeExprType, fmt.Sprintf("forEach needs a list, got %s", describe(v)), "")
		return nil, nil, false
	}
	out := make([]any, len(list))
	for i, e := range list {
		out[i] = exprValue(e)
	}
	return out, nil, true
}

// forEachSource returns the input a forEach iterates when it is written
// ${{ inputs.NAME }}, or "".
func (c *compilation) forEachSource(n *dsl.Node, sc *scope) string {
	segs := findSegments(n.Value)
	if n.Kind != dsl.ScalarNode || !wholeExpr(n.Value, segs) {
		return ""
	}
	name, ok := strings.CutPrefix(strings.TrimSpace(n.Value[segs[0].inner:segs[0].innerEnd]), "inputs.")
	if !ok || !lang.IsIdent(name) {
		return ""
	}
	return name
}

// staticItemType finds the declared item type of a forEach over an input
// (${{ inputs.leads }}), so the loop body is checked against it.
func (c *compilation) staticItemType(n *dsl.Node, sc *scope) types.Type {
	segs := findSegments(n.Value)
	if !wholeExpr(n.Value, segs) {
		return types.Any
	}
	comp := c.engine.compile(n.Value[segs[0].inner:segs[0].innerEnd], sc)
	if comp.prog == nil {
		return types.Any
	}
	// Find the declaration behind a plain inputs.NAME.
	for name, props := range comp.refs {
		if name != "inputs" {
			continue
		}
		for prop := range props {
			for _, d := range c.inputs {
				if d.name == prop {
					if items, ok := d.schema["items"].(map[string]any); ok {
						return exprType(items)
					}
				}
			}
		}
	}
	return types.Any
}

// sameType reports whether two types are the same, strictly; it may
// miss that two lists of objects are.
func sameType(a, b types.Type) bool {
	am, aMap := a.(types.Map)
	bm, bMap := b.(types.Map)
	switch {
	case aMap != bMap:
		return false
	case aMap:
		if len(am) != len(bm) {
			return false
		}
		for k, t := range am {
			if u, ok := bm[k]; !ok || !sameType(t, u) {
				return false
			}
		}
		return true
	case a == nil || b == nil:
		return a == nil && b == nil
	}
	text := a.String()
	return !strings.Contains(text, "Map{") && text == b.String()
}

func itemType(item any, static types.Type) types.Type {
	if isUnknown(item) {
		if static == nil {
			return types.Any
		}
		return static
	}
	return typeOfValue(item)
}

// loopNames reads as: and index:, the names of the item and its position.
func (c *compilation) loopNames(n *dsl.Node) (string, string) {
	asName, indexName := "item", "index"
	for key, dst := range map[string]*string{"as": &asName, "index": &indexName} {
		p := n.Lookup(key)
		if p == nil {
			continue
		}
		if p.Value.Kind != dsl.ScalarNode || !lang.IsIdent(p.Value.Value) {
			c.errorAt(p.Value, diag.CodeFieldValue, fmt.Sprintf("%s: must be an identifier", key), "")
			continue
		}
		switch p.Value.Value {
		case "inputs", "vars", "env":
			c.errorAt(p.Value, diag.CodeFieldValue, fmt.Sprintf("%s: %q would hide the %s context", key, p.Value.Value, p.Value.Value), "")
			continue
		}
		*dst = p.Value.Value
	}
	return asName, indexName
}

// expandOne lowers one step (already inside its forEach iteration); a
// step with uses: may inline several.
func (c *compilation) expandOne(n *dsl.Node, sc *scope, parent *schemas.Action) []*object {
	if p := n.Lookup("if"); p != nil {
		cond := *sc
		cond.condition = true
		v, ok := c.lowerValue(p.Value, &cond)
		if !ok {
			return nil
		}
		switch b := v.(type) {
		case bool:
			if !b {
				return nil
			}
		case schemas.Unknown:
			if b.Type != "" && b.Type != "boolean" {
				c.errorAt(p.Value, diag.CodeExprType, fmt.Sprintf("if: needs true or false, got %s", b.Type), "")
			}
		default:
			c.errorAt(p.Value, diag.CodeExprType, fmt.Sprintf("if: needs true or false, got %s", describe(v)), "")
			return nil
		}
	}
	if n.Lookup("uses") != nil {
		return c.expandUses(n, sc, parent)
	}
	samples := len(c.samples)
	o := c.lowerStep(n, sc, parent)
	if c.skip(o, c.cat.Lookup(actionTypeOf(o))) || c.emptied[o] {
		c.samples = c.samples[:samples] // what is not sent is no sample of it
		return nil
	}
	return []*object{o}
}

// spreadParams merges the mapping of params: into the step's parameters;
// parameters written out beside it win. It is how reusable workflows pass
// an options object through, the way the SDKs spread their configs.
func (c *compilation) spreadParams(o *object, src *stepSrc, pp *dsl.Pair, sc *scope) {
	v, ok := c.lowerValue(pp.Value, sc)
	if !ok {
		return
	}
	src.spread = pp.Value
	switch m := v.(type) {
	case nil:
	case schemas.Unknown:
		if m.Type != "" && m.Type != "object" {
			c.errorAt(pp.Value, diag.CodeExprType, fmt.Sprintf("params: needs a mapping, got %s", m.Type), "")
		}
	case *object:
		for _, k := range m.Keys() {
			if _, set := o.Get(k); !set && m.Value(k) != nil {
				o.Set(k, m.Value(k))
			}
		}
	case map[string]any:
		for _, k := range sortedKeys(m) {
			if _, set := o.Get(k); !set && m[k] != nil {
				o.Set(k, m[k])
			}
		}
	default:
		c.errorAt(pp.Value, diag.CodeExprType, fmt.Sprintf("params: needs a mapping, got %s", describe(v)), "")
	}
}

// lowerStep turns a step mapping into an action object.
func (c *compilation) lowerStep(n *dsl.Node, sc *scope, parent *schemas.Action) *object {
	c.countAction(n)
	src := &stepSrc{file: c.file, via: c.via, node: n, params: map[string]*dsl.Pair{}}
	if len(c.loops) > 0 {
		src.loops = slices.Clone(c.loops)
	}
	o := newObject()
	c.srcs[o] = src
	var action *schemas.Action
	ap := n.Lookup("action")
	switch {
	case ap == nil:
		c.errorAt(n, diag.CodeMissingField, "the step has no action:", "every step needs action: (or uses:)")
		o.Set("actionType", schemas.Unknown{Type: "string"})
	case ap.Value.Kind != dsl.ScalarNode || ap.Value.Tag != "!!str" || ap.Value.Value == "":
		c.errorAt(ap.Value, diag.CodeFieldType, "action: must be an action name such as searchPeople or nv.searchPeople", "")
		o.Set("actionType", schemas.Unknown{Type: "string"})
	case findSegments(ap.Value.Value) != nil:
		c.errorAt(ap.Value, diag.CodeFieldValue, "action: must be written out; expressions are not allowed here", "use if: to choose between steps")
		o.Set("actionType", schemas.Unknown{Type: "string"})
	default:
		src.action = ap.Value
		full := schemas.FullName(ap.Value.Value)
		o.Set("actionType", full)
		action = c.cat.Lookup(full)
	}
	if lp := n.Lookup("label"); lp != nil {
		v, _ := c.lowerValue(lp.Value, sc)
		o.Set("label", v)
	}
	for _, p := range n.Pairs {
		k := p.Key.Value
		if lang.IsStepKeyword(k) || (c.inSequence && contains(lang.SequenceStepKeywords(), k)) {
			if k == "with" {
				c.errorAt(p.Key, diag.CodeUnknownField, "with: belongs to a step with uses:", "")
			}
			continue
		}
		src.params[k] = p
		v, _ := c.lowerValue(p.Value, sc)
		if v == nil && p.Value.Tag != "!!null" {
			continue // an expression that gave null: the parameter is left out
		}
		o.Set(k, v)
		c.sample(o, k, p.Value, v)
	}
	if vp := n.Lookup("variants"); vp != nil {
		c.variantsField(o, src, vp, sc)
	}
	if pp := n.Lookup("params"); pp != nil {
		c.spreadParams(o, src, pp, sc)
	}
	if action != nil {
		for _, k := range sortedKeys(action.Fills()) {
			if _, given := o.Get(k); !given {
				o.Set(k, action.Fills()[k])
			}
		}
	}
	c.applyRootParams(o, action, parent)
	if tp := n.Lookup("then"); tp != nil {
		src.then = tp
		skippedBefore := len(c.skipped)
		c.persons = append(c.persons, c.personFor(o))
		inner := sc
		if ls, leave := c.enterLoop(o, n, sc, action, parent); ls != nil {
			inner = ls
			defer leave()
		} else if us := c.enterUnnamedLoop(n, sc, action); us != nil {
			inner = us
		}
		children := c.expandList(tp.Value, inner, action)
		c.persons = c.persons[:len(c.persons)-1]
		if len(children) == 0 && len(c.skipped) > skippedBefore {
			c.markEmptied(o)
		}
		switch {
		case tp.Value.Kind == dsl.MapNode && len(children) == 0:
			// the one child step was dropped (if:): no then at all
		case tp.Value.Kind == dsl.MapNode && len(children) == 1 && tp.Value.Get("forEach") == nil:
			o.Set("then", children[0])
		default:
			arr := make([]any, len(children))
			for i, ch := range children {
				arr[i] = ch
			}
			o.Set("then", arr)
		}
	}
	return o
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(truncate(x, 30))
	case bool:
		return strconv.FormatBool(x)
	case []any:
		return "a list"
	case *object, map[string]any:
		return "a mapping"
	}
	return fmt.Sprint(v)
}
