package compiler

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/schemas"
)

// SkipKind says why Options.Skip left an action out.
type SkipKind string

// The kinds of skips.
const (
	SkipSuppressed SkipKind = "suppressed" // a suppression list names the person
	SkipContacted  SkipKind = "contacted"  // the contact ledger says the action reached them
	SkipInFlight   SkipKind = "in-flight"  // a workflow still open may reach them
	SkipOverLimit  SkipKind = "over-limit" // beyond what a limit leaves for this run: left for a later one
)

// Skip is Options.Skip's answer for an action it leaves out.
type Skip struct {
	Kind   SkipKind
	Detail string // for people: "contacted 2026-03-02 by run r-… (campaign): sent"
}

// Skipped is a step that forEach would have made but Options.Skip refused
// (a person already contacted, a suppressed address).
type Skipped struct {
	ActionType string   `json:"actionType"`
	PersonURL  string   `json:"personUrl"`
	Kind       SkipKind `json:"kind"`
	Reason     string   `json:"reason"`
	Item       string   `json:"item"` // "leads.csv line 4"
}

// Variant records which of a step's variants: texts an action got.
type Variant struct {
	Payload    int    `json:"payload"`
	Pointer    string `json:"pointer"` // the action in the payload
	ActionType string `json:"actionType"`
	Param      string `json:"param"`
	Index      int    `json:"index"` // 0-based: variant A is 0
	Count      int    `json:"count"`
	PersonURL  string `json:"personUrl,omitempty"`
}

// Sample is a rendered templated text, shown by lwf plan.
type Sample struct {
	ActionType string `json:"actionType"`
	Param      string `json:"param"`
	Item       string `json:"item,omitempty"`
	Text       string `json:"text"`
}

// limitsField reads limits: {CATEGORY: {PERIOD: N}}.
func (c *compilation) limitsField(n *dsl.Node) []schemas.Limit {
	if n == nil {
		return nil
	}
	if n.Kind != dsl.MapNode {
		c.errorAt(n, diag.CodeFieldType, "limits must be a mapping of limit categories to {daily|weekly|monthly: N}", "")
		return nil
	}
	cats := c.cat.Categories()
	var out []schemas.Limit
	for _, p := range n.Pairs {
		if !contains(cats, p.Key.Value) {
			c.errorAt(p.Key, diag.CodeUnknownField, fmt.Sprintf("unknown limit category %q", p.Key.Value), suggest(p.Key.Value, cats))
			continue
		}
		if p.Value.Kind != dsl.MapNode {
			c.errorAt(p.Value, diag.CodeFieldType, fmt.Sprintf("limits.%s must be a mapping such as {daily: 100}", p.Key.Value), "")
			continue
		}
		for _, pp := range p.Value.Pairs {
			if !schemas.IsPeriod(pp.Key.Value) {
				c.errorAt(pp.Key, diag.CodeUnknownField, fmt.Sprintf("unknown period %q", pp.Key.Value), suggest(pp.Key.Value, schemas.Periods()))
				continue
			}
			v, err := strconv.Atoi(pp.Value.Value)
			if pp.Value.Kind != dsl.ScalarNode || pp.Value.Tag != "!!int" || err != nil || v < 0 {
				c.errorAt(pp.Value, diag.CodeFieldValue, fmt.Sprintf("limits.%s.%s must be a whole number ≥ 0", p.Key.Value, pp.Key.Value), "")
				continue
			}
			out = append(out, schemas.Limit{Category: p.Key.Value, Period: pp.Key.Value, Max: v, Source: "file"})
		}
	}
	return out
}

// variantsField applies a step's variants: each names a text parameter and
// lists its versions; an action gets one by a stable hash of the person it
// reaches, so re-running a campaign gives everyone the same version.
func (c *compilation) variantsField(o *object, src *stepSrc, vp *dsl.Pair, sc *scope) {
	if vp.Value.Kind != dsl.MapNode {
		c.errorAt(vp.Value, diag.CodeFieldType, "variants: must map a text parameter to a list of versions", "")
		return
	}
	for _, p := range vp.Value.Pairs {
		param := p.Key.Value
		if _, set := o.Get(param); set {
			c.errorAt(p.Key, diag.CodeFieldValue, fmt.Sprintf("%s is given both as a parameter and in variants:", param), "")
			continue
		}
		if p.Value.Kind != dsl.SeqNode || len(p.Value.Items) < 2 {
			c.errorAt(p.Value, diag.CodeFieldType, fmt.Sprintf("variants.%s must be a list of at least two texts", param), "")
			continue
		}
		// Every version is evaluated, so a broken one is caught before a
		// lead would get it.
		texts := make([]any, len(p.Value.Items))
		for i, it := range p.Value.Items {
			texts[i], _ = c.lowerValue(it, sc)
		}
		who := variantKey(o, c.iterLabel())
		if c.render != nil {
			// An item of a named loop: the person its steps reach, so
			// that everyone keeps their version from run to run.
			if p := c.personFor(o); p != "" {
				who = schemas.NormalizePersonURL(p)
			}
		}
		i := pickVariant(who, len(texts))
		src.params[param] = &dsl.Pair{Key: p.Key, Value: p.Value.Items[i]}
		o.Set(param, texts[i])
		c.sample(o, param, p.Value.Items[i], texts[i])
		c.variants[o] = append(c.variants[o], Variant{ActionType: fmt.Sprint(o.Value("actionType")), Param: param,
			Index: i, Count: len(texts), PersonURL: c.personFor(o)})
	}
}

