package compiler

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker/nature"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/types"
	"github.com/expr-lang/expr/vm"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/schemas"
)

// Limits that keep expressions a sandbox: a workflow file comes from a pull
// request, so an expression must not be able to take the machine down.
const (
	maxExprLen    = 2000    // characters of one expression
	maxExprNodes  = 500     // AST nodes of one expression
	maxExprMemory = 20_000  // expr's allocation budget (array slots, range items)
	maxExprResult = 1 << 20 // bytes of one string result
	exprTimeout   = time.Second
)

// disabledBuiltins can allocate without bound or carry state across
// iterations (reduce's accumulator doubles a string in a few steps).
var disabledBuiltins = []string{"repeat", "reduce", "replace", "now"}

// scope is what names an expression can see: their static types (for
// expr's checker) and, where known, their values.
type scope struct {
	types   types.Map
	values  map[string]any
	unknown map[string]bool // "inputs.note", "vars.x", "lead": no value yet
	tainted map[string]bool // "env", and names whose value came from env
	// optional are the unknown names that may be null (optional inputs
	// without a default): a parameter made only of them may be left out.
	optional map[string]bool
	sig      string // cached signature(); cleared when types change
	// A child scope's signature is derived from its parent's, base, and
	// the types set since with setType, delta — cheap for the scope of
	// every item of a long forEach. full says the types changed some
	// other way (retype): then the signature covers them all.
	base  string
	delta types.Map
	full  bool
	// loops says which names are items of named loops, and which loop
	// without a name the scope is under (see loopHint).
	loops *loopScope
	// seqLater are the ids of a sequence's steps after the one being
	// checked: steps.ID of those is not known yet.
	seqLater []string
	// condition is set while an if: is evaluated: the fields of a loop's
	// item it reads are tested, not sent (see checkColumns).
	condition bool
	// owned says which of the maps above are the scope's own: a child
	// shares its parent's until it changes one (setType, setValue, …),
	// so that the scope of each item of a long forEach copies only what
	// it sets. A map the scope does not own is never written.
	owned owned
}

// owned is a set of a scope's maps.
type owned uint8

const (
	ownTypes owned = 1 << iota
	ownValues
	ownUnknown
	ownTainted
	ownAll = ownTypes | ownValues | ownUnknown | ownTainted
)

// newScope returns an empty scope that owns its maps.
func newScope() *scope {
	return &scope{types: types.Map{}, values: map[string]any{}, unknown: map[string]bool{}, tainted: map[string]bool{}, owned: ownAll}
}

// own makes the maps of m the scope's own, copying those it shares.
func (s *scope) own(m owned) {
	if m&ownTypes != 0 && s.owned&ownTypes == 0 {
		s.types, s.delta = maps.Clone(s.types), maps.Clone(s.delta)
		if s.types == nil {
			s.types = types.Map{}
		}
	}
	if m&ownValues != 0 && s.owned&ownValues == 0 {
		s.values = maps.Clone(s.values)
		if s.values == nil {
			s.values = map[string]any{}
		}
	}
	if m&ownUnknown != 0 && s.owned&ownUnknown == 0 {
		s.unknown = maps.Clone(s.unknown)
		if s.unknown == nil {
			s.unknown = map[string]bool{}
		}
	}
	if m&ownTainted != 0 && s.owned&ownTainted == 0 {
		s.tainted = maps.Clone(s.tainted)
		if s.tainted == nil {
			s.tainted = map[string]bool{}
		}
	}
	s.owned |= m
}

// setValue sets the value of a name.
func (s *scope) setValue(name string, v any) {
	s.own(ownValues)
	s.values[name] = v
}

// setUnknown says whether a name's value is unknown.
func (s *scope) setUnknown(name string, unknown bool) {
	if s.unknown[name] == unknown {
		return
	}
	s.own(ownUnknown)
	if unknown {
		s.unknown[name] = true
	} else {
		delete(s.unknown, name)
	}
}

// setTainted says a name's value came from env.
func (s *scope) setTainted(name string) {
	if s.tainted[name] {
		return
	}
	s.own(ownTainted)
	s.tainted[name] = true
}

// child returns a scope for a nested one, sharing s's maps until it
// changes them. Change its types with setType, or call retype after
// changing them otherwise.
func (s *scope) child() *scope {
	return &scope{types: s.types, values: s.values, unknown: s.unknown, tainted: s.tainted, optional: s.optional,
		loops: s.loops, seqLater: s.seqLater, base: s.signature()}
}

