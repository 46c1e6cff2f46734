package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/expr-lang/expr/types"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/schemas"
	"github.com/lwf-dev/lwf/workflows"
)

// callee is a parsed reusable workflow.
type callee struct {
	id   string // "std:fetch-person" or the cleaned path
	file string // the name diagnostics use
	root *dsl.Node
	err  *diag.Diagnostic
}

// resolveUses finds the file a uses: value names: a standard workflow by
// name, or a path relative to the using file that stays inside its
// directory.
func (c *compilation) resolveUses(n *dsl.Node) (*callee, string) {
	name := n.Value
	if n.Kind != dsl.ScalarNode || name == "" {
		return nil, "uses: must be a workflow name or a relative path"
	}
	if !strings.ContainsAny(name, "/\\") && !strings.HasSuffix(name, ".yaml") && !strings.HasSuffix(name, ".yml") {
		if _, ok := workflows.Read(name); !ok {
			msg := fmt.Sprintf("no standard workflow named %q", name)
			if s := diag.Nearest(name, workflows.Names()); s != "" {
				return nil, msg + "\x00" + fmt.Sprintf("did you mean %q?", s)
			}
			return nil, msg + "\x00see lwf workflows"
		}
		return c.loadCallee("std:"+name, "workflows/"+name+".yaml", func() ([]byte, error) {
			b, _ := workflows.Read(name)
			return b, nil
		}), ""
	}
	if filepath.IsAbs(name) {
		return nil, "uses: takes a path relative to this file, not an absolute one"
	}
	dir := filepath.Dir(c.file)
	clean := filepath.Clean(filepath.Join(dir, name))
	rel, err := filepath.Rel(dir, clean)
	if c.stdlib {
		return nil, "a standard workflow can use only other standard workflows"
	}
	if err != nil || climbsOut(rel) {
		return nil, fmt.Sprintf("uses: %q leaves the directory of %s", name, filepath.Base(c.file))
	}
	if real, err := filepath.EvalSymlinks(clean); err == nil {
		if realDir, err := filepath.EvalSymlinks(dir); err == nil {
			if r, err := filepath.Rel(realDir, real); err != nil || climbsOut(r) {
				return nil, fmt.Sprintf("uses: %q leaves the directory of %s through a link", name, filepath.Base(c.file))
			}
		}
	}
	return c.loadCallee(clean, clean, func() ([]byte, error) {
		src, d := readSource(clean, c.opts.Parse)
		if d != nil {
			return nil, fmt.Errorf("%s", d.Message)
		}
		return src, nil
	}), ""
}

