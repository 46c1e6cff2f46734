package compiler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/internal/safefile"
	"github.com/lwf-dev/lwf/schemas"
)

// DefaultChunkSize is how many root actions go into one workflow when
// expansion (forEach) makes a long root array. Linked API documents root
// arrays as much faster than separate workflows; 100 keeps one workflow's
// completion small enough to fetch and store comfortably, and one failure
// from taking down thousands of actions.
const DefaultChunkSize = 100

// Options configure one compilation.
type Options struct {
	// Inputs are raw --input flags: "name=value" or "name=@file" (.csv,
	// .json, .yaml, .yml, or any other file read as text).
	Inputs []string
	// InputsFile is a JSON or YAML file holding an object of input values.
	InputsFile string
	// InputValues are input values given from Go; --input flags win.
	InputValues map[string]any
	// Getenv backs the env context of expressions; nil means no variables.
	// It is never called in Symbolic mode, and only for the variables the
	// file declares in its env: list.
	Getenv func(string) string
	// EnvAllow, when not nil, is the only variables a file may declare in
	// env: (--env NAME); an empty list allows none.
	EnvAllow []string
	// ChunkSize bounds the root actions per workflow; 0 means DefaultChunkSize.
	ChunkSize int
	// MaxActions bounds the actions the file may expand to (forEach,
	// uses:); 0 means DefaultMaxActions. Passing it is an error.
	MaxActions int
	// Symbolic checks inputs that have no value by their declared types
	// instead of reporting them missing: that is `lwf validate`.
	Symbolic bool
	// ExprTimeout bounds one evaluation of an expression; 0 means one
	// second. Tests of the other budgets lengthen it, so that a busy
	// machine does not turn their check into a timeout.
	ExprTimeout time.Duration
	// Now is the clock behind now() and daysAgo(); nil means time.Now.
	Now func() time.Time
	// Catalog is the action catalog; nil means schemas.Default().
	Catalog *schemas.Catalog
	// Cache, when set, carries compiled expressions over from the
	// compilations before (see Cache); nil compiles afresh.
	Cache *Cache
	// Parse bounds the YAML parser (size, depth, aliases).
	Parse dsl.Options
	// Account is what the account the workflow runs on is known to be
	// (from the profile): some limits depend on it. The file's account:
	// may say too; when the two differ, the free account's limits hold.
	// Unknown checks Premium's limits and warns past a free account's.
	Account schemas.Account
	// Skip, when set, is asked about every write action that forEach makes
	// for a person: true leaves the action out (the person was contacted
	// before, or is suppressed), with the reason recorded in Plan.Skipped.
	Skip func(actionType, personURL string) (Skip, bool)
}

// Plan is a compiled workflow file.
type Plan struct {
	Name        string // the file's name: field
	Description string
	File        string
	// Payloads are the bodies of POST /workflows, one per workflow.
	Payloads []json.RawMessage
	// Outputs holds, per payload, the output: of the reusable workflows it
	// inlines, to apply to its completion; nil where there is none.
	Outputs []*Output
	// Inputs are the input values the plan was compiled with.
	Inputs map[string]any
	// Limits are the file's limits: per category and period.
	Limits []schemas.Limit
	// Account is the account type the plan was checked for: the file's
	// account: and Options.Account together.
	Account schemas.Account
	// Skipped lists the actions Options.Skip left out.
	Skipped []Skipped
	// Variants records, per action with variants:, which version it got.
	Variants []Variant
	// Samples are the first rendered text of each templated parameter.
	Samples []Sample
	// Loops are the file's named loops (as: on a doFor*), which lwf runs
	// itself; Points holds, per payload, where the lists that feed them
	// are. A plan without named loops has neither.
	Loops  []Loop
	Points [][]Point
	// LoopsDigest identifies what the named loops send, for the run's
	// identity; "" without named loops.
	LoopsDigest string
	// Sequence is the file's sequence: (nil for a workflow: file): its
	// leads and steps; Plan.RenderStep renders a step for a lead.
	Sequence *Sequence

	// full are the payload trees with the named loops left in, for
	// counts; c renders items of the named loops.
	full []any
	c    *compilation
}

