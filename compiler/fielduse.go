package compiler

import (
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// useKind says how an expression uses a field of a loop's item (a CSV
// column), from the weakest need to the strongest.
type useKind int

const (
	// useDefaulted: the left side of ??, which gives the default when
	// the field is missing or null.
	useDefaulted useKind = iota
	// useTested: the field is tested, not sent — compared (!= "",
	// == nil, …), measured with len, the condition of ?: or an operand
	// of and, or, not — and so an empty cell is a value the expression
	// handles.
	useTested
	// useValue: the field's value becomes (part of) the result.
	useValue
)

// fieldUses returns, per field of item that the expression src reads as
// item.FIELD or item["FIELD"], its strongest use. It returns nil when src
// does not parse (the compilation reports that).
func fieldUses(src, item string) map[string]useKind {
	tree, err := parser.Parse(src)
	if err != nil {
		return nil
	}
	out := map[string]useKind{}
	weaker := map[*ast.MemberNode]useKind{} // fields under a test or a ??
	mark := func(n ast.Node, k useKind) {
		if n == nil {
			return
		}
		ast.Walk(&n, visitor(func(x ast.Node) {
			if m, ok := x.(*ast.MemberNode); ok {
				if old, seen := weaker[m]; !seen || k < old {
					weaker[m] = k
				}
			}
		}))
	}
	var members []*ast.MemberNode
	node := tree.Node
	ast.Walk(&node, visitor(func(x ast.Node) {
		switch n := x.(type) {
		case *ast.MemberNode:
			members = append(members, n)
		case *ast.BinaryNode:
			switch n.Operator {
			case "??":
				mark(n.Left, useDefaulted)
			case "==", "!=", "<", ">", "<=", ">=", "and", "or", "&&", "||",
				"in", "not in", "contains", "startsWith", "endsWith", "matches":
				mark(n.Left, useTested)
				mark(n.Right, useTested)
			}
		case *ast.UnaryNode:
			if n.Operator == "!" || n.Operator == "not" {
				mark(n.Node, useTested)
			}
		case *ast.ConditionalNode:
			// The branches use a field the condition tests only as the
			// test allows: ${{ lead.company != "" ? "at " + lead.company : "" }}.
			mark(n.Cond, useTested)
			tested := map[string]bool{}
			each(n.Cond, item, func(_ *ast.MemberNode, f string) { tested[f] = true })
			for _, branch := range []ast.Node{n.Exp1, n.Exp2} {
				each(branch, item, func(m *ast.MemberNode, f string) {
					if tested[f] {
						mark(m, useTested)
					}
				})
			}
		case *ast.BuiltinNode:
			if n.Name == "len" {
				for _, a := range n.Arguments {
					mark(a, useTested)
				}
			}
		}
	}))
	for _, m := range members {
		f, ok := fieldOf(m, item)
		if !ok {
			continue
		}
		k, under := weaker[m]
		if !under {
			k = useValue
		}
		if old, seen := out[f]; !seen || k > old {
			out[f] = k
		}
	}
	return out
}

// fieldOf returns FIELD when m is item.FIELD or item["FIELD"].
func fieldOf(m *ast.MemberNode, item string) (string, bool) {
	id, ok := m.Node.(*ast.IdentifierNode)
	prop, isStr := m.Property.(*ast.StringNode)
	if !ok || !isStr || id.Value != item {
		return "", false
	}
	return prop.Value, true
}

// each calls fn for every field of item that n reads.
func each(n ast.Node, item string, fn func(*ast.MemberNode, string)) {
	if n == nil {
		return
	}
	ast.Walk(&n, visitor(func(x ast.Node) {
		if m, ok := x.(*ast.MemberNode); ok {
			if f, ok := fieldOf(m, item); ok {
				fn(m, f)
			}
		}
	}))
}
