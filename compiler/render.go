package compiler

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/expr-lang/expr/types"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/schemas"
)

// Item is one item of a named loop's list — a person, a company, a post
// or a job the server found — to render into the steps lwf sends for it.
type Item struct {
	// ID is the caller's name for the item; rendered points carry it, so
	// that items found under this one know their parent.
	ID   int
	Loop int // Plan.Loops index
	// Instance is, for an item found by one of the file's own payloads,
	// the Point.Instance of its list; -1 for items found by rendered
	// steps (their parent's instance applies).
	Instance int
	Index    int            // its position in its list
	Data     map[string]any // the item as the API returned it
	// Parents are the items of the named loops above, outermost first.
	Parents []Item
}

// Rendered is what one item sends.
type Rendered struct {
	// Steps are the root steps to send for the item, each a JSON action
	// object starting at the root (openPersonPage with the item's URL,
	// …). None when if: dropped them all, or every action was skipped,
	// or Problems says why the item cannot be sent.
	Steps []json.RawMessage
	// Points holds, per step, where its lists that feed deeper named
	// loops are (pointers relative to the step; Item is the item's ID).
	Points [][]Point
	// Skipped are the actions Skip left out, Samples the first texts
	// rendered for each templated parameter, Variants the versions
	// variants: gave (Pointer relative to the step, Payload = the step's
	// index in Steps).
	Skipped  []Skipped
	Samples  []Sample
	Variants []Variant
	// Problems are why the item cannot be sent: an expression that failed
	// on its data, a parameter out of range (a note over 300 characters),
	// an item without the URL its steps start from. Positions are in the
	// workflow file.
	Problems diag.List
}

// Kept reports whether anything is sent for the item.
func (r Rendered) Kept() bool { return len(r.Steps) > 0 }

// renderState is set while an item is rendered.
type renderState struct {
	param, url string // the URL parameter the root steps get
}

// Render turns one item of a named loop into the steps to send for it:
// the steps under the loop, started at the root with the item's URL, with
// expressions evaluated on the item (and the items above it) and the
// catalog's rules checked as for a root workflow. skip is asked about
// every write action that reaches a person, as Options.Skip is at compile
// time. Render is not safe for concurrent use.
func (p *Plan) Render(ctx context.Context, it Item, skip func(actionType, personURL string) (Skip, bool)) (Rendered, error) {
	c := p.c
	if c == nil || it.Loop < 0 || it.Loop >= len(c.stages.loops) {
		return Rendered{}, fmt.Errorf("the plan has no named loop %d", it.Loop)
	}
	chain := append(append([]Item(nil), it.Parents...), it)
	root := chain[0]
	if root.Instance < 0 || root.Instance >= len(c.stages.instances) {
		return Rendered{}, fmt.Errorf("item %d: no expansion %d of the loop in the file's payloads", root.ID, root.Instance)
	}
	sc := c.stages.instances[root.Instance].scope.child()
	for _, x := range chain {
		if x.Loop < 0 || x.Loop >= len(c.stages.loops) {
			return Rendered{}, fmt.Errorf("item %d: the plan has no named loop %d", x.ID, x.Loop)
		}
		l := c.stages.loops[x.Loop]
		_, indexName := c.loopNames(l.node)
		sc.setValue(l.As, exprValue(x.Data))
		sc.setValue(indexName, x.Index)
		sc.setType(l.As, l.item)
		sc.setType(indexName, types.Int)
		sc.setUnknown(l.As, false)
		sc.setUnknown(indexName, false)
	}
	loop := c.stages.loops[it.Loop]

	// Lower the steps under the loop on a clean slate of the
	// compilation's per-run bookkeeping.
	saved := *c
	defer func() {
		stages := c.stages
		*c = saved
		c.stages = stages
	}()
	c.ctx, c.engine.ctx = ctx, ctx
	c.diags, c.skipped, c.samples, c.persons, c.loops = nil, nil, nil, nil, nil
	c.emptied, c.variants, c.srcs = nil, map[*object][]Variant{}, map[*object]*stepSrc{}
	named := c.stages.named
	c.stages.named = map[*object]int{}
	defer func() { c.stages.named = named }()
	c.exp = &expansion{max: c.opts.MaxActions}
	c.opts.Skip = skip
	c.render = &renderState{param: loop.Param}
	c.stages.inside, c.stages.forEachDepth = it.Loop, 0
	defer func() { c.stages.inside = -1 }()
	for _, f := range loop.URLFields {
		if s, ok := it.Data[f].(string); ok && s != "" {
			c.render.url = s
			break
		}
	}
	var out Rendered
	then := loop.node.Lookup("then")
	if then == nil {
		return out, nil
	}
	if c.render.param != "" && c.render.url == "" {
		out.Problems = diag.List{diag.New(c.file, loop.node.Pos, diag.CodeParamValue,
			fmt.Sprintf("item %d of %s has none of %v: its steps cannot start from it", it.Index+1, loop.List, loop.URLFields))}
		return out, nil
	}
	steps := c.expandList(then.Value, sc, nil)
	if err := ctx.Err(); err != nil {
		return Rendered{}, err
	}
	for i, st := range steps {
		for _, pr := range c.cat.CheckWorkflow(plain(st)) {
			c.report(st, pr)
		}
		out.Variants = append(out.Variants, c.variantsFor(i, st)...)
	}
	out.Skipped, out.Samples = c.skipped, c.samples
	for i := range c.diags {
		c.diags[i] = c.engine.taint.redact(c.diags[i], false)
	}
	if c.diags.HasErrors() {
		out.Problems = c.diags.Normalize()
		out.Variants = nil
		return out, nil
	}
	for _, st := range steps {
		tree, points := c.stripLoops(st, it.ID)
		b, err := encodePayload(tree)
		if err != nil {
			out.Problems = diag.List{diag.New(c.file, loop.node.Pos, diag.CodeParamValue, fmt.Sprintf("cannot encode the steps: %v", err))}
			return Rendered{Skipped: out.Skipped, Problems: out.Problems}, nil
		}
		if len(b) > schemas.MaxBodyBytes {
			out.Problems = diag.List{diag.New(c.file, loop.node.Pos, diag.CodePayloadTooLarge,
				fmt.Sprintf("the steps of item %d are %d bytes, more than the %d-byte limit of a workflow", it.Index+1, len(b), schemas.MaxBodyBytes))}
			return Rendered{Skipped: out.Skipped, Problems: out.Problems}, nil
		}
		out.Steps = append(out.Steps, b)
		out.Points = append(out.Points, points)
	}
	return out, nil
}

