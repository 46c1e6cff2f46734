package compiler

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/checker/nature"
	"github.com/expr-lang/expr/compiler"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/optimizer"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/parser/lexer"
	"github.com/expr-lang/expr/vm"

	"github.com/lwf-dev/lwf/diag"
)

// An expression is compiled in expr's stages, one call each, so that a
// failure is classified by the stage that raised it and by the tree it
// left, not by the wording of expr's messages: the parser fails on text
// that is no expression (expr-syntax), the node count on one that is too
// complex (expr-limit), the checker on names and types (expr-undefined
// when the node it stopped at names something the scope lacks, expr-type
// otherwise), and the optimizer, which evaluates constant parts, like an
// evaluation (expr-runtime).
type stage int

const (
	stageParse stage = iota
	stageSize
	stageCheck
	stageOptimize
	stageCompile
)

// exprFailure is an error of one stage of an expression's compilation.
type exprFailure struct {
	stage stage
	tree  *parser.Tree // the parsed tree, for the stages after the parse
	err   error
}

func (f *exprFailure) Error() string { return f.err.Error() }
func (f *exprFailure) Unwrap() error { return f.err }

// compileStages compiles src with cfg, whose MaxNodes must be 0: the
// node count is the size stage's (the text is at most maxExprLen long, so
// the parse is bounded anyway). patch, if set, may change the checked
// tree; it reports whether it did, and the tree is checked again.
func compileStages(src string, cfg *conf.Config, patch func(*ast.Node) bool) (*vm.Program, error) {
	tree, err := parser.ParseWithConfig(src, cfg)
	if err != nil {
		return nil, &exprFailure{stage: stageParse, err: err}
	}
	if n := countNodes(tree.Node); n > maxExprNodes {
		return nil, &exprFailure{stage: stageSize, tree: tree, err: fmt.Errorf("%d nodes", n)}
	}
	if _, err := new(checker.Checker).PatchAndCheck(tree, cfg); err != nil {
		return nil, &exprFailure{stage: stageCheck, tree: tree, err: err}
	}
	if patch != nil && patch(&tree.Node) {
		if _, err := checker.Check(tree, cfg); err != nil {
			return nil, &exprFailure{stage: stageCheck, tree: tree, err: err}
		}
	}
	if cfg.Optimize {
		if err := optimizer.Optimize(&tree.Node, cfg); err != nil {
			var fe *file.Error
			if errors.As(err, &fe) {
				err = fe.Bind(tree.Source)
			}
			return nil, &exprFailure{stage: stageOptimize, tree: tree, err: err}
		}
	}
	prog, err := compiler.Compile(tree, cfg)
	if err != nil {
		return nil, &exprFailure{stage: stageCompile, tree: tree, err: err}
	}
	return prog, nil
}

// noNodeLimit returns cfg with expr's own node limit off: the size stage
// counts nodes instead.
func noNodeLimit(cfg *conf.Config) *conf.Config {
	cfg.MaxNodes = 0
	return cfg
}

type nodeCounter struct{ n int }

func (c *nodeCounter) Visit(*ast.Node) { c.n++ }

func countNodes(n ast.Node) int {
	c := &nodeCounter{}
	ast.Walk(&n, c)
	return c.n
}

// classify turns a compilation failure into a diagnostic's code, message
// and offset. src is the expression; cfg the configuration it was
// compiled with, whose functions and builtins are names the scope has.
func classify(src string, err error, sc *scope, cfg *conf.Config) *exprError {
	var f *exprFailure
	if !errors.As(err, &f) {
		return &exprError{code: diag.CodeExprSyntax, msg: lowerFirst(err.Error())}
	}
	var fe *file.Error
	msg, off := f.err.Error(), 0
	if errors.As(f.err, &fe) {
		msg, off = fe.Message, fe.From
	}
	switch f.stage {
	case stageParse:
		if ee := unclosed(src); ee != nil {
			return ee
		}
		return &exprError{code: diag.CodeExprSyntax, msg: lowerFirst(msg), offset: off}
	case stageSize:
		return &exprError{code: diag.CodeExprLimit, msg: fmt.Sprintf("expression is too complex (more than %d nodes)", maxExprNodes)}
	case stageCheck:
		if ee := undefinedAt(f.tree, off, sc, cfg); ee != nil {
			return ee
		}
		return &exprError{code: diag.CodeExprType, msg: lowerFirst(msg), offset: off}
	case stageOptimize:
		return &exprError{code: diag.CodeExprRuntime, msg: lowerFirst(msg), offset: off}
	}
	return &exprError{code: diag.CodeExprSyntax, msg: "expression cannot be compiled: " + lowerFirst(msg), offset: off}
}

