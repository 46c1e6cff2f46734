package compiler

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/vm/runtime"

	"github.com/lwf-dev/lwf/diag"
)

// An expression's work is bounded while it runs, not checked afterwards:
// a join over a long list must fail before it builds a gigabyte, and an
// evaluation past its deadline must stop rather than run on. Three
// budgets hold for one evaluation (one ${{ }}):
//
//   - built: the bytes of text and lists it builds — every string made by
//     +, join, upper, toJSON, string(), replace, … and every list made by
//     split and concat — counted before each is built;
//   - steps: the iterations of map, filter, all, any, count, sortBy, …
//     (each iteration calls the tick function the compiler adds);
//   - time: a deadline, and the compilation's context (Ctrl-C), checked
//     by the ticks and by every guarded function.
//
// expr's own memory budget (maxExprMemory) still bounds ranges and
// literals. Everything runs on the caller's goroutine, so a stopped
// evaluation leaves nothing running behind.
const (
	maxExprBuilt = 8 << 20   // bytes of text and lists built by one evaluation
	maxExprSteps = 1_000_000 // iterations of one evaluation
)

// Names of the functions the compiler adds to every expression. They
// hold a '$', which lwf's names cannot, so nothing can hide them.
const (
	fnTick = "lwf$tick"
	fnAdd  = "lwf$add"
)

// guardedBuiltins build text or lists from their arguments: they are
// replaced by functions that count the result against the budget first.
var guardedBuiltins = []string{"join", "string", "toJSON", "upper", "lower", "trim", "trimPrefix", "trimSuffix",
	"split", "splitAfter", "concat", "toBase64", "fromJSON"}

// budgetError is an evaluation stopped by one of its budgets.
type budgetError struct{ msg string }

func (e *budgetError) Error() string { return e.msg }

// meter is the budget of the evaluation in progress.
type meter struct {
	ctx      context.Context
	deadline time.Time
	timeout  time.Duration
	built    int
	steps    int
}

// start resets the meter for a new evaluation.
func (m *meter) start(ctx context.Context, timeout time.Duration) {
	*m = meter{ctx: ctx, deadline: time.Now().Add(timeout), timeout: timeout}
}

// alive fails once the deadline has passed or the context is done.
func (m *meter) alive() error {
	if m.ctx != nil && m.ctx.Err() != nil {
		return &budgetError{msg: "expression stopped: " + m.ctx.Err().Error()}
	}
	if time.Now().After(m.deadline) {
		return &budgetError{msg: fmt.Sprintf("expression took longer than %v", m.timeout)}
	}
	return nil
}

// charge counts n more bytes built.
func (m *meter) charge(n int) error {
	m.built += n
	if m.built > maxExprBuilt {
		return &budgetError{msg: fmt.Sprintf("expression builds more than %d bytes of text and lists", maxExprBuilt)}
	}
	return m.alive()
}

// tick counts one iteration.
func (m *meter) tick() error {
	m.steps++
	if m.steps > maxExprSteps {
		return &budgetError{msg: fmt.Sprintf("expression takes more than %d steps (items of map, filter, …)", maxExprSteps)}
	}
	if m.steps%128 == 0 {
		return m.alive()
	}
	return nil
}

// budgetFunctions installs the tick, the guarded +, and the guarded
// builtins into cfg.
func (e *engine) budgetFunctions(cfg *conf.Config) {
	add := func(name string, fn func(args ...any) (any, error), types ...any) {
		ts := make([]reflect.Type, len(types))
		for i, t := range types {
			ts[i] = reflect.TypeOf(t).Elem()
		}
		cfg.Functions[name] = &builtin.Function{Name: name, Func: fn, Types: ts}
	}
	add(fnTick, func(...any) (any, error) { return true, e.meter.tick() }, new(func() bool))
	add(fnAdd, func(args ...any) (any, error) {
		a, aok := args[0].(string)
		b, bok := args[1].(string)
		if aok && bok {
			if err := e.meter.charge(len(a) + len(b)); err != nil {
				return nil, err
			}
			return a + b, nil
		}
		return runtime.Add(args[0], args[1]), nil
	}, new(func(string, string) string), new(func(any, any) any))
	for _, name := range guardedBuiltins {
		orig := cfg.Builtins[name]
		if orig == nil {
			continue
		}
		g := *orig // same name, types and validation: only the call changes
		g.Fast, g.Safe = nil, nil
		g.Func = e.guard(name, orig)
		cfg.Functions[name] = &g
	}
}

