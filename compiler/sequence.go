package compiler

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr/types"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/schemas"
)

// A file with sequence: instead of workflow: describes steps done per
// lead over days: actions, delays and waits for events. The compiler
// checks it and lists its leads (Plan.Sequence); package sequence keeps
// each lead's state and runs what is due, rendering each step for its
// lead with Plan.RenderStep.

// Sequence is a compiled sequence: its leads and steps.
type Sequence struct {
	As       string      `json:"as"` // a lead's name in expressions
	Leads    []SeqLead   `json:"leads"`
	Steps    []SeqStep   `json:"steps"`
	ExitWhen []string    `json:"exitWhen,omitempty"`
	Schedule SeqSchedule `json:"schedule"`
}

// SeqLead is one lead of the list.
type SeqLead struct {
	Key  string         `json:"key"`  // the person's URL, normalised: their identity
	URL  string         `json:"url"`  // the person's URL as the key gave it
	Data map[string]any `json:"data"` // the lead's entry of the list
	Item string         `json:"item"` // where it is: "leads.csv line 4"
}

// SeqStep is one step of a sequence.
type SeqStep struct {
	ID    string        `json:"id"`
	After time.Duration `json:"after,omitempty"`
	// Wait is the event a wait step waits for; "" for an action step.
	Wait       string        `json:"wait,omitempty"`
	Within     time.Duration `json:"within,omitempty"`
	OnTimeout  string        `json:"onTimeout,omitempty"`  // the timeout action's type
	ActionType string        `json:"actionType,omitempty"` // the action step's action (of uses:, the first)
	Write      bool          `json:"write,omitempty"`      // it writes (counts against the account's limits)
	Category   string        `json:"category,omitempty"`
	Line       int           `json:"line"`
	node       *dsl.Node
}

// SeqSchedule is when a sequence's writes may go out.
type SeqSchedule struct {
	WorkingHours *WorkingHours `json:"workingHours,omitempty"`
	Pace         time.Duration `json:"pace,omitempty"`
}

// StepResult is what a sequence's expressions read of a step done: its
// outcome, as steps.ID.
type StepResult struct {
	OK     bool   `json:"ok"`
	Error  string `json:"error"`
	Result any    `json:"result"`
	At     string `json:"at"`
}

// seqState is the compilation's bookkeeping of its sequence.
type seqState struct {
	scope   *scope // inputs, vars, env
	as      string
	leadT   types.Type
	steps   []SeqStep
	timeout map[int]*dsl.Node
}

// stepResultType is the static type of steps.ID.
var stepResultType = types.Map{"ok": types.Bool, "error": types.String, "result": types.Any, "at": types.String}

// sequenceField compiles sequence:.
func (c *compilation) sequenceField(n *dsl.Node, sc *scope) *Sequence {
	if c.mapping(n, lang.FieldSequence) == nil {
		return nil
	}
	for _, p := range n.Pairs {
		if !contains(lang.SequenceKeys(), p.Key.Value) {
			c.errorAt(p.Key, diag.CodeUnknownField, fmt.Sprintf("unknown field %q in sequence", p.Key.Value), suggest(p.Key.Value, lang.SequenceKeys()))
		}
	}
	seq := &Sequence{As: "lead"}
	if ap := n.Lookup(lang.SeqAs); ap != nil {
		if ap.Value.Kind != dsl.ScalarNode || !lang.IsIdent(ap.Value.Value) {
			c.errorAt(ap.Value, diag.CodeFieldValue, "sequence.as must be an identifier", "")
		} else {
			seq.As = ap.Value.Value
		}
	}
	st := &seqState{scope: sc, as: seq.As, timeout: map[int]*dsl.Node{}}
	c.seq = st
	leads, leadT := c.sequenceLeads(n, sc, seq)
	st.leadT = leadT
	seq.Steps = c.sequenceSteps(n, st)
	st.steps = seq.Steps
	if ep := n.Lookup(lang.SeqExitWhen); ep != nil {
		if ep.Value.Kind != dsl.SeqNode {
			c.errorAt(ep.Value, diag.CodeFieldType, "exitWhen must be a list of events", "for example: [replied]")
		}
		for _, it := range ep.Value.Items {
			if !contains(lang.Events(), it.Value) {
				c.errorAt(it, diag.CodeFieldValue, fmt.Sprintf("unknown event %q", it.Value), suggest(it.Value, lang.Events()))
				continue
			}
			seq.ExitWhen = append(seq.ExitWhen, it.Value)
		}
	}
	if sp := n.Lookup(lang.SeqSchedule); sp != nil {
		seq.Schedule = c.scheduleField(sp.Value)
	}
	seq.Leads = leads
	return seq
}