// withLoops returns a scope of the same names as s, seen from other loops.
// It shares s's maps (until it changes them) and signature.
func (s *scope) withLoops(l *loopScope) *scope {
	c := *s
	c.loops, c.owned = l, 0
	return &c
}

// setType sets the static type of a name.
func (s *scope) setType(name string, t types.Type) {
	s.own(ownTypes)
	s.types[name] = t
	if s.delta == nil {
		s.delta = types.Map{}
	}
	s.delta[name] = t
	s.sig = ""
}

// rebase says the scope's types are those whose signature is base, with
// name's type set to t.
func (s *scope) rebase(base, name string, t types.Type) {
	s.base, s.delta, s.full, s.sig = base, types.Map{name: t}, false, ""
}

// retype says the types were changed otherwise than by setType.
func (s *scope) retype() { s.sig, s.full = "", true }

// signature identifies the scope's types, for the program and config
// caches: scopes with the same signature have the same types. A child's
// is its parent's (length-prefixed, so that no two readings exist) with
// what it set; a full one starts with '{', a derived one never does.
func (s *scope) signature() string {
	if s.sig != "" {
		return s.sig
	}
	var b strings.Builder
	switch {
	case s.base != "" && !s.full && len(s.delta) == 0:
		return s.base // the parent's types, unchanged: no need to cache
	case s.base != "" && !s.full:
		b.WriteByte('+')
		b.WriteString(strconv.Itoa(len(s.base)))
		b.WriteByte(':')
		b.WriteString(s.base)
		typeKey(&b, s.delta, 0)
	default:
		typeKey(&b, s.types, 0)
	}
	s.sig = b.String()
	return s.sig
}

// typeKey writes a deterministic description of t (types.Map's own String
// follows map order, and so does that of an array of maps).
func typeKey(b *strings.Builder, t types.Type, depth int) {
	m, ok := t.(types.Map)
	if !ok || depth > 8 {
		if t == nil {
			b.WriteString("nil")
			return
		}
		text := t.String()
		if !ok && depth <= 8 && strings.Contains(text, "Map{") {
			natureKey(b, t.Nature(), depth)
			return
		}
		b.WriteString(text)
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteByte('{')
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte(':')
		typeKey(b, m[k], depth+1)
		b.WriteByte(';')
	}
	b.WriteByte('}')
}

// natureKey writes a deterministic description of what expr's checker
// knows of a type: an array's items, a map's fields, sorted.
func natureKey(b *strings.Builder, n nature.Nature, depth int) {
	switch {
	case depth > 8:
		b.WriteString(n.String())
	case n.Ref != nil && (n.Kind == reflect.Slice || n.Kind == reflect.Array):
		b.WriteString("array[")
		natureKey(b, *n.Ref, depth+1)
		b.WriteByte(']')
	case n.Kind == reflect.Map && n.TypeData != nil:
		if n.Type != nil {
			b.WriteString(n.Type.String())
		}
		keys := make([]string, 0, len(n.Fields))
		for k := range n.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteString("map{")
		for _, k := range keys {
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			natureKey(b, n.Fields[k], depth+1)
			b.WriteByte(';')
		}
		if n.DefaultMapValue != nil {
			b.WriteString("*:")
			natureKey(b, *n.DefaultMapValue, depth+1)
		}
		if n.Strict {
			b.WriteString("!")
		}
		b.WriteByte('}')
	case n.Nil:
		b.WriteString("nil")
	case n.Type == nil:
		b.WriteString("any")
	default:
		b.WriteString(n.Type.String())
	}
}

// exprError is an expression problem with the rune offset (within the
// expression text) it happened at.
type exprError struct {
	code   diag.Code
	msg    string
	hint   string
	offset int // runes from the start of the expression text
}