// climbsOut reports whether a relative path leaves its directory: it is
// ".." or starts with "../" — not a name that merely starts with two dots
// ("..name.yaml").
func climbsOut(rel string) bool {
	return rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func (c *compilation) loadCallee(id, file string, read func() ([]byte, error)) *callee {
	if cl, ok := c.callees[id]; ok {
		return cl
	}
	cl := &callee{id: id, file: file}
	c.callees[id] = cl
	src, err := read()
	if err != nil {
		d := diag.New(file, diag.Pos{}, diag.CodeUsesNotFound, fmt.Sprintf("cannot read the workflow: %v", err))
		cl.err = &d
		return cl
	}
	f, ds := c.engine.parse(file, src, c.opts.Parse)
	if ds.HasErrors() || f == nil {
		c.diags = append(c.diags, ds...)
		d := diag.New(file, diag.Pos{}, diag.CodeUsesNotFound, "the workflow cannot be parsed")
		cl.err = &d
		return cl
	}
	cl.root = f.Root
	return cl
}

// expandUses inlines a reusable workflow at a step with uses:.
func (c *compilation) expandUses(n *dsl.Node, sc *scope, parent *schemas.Action) []*object {
	up := n.Lookup("uses")
	for _, p := range n.Pairs {
		if !contains(lang.UsesKeywords(), p.Key.Value) && !(c.inSequence && contains(lang.SequenceStepKeywords(), p.Key.Value)) {
			c.errorAt(p.Key, diag.CodeUnknownField, fmt.Sprintf("%s: cannot stand beside uses:; give the reusable workflow's inputs in with:", p.Key.Value), "")
		}
	}
	cl, problem := c.resolveUses(up.Value)
	if cl == nil {
		msg, hint, _ := strings.Cut(problem, "\x00")
		c.errorAt(up.Value, diag.CodeUsesNotFound, msg, hint)
		return nil
	}
	if cl.err != nil {
		c.errorAt(up.Value, diag.CodeUsesNotFound, fmt.Sprintf("uses: %s: %s", up.Value.Value, cl.err.Message), "")
		return nil
	}
	for _, id := range c.stack {
		if id == cl.id {
			c.errorAt(up.Value, diag.CodeUsesCycle, fmt.Sprintf("uses: %s calls itself: %s", up.Value.Value, strings.Join(append(c.stack, cl.id), " → ")), "")
			return nil
		}
	}
	sub := c.childFor(cl, up.Value)
	top := sub.structure(cl.root)
	sub.env = sub.declareEnv(top.env)
	sub.inputs = sub.declareInputs(top.inputs)
	sub.scope = sub.bindWith(sub.inputs, n, sc, up.Value.Value)
	sub.evalVars(top.vars)
	var steps []*object
	if top.workflow != nil {
		steps = sub.expandList(top.workflow, sub.scope, parent)
	}
	if top.output != nil && len(steps) > 0 {
		if site, ok := sub.compileOutput(top.name, top.output); ok {
			site.array = top.workflow.Kind == dsl.SeqNode
			site.count = len(steps)
			c.outputs[steps[0]] = &site
		}
	}
	if lp := n.Lookup("label"); lp != nil && len(steps) == 1 {
		v, _ := c.lowerValue(lp.Value, sc)
		steps[0].SetAt(1, "label", v)
	}
	c.diags = append(c.diags, sub.diags...)
	// The callee's skips and samples are the caller's: they extend its
	// lists.
	c.skipped, c.samples = sub.skipped, sub.samples
	if c.exp.over {
		// The cap was hit inside: say so here too, so that every file on
		// the way shows where the expansion went.
		c.errorAt(up.Value, diag.CodeTooManyActions, fmt.Sprintf("uses: %s expands the workflow past %d actions", up.Value.Value, c.exp.max), "")
		return nil
	}
	return steps
}

// childFor makes the compilation of a callee: its own file, inputs and
// scope; the shared engine, source map, outputs and counters.
func (c *compilation) childFor(cl *callee, site *dsl.Node) *compilation {
	sub := *c
	sub.parentFile = c.file
	sub.parentEnv = c.env
	sub.file = cl.file
	sub.stdlib = strings.HasPrefix(cl.id, "std:")
	sub.diags = nil
	sub.stack = append(append([]string{}, c.stack...), cl.id)
	if sub.via == nil {
		sub.via = &viaSite{node: site, file: c.file}
	}
	return &sub
}

// viaSite is where, in the file being compiled, a reusable workflow was
// used: catalog problems inside it are reported there.
type viaSite struct {
	node *dsl.Node
	file string
}

// bindWith gives a reusable workflow's inputs their values from with:,
// evaluated in the caller's scope.
func (c *compilation) bindWith(decls []*inputDecl, step *dsl.Node, callerScope *scope, name string) *scope {
	sc := newScope()
	sc.tainted["env"] = true
	if callerScope.unknown["env"] {
		sc.unknown["env"] = true
	}
	inTypes, inValues := types.Map{}, map[string]any{}
	given := map[string]bool{}
	byName := map[string]*inputDecl{}
	for _, d := range decls {
		byName[d.name] = d
		inTypes[d.name] = exprType(d.schema)
	}
	wp := step.Lookup("with")
	if wp != nil && wp.Value.Kind != dsl.MapNode && wp.Value.Tag != "!!null" {
		c.parentError(wp.Value, diag.CodeFieldType, "with: must be a mapping of input names to values", "")
	}
	if wp != nil && wp.Value.Kind == dsl.MapNode {
		for _, p := range wp.Value.Pairs {
			d := byName[p.Key.Value]
			if d == nil {
				c.parentError(p.Key, diag.CodeInputUnknown, fmt.Sprintf("%s has no input %q", name, p.Key.Value), suggest(p.Key.Value, sortedNames(decls)))
				continue
			}
			given[d.name] = true
			taintBefore := c.engine.taint.n
			v, ok := c.parentLower(p.Value, callerScope)
			if c.engine.taint.n > taintBefore {
				sc.tainted["inputs."+d.name] = true
			}
			if !ok {
				sc.unknown["inputs."+d.name] = true
				continue
			}
			if u, isU := v.(schemas.Unknown); isU {
				if u.Type != "" && !typeFits(d.typ, u.Type) {
					c.parentError(p.Value, diag.CodeInputType, fmt.Sprintf("input %q of %s must be %s, got %s", d.name, name, d.typ, u.Type), "")
				}
				sc.unknown["inputs."+d.name] = true
				continue
			}
			v = fromYAML(exprValue(v), d.schema)
			bad := false
			if msg := numberProblem(d.schema, v); msg != "" {
				c.parentError(p.Value, diag.CodeInputValue, fmt.Sprintf("%s: input %q: %s", name, d.name, msg), "")
				bad = true
			}
			for _, pr := range schemas.CheckValue(d.name, d.schema, v) {
				c.parentError(p.Value, inputCode(pr), fmt.Sprintf("%s: %s", name, pr.Message), pr.Hint)
				bad = true
			}
			if bad {
				sc.unknown["inputs."+d.name] = true
				continue
			}
			inValues[d.name] = v
		}
	}
	for _, d := range decls {
		if given[d.name] {
			continue
		}
		switch {
		case d.hasDef:
			inValues[d.name] = d.def
		case d.required:
			at := step.Lookup("uses").Key
			if wp != nil {
				at = wp.Key
			}
			c.parentError(at, diag.CodeInputMissing, fmt.Sprintf("%s needs input %q", name, d.name), fmt.Sprintf("add it under with: (%s: …)", d.name))
			sc.unknown["inputs."+d.name] = true
		default:
			inValues[d.name] = nil
		}
	}
	sc.types["inputs"], sc.values["inputs"] = inTypes, inValues
	sc.types["vars"], sc.values["vars"] = types.Map{}, map[string]any{}
	sc.types["env"], sc.values["env"] = types.Map{types.Extra: types.String}, callerScope.values["env"]
	return sc
}

func typeFits(want, got string) bool {
	return want == got || (want == "number" && got == "integer")
}

// parentError reports a problem that belongs to the using file (with:
// values and keys), whose nodes live there.
func (c *compilation) parentError(n *dsl.Node, code diag.Code, msg, hint string) {
	c.diags = append(c.diags, c.redact(diag.New(c.parentFile, n.Pos, code, msg).WithEnd(n.End).WithHint(hint).WithPath(n.Path), n))
}

// parentLower evaluates a with: value in the caller's scope, reporting
// expression problems against the caller's file.
func (c *compilation) parentLower(n *dsl.Node, sc *scope) (any, bool) {
	savedFile, savedEnv := c.file, c.env
	c.file, c.env = c.parentFile, c.parentEnv
	defer func() { c.file, c.env = savedFile, savedEnv }()
	return c.lowerValue(n, sc)
}

// readStd compiles a standard workflow given by name on the command line
// (lwf compile fetch-person).
func readStd(name string) ([]byte, bool) {
	if _, err := os.Stat(name); err == nil {
		return nil, false
	}
	return workflows.Read(name)
}
