package dsl

// The scanners below re-read one scalar from the raw source the way
// yaml.v3's scanner reads it (scannerc.go: scan_plain_scalar,
// scan_flow_scalar, scan_block_scalar), and record for each decoded byte
// the source bytes that produced it. Each decoded byte is compared with the
// node's Value as it is produced, so a scan that drifts from what yaml.v3
// decoded is detected (ok turns false) instead of returning a wrong
// position.

// brk is a line break in the source: its offset and its length in bytes.
type brk struct{ off, w int }

// scanner holds the state of one re-scan.
type scanner struct {
	src   []byte
	i     int    // current byte offset
	col   int    // current column, 0-based, in characters
	value string // what yaml.v3 decoded
	out   int    // number of decoded bytes produced so far
	ok    bool   // everything produced so far matches value

	want       int  // decoded offset whose origin is wanted; -1 for none
	hit        bool // the origin of want has been found
	hitS, hitE int  // source extent of the character that produced value[want]

	lastAny  int // source offset just after whatever produced the last decoded byte
	lastText int // source offset just after the last character of the scalar proper

	trail []brk

	record []int // when not nil, the source start of every decoded byte
}

func newScanner(src []byte, off, col int, value string, want int) *scanner {
	return &scanner{src: src, i: off, col: col, value: value, ok: true, want: want, lastAny: off, lastText: off}
}

// done reports whether the scan can stop early: the value is complete or
// the wanted origin has been found.
func (sc *scanner) done() bool {
	return !sc.ok || sc.out >= len(sc.value) || sc.hit
}

// emit records that decoded bytes b came from src[s:e].
func (sc *scanner) emit(b string, s, e int) {
	if !sc.ok {
		return
	}
	n := len(b)
	if sc.out+n > len(sc.value) || sc.value[sc.out:sc.out+n] != b {
		sc.ok = false
		return
	}
	if !sc.hit && sc.want >= sc.out && sc.want < sc.out+n {
		sc.hit, sc.hitS, sc.hitE = true, s, e
	}
	if sc.record != nil {
		for k := 0; k < n; k++ {
			sc.record = append(sc.record, s)
		}
	}
	sc.out += n
	sc.lastAny = e
}

// emitSrc records a character copied verbatim from src[s:e].
func (sc *scanner) emitSrc(s, e int) {
	sc.emit(string(sc.src[s:e]), s, e)
	sc.lastText = e
}

// emitBreak records the decoded form of a line break.
func (sc *scanner) emitBreak(b brk) {
	if b.w == 3 { // LS and PS are kept as they are
		sc.emit(string(sc.src[b.off:b.off+3]), b.off, b.off+3)
		return
	}
	sc.emit("\n", b.off, b.off+b.w)
}

// isLF reports whether a break decodes to "\n" (and so may be folded).
func (b brk) isLF() bool { return b.w > 0 && b.w < 3 }

// advance moves over one character.
func (sc *scanner) advance() {
	sc.i += charWidth(sc.src, sc.i)
	sc.col++
}

// readBreak moves over the line break at the current offset.
func (sc *scanner) readBreak() brk {
	b := brk{sc.i, breakWidth(sc.src, sc.i)}
	sc.i += b.w
	sc.col = 0
	return b
}

// fold emits what a run of line breaks inside a flow or plain scalar
// decodes to: a single break folds to a space, further ones stay.
func (sc *scanner) fold(lead brk) {
	if lead.isLF() {
		if len(sc.trail) == 0 {
			sc.emit(" ", lead.off, lead.off+lead.w)
		}
		for _, t := range sc.trail {
			sc.emitBreak(t)
		}
	} else {
		if lead.w > 0 {
			sc.emitBreak(lead)
		}
		for _, t := range sc.trail {
			sc.emitBreak(t)
		}
	}
	sc.trail = sc.trail[:0]
}