// engine compiles and evaluates expressions for one compilation.
type engine struct {
	now     func() time.Time
	getenv  func(string) string
	ctx     context.Context // the compilation's: cancelling it stops an evaluation
	taint   *taintRecord    // what is known to come from env
	timeout time.Duration   // of one evaluation
	meter   meter           // the budget of the evaluation in progress
	cache   map[cacheKey]*compiled
	// last is the expression compile returned last: a value is checked
	// and evaluated in a row, so most lookups ask for it again.
	last    *compiled
	lastKey cacheKey
	configs map[string]*conf.Config // per scope signature: building one is costly
	funcs   []expr.Option           // lwf's functions, built once
	base    *conf.Config            // the scope-independent part of configs
	// outputs are the output: expressions compiled (see compileOutput),
	// with their configuration; they depend on nothing but their text.
	outputs   map[string]*compiled
	outputCfg *conf.Config
	// parsed are the reusable workflows parsed, by name and text (the
	// compiler never changes a tree).
	parsed map[parseKey]parsedFile
	// gen counts the compilations the engine served (see Cache); a
	// compiled expression that failed is reported again only in the
	// compilation that compiled it, since its message may depend on
	// where it stood (the loops around it).
	gen int
}

// parseKey identifies a parse: the same text, name and limits give the
// same tree and diagnostics.
type parseKey struct {
	file, src string
	opts      dsl.Options
}

type parsedFile struct {
	f  *dsl.File
	ds diag.List
}

// parse parses a reusable workflow, once per engine.
func (e *engine) parse(file string, src []byte, opts dsl.Options) (*dsl.File, diag.List) {
	key := parseKey{file, string(src), opts}
	if p, ok := e.parsed[key]; ok {
		return p.f, p.ds
	}
	f, ds := dsl.Parse(file, src, opts)
	if e.parsed == nil {
		e.parsed = map[parseKey]parsedFile{}
	}
	if len(e.parsed) < maxParsed {
		e.parsed[key] = parsedFile{f, ds}
	}
	return f, ds
}

// maxParsed bounds the reusable workflows an engine keeps parsed.
const maxParsed = 1000

// maxCached bounds the compiled expressions an engine keeps.
const maxCached = 50_000

// A Cache keeps what compiling expressions costs — the expr
// configuration of each scope type and the compiled programs — from one
// compilation to the next, so that a corpus of files that share
// expressions compiles each once. It is for one goroutine: compilations
// that share a Cache must run one after another, and a plan compiled
// with it renders (Plan.Render, Plan.RenderStep) only until the next
// compilation with it begins. lwf validate gives each of its workers one.
type Cache struct{ e *engine }

// NewCache returns an empty Cache.
func NewCache() *Cache { return &Cache{} }

// engine returns the cache's engine, reset for a new compilation.
func (c *Cache) engine(now func() time.Time, getenv func(string) string) *engine {
	if c.e == nil {
		c.e = newEngine(now, getenv)
		return c.e
	}
	e := c.e
	e.now, e.getenv, e.ctx, e.taint, e.timeout, e.meter = now, getenv, context.Background(), newTaintRecord(), exprTimeout, meter{}
	e.gen++
	e.last = nil
	if len(e.cache)+len(e.outputs) > maxCached {
		clear(e.cache)
		clear(e.outputs)
	}
	return e
}

// cacheKey identifies a compiled expression: its text and the signature
// of the scope's types.
type cacheKey struct{ sig, src string }

type compiled struct {
	prog *vm.Program
	refs refs
	err  *exprError
	gen  int // the engine's compilation that compiled it
	// envAt is where each env.NAME is read ("" for env used whole), in
	// runes from the start of the expression.
	envAt map[string]int
	// uses caches fieldUses per loop item name.
	uses map[string]map[string]useKind
}

// fieldUses returns how the expression uses the fields of item (see
// fieldUses), computed once.
func (c *compiled) fieldUses(src, item string) map[string]useKind {
	if u, ok := c.uses[item]; ok {
		return u
	}
	if c.uses == nil {
		c.uses = map[string]map[string]useKind{}
	}
	c.uses[item] = fieldUses(src, item)
	return c.uses[item]
}

func newEngine(now func() time.Time, getenv func(string) string) *engine {
	return &engine{now: now, getenv: getenv, ctx: context.Background(), timeout: exprTimeout, taint: newTaintRecord(),
		cache: map[cacheKey]*compiled{}, configs: map[string]*conf.Config{}}
}

// fillEnv puts the environment variables an expression names (checked
// by checkEnv) into the scope's env map, reading each once. Their values
// are tainted.
func (e *engine) fillEnv(c *compiled, sc *scope) {
	env, _ := sc.values["env"].(map[string]any)
	if env == nil {
		return
	}
	for name := range c.refs["env"] {
		if name == "" || secretEnv[name] {
			continue
		}
		if _, done := env[name]; done {
			continue
		}
		v := ""
		if e.getenv != nil {
			v = e.getenv(name)
		}
		env[name] = v
		e.taint.addText(v)
	}
}

