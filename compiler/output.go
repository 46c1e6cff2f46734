package compiler

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/types"
	"github.com/expr-lang/expr/vm"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
)

// Output shapes the completion of a workflow for the people and programs
// that read it, the way the official SDKs fold child results into named
// properties. It comes from the output: field of reusable workflows.
type Output struct {
	sites []outputSite
}

// outputSite is one inlined reusable workflow and its output expressions.
type outputSite struct {
	workflow string // the reusable workflow's name
	pointer  string // JSON pointer of its root step in the payload ("" = the whole payload)
	array    bool   // the reusable workflow is a root array: result is the list of its results
	count    int    // for array: how many root steps it inlined
	fields   []outputField
	whole    *vm.Program // output: written as one expression instead of a mapping
	wholeSrc string
}

type outputField struct {
	name string
	src  string // the expression, for Describe
	prog *vm.Program
}

// OutputSite describes one inlined reusable workflow's output, for people.
type OutputSite struct {
	Workflow string            `json:"workflow"`
	Pointer  string            `json:"at"`     // JSON pointer of its root step in the payload ("" = the whole)
	Fields   map[string]string `json:"fields"` // property → expression ("" key: one expression for the whole)
}

// Describe lists the output's sites with their expressions.
func (o *Output) Describe() []OutputSite {
	if o == nil {
		return nil
	}
	var out []OutputSite
	for _, s := range o.sites {
		d := OutputSite{Workflow: s.workflow, Pointer: s.pointer, Fields: map[string]string{}}
		for _, f := range s.fields {
			d.Fields[f.name] = f.src
		}
		if s.whole != nil {
			d.Fields[""] = s.wholeSrc
		}
		out = append(out, d)
	}
	return out
}

// Workflows lists the reusable workflows whose outputs o applies.
func (o *Output) Workflows() []string {
	var out []string
	for _, s := range o.sites {
		out = append(out, s.workflow)
	}
	return out
}

// Apply shapes a completion (the completion of GET /workflows/{id}, decoded
// from JSON). When the whole workflow is one reusable workflow, the shaped
// value is returned as is (for fetch-person: {data, errors}); otherwise a
// copy of the completion is returned where each inlined workflow's result
// object carries its shaped value under "output".
func (o *Output) Apply(completion any) (any, error) {
	if o == nil || len(o.sites) == 0 {
		return completion, nil
	}
	if len(o.sites) == 1 && o.sites[0].pointer == "" {
		return o.sites[0].eval(completion)
	}
	doc := deepCopy(completion)
	for _, s := range o.sites {
		node, ok := completionAt(doc, s.pointer)
		if !ok {
			continue
		}
		m, ok := node.(map[string]any)
		if !ok {
			continue
		}
		v, err := s.eval(node)
		if err != nil {
			return nil, err
		}
		m["output"] = v
	}
	return doc, nil
}

func (s outputSite) eval(result any) (any, error) {
	env := map[string]any{"result": result}
	if s.whole != nil {
		v, err := expr.Run(s.whole, env)
		if err != nil {
			return nil, fmt.Errorf("output of %s: %w", s.workflow, err)
		}
		return v, nil
	}
	out := map[string]any{}
	for _, f := range s.fields {
		v, err := expr.Run(f.prog, env)
		if err != nil {
			return nil, fmt.Errorf("output %s of %s: %w", f.name, s.workflow, err)
		}
		if v != nil {
			out[f.name] = v
		}
	}
	return out, nil
}

// outputFor collects the output sites of one payload tree with their
// pointers, or nil when it inlines no reusable workflow with an output.
func (c *compilation) outputFor(tree any) *Output {
	var sites []outputSite
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch x := v.(type) {
		case []any:
			for i, e := range x {
				walk(e, ptr+"/"+strconv.Itoa(i))
			}
		case *object:
			if s := c.outputs[x]; s != nil {
				site := *s
				site.pointer = ptr
				if arr, ok := tree.([]any); ok && site.array && ptr == "/0" && site.count == len(arr) {
					site.pointer = ""
				} else if _, ok := tree.(*object); ok && ptr == "" {
					site.array = false
				}
				sites = append(sites, site)
			}
			if t, ok := x.Get("then"); ok {
				walk(t, ptr+"/then")
			}
		}
	}
	walk(tree, "")
	if len(sites) == 0 {
		return nil
	}
	return &Output{sites: sites}
}

// completionAt finds the result object for a payload pointer: a root array
// index stays an index, a then step becomes data.then. Pointers that cross
// server-side iteration have no single result and are not found.
func completionAt(doc any, pointer string) (any, bool) {
	cur := doc
	for _, tok := range splitPointer(pointer) {
		switch x := cur.(type) {
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			cur = x[i]
		case map[string]any:
			if tok != "then" {
				return nil, false
			}
			data, _ := x["data"].(map[string]any)
			if data == nil {
				return nil, false
			}
			cur = data["then"]
		default:
			return nil, false
		}
	}
	return cur, cur != nil
}

func deepCopy(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
}