// undefinedAt reports the name or field the checker stopped at, at
// offset, when the scope lacks it: an identifier that is neither a name
// of the scope nor a function, or a constant property of a value whose
// type has no such field. It returns nil when the failure is of another
// kind (a type mismatch, a wrong argument count, …).
func undefinedAt(tree *parser.Tree, offset int, sc *scope, cfg *conf.Config) *exprError {
	if tree == nil {
		return nil
	}
	var found *exprError
	visit := visitor(func(n ast.Node) {
		if found != nil {
			return
		}
		switch x := n.(type) {
		case *ast.IdentifierNode:
			if x.Location().From == offset && !known(x.Value, sc, cfg) {
				found = undefinedName(x.Value, offset, sc)
			}
		case *ast.MemberNode:
			prop, ok := x.Property.(*ast.StringNode)
			if ok && (x.Location().From == offset || prop.Location().From == offset) && lacksField(x.Node.Nature(), prop.Value) {
				found = &exprError{code: diag.CodeExprUndefined, msg: fmt.Sprintf("undefined field %q", prop.Value), offset: offset}
				if near := diag.Nearest(prop.Value, sc.fieldsNear(prop.Value)); near != "" {
					found.hint = fmt.Sprintf("did you mean %q?", near)
				}
			}
		}
	})
	node := tree.Node
	ast.Walk(&node, visit)
	return found
}

// undefinedName is the diagnostic of a name the scope lacks; a builtin
// lwf turns off gets its own.
func undefinedName(name string, offset int, sc *scope) *exprError {
	if contains(disabledBuiltins, name) && name != "now" {
		return &exprError{code: diag.CodeExprUndefined, msg: fmt.Sprintf("function %q is not available in lwf expressions", name),
			hint: "it could allocate without bound", offset: offset}
	}
	ee := &exprError{code: diag.CodeExprUndefined, msg: fmt.Sprintf("undefined name %q", name), offset: offset}
	if n := diag.Nearest(name, sc.names()); n != "" {
		ee.hint = fmt.Sprintf("did you mean %q?", n)
	} else {
		ee.hint = "known names: " + strings.Join(sc.names(), ", ")
	}
	return ee
}

// known reports whether an identifier names something: a name of the
// scope, a function or a builtin.
func known(name string, sc *scope, cfg *conf.Config) bool {
	if _, ok := sc.types[name]; ok {
		return true
	}
	return cfg.Functions[name] != nil || cfg.Builtins[name] != nil
}

// lacksField reports whether a value of the checked type t has no field
// name: a closed map without it, nil or a scalar. Lists, open maps and
// values of unknown type may have any field.
func lacksField(t *nature.Nature, name string) bool {
	if t == nil {
		return false
	}
	if t.Nil {
		return true
	}
	switch t.Kind {
	case reflect.Map:
		if t.TypeData == nil || !t.Strict {
			return false
		}
		_, has := t.Fields[name]
		return !has
	case reflect.Invalid, reflect.Interface, reflect.Slice, reflect.Array, reflect.Struct, reflect.Pointer:
		return false
	}
	return true
}

// unclosed reports a bracket the expression opens and never closes — the
// parser says only "unexpected token EOF" — at the place the closing one
// is missing: right after the last token.
func unclosed(src string) *exprError {
	toks, err := lexer.Lex(file.NewSource(src))
	if err != nil {
		return nil
	}
	type open struct {
		tok  lexer.Token
		call string // the name called, for "upper("
	}
	var stack []open
	end := 0
	for i, t := range toks {
		if t.Kind == lexer.EOF {
			break
		}
		end = t.To
		if t.Kind != lexer.Bracket {
			continue
		}
		switch t.Value {
		case "(", "[", "{":
			o := open{tok: t}
			if t.Value == "(" && i > 0 && toks[i-1].Kind == lexer.Identifier {
				o.call = toks[i-1].Value
			}
			stack = append(stack, o)
		default:
			if len(stack) == 0 || closer(stack[len(stack)-1].tok.Value) != t.Value {
				return nil // a stray or mismatched closer: the parser's message says which
			}
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) == 0 {
		return nil
	}
	o := stack[len(stack)-1]
	want := closer(o.tok.Value)
	ee := &exprError{code: diag.CodeExprSyntax, offset: end, msg: fmt.Sprintf("missing %q to close %q", want, o.call+o.tok.Value)}
	from := o.tok.From
	if o.call != "" {
		from -= len([]rune(o.call))
	}
	if r := []rune(src); from >= 0 && end <= len(r) && end-from <= 60 {
		ee.hint = fmt.Sprintf("did you mean %s%s?", string(r[from:end]), want)
	}
	return ee
}

func closer(open string) string {
	switch open {
	case "(":
		return ")"
	case "[":
		return "]"
	}
	return "}"
}

// visitor adapts a function to ast.Visitor.
type visitor func(ast.Node)

func (v visitor) Visit(n *ast.Node) { v(*n) }