// sequenceLeads evaluates leads: and each lead's key:.
func (c *compilation) sequenceLeads(n *dsl.Node, sc *scope, seq *Sequence) ([]SeqLead, types.Type) {
	lp, kp := n.Lookup(lang.SeqLeads), n.Lookup(lang.SeqKey)
	if lp == nil || kp == nil {
		for _, k := range []string{lang.SeqLeads, lang.SeqKey, lang.SeqSteps} {
			if n.Lookup(k) == nil {
				c.errorAt(firstKey(n), diag.CodeMissingField, fmt.Sprintf("sequence needs %s:", k), "")
			}
		}
		return nil, types.Map{types.Extra: types.Any}
	}
	items, unknownItem, ok := c.forEachItems(lp.Value, sc)
	if !ok {
		return nil, types.Map{types.Extra: types.Any}
	}
	source := c.forEachSource(lp.Value, sc)
	var leadT types.Type = types.Map{types.Extra: types.Any}
	if unknownItem != nil {
		leadT = unknownItem
	}
	var out []SeqLead
	seen := map[string]string{}
	for i, item := range items {
		inner := sc.child()
		inner.setType(seq.As, itemType(item, unknownItem))
		inner.setValue(seq.As, item)
		if isUnknown(item) {
			inner.setUnknown(seq.As, true)
		} else if i == 0 {
			leadT = typeOfValue(item)
		}
		label := fmt.Sprintf("%s #%d", seq.As, i+1)
		if lines := c.csvLines[source]; i < len(lines) {
			label = fmt.Sprintf("%s line %d", c.csvFile[source], lines[i])
		}
		c.loops = append(c.loops, loopInfo{as: seq.As, text: label})
		v, ok := c.lowerValue(kp.Value, inner)
		c.loops = c.loops[:len(c.loops)-1]
		if !ok || isUnknown(item) {
			continue
		}
		key, isStr := v.(string)
		if u, isU := v.(schemas.Unknown); isU && (u.Type == "" || u.Type == "string") {
			continue
		}
		if !isStr || !schemas.IsPersonURL(key) {
			c.errorAt(kp.Value, diag.CodeFieldValue, fmt.Sprintf("the key of %s is %s, not a LinkedIn person URL", label, describe(v)),
				"a lead's key is the person's profile URL, e.g. ${{ lead.url }}")
			continue
		}
		raw := key
		key = schemas.NormalizePersonURL(key)
		if first, dup := seen[key]; dup {
			c.errorAt(kp.Value, diag.CodeFieldValue, fmt.Sprintf("%s has the same key as %s: %s", label, first, key), "a person is one lead")
			continue
		}
		seen[key] = label
		data, _ := exprValue(item).(map[string]any)
		if data == nil {
			data = map[string]any{"value": exprValue(item)}
		}
		out = append(out, SeqLead{Key: key, URL: raw, Data: data, Item: label})
	}
	return out, leadT
}

// stepID is the form of a step's id.
var stepID = regexp.MustCompile(lang.NamePattern)

// sequenceSteps checks steps: and lists them; each step's parameters and
// expressions are checked once, with the lead typed and unknown.
func (c *compilation) sequenceSteps(n *dsl.Node, st *seqState) []SeqStep {
	sp := n.Lookup(lang.SeqSteps)
	if sp == nil {
		return nil
	}
	if sp.Value.Kind != dsl.SeqNode || len(sp.Value.Items) == 0 {
		c.errorAt(sp.Value, diag.CodeFieldType, "steps must be a list of steps", "")
		return nil
	}
	var out []SeqStep
	ids := map[string]bool{}
	var all []string
	for _, it := range sp.Value.Items {
		if ip := it.Lookup(lang.KeyID); ip != nil {
			all = append(all, ip.Value.Value)
		}
	}
	for i, it := range sp.Value.Items {
		if it.Kind != dsl.MapNode {
			c.errorAt(it, diag.CodeFieldType, "a step must be a mapping with id: and action: (or wait:)", "")
			continue
		}
		s := SeqStep{Line: it.Pos.Line, node: it}
		ip := it.Lookup(lang.KeyID)
		switch {
		case ip == nil:
			c.errorAt(it, diag.CodeMissingField, "the step has no id:", "give each step a name: id: invite")
		case ip.Value.Kind != dsl.ScalarNode || !stepID.MatchString(ip.Value.Value):
			c.errorAt(ip.Value, diag.CodeFieldValue, fmt.Sprintf("step id %s must be lower-case words joined by '-'", show(ip.Value)), "")
		case ids[ip.Value.Value]:
			c.errorAt(ip.Value, diag.CodeFieldValue, fmt.Sprintf("step id %q is used twice", ip.Value.Value), "")
		default:
			s.ID = ip.Value.Value
			ids[s.ID] = true
		}
		if s.ID == "" {
			s.ID = fmt.Sprintf("step-%d", i+1)
		}
		s.After = c.durationField(it, lang.KeyAfter)
		sc := c.seqScope(st.scope, st, out, all[min(i, len(all)):])
		if wp := it.Lookup(lang.KeyWait); wp != nil {
			c.waitStep(it, wp, &s, sc, st, i)
		} else {
			for _, k := range []string{lang.KeyWithin, lang.KeyOnTimeout} {
				if p := it.Lookup(k); p != nil {
					c.errorAt(p.Key, diag.CodeUnknownField, fmt.Sprintf("%s: belongs to a wait: step", k), "")
				}
			}
			c.actionStep(it, &s, sc)
		}
		out = append(out, s)
	}
	return out
}

