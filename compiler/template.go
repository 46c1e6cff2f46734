package compiler

import "strings"

// segment is one ${{ … }} in a string: byte offsets into the string.
type segment struct {
	start, end int // the whole "${{ … }}"
	inner      int // where the expression text starts
	innerEnd   int // where it ends (just before "}}")
}

// findSegments returns the expressions of s in order. An opening "${{"
// without its closing "}}" is returned as a segment with end == -1.
// A "}}" inside a quoted string of the expression does not close it.
func findSegments(s string) []segment {
	var segs []segment
	i := 0
	for {
		j := strings.Index(s[i:], "${{")
		if j < 0 {
			return segs
		}
		start := i + j
		inner := start + 3
		end := closeOf(s, inner)
		if end < 0 {
			return append(segs, segment{start: start, end: -1, inner: inner, innerEnd: len(s)})
		}
		segs = append(segs, segment{start: start, end: end + 2, inner: inner, innerEnd: end})
		i = end + 2
	}
}

// closeOf finds the "}}" that closes an expression starting at from,
// skipping string literals ('…', "…", `…`).
func closeOf(s string, from int) int {
	var quote byte
	for k := from; k < len(s); k++ {
		c := s[k]
		switch {
		case quote != 0:
			if c == '\\' && quote != '`' {
				k++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'' || c == '`':
			quote = c
		case c == '}' && k+1 < len(s) && s[k+1] == '}':
			return k
		}
	}
	return -1
}

// wholeExpr reports whether s is exactly one expression, give or take
// surrounding spaces, so that the value keeps the expression's type.
func wholeExpr(s string, segs []segment) bool {
	if len(segs) != 1 || segs[0].end < 0 {
		return false
	}
	return strings.TrimSpace(s[:segs[0].start]) == "" && strings.TrimSpace(s[segs[0].end:]) == ""
}