// outputFunctions are the functions output expressions may call, besides
// expr's builtins. They read completions of any shape without failing.
func outputFunctions() []expr.Option {
	return []expr.Option{
		expr.Function("child", func(args ...any) (any, error) {
			return child(args[0], fmt.Sprint(args[1])), nil
		}),
		expr.Function("errors", func(args ...any) (any, error) {
			return collectErrors(args[0], nil), nil
		}),
		expr.Function("fold", func(args ...any) (any, error) {
			m, _ := args[1].(map[string]any)
			return fold(args[0], m), nil
		}),
		expr.Function("omit", func(args ...any) (any, error) {
			m, ok := args[0].(map[string]any)
			if !ok {
				return args[0], nil
			}
			out := make(map[string]any, len(m))
			for k, v := range m {
				out[k] = v
			}
			for _, k := range args[1:] {
				delete(out, fmt.Sprint(k))
			}
			return out, nil
		}),
	}
}

// child returns the result object of the child action of the given type
// (then may be an object or an array), or nil.
func child(result any, actionType string) any {
	m, _ := result.(map[string]any)
	data, _ := m["data"].(map[string]any)
	switch t := data["then"].(type) {
	case map[string]any:
		if t["actionType"] == actionType {
			return t
		}
	case []any:
		for _, c := range t {
			if cm, ok := c.(map[string]any); ok && cm["actionType"] == actionType {
				return cm
			}
		}
	}
	return nil
}

// fold copies result.data without then, and sets each property of mapping
// to the data of the child action it names: the official SDKs' "then"
// mapping. It returns nil when the result has no data.
func fold(result any, mapping map[string]any) any {
	m, _ := result.(map[string]any)
	data, ok := m["data"].(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]any, len(data)+len(mapping))
	for k, v := range data {
		if k != "then" {
			out[k] = v
		}
	}
	keys := make([]string, 0, len(mapping))
	for k := range mapping {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if c, _ := child(result, fmt.Sprint(mapping[k])).(map[string]any); c != nil {
			if d, ok := c["data"]; ok && d != nil {
				out[k] = d
			}
		}
	}
	return out
}

// collectErrors lists the error of every failed action in a result tree
// as {actionType, type, message}, depth first.
func collectErrors(v any, out []any) []any {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			out = collectErrors(e, out)
		}
	case map[string]any:
		if e, ok := x["error"].(map[string]any); ok && x["success"] == false {
			out = append(out, map[string]any{"actionType": x["actionType"], "type": e["type"], "message": e["message"]})
		}
		if data, ok := x["data"].(map[string]any); ok {
			out = collectErrors(data["then"], out)
		}
		if data, ok := x["data"].([]any); ok {
			for _, item := range data {
				if im, ok := item.(map[string]any); ok {
					out = collectErrors(im["then"], out)
				}
			}
		}
	}
	if out == nil {
		out = []any{}
	}
	return out
}

// compileOutput compiles one output expression, in a scope of result
// alone; the same text compiles once per engine.
func (e *engine) compileOutput(src string) *compiled {
	if c, ok := e.outputs[src]; ok {
		return c
	}
	if e.outputCfg == nil {
		cfg := conf.CreateNew()
		for _, op := range append([]expr.Option{expr.Env(outputScope().types)}, outputFunctions()...) {
			op(cfg)
		}
		cfg.Check()
		e.outputCfg = noNodeLimit(cfg)
	}
	c := &compiled{}
	if prog, err := compileStages(src, e.outputCfg, nil); err != nil {
		c.err = classify(src, err, outputScope(), e.outputCfg)
	} else {
		c.prog = prog
	}
	if e.outputs == nil {
		e.outputs = map[string]*compiled{}
	}
	e.outputs[src] = c
	return c
}

// outputScope is what output expressions see: result.
func outputScope() *scope { return &scope{types: map[string]types.Type{"result": types.Any}} }

// compileOutput compiles the output: field of a reusable workflow. Output
// expressions run on completions, so they see only result. n is one
// expression, or a mapping of property names to expressions.
func (c *compilation) compileOutput(name string, n *dsl.Node) (outputSite, bool) {
	site := outputSite{workflow: name}
	lastSrc := ""
	compileOne := func(node *dsl.Node) (*vm.Program, bool) {
		lastSrc = strings.TrimSpace(node.Value)
		segs := findSegments(node.Value)
		if node.Kind != dsl.ScalarNode || !wholeExpr(node.Value, segs) {
			c.errorAt(node, diag.CodeFieldValue, "an output value must be one ${{ }} expression", "")
			return nil, false
		}
		comp := c.engine.compileOutput(node.Value[segs[0].inner:segs[0].innerEnd])
		if comp.err != nil {
			c.exprErrorAt(node, segs[0], comp.err)
			return nil, false
		}
		return comp.prog, true
	}
	if n.Kind != dsl.MapNode {
		prog, ok := compileOne(n)
		site.whole, site.wholeSrc = prog, lastSrc
		return site, ok
	}
	ok := true
	for _, p := range n.Pairs {
		prog, fOK := compileOne(p.Value)
		if fOK {
			site.fields = append(site.fields, outputField{name: p.Key.Value, src: lastSrc, prog: prog})
		}
		ok = ok && fOK
	}
	return site, ok
}