func (e *engine) functions() []expr.Option {
	if e.funcs != nil {
		return e.funcs
	}
	opts := []expr.Option{
		expr.Function("now", func(...any) (any, error) {
			return e.now().UTC().Format(time.RFC3339), nil
		}, new(func() string)),
		expr.Function("daysAgo", func(args ...any) (any, error) {
			n, _ := args[0].(int)
			return e.now().UTC().AddDate(0, 0, -n).Format("2006-01-02"), nil
		}, new(func(int) string)),
		expr.Function("replace", func(args ...any) (any, error) {
			s, _ := args[0].(string)
			old, _ := args[1].(string)
			repl, _ := args[2].(string)
			if old == "" {
				return nil, errors.New("replace: the text to replace must not be empty")
			}
			if n := strings.Count(s, old); len(s)+n*(len(repl)-len(old)) > maxExprResult {
				return nil, errors.New("replace: the result would be too large")
			}
			if err := e.meter.charge(len(s) + strings.Count(s, old)*max(len(repl)-len(old), 0)); err != nil {
				return nil, err
			}
			return strings.ReplaceAll(s, old, repl), nil
		}, new(func(string, string, string) string)),
	}
	for _, b := range disabledBuiltins {
		opts = append([]expr.Option{expr.DisableBuiltin(b)}, opts...)
	}
	e.funcs = opts
	return opts
}

// compile type-checks src in scope sc; the result is cached per scope type.
func (e *engine) compile(src string, sc *scope) *compiled {
	key := cacheKey{sc.signature(), src}
	if e.last != nil && key == e.lastKey {
		return e.last // asked again for the same expression: no hashing
	}
	c, ok := e.cache[key]
	if !ok || (c.err != nil && c.gen != e.gen) {
		c = e.compileUncached(src, sc)
		c.gen = e.gen
		e.cache[key] = c
	}
	e.last, e.lastKey = c, key
	return c
}

func (e *engine) compileUncached(src string, sc *scope) (c *compiled) {
	c = &compiled{}
	if n := len([]rune(src)); n > maxExprLen {
		c.err = &exprError{code: diag.CodeExprLimit, msg: fmt.Sprintf("expression is %d characters long, at most %d allowed", n, maxExprLen)}
		return c
	}
	if strings.TrimSpace(src) == "" {
		c.err = &exprError{code: diag.CodeExprSyntax, msg: "empty expression"}
		return c
	}
	defer func() {
		if r := recover(); r != nil {
			c.prog = nil
			c.err = &exprError{code: diag.CodeExprSyntax, msg: fmt.Sprintf("expression cannot be compiled: %v", r)}
		}
	}()
	col := &refCollector{letAt: -1, disabledAt: -1}
	cfg := e.configFor(sc)
	// Count the work as it runs (see budgetPatch); only a tree that
	// changed needs typing again, for the calls the patch added.
	prog, err := compileStages(src, cfg, func(n *ast.Node) bool {
		patch := &budgetPatch{}
		ast.Walk(n, patch)
		return patch.changed
	})
	if prog != nil {
		node := prog.Node()
		ast.Walk(&node, col)
	}
	if col.letAt >= 0 {
		c.err = &exprError{code: diag.CodeExprSyntax, msg: "let is not allowed in lwf expressions", hint: "use vars: for values computed once", offset: col.letAt}
		return c
	}
	if col.disabledAt >= 0 {
		c.err = &exprError{code: diag.CodeExprUndefined, msg: fmt.Sprintf("function %q is not available in lwf expressions", col.disabledName),
			hint: "it could allocate without bound", offset: col.disabledAt}
		return c
	}
	if err != nil {
		c.err = loopHint(classify(src, err, sc, cfg), sc)
		return c
	}
	c.prog, c.refs, c.envAt = prog, col.result(), col.envAt
	return c
}