// seqScope is what a step's expressions see: the lead (unknown, typed)
// and steps.ID of the steps before it.
func (c *compilation) seqScope(base *scope, st *seqState, before []SeqStep, later []string) *scope {
	sc := base.child()
	sc.setType(st.as, st.leadT)
	sc.setUnknown(st.as, true)
	steps := types.Map{}
	for _, b := range before {
		steps[b.ID] = stepResultType
	}
	sc.setType("steps", steps)
	sc.setUnknown("steps", true)
	sc.seqLater = later
	return sc
}

// actionStep checks an action step (action: or uses:) once, at the root.
func (c *compilation) actionStep(it *dsl.Node, s *SeqStep, sc *scope) {
	if it.Lookup(lang.KeyAction) == nil && it.Lookup(lang.KeyUses) == nil {
		c.errorAt(it, diag.CodeMissingField, "the step has neither action: nor wait:", "a step sends an action (action: sendMessage) or waits for an event (wait: connectionAccepted)")
		return
	}
	c.inSequence = true
	objs := c.expandStep(it, sc, nil)
	c.inSequence = false
	for _, o := range objs {
		for _, p := range c.cat.CheckWorkflowWith(plain(o), schemas.CheckOptions{URLs: true}) {
			c.report(o, p)
		}
	}
	if len(objs) == 0 {
		return
	}
	at, _ := objs[0].Value("actionType").(string)
	s.ActionType = at
	a := c.cat.Lookup(at)
	if a == nil {
		return
	}
	s.Write, s.Category = a.Write, a.Category
}

// waitStep checks a wait: step.
func (c *compilation) waitStep(it *dsl.Node, wp *dsl.Pair, s *SeqStep, sc *scope, st *seqState, i int) {
	for _, p := range it.Pairs {
		switch p.Key.Value {
		case lang.KeyID, lang.KeyWait, lang.KeyWithin, lang.KeyOnTimeout, lang.KeyAfter:
		default:
			c.errorAt(p.Key, diag.CodeUnknownField, fmt.Sprintf("a wait: step takes id, after, within and onTimeout, not %s", p.Key.Value), "")
		}
	}
	if wp.Value.Kind != dsl.ScalarNode || !contains(lang.Events(), wp.Value.Value) {
		c.errorAt(wp.Value, diag.CodeFieldValue, fmt.Sprintf("unknown event %s", show(wp.Value)), suggest(wp.Value.Value, lang.Events()))
	} else {
		s.Wait = wp.Value.Value
	}
	s.Within = c.durationField(it, lang.KeyWithin)
	tp := it.Lookup(lang.KeyOnTimeout)
	if tp == nil {
		return
	}
	if it.Lookup(lang.KeyWithin) == nil {
		c.errorAt(tp.Key, diag.CodeMissingField, "onTimeout: needs within: (how long the wait lasts)", "")
	}
	if tp.Value.Kind != dsl.MapNode {
		c.errorAt(tp.Value, diag.CodeFieldType, "onTimeout must be one action step", "for example: {action: withdrawConnectionRequest, personUrl: ${{ lead.url }}}")
		return
	}
	objs := c.expandStep(tp.Value, sc, nil)
	for _, o := range objs {
		for _, p := range c.cat.CheckWorkflowWith(plain(o), schemas.CheckOptions{URLs: true}) {
			c.report(o, p)
		}
	}
	if len(objs) > 0 {
		s.OnTimeout, _ = objs[0].Value("actionType").(string)
	}
	st.timeout[i] = tp.Value
}