// plain re-scans a plain scalar. Where a plain scalar ends depends on
// context yaml.v3 had (flow level, indentation); the decoded value already
// says how long it is, so the scan simply stops when the value is complete.
func (sc *scanner) plain() {
	var ws []int
	var lead brk
	leadingBlanks := false
	for !sc.done() {
		if sc.i >= len(sc.src) || sc.src[sc.i] == '#' {
			sc.ok = false
			return
		}
		for !isBlankz(sc.src, sc.i) && !sc.done() {
			if leadingBlanks {
				sc.fold(lead)
				leadingBlanks = false
			} else {
				for _, w := range ws {
					sc.emitSrc(w, w+1)
				}
			}
			ws = ws[:0]
			s := sc.i
			sc.advance()
			sc.emitSrc(s, sc.i)
		}
		if sc.done() {
			return
		}
		if !isBlank(sc.src, sc.i) && breakWidth(sc.src, sc.i) == 0 {
			sc.ok = false
			return
		}
		for isBlank(sc.src, sc.i) || breakWidth(sc.src, sc.i) > 0 {
			if isBlank(sc.src, sc.i) {
				if !leadingBlanks {
					ws = append(ws, sc.i)
				}
				sc.advance()
			} else if !leadingBlanks {
				ws = ws[:0]
				lead = sc.readBreak()
				leadingBlanks = true
			} else {
				sc.trail = append(sc.trail, sc.readBreak())
			}
		}
	}
}

// quoted re-scans a single- or double-quoted scalar, starting at its
// opening quote, to its closing quote.
func (sc *scanner) quoted(single bool) {
	quote := byte('"')
	if single {
		quote = '\''
	}
	sc.advance() // the opening quote
	sc.lastText, sc.lastAny = sc.i, sc.i
	var ws []int
	for sc.ok {
		if sc.i >= len(sc.src) {
			sc.ok = false
			return
		}
		leadingBlanks := false
		var lead brk
	run:
		for !isBlankz(sc.src, sc.i) && sc.ok {
			c := sc.src[sc.i]
			switch {
			case single && c == '\'' && at(sc.src, sc.i+1) == '\'':
				s := sc.i
				sc.advance()
				sc.advance()
				sc.emit("'", s, sc.i)
				sc.lastText = sc.i
			case c == quote:
				break run
			case !single && c == '\\' && breakWidth(sc.src, sc.i+1) > 0:
				// An escaped line break joins the lines without a space.
				sc.advance()
				sc.readBreak()
				leadingBlanks = true
				break run
			case !single && c == '\\':
				s := sc.i
				dec, ok := sc.escape()
				if !ok {
					sc.ok = false
					return
				}
				sc.emit(dec, s, sc.i)
				sc.lastText = sc.i
			default:
				s := sc.i
				sc.advance()
				sc.emitSrc(s, sc.i)
			}
		}
		if sc.i >= len(sc.src) {
			sc.ok = false
			return
		}
		if sc.src[sc.i] == quote {
			break
		}
		for isBlank(sc.src, sc.i) || breakWidth(sc.src, sc.i) > 0 {
			if isBlank(sc.src, sc.i) {
				if !leadingBlanks {
					ws = append(ws, sc.i)
				}
				sc.advance()
			} else if !leadingBlanks {
				ws = ws[:0]
				lead = sc.readBreak()
				leadingBlanks = true
			} else {
				sc.trail = append(sc.trail, sc.readBreak())
			}
		}
		if leadingBlanks {
			sc.fold(lead)
		} else {
			for _, w := range ws {
				sc.emitSrc(w, w+1)
			}
		}
		ws = ws[:0]
	}
	if sc.ok {
		sc.advance() // the closing quote
		sc.lastText = sc.i
	}
}

// escape decodes the escape sequence at the current backslash and moves
// past it.
func (sc *scanner) escape() (string, bool) {
	var dec string
	codeLen := 0
	switch at(sc.src, sc.i+1) {
	case '0':
		dec = "\x00"
	case 'a':
		dec = "\x07"
	case 'b':
		dec = "\x08"
	case 't', '\t':
		dec = "\t"
	case 'n':
		dec = "\n"
	case 'v':
		dec = "\x0b"
	case 'f':
		dec = "\x0c"
	case 'r':
		dec = "\r"
	case 'e':
		dec = "\x1b"
	case ' ':
		dec = " "
	case '"':
		dec = "\""
	case '\'':
		dec = "'"
	case '\\':
		dec = "\\"
	case 'N':
		dec = "\u0085"
	case '_':
		dec = "\u00a0"
	case 'L':
		dec = "\u2028"
	case 'P':
		dec = "\u2029"
	case 'x':
		codeLen = 2
	case 'u':
		codeLen = 4
	case 'U':
		codeLen = 8
	default:
		return "", false
	}
	sc.advance()
	sc.advance()
	if codeLen == 0 {
		return dec, true
	}
	v := 0
	for k := 0; k < codeLen; k++ {
		d, ok := hexDigit(at(sc.src, sc.i))
		if !ok {
			return "", false
		}
		v = v<<4 + d
		sc.advance()
	}
	if (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF {
		return "", false
	}
	// yaml.v3 writes the code point as UTF-8 by hand, which for every value
	// it accepts equals Go's encoding.
	return string(rune(v)), true
}

func hexDigit(c byte) (int, bool) {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0'), true
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10, true
	}
	return 0, false
}