// configFor returns the expr configuration of a scope: its typed
// environment, lwf's functions and limits. One is built per scope type.
func (e *engine) configFor(sc *scope) *conf.Config {
	sig := sc.signature()
	if cfg, ok := e.configs[sig]; ok {
		return cfg
	}
	if e.base == nil {
		// What does not depend on the scope (builtins, lwf's functions,
		// limits) is set up once; each scope copies it and adds its types.
		base := conf.CreateNew()
		for _, op := range e.functions() {
			op(base)
		}
		noNodeLimit(base)
		for name := range base.Disabled {
			delete(base.Builtins, name)
		}
		e.budgetFunctions(base)
		e.base = base
	}
	cfg := *e.base
	cfg.WithEnv(sc.types)
	cfg.Check()
	e.configs[sig] = &cfg
	return &cfg
}

// eval evaluates src in sc. A result that depends on a value nobody gave
// comes back as a schemas.Unknown of the expression's static type.
// tainted says the expression reads a value that came from env: its
// result is tainted, and a failure on it does not show the values.
func (e *engine) eval(src string, sc *scope) (v any, tainted bool, err *exprError) {
	c := e.compile(src, sc)
	if c.err != nil {
		return nil, mentions(src, sc.tainted), c.err
	}
	tainted = c.refs.touches(sc.tainted)
	e.fillEnv(c, sc)
	if c.refs.touches(sc.unknown) {
		u := schemas.Unknown{Type: jsonTypeOf(c.prog.Node().Type())}
		if len(sc.optional) > 0 {
			required := map[string]bool{}
			for k := range sc.unknown {
				if !sc.optional[k] {
					required[k] = true
				}
			}
			u.Optional = !c.refs.touches(required)
		}
		return u, tainted, nil
	}
	// The evaluation runs here, on the caller's goroutine, under its
	// budgets: when one runs out, it stops (see meter).
	e.meter.start(e.ctx, e.timeout)
	v, err = e.finish(e.run(c.prog, sc.values))
	if err != nil && tainted && err.code == diag.CodeExprRuntime {
		// expr's messages print the operands: here, values from env.
		err = &exprError{code: err.code, offset: err.offset,
			msg:  "expression failed on a value read from env; the message is not shown, as it would show the value",
			hint: "check the environment variables the expression reads"}
	}
	return v, tainted, err
}

// run runs a program on the scope's values, turning a panic into an error.
func (e *engine) run(prog *vm.Program, env map[string]any) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("%v", r)
		}
	}()
	m := vm.VM{MemoryBudget: maxExprMemory}
	return m.Run(prog, env)
}

// finish checks a result: errors, non-finite numbers, oversized text.
func (e *engine) finish(v any, err error) (any, *exprError) {
	if err != nil {
		return nil, runtimeError(err)
	}
	if f, ok := v.(float64); ok && (math.IsInf(f, 0) || math.IsNaN(f)) {
		return nil, &exprError{code: diag.CodeExprRuntime, msg: "the result is not a finite number (division by zero?)"}
	}
	if s, ok := v.(string); ok && len(s) > maxExprResult {
		return nil, &exprError{code: diag.CodeExprLimit, msg: fmt.Sprintf("expression result is %d bytes long, at most %d allowed", len(s), maxExprResult)}
	}
	return v, nil
}

func runtimeError(err error) *exprError {
	if ee, ok := budgetExceeded(err); ok {
		return ee
	}
	msg := err.Error()
	var fe *file.Error
	off := 0
	if errors.As(err, &fe) {
		msg, off = fe.Message, fe.From
	}
	code := diag.CodeExprRuntime
	// expr's VM stops at its memory budget by panicking with a plain
	// string, which it turns into an error: no type tells it apart, so
	// its text does.
	if strings.Contains(msg, "memory budget") {
		code, msg = diag.CodeExprLimit, "expression uses too much memory"
	}
	return &exprError{code: code, msg: lowerFirst(msg), offset: off}
}