// CompileFile reads and compiles the workflow file at path. A path that is
// no file but the name of a standard workflow (fetch-person) compiles that.
func CompileFile(ctx context.Context, path string, opts Options) (*Plan, diag.List) {
	if src, ok := readStd(path); ok {
		c, err := newCompilation("workflows/"+path+".yaml", opts)
		if err != nil {
			return nil, diag.List{diag.New(path, diag.Pos{}, diag.CodeIO, err.Error())}
		}
		c.stdlib = true
		return c.compileSource(ctx, src)
	}
	src, d := readSource(path, opts.Parse)
	if d != nil {
		return nil, diag.List{*d}
	}
	return Compile(ctx, path, src, opts)
}

// readSource reads a file, refusing one larger than the parser's cap and
// anything but a regular file (a named pipe, a device, a directory) before
// reading it; the read itself is bounded by the cap, whatever size the file
// system reports.
func readSource(path string, po dsl.Options) ([]byte, *diag.Diagnostic) {
	limit := int64(po.FileLimit())
	src, err := safefile.Read(path, limit, true)
	if err == nil {
		return src, nil
	}
	var (
		large *safefile.TooLargeError
		kind  *safefile.NotRegularError
		d     diag.Diagnostic
	)
	switch {
	case errors.As(err, &large) && large.Size > limit:
		d = diag.New(path, diag.Pos{}, diag.CodeTooLarge, fmt.Sprintf("file is %d bytes, larger than the %d-byte limit", large.Size, limit))
	case errors.As(err, &large):
		d = diag.New(path, diag.Pos{}, diag.CodeTooLarge, fmt.Sprintf("file is larger than the %d-byte limit", limit))
	case errors.As(err, &kind) && kind.Mode.IsDir():
		d = diag.New(path, diag.Pos{}, diag.CodeIO, "is a directory")
	case errors.As(err, &kind):
		d = diag.New(path, diag.Pos{}, diag.CodeIO, fmt.Sprintf("is %s, not a regular file", safefile.Kind(kind.Mode)))
	default:
		d = diag.New(path, diag.Pos{}, diag.CodeIO, fmt.Sprintf("cannot read the file: %v", unwrapPathErr(err)))
	}
	return nil, &d
}