// block re-scans a literal or folded block scalar, starting at its | or >
// indicator. parent is the indentation of the enclosing block collection
// (yaml.v3's parser.indent), which an explicit indentation indicator is
// relative to.
func (sc *scanner) block(literal bool, parent int) {
	sc.advance() // the indicator
	chomping, increment := 0, 0
	for k := 0; k < 2; k++ {
		switch c := at(sc.src, sc.i); {
		case (c == '+' || c == '-') && chomping == 0:
			chomping = 1
			if c == '-' {
				chomping = -1
			}
			sc.advance()
		case c >= '1' && c <= '9' && increment == 0:
			increment = int(c - '0')
			sc.advance()
		}
	}
	sc.lastText = sc.i
	for isBlank(sc.src, sc.i) {
		sc.advance()
	}
	if at(sc.src, sc.i) == '#' {
		for !isBreakz(sc.src, sc.i) {
			sc.advance()
		}
	}
	if !isBreakz(sc.src, sc.i) {
		sc.ok = false
		return
	}
	if breakWidth(sc.src, sc.i) > 0 {
		sc.readBreak()
	}
	sc.lastAny = sc.i
	indent := 0
	if increment > 0 {
		if parent >= 0 {
			indent = parent + increment
		} else {
			indent = increment
		}
	}
	indent = sc.blockBreaks(indent, parent)
	var lead brk
	leadingBlank := false
	for sc.ok && sc.col == indent && sc.i < len(sc.src) && !sc.hit {
		trailingBlank := isBlank(sc.src, sc.i)
		if !literal && !leadingBlank && !trailingBlank && lead.isLF() {
			if len(sc.trail) == 0 {
				sc.emit(" ", lead.off, lead.off+lead.w)
			}
		} else if lead.w > 0 {
			sc.emitBreak(lead)
		}
		lead = brk{}
		for _, t := range sc.trail {
			sc.emitBreak(t)
		}
		sc.trail = sc.trail[:0]
		leadingBlank = isBlank(sc.src, sc.i)
		for !isBreakz(sc.src, sc.i) && sc.ok {
			s := sc.i
			sc.advance()
			sc.emitSrc(s, sc.i)
		}
		if breakWidth(sc.src, sc.i) > 0 {
			lead = sc.readBreak()
		}
		indent = sc.blockBreaks(indent, parent)
	}
	if sc.hit {
		return
	}
	if chomping != -1 && lead.w > 0 {
		sc.emitBreak(lead)
	}
	if chomping == 1 {
		for _, t := range sc.trail {
			sc.emitBreak(t)
		}
	}
}

// blockBreaks moves over indentation and empty lines inside a block scalar,
// collecting the breaks in sc.trail, and settles the indentation when it
// was not given.
func (sc *scanner) blockBreaks(indent, parent int) int {
	maxIndent := 0
	for {
		for (indent == 0 || sc.col < indent) && at(sc.src, sc.i) == ' ' {
			sc.advance()
		}
		maxIndent = max(maxIndent, sc.col)
		if (indent == 0 || sc.col < indent) && at(sc.src, sc.i) == '\t' {
			sc.ok = false
			return indent
		}
		if breakWidth(sc.src, sc.i) == 0 {
			break
		}
		sc.trail = append(sc.trail, sc.readBreak())
	}
	if indent == 0 {
		indent = max(maxIndent, parent+1, 1)
	}
	return indent
}
