package dsl

import (
	"gopkg.in/yaml.v3"

	"github.com/lwf-dev/lwf/diag"
)

// End positions of collections. They are best effort: they only end the
// range a diagnostic highlights.

// collectionEnd sets the end of a collection: after its closing bracket
// for flow style, after its last entry (end) for block style.
func (w *walker) collectionEnd(n *Node, y *yaml.Node, end diag.Pos) {
	if y.Style&yaml.FlowStyle != 0 {
		close := byte(']')
		if n.Kind == MapNode {
			close = '}'
		}
		src := w.src.src
		off := w.src.offset(end)
		if end == n.Pos {
			off++ // past the opening bracket
		}
		for off < len(src) {
			if c := src[off]; c == ' ' || c == '\t' || c == ',' || c == ':' || c == '?' {
				off++
			} else if bw := breakWidth(src, off); bw > 0 {
				off += bw
			} else if c == '#' {
				for !isBreakz(src, off) {
					off++
				}
			} else {
				break
			}
		}
		if at(src, off) == close {
			end = w.src.pos(off + 1)
		}
	}
	n.End = end
}

// cutEnd is the end of a collection left out for being too deep: after
// its matching bracket, or for block style the start of its last leaf.
func (w *walker) cutEnd(n *Node, y *yaml.Node) diag.Pos {
	if y.Style&yaml.FlowStyle != 0 {
		if off := matchBracket(w.src.src, n.off); off >= 0 {
			return w.src.pos(off + 1)
		}
		return n.Pos
	}
	for k := 0; k <= maxDecodeDepth && len(y.Content) > 0; k++ {
		y = y.Content[len(y.Content)-1]
	}
	return yamlPos(y)
}

// matchBracket returns the offset of the bracket closing the flow
// collection that opens at src[off], or -1. Quoted scalars and comments
// are skipped; a quote inside a plain scalar ("it's") is not mistaken for
// one, because quoted scalars only start a token.
func matchBracket(src []byte, off int) int {
	depth := 0
	tokenStart := true
	for i := off; i < len(src); i++ {
		switch c := src[i]; {
		case c == '[' || c == '{':
			depth++
			tokenStart = true
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				return i
			}
			tokenStart = false
		case c == ',' || c == ':' || c == '?':
			tokenStart = true
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			// Blanks neither start nor end a token.
		case c == '#' && i > 0 && (src[i-1] == ' ' || src[i-1] == '\t' || src[i-1] == '\n'):
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case (c == '"' || c == '\'') && tokenStart:
			i, _ = skipQuoted(src, i, 0)
			i--
			tokenStart = false
		default:
			tokenStart = false
		}
	}
	return -1
}

// sourceEnd is where the text of child y ends: for an alias, after the
// alias itself (its expansion has the anchor's positions); otherwise the
// end of the node built from it.
func sourceEnd(y *yaml.Node, n *Node) diag.Pos {
	if y.Kind == yaml.AliasNode {
		return diag.Pos{Line: y.Line, Column: y.Column + 1 + len(y.Value)}
	}
	if n == nil {
		return yamlPos(y)
	}
	return n.End
}

// lastEnd is a rough end for the value of a << key, which has no node of
// its own in the AST: the end of its last alias, or its start.
func lastEnd(y *yaml.Node) diag.Pos {
	for y.Kind == yaml.SequenceNode && len(y.Content) > 0 {
		y = y.Content[len(y.Content)-1]
	}
	return sourceEnd(y, nil)
}

func later(a, b diag.Pos) diag.Pos {
	if a.Before(b) {
		return b
	}
	return a
}