func unwrapPathErr(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// Compile compiles one workflow file's source. The plan is nil only when
// the file could not be read as a workflow at all; callers must not use a
// plan whose diagnostics hold errors.
func Compile(ctx context.Context, file string, src []byte, opts Options) (*Plan, diag.List) {
	c, err := newCompilation(file, opts)
	if err != nil {
		return nil, diag.List{diag.New(file, diag.Pos{}, diag.CodeIO, err.Error())}
	}
	return c.compileSource(ctx, src)
}

func (c *compilation) compileSource(ctx context.Context, src []byte) (*Plan, diag.List) {
	c.ctx, c.engine.ctx = ctx, ctx
	f, ds := dsl.Parse(c.file, src, c.opts.Parse)
	c.diags = append(c.diags, ds...)
	if f == nil || ds.HasErrors() {
		return nil, c.diags.Normalize()
	}
	plan := c.run(ctx, f.Root)
	if err := ctx.Err(); err != nil {
		// Stopped half-way (Ctrl-C): what was made is incomplete.
		c.diags = append(c.diags, diag.New(c.file, diag.Pos{}, diag.CodeInterrupted, fmt.Sprintf("compilation stopped: %v", err)))
		plan.Payloads, plan.Outputs = nil, nil
	}
	for i, d := range c.diags {
		c.diags[i] = c.engine.taint.redact(d, false)
	}
	return plan, c.diags.Normalize()
}

// compilation is the state of compiling one file.
type compilation struct {
	file   string
	opts   Options
	cat    *schemas.Catalog
	engine *engine
	diags  diag.List
	srcs   map[*object]*stepSrc
	inputs []*inputDecl
	scope  *scope
	exp    *expansion // actions expanded so far, shared with callees
	env    envList    // the file's env: list
	// parentEnv is the env: list of the file that used this one, for the
	// with: values evaluated there.
	parentEnv envList
	ctx       context.Context

	// Reusable workflows (uses:).
	callees    map[string]*callee      // parsed once per compilation
	outputs    map[*object]*outputSite // output: of an inlined workflow, at its first step
	stack      []string                // the uses: chain being expanded, for cycles
	via        *viaSite                // where the file being compiled was used from
	parentFile string                  // the file that used this one
	stdlib     bool                    // compiling a standard workflow

	// forEach: the loops being expanded (innermost last), and where each
	// CSV input's rows are in its file, to name rows in diagnostics.
	loops     []loopInfo
	csvLines  map[string][]int
	csvFile   map[string]string
	csvHeader map[string][]string
	// columnsReported are the places a missing CSV column was reported
	// at: once each, not once per row.
	columnsReported map[columnUse]bool

	// Campaign bookkeeping for lwf plan.
	variants map[*object][]Variant
	skipped  []Skipped
	samples  []Sample
	// persons are the people named by the steps being lowered, innermost
	// last, so that a write action under openPersonPage is asked about
	// its person; emptied marks steps whose every child was skipped.
	persons []string
	emptied map[*object]bool
	// warned are the values a catalog warning was given for.
	warned map[*dsl.Node]bool

	// Named loops (as: on a doFor*): what lwf runs itself.
	stages *loopState
	// render is set while Plan.Render lowers one item's steps.
	render *renderState
	// seq is the file's sequence:, inSequence set while a sequence step
	// is lowered (its keywords are no parameters).
	seq        *seqState
	inSequence bool
}

// loopInfo is one forEach iteration being expanded. Its label ("leads.csv
// line 4", "lead #2") is written only when a message needs it.
type loopInfo struct {
	as     string // the item's name
	source string // the input the loop runs over (inputs.NAME), or ""
	text   string // the label, when the loop wrote it
	file   string // the CSV file the item is a row of, and its line
	line   int
	index  int  // the item's position, from 0
	none   bool // no item: the step is checked once for every item
}

// label names the iteration.
func (l loopInfo) label() string {
	switch {
	case l.text != "":
		return l.text
	case l.none:
		return ""
	case l.line > 0:
		return fmt.Sprintf("%s line %d", l.file, l.line)
	}
	return fmt.Sprintf("%s #%d", l.as, l.index+1)
}

// iterLabel names the current iterations, innermost last.
func (c *compilation) iterLabel() string { return iterLabel(c.loops) }

// iterLabel names iterations, innermost last.
func iterLabel(loops []loopInfo) string {
	var parts []string
	for _, l := range loops {
		if s := l.label(); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func newCompilation(file string, opts Options) (*compilation, error) {
	cat := opts.Catalog
	if cat == nil {
		var err error
		if cat, err = schemas.Default(); err != nil {
			return nil, fmt.Errorf("loading the action catalog: %w", err)
		}
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	if opts.ChunkSize <= 0 {
		opts.ChunkSize = DefaultChunkSize
	}
	if opts.MaxActions <= 0 {
		opts.MaxActions = DefaultMaxActions
	}
	getenv := opts.Getenv
	if opts.Symbolic {
		getenv = nil // lwf validate reads no environment: env.NAME stays unknown
	}
	var eng *engine
	if opts.Cache != nil {
		eng = opts.Cache.engine(now, getenv)
	} else {
		eng = newEngine(now, getenv)
	}
	if opts.ExprTimeout > 0 {
		eng.timeout = opts.ExprTimeout
	}
	return &compilation{file: file, opts: opts, cat: cat, engine: eng,
		srcs: map[*object]*stepSrc{}, callees: map[string]*callee{}, outputs: map[*object]*outputSite{},
		csvLines: map[string][]int{}, csvFile: map[string]string{}, csvHeader: map[string][]string{}, columnsReported: map[columnUse]bool{},
		variants: map[*object][]Variant{},
		warned:   map[*dsl.Node]bool{}, exp: &expansion{max: opts.MaxActions}, ctx: context.Background(), stages: newLoopState()}, nil
}

// errorAt records an error diagnostic at node n.
func (c *compilation) errorAt(n *dsl.Node, code diag.Code, msg, hint string) {
	if n == nil {
		c.diags = append(c.diags, diag.New(c.file, diag.Pos{}, code, msg).WithHint(hint))
		return
	}
	c.diags = append(c.diags, c.redact(diag.New(c.file, n.Pos, code, msg).WithEnd(n.End).WithHint(hint).WithPath(n.Path), n))
}

// redact hides values from env in a diagnostic about node n (see taint).
func (c *compilation) redact(d diag.Diagnostic, n *dsl.Node) diag.Diagnostic {
	return c.engine.taint.redact(d, c.engine.taint.nodes[n])
}

func (c *compilation) run(ctx context.Context, root *dsl.Node) *Plan {
	top := c.structure(root)
	c.env = c.declareEnv(top.env)
	plan := &Plan{File: c.file, Name: top.name, Description: top.description, Limits: sortedLimits(c.limitsField(top.limits)),
		Account: schemas.Stricter(top.account, c.opts.Account)}
	c.inputs = c.declareInputs(top.inputs)
	c.scope = c.bindInputs(c.inputs)
	c.evalVars(top.vars)
	if top.sequence != nil && ctx.Err() == nil {
		plan.Sequence = c.sequenceField(top.sequence, c.scope)
		plan.Inputs = c.inputValues()
		plan.c = c
		return plan
	}
	if top.workflow == nil || ctx.Err() != nil {
		return plan
	}
	before := len(c.diags)
	steps := c.expandList(top.workflow, c.scope, nil)
	if c.exp.over || ctx.Err() != nil {
		return plan // reported where it happened; no payload is made
	}
	if len(steps) == 0 && len(c.diags) > before {
		return plan // the steps' own problems say why none is left
	}
	if top.output != nil && len(steps) > 0 {
		// A reusable workflow compiled on its own: its output shapes the
		// result of the whole run.
		if site, ok := c.compileOutput(top.name, top.output); ok {
			site.array = top.workflow.Kind == dsl.SeqNode
			site.count = len(steps)
			c.outputs[steps[0]] = &site
		}
	}
	trees := c.chunk(top.workflow, steps)
	oversized := false
	for i, tree := range trees {
		if ctx.Err() != nil {
			return plan
		}
		if size := jsonSizeAtLeast(tree); size > schemas.MaxBodyBytes {
			exact := false
			if !c.opts.Symbolic && size <= 16*schemas.MaxBodyBytes {
				// Small enough to encode: give the exact size.
				if b, err := encodePayload(tree); err == nil {
					size, exact = len(b), true
				}
			}
			c.tooLarge(tree, i, len(trees), size, exact)
			oversized = true
			continue
		}
		for _, p := range c.cat.CheckWorkflowWith(plain(tree), schemas.CheckOptions{URLs: true, Account: &plan.Account}) {
			c.report(tree, p)
		}
		if c.opts.Symbolic {
			continue // placeholders cannot be sent
		}
		full := tree
		tree, points := c.stripLoops(tree, -1)
		b, err := encodePayload(tree)
		if err != nil {
			c.errorAt(top.workflow, diag.CodeParamValue, fmt.Sprintf("cannot encode the workflow: %v", err), "")
			continue
		}
		if len(b) > schemas.MaxBodyBytes {
			c.tooLarge(tree, i, len(trees), len(b), true)
			oversized = true
			continue
		}
		plan.Variants = append(plan.Variants, c.variantsFor(len(plan.Payloads), tree)...)
		plan.Payloads = append(plan.Payloads, b)
		plan.Outputs = append(plan.Outputs, c.outputFor(tree))
		if len(c.stages.loops) > 0 {
			plan.Points = append(plan.Points, points)
			plan.full = append(plan.full, c.plainMarked(full))
		}
	}
	if oversized {
		plan.Payloads, plan.Outputs, plan.Variants, plan.Points, plan.full = nil, nil, nil, nil, nil
	}
	if len(c.stages.loops) > 0 {
		plan.Loops, plan.LoopsDigest, plan.c = c.stages.loops, c.loopsDigest(), c
	}
	plan.Skipped, plan.Samples = c.skipped, c.samples
	plan.Inputs = c.inputValues()
	return plan
}

// chunk arranges the expanded root steps into workflow trees: one object
// when the file's workflow is one step that stayed one step, otherwise
// root arrays of at most ChunkSize actions.
func (c *compilation) chunk(wf *dsl.Node, steps []*object) []any {
	if len(steps) == 0 && len(c.skipped) > 0 {
		return nil // every action was skipped: nothing to send, no error
	}
	if len(steps) == 0 {
		c.errorAt(wf, diag.CodeMissingField, "the workflow has no actions (every step was dropped by if: or an empty forEach:)", "")
		return nil
	}
	if wf.Kind == dsl.MapNode && len(steps) == 1 && wf.Get("forEach") == nil {
		return []any{steps[0]}
	}
	var out []any
	for i := 0; i < len(steps); i += c.opts.ChunkSize {
		end := min(i+c.opts.ChunkSize, len(steps))
		arr := make([]any, 0, end-i)
		for _, s := range steps[i:end] {
			arr = append(arr, s)
		}
		out = append(out, arr)
	}
	return out
}
