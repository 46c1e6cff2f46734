package dsl

import (
	"fmt"
	"strings"
)

// dump renders an AST one node per line, for whole-value comparisons:
// kind, start-end, tag, style and value of scalars, and path. Mapping keys
// are marked "?" and their values ":".
func dump(n *Node) string {
	var b strings.Builder
	var walk func(n *Node, ind, mark string)
	walk = func(n *Node, ind, mark string) {
		if n == nil {
			b.WriteString(ind + mark + "<nil>\n")
			return
		}
		fmt.Fprintf(&b, "%s%s%s %d:%d-%d:%d %s", ind, mark, n.Kind, n.Pos.Line, n.Pos.Column, n.End.Line, n.End.Column, n.Tag)
		if n.Kind == ScalarNode {
			fmt.Fprintf(&b, " %s %q", n.Style, n.Value)
		}
		fmt.Fprintf(&b, " @%s\n", n.Path)
		for _, it := range n.Items {
			walk(it, ind+"  ", "")
		}
		for _, p := range n.Pairs {
			walk(p.Key, ind+"  ", "? ")
			walk(p.Value, ind+"  ", ": ")
		}
	}
	walk(n, "", "")
	return b.String()
}