// applyRootParams gives a step that an item starts at the root the URL
// parameter the item sets (openPersonPage's personUrl, …): under the
// doFor* the parent supplied it.
func (c *compilation) applyRootParams(o *object, action, parent *schemas.Action) {
	if c.render == nil || parent != nil || action == nil || c.render.param == "" || c.render.url == "" {
		return
	}
	if _, ok := action.Param(c.render.param); !ok {
		return
	}
	if _, set := o.Get(c.render.param); !set {
		o.SetAt(1, c.render.param, c.render.url)
	}
}

// ExampleItem makes an item of a named loop for samples (lwf plan shows
// what a note reads like before anyone is found): every field the
// catalog gives the list's items, with a plausible value by its name and
// type.
func (p *Plan) ExampleItem(loop int, parents []Item) Item {
	c := p.c
	l := c.stages.loops[loop]
	entity := "person"
	if a := c.cat.Lookup(l.Iterator); a != nil {
		entity = strings.TrimPrefix(strings.ToLower(a.Iterates), "nv")
	}
	data := map[string]any{}
	fields := map[string]string{}
	if a := c.cat.Lookup(l.List); a != nil {
		fields = a.Result.Item
	}
	for name, t := range fields {
		data[name] = exampleValue(entity, name, strings.TrimSuffix(t, "?"))
	}
	it := Item{ID: -2 - loop, Loop: loop, Instance: 0, Data: data, Parents: parents}
	if len(parents) > 0 {
		it.Instance = -1
	}
	return it
}

// exampleValue is a plausible value of an item's field.
func exampleValue(entity, field, typ string) any {
	switch typ {
	case "integer", "number":
		return 12
	case "boolean":
		return false
	case "array":
		return []any{}
	case "object":
		return map[string]any{}
	}
	person := map[string]string{
		"name": "Ada Example", "headline": "VP Sales at Example Robotics", "position": "VP Sales",
		"publicUrl": "https://www.linkedin.com/in/ada-example", "hashedUrl": "https://www.linkedin.com/in/ACoAAExample",
	}
	company := map[string]string{
		"name": "Example Robotics", "publicUrl": "https://www.linkedin.com/company/example-robotics",
		"hashedUrl": "https://www.linkedin.com/sales/company/1234567", "industry": "Software Development",
	}
	other := map[string]string{
		"location": "San Francisco, California", "countryCode": "us", "url": "https://www.linkedin.com/feed/update/urn:li:activity:7000000000000000000",
		"jobUrl": "https://www.linkedin.com/jobs/view/4000000000", "title": "Head of Sales", "companyName": "Example Robotics",
		"text": "An example post.", "time": "2026-01-15T09:00:00Z",
	}
	if v, ok := map[string]map[string]string{"person": person, "company": company}[entity][field]; ok {
		return v
	}
	if v, ok := other[field]; ok {
		return v
	}
	return "example " + field
}