// names lists the top-level names of the scope, for hints.
func (s *scope) names() []string {
	out := make([]string, 0, len(s.types))
	for k := range s.types {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// fieldsNear lists every field name declared anywhere in the scope, for
// "did you mean" on an undefined field.
func (s *scope) fieldsNear(string) []string {
	var out []string
	var walk func(t types.Type, depth int)
	walk = func(t types.Type, depth int) {
		if depth > 3 {
			return
		}
		if m, ok := t.(types.Map); ok {
			for k, v := range m {
				if k != types.Extra {
					out = append(out, k)
				}
				walk(v, depth+1)
			}
		}
	}
	for _, t := range s.types {
		walk(t, 0)
	}
	sort.Strings(out)
	return out
}

// jsonTypeOf maps a Go static type to a JSON Schema type name.
func jsonTypeOf(t reflect.Type) string {
	if t == nil {
		return ""
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return ""
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// refs records, per identifier, the static properties used on it; "" in
// the set means the identifier was used as a whole or with a computed key.
type refs map[string]map[string]bool

func (r refs) touches(unknown map[string]bool) bool {
	for u := range unknown {
		ident, prop, hasProp := strings.Cut(u, ".")
		props, used := r[ident]
		if !used {
			continue
		}
		if !hasProp || props[""] || props[prop] {
			return true
		}
	}
	return false
}

// refCollector is an expr patch visitor: it changes nothing, but records
// the names an expression uses and whether it declares variables. expr
// walks children before parents, so identifiers are resolved at the end.
type refCollector struct {
	idents  []*ast.IdentifierNode
	envAt   map[string]int                 // see compiled.envAt
	members map[*ast.IdentifierNode]string // identifier → static property used on it
	letAt   int
	started bool

	disabledAt   int
	disabledName string
}

// Visit implements ast.Visitor.
func (c *refCollector) Visit(node *ast.Node) {
	if !c.started {
		c.started, c.letAt, c.disabledAt, c.members = true, -1, -1, map[*ast.IdentifierNode]string{}
	}
	switch n := (*node).(type) {
	case *ast.VariableDeclaratorNode:
		if c.letAt < 0 {
			c.letAt = n.Location().From
		}
	case *ast.MemberNode:
		if id, ok := n.Node.(*ast.IdentifierNode); ok {
			prop := ""
			if s, ok := n.Property.(*ast.StringNode); ok {
				prop = s.Value
			}
			c.members[id] = prop
		}
	case *ast.IdentifierNode:
		c.idents = append(c.idents, n)
	case *ast.BuiltinNode:
		// expr parses some builtins (reduce, …) itself, past DisableBuiltin.
		if c.disabledAt < 0 && contains(disabledBuiltins, n.Name) && n.Name != "now" {
			c.disabledAt, c.disabledName = n.Location().From, n.Name
		}
	}
}

func (c *refCollector) result() refs {
	r := refs{}
	for _, id := range c.idents {
		if r[id.Value] == nil {
			r[id.Value] = map[string]bool{}
		}
		prop := c.members[id] // "" when used whole
		r[id.Value][prop] = true
		if id.Value == "env" {
			if c.envAt == nil {
				c.envAt = map[string]int{}
			}
			if at, seen := c.envAt[prop]; !seen || id.Location().From < at {
				c.envAt[prop] = id.Location().From
			}
		}
	}
	return r
}

// sameShape reports whether two known values have the same typeOfValue,
// without building it: maps of the same keys whose values have the same
// shapes, lists (of anything), or scalars of the same Go type.
func sameShape(a, b any) bool {
	if isUnknown(a) || isUnknown(b) {
		return false
	}
	am, aMap := a.(map[string]any)
	bm, bMap := b.(map[string]any)
	if aMap || bMap {
		if !aMap || !bMap || len(am) != len(bm) {
			return false
		}
		for k, v := range am {
			if w, ok := bm[k]; !ok || !sameShape(v, w) {
				return false
			}
		}
		return true
	}
	return shapeOf(a) == shapeOf(b)
}

// shapeOf sorts the values typeOfValue tells apart, but maps.
func shapeOf(v any) int {
	switch v.(type) {
	case nil:
		return 1
	case string:
		return 2
	case bool:
		return 3
	case int:
		return 4
	case float64:
		return 5
	case []any:
		return 6
	}
	return 0 // types.Any
}

// typeOfValue builds the expr type of a known value, so expressions on it
// are checked as strictly as the declared ones. sameShape must follow it.
func typeOfValue(v any) types.Type {
	switch x := v.(type) {
	case nil:
		return types.Nil
	case string:
		return types.String
	case bool:
		return types.Bool
	case int:
		return types.Int
	case float64:
		return types.Float64
	case []any:
		return types.Array(types.Any)
	case map[string]any:
		m := types.Map{}
		for k, e := range x {
			m[k] = typeOfValue(e)
		}
		m[types.Extra] = types.Any
		return m
	}
	return types.Any
}