// guard wraps builtin fn so that it charges what it will build first.
func (e *engine) guard(name string, fn *builtin.Function) func(args ...any) (any, error) {
	call := func(args []any) (any, error) {
		switch {
		case fn.Fast != nil:
			return fn.Fast(args[0]), nil
		case fn.Safe != nil:
			v, _, err := fn.Safe(args...)
			return v, err
		}
		return fn.Func(args...)
	}
	return func(args ...any) (any, error) {
		if len(args) == 0 {
			return call(args)
		}
		m := &e.meter
		if err := m.charge(builtSize(name, args, maxExprBuilt-m.built)); err != nil {
			return nil, err
		}
		return call(args)
	}
}

// builtSize estimates, before the call, how many bytes builtin name will
// build from args; it stops counting past limit.
func builtSize(name string, args []any, limit int) int {
	switch name {
	case "join":
		glue := ""
		if len(args) > 1 {
			glue, _ = args[1].(string)
		}
		n := 0
		switch l := args[0].(type) {
		case []string:
			for _, s := range l {
				n += len(s) + len(glue)
			}
		case []any:
			for _, s := range l {
				if s, ok := s.(string); ok {
					n += len(s) + len(glue)
				}
			}
		}
		return n
	case "split", "splitAfter":
		s, _ := args[0].(string)
		sep, _ := args[1].(string)
		pieces := strings.Count(s, sep) + 1
		if sep == "" {
			pieces = utf8.RuneCountInString(s)
		}
		return pieces * 16 // the strings share s; the list holds a header each
	case "concat":
		n := 0
		for _, a := range args {
			if v := reflect.ValueOf(a); v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
				n += v.Len() * 16
			}
		}
		return n
	case "string", "toJSON":
		return valueSize(args[0], limit)
	case "toBase64":
		s, _ := args[0].(string)
		return len(s)/3*4 + 4
	}
	s, _ := args[0].(string)
	return len(s) // upper, lower, trim…, fromJSON: about the size of their text
}

// valueSize estimates the size of v written out as text, stopping once it
// passes limit.
func valueSize(v any, limit int) int {
	n := 0
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if n > limit || depth > 64 {
			return
		}
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem(), depth+1)
			}
		case reflect.String:
			n += v.Len() + 2
		case reflect.Slice, reflect.Array:
			n += 2 + v.Len()
			for i := 0; i < v.Len() && n <= limit; i++ {
				walk(v.Index(i), depth+1)
			}
		case reflect.Map:
			n += 2
			it := v.MapRange()
			for it.Next() && n <= limit {
				n += 4
				walk(it.Key(), depth+1)
				walk(it.Value(), depth+1)
			}
		default:
			n += 8
		}
	}
	walk(reflect.ValueOf(v), 0)
	return n
}

// budgetPatch rewrites an expression's tree so that its work is counted:
// each predicate (the body of map, filter, …) first calls the tick, and a
// + that may join strings calls the guarded +. It runs after expr has
// typed the tree, so numbers keep their fast +.
type budgetPatch struct {
	changed bool
}

// Visit implements ast.Visitor.
func (p *budgetPatch) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.PredicateNode:
		if seq, ok := n.Node.(*ast.SequenceNode); ok && len(seq.Nodes) == 2 && isCallOf(seq.Nodes[0], fnTick) {
			return
		}
		tick := &ast.CallNode{Callee: &ast.IdentifierNode{Value: fnTick}}
		tick.SetLocation(n.Node.Location())
		tick.Callee.SetLocation(n.Node.Location())
		seq := &ast.SequenceNode{Nodes: []ast.Node{tick, n.Node}}
		seq.SetLocation(n.Node.Location())
		n.Node = seq
		p.changed = true
	case *ast.BinaryNode:
		if n.Operator != "+" || !mayJoinStrings(n.Left.Type(), n.Right.Type()) {
			return
		}
		call := &ast.CallNode{Callee: &ast.IdentifierNode{Value: fnAdd}, Arguments: []ast.Node{n.Left, n.Right}}
		call.Callee.SetLocation(n.Location())
		ast.Patch(node, call)
		p.changed = true
	}
}

func isCallOf(n ast.Node, name string) bool {
	c, ok := n.(*ast.CallNode)
	if !ok {
		return false
	}
	id, ok := c.Callee.(*ast.IdentifierNode)
	return ok && id.Value == name
}

// mayJoinStrings reports whether a + of operands of these static types
// may concatenate strings: both strings, or a string and something not
// known yet. A string and a known number are left to expr's checker,
// which reports the mismatch.
func mayJoinStrings(l, r reflect.Type) bool {
	unknown := func(t reflect.Type) bool { return t == nil || t.Kind() == reflect.Interface }
	str := func(t reflect.Type) bool { return t != nil && t.Kind() == reflect.String }
	return (str(l) || unknown(l)) && (str(r) || unknown(r))
}

// budgetExceeded returns the budget error inside err, if any.
func budgetExceeded(err error) (*exprError, bool) {
	var be *budgetError
	if !errors.As(err, &be) {
		return nil, false
	}
	return &exprError{code: diag.CodeExprLimit, msg: be.msg}, true
}