// personOf returns the person an action reaches, when its parameters say.
func personOf(o *object) string {
	for _, k := range []string{"personUrl", "personHashedUrl"} {
		if s, ok := o.Value(k).(string); ok && s != "" {
			return s
		}
	}
	return ""
}

func variantKey(o *object, iter string) string {
	if p := personOf(o); p != "" {
		return p
	}
	if l, ok := o.Value("label").(string); ok && l != "" {
		return l
	}
	return iter
}

// pickVariant is a stable choice among n by FNV-1a of key.
func pickVariant(key string, n int) int {
	h := fnv.New64a()
	h.Write([]byte(key))
	return int(h.Sum64() % uint64(n))
}

// skip asks Options.Skip whether a write step that reaches a known
// person must be left out (the person was contacted before, or is
// suppressed) — every such step, written out, made by forEach or
// inlined by uses:, since a re-run whose payload changed (now(),
// --new) must not reach the same person twice either.
func (c *compilation) skip(o *object, a *schemas.Action) bool {
	if c.opts.Skip == nil || a == nil || !a.Write {
		return false
	}
	person := c.personFor(o)
	if person == "" {
		return false
	}
	sk, skip := c.opts.Skip(a.Name, person)
	if skip {
		c.skipped = append(c.skipped, Skipped{ActionType: a.Name, PersonURL: person, Kind: sk.Kind, Reason: sk.Detail, Item: c.iterLabel()})
	}
	return skip
}

// personFor is the person a step reaches: its own, else the one the
// steps above it name (openPersonPage → sendMessage), but not across a
// doFor*.
func (c *compilation) personFor(o *object) string {
	if p := personOf(o); p != "" {
		return p
	}
	if a := c.cat.Lookup(actionTypeOf(o)); a != nil && a.Iterates != "" {
		return "" // each item of a doFor* is someone else
	}
	if n := len(c.persons); n > 0 {
		return c.persons[n-1]
	}
	return ""
}

// actionTypeOf is a lowered step's actionType as text.
func actionTypeOf(o *object) string {
	if s, ok := o.Value("actionType").(string); ok {
		return s
	}
	return fmt.Sprint(o.Value("actionType"))
}

// markEmptied drops a step whose every child was skipped: opening the
// page of someone who gets nothing is a profile view for nothing.
func (c *compilation) markEmptied(o *object) {
	if c.emptied == nil {
		c.emptied = map[*object]bool{}
	}
	c.emptied[o] = true
}

// sample keeps the first rendered text of each templated parameter.
func (c *compilation) sample(o *object, param string, n *dsl.Node, v any) {
	s, ok := v.(string)
	if !ok || n.Kind != dsl.ScalarNode || findSegments(n.Value) == nil {
		return
	}
	at := actionTypeOf(o)
	// Only message texts (notes, messages, subjects, comments): the
	// parameters with a length limit of their own.
	a := c.cat.Lookup(at)
	if a == nil {
		return
	}
	if ps, ok := a.Param(param); !ok || ps.Schema["maxLength"] == nil {
		return
	}
	for _, x := range c.samples {
		if x.ActionType == at && x.Param == param {
			return
		}
	}
	c.samples = append(c.samples, Sample{ActionType: at, Param: param, Item: c.iterLabel(), Text: s})
}

// variantsFor lists the variant choices of one payload tree with their
// pointers.
func (c *compilation) variantsFor(payload int, tree any) []Variant {
	var out []Variant
	walkObjects(tree, "", func(o *object, ptr string) {
		for _, v := range c.variants[o] {
			v.Payload, v.Pointer = payload, ptr
			out = append(out, v)
		}
	})
	return out
}

// walkObjects visits every action object of a lowered tree with its pointer.
func walkObjects(v any, ptr string, fn func(*object, string)) {
	switch x := v.(type) {
	case []any:
		for i, e := range x {
			walkObjects(e, ptr+"/"+strconv.Itoa(i), fn)
		}
	case *object:
		fn(x, ptr)
		if t, ok := x.Get("then"); ok {
			walkObjects(t, ptr+"/then", fn)
		}
	}
}

func sortedLimits(ls []schemas.Limit) []schemas.Limit {
	sort.SliceStable(ls, func(i, j int) bool {
		if ls[i].Category != ls[j].Category {
			return ls[i].Category < ls[j].Category
		}
		return ls[i].Period < ls[j].Period
	})
	return ls
}
