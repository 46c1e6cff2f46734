package dsl

import (
	"fmt"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/lwf-dev/lwf/diag"
)

// scalar fills in a scalar node: value, style, tag and end.
func (w *walker) scalar(n *Node, y *yaml.Node, indent int) {
	n.Kind = ScalarNode
	n.Value = y.Value
	switch {
	case y.Style&yaml.DoubleQuotedStyle != 0:
		n.Style = DoubleQuoted
	case y.Style&yaml.SingleQuotedStyle != 0:
		n.Style = SingleQuoted
	case y.Style&yaml.LiteralStyle != 0:
		n.Style = Literal
	case y.Style&yaml.FoldedStyle != 0:
		n.Style = Folded
	}
	n.indent = indent
	w.finishScalar(n)
	if len(n.Value) >= bigScalar {
		n.big = new(posIndex)
	}

	tag := y.Tag
	if y.Style&yaml.TaggedStyle == 0 && n.Style == Plain && (tag == tagInt || tag == tagFloat) {
		// yaml.v3 reads 017 as YAML 1.1's octal 15, and 08 as a float;
		// YAML 1.2 reads both as decimal integers, and so does lwf.
		if _, ok := parseInt(n.Value); ok && isDecimalInt(n.Value) {
			tag = tagInt
		}
	}
	switch tag {
	case tagStr:
	case tagNull, tagBool, tagInt, tagFloat:
		// yaml.v3 resolves untagged scalars itself, but takes an explicit
		// tag on trust: check that the value fits it.
		if y.Style&yaml.TaggedStyle != 0 {
			if _, err := scalarValue(tag, n.Value); err != nil {
				w.reportTag(n, y, err.Error())
				tag = tagStr
			}
		}
	case "!!timestamp", tagMerge:
		// Dates stay text, as in JSON; so does a stray "<<".
		tag = tagStr
	default:
		w.reportTag(n, y, fmt.Sprintf("unsupported tag %q on a scalar", tag))
		tag = tagStr
	}
	n.Tag = tag
}

// isDecimalInt reports whether v is written as a decimal integer: an
// optional sign, then digits (and _ separators).
func isDecimalInt(v string) bool {
	if v != "" && (v[0] == '-' || v[0] == '+') {
		v = v[1:]
	}
	if v == "" || v[0] == '_' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if (v[i] < '0' || v[i] > '9') && v[i] != '_' {
			return false
		}
	}
	return true
}

// finishScalar sets a scalar's End (and, for a block scalar, settles the
// indentation it is read with). A single-line scalar whose source text is
// its value is measured directly; anything else is re-scanned.
func (w *walker) finishScalar(n *Node) {
	src, v := w.src.src, n.Value
	switch n.Style {
	case Plain:
		if end := n.off + len(v); end <= len(src) && simpleText(v, 0) && string(src[n.off:end]) == v {
			n.End = diag.Pos{Line: n.Pos.Line, Column: n.Pos.Column + len(v)}
			return
		}
	case SingleQuoted, DoubleQuoted:
		q := byte('\'')
		if n.Style == DoubleQuoted {
			q = '"'
		}
		if end := n.off + 1 + len(v); end < len(src) && simpleText(v, q) && string(src[n.off+1:end]) == v && src[end] == q {
			n.End = diag.Pos{Line: n.Pos.Line, Column: n.Pos.Column + len(v) + 2}
			return
		}
	}
	if sc := n.rescanAll(); sc != nil {
		n.End = w.src.pos(sc.lastText)
	} else {
		n.End = n.Pos
	}
}

// simpleText reports whether v is printable ASCII that a scalar quoted
// with q (0 for plain) writes unchanged.
func simpleText(v string, q byte) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < 0x20 || c > 0x7E || c == q || (q == '"' && c == '\\') {
			return false
		}
	}
	return true
}

// rescan re-reads the scalar from the source, looking for the origin of
// decoded offset want (-1 for none).
func (n *Node) rescan(want int) *scanner {
	sc := newScanner(n.src.src, n.off, n.Pos.Column-1, n.Value, want)
	n.runScan(sc)
	return sc
}

// runScan runs the scanner for the node's style.
func (n *Node) runScan(sc *scanner) {
	switch n.Style {
	case Plain:
		sc.plain()
	case SingleQuoted:
		sc.quoted(true)
	case DoubleQuoted:
		sc.quoted(false)
	case Literal, Folded:
		sc.block(n.Style == Literal, n.indent)
	}
}

// rescanAll re-reads the whole scalar and returns the scan, or nil if it
// does not reproduce Value. For a block scalar whose enclosing indentation
// was not known for sure (an anchored or tagged parent collection moves the
// position yaml.v3 reports) every possible indentation is tried, and the
// one that reproduces Value is kept for PosAt.
func (n *Node) rescanAll() *scanner {
	full := func(sc *scanner) bool { return sc.ok && sc.out == len(n.Value) }
	if sc := n.rescan(-1); full(sc) {
		return sc
	}
	if n.Style != Literal && n.Style != Folded {
		return nil
	}
	guess := n.indent
	for n.indent = -1; n.indent < n.Pos.Column-1; n.indent++ {
		if n.indent == guess {
			continue
		}
		if sc := n.rescan(-1); full(sc) {
			return sc
		}
	}
	n.indent = guess
	return nil
}

// PosAt returns the file position of the character that produced byte
// offset of n.Value. The compiler finds ${{ }} expressions in decoded
// values; PosAt takes an offset found there back to the exact line and
// column in the file, through escapes, folded lines, block indentation and
// multi-byte characters. A character decoded from an escape sequence maps
// to its backslash, a space folded from a line break to the break, and
// len(Value) to just after the last character. Offsets are clamped, and an
// offset inside a multi-byte character counts as that character. For a
// collection, or a node not read by Parse, PosAt returns Pos.
func (n *Node) PosAt(offset int) diag.Pos {
	if n == nil {
		return diag.Pos{}
	}
	if n.Kind != ScalarNode || n.src == nil {
		return n.Pos
	}
	v := n.Value
	offset = min(max(offset, 0), len(v))
	for offset > 0 && offset < len(v) && !utf8.RuneStart(v[offset]) {
		offset--
	}
	if n.big != nil {
		if x := n.index(); x.ok {
			if offset < len(v) {
				return x.pos[offset].pos()
			}
			return x.end.pos()
		}
	}
	return n.posAtScan(offset)
}

// posAtScan is PosAt by re-scanning, for an offset already clamped to the
// start of a character.
func (n *Node) posAtScan(offset int) diag.Pos {
	if offset < len(n.Value) {
		if sc := n.rescan(offset); sc.ok && sc.hit {
			return n.src.pos(sc.hitS)
		}
	} else if sc := n.rescan(-1); sc.ok && sc.out == len(n.Value) {
		return n.src.pos(sc.lastAny)
	}
	return n.approxPos(offset)
}

// approxPos is PosAt's answer when the re-scan fails, which only happens
// for a node whose fields were changed after Parse: the position as if the
// value were written on one line.
func (n *Node) approxPos(offset int) diag.Pos {
	p := n.Pos
	switch n.Style {
	case SingleQuoted, DoubleQuoted:
		p.Column++
	case Literal, Folded:
		p.Line++
		p.Column = 1 + max(n.indent, 0)
	}
	p.Column += utf8.RuneCountInString(n.Value[:offset])
	return p
}