// durationField reads an optional duration key of a step.
func (c *compilation) durationField(n *dsl.Node, key string) time.Duration {
	p := n.Lookup(key)
	if p == nil {
		return 0
	}
	d, err := ParseDuration(p.Value.Value)
	if p.Value.Kind != dsl.ScalarNode || err != nil || d <= 0 {
		c.errorAt(p.Value, diag.CodeFieldValue, fmt.Sprintf("%s: %s is not a duration", key, show(p.Value)), "for example: 14d, 1d12h, 30m")
		return 0
	}
	return d
}

// ParseDuration reads a sequence's durations: days (14d) and Go's
// units (1d12h, 30m, 90s).
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	total := time.Duration(0)
	if i := strings.Index(s, "d"); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 || n > 3650 {
			return 0, fmt.Errorf("%q is not a duration", s)
		}
		total = time.Duration(n) * 24 * time.Hour
		s = s[i+1:]
		if s == "" {
			return total, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration", s)
	}
	return total + d, nil
}

// RenderStep renders step i of the sequence for one lead: the action to
// send (a root step), or, for a wait step, its onTimeout action. results
// are the lead's earlier steps' outcomes (steps.ID). skip is asked about
// write actions, as Options.Skip. A step whose if: is false renders no
// step and no problem. RenderStep is not safe for concurrent use.
func (p *Plan) RenderStep(ctx context.Context, i int, lead SeqLead, results map[string]StepResult, skip func(actionType, personURL string) (Skip, bool)) (Rendered, error) {
	c := p.c
	if c == nil || c.seq == nil || i < 0 || i >= len(c.seq.steps) {
		return Rendered{}, fmt.Errorf("the plan has no sequence step %d", i)
	}
	st := c.seq
	step := st.steps[i]
	node := step.node
	if step.Wait != "" {
		node = st.timeout[i]
		if node == nil {
			return Rendered{}, nil
		}
	}
	sc := st.scope.child()
	sc.setValue(st.as, lead.Data)
	sc.setType(st.as, st.leadT)
	sc.setUnknown(st.as, false)
	steps := types.Map{}
	vals := map[string]any{}
	for _, b := range st.steps[:i] {
		steps[b.ID] = stepResultType
		r := results[b.ID]
		vals[b.ID] = map[string]any{"ok": r.OK, "error": r.Error, "result": r.Result, "at": r.At}
	}
	sc.setValue("steps", vals)
	sc.setType("steps", steps)
	sc.setUnknown("steps", false)
	return p.renderNode(ctx, node, sc, skip)
}

// renderNode lowers one step at the root on a clean slate of the
// compilation's per-render bookkeeping, as Render does for items.
func (p *Plan) renderNode(ctx context.Context, node *dsl.Node, sc *scope, skip func(string, string) (Skip, bool)) (Rendered, error) {
	c := p.c
	saved := *c
	defer func() {
		stages, seq := c.stages, c.seq
		*c = saved
		c.stages, c.seq = stages, seq
	}()
	c.ctx, c.engine.ctx = ctx, ctx
	c.diags, c.skipped, c.samples, c.persons, c.loops = nil, nil, nil, nil, nil
	c.emptied, c.variants, c.srcs = nil, map[*object][]Variant{}, map[*object]*stepSrc{}
	c.exp = &expansion{max: c.opts.MaxActions}
	c.opts.Skip = skip
	c.render = &renderState{}
	c.inSequence = true
	var out Rendered
	steps := c.expandStep(node, sc, nil)
	if err := ctx.Err(); err != nil {
		return Rendered{}, err
	}
	for i, st := range steps {
		for _, pr := range c.cat.CheckWorkflowWith(plain(st), schemas.CheckOptions{URLs: true}) {
			c.report(st, pr)
		}
		out.Variants = append(out.Variants, c.variantsFor(i, st)...)
	}
	out.Skipped, out.Samples = c.skipped, c.samples
	for i := range c.diags {
		c.diags[i] = c.engine.taint.redact(c.diags[i], false)
	}
	if c.diags.HasErrors() {
		out.Problems, out.Variants = c.diags.Normalize(), nil
		return out, nil
	}
	for _, st := range steps {
		b, err := encodePayload(st)
		if err != nil {
			out.Problems = diag.List{diag.New(c.file, node.Pos, diag.CodeParamValue, fmt.Sprintf("cannot encode the step: %v", err))}
			return out, nil
		}
		out.Steps = append(out.Steps, json.RawMessage(b))
		out.Points = append(out.Points, nil)
	}
	return out, nil
}
