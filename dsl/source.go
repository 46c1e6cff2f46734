package dsl

import (
	"bytes"
	"sort"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/diag"
)

// source is the raw text of a file with an index of its lines, shared by
// every node read from it. Lines are split exactly where yaml.v3 splits
// them (LF, CR LF, lone CR, NEL, LS and PS), so that a byte offset and the
// line:col yaml.v3 reports always agree.
type source struct {
	name  string
	src   []byte
	lines []int // byte offset of the first character of each line; lines[0] is line 1
}

func newSource(name string, src []byte) *source {
	start := 0
	if bytes.HasPrefix(src, utf8BOM) {
		// yaml.v3 drops the BOM before counting columns.
		start = len(utf8BOM)
	}
	lines := make([]int, 1, bytes.Count(src, []byte{'\n'})+2)
	lines[0] = start
	if bytes.IndexByte(src, '\r') < 0 && bytes.IndexByte(src, 0xC2) < 0 && bytes.IndexByte(src, 0xE2) < 0 {
		// Only LF breaks: let IndexByte do the work.
		for i := start; ; {
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				break
			}
			i += j + 1
			lines = append(lines, i)
		}
	} else {
		for i := start; i < len(src); {
			if w := breakWidth(src, i); w > 0 {
				i += w
				lines = append(lines, i)
			} else {
				i++
			}
		}
	}
	return &source{name: name, src: src, lines: lines}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// breakWidth returns the length in bytes of the line break at src[i], or 0
// when there is none. CR LF counts as one break.
func breakWidth(src []byte, i int) int {
	if i >= len(src) {
		return 0
	}
	switch src[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(src) && src[i+1] == '\n' {
			return 2
		}
		return 1
	case 0xC2: // NEL
		if i+1 < len(src) && src[i+1] == 0x85 {
			return 2
		}
	case 0xE2: // LS, PS
		if i+2 < len(src) && src[i+1] == 0x80 && (src[i+2] == 0xA8 || src[i+2] == 0xA9) {
			return 3
		}
	}
	return 0
}

// isBlank reports whether src[i] is a space or a tab.
func isBlank(src []byte, i int) bool {
	return i < len(src) && (src[i] == ' ' || src[i] == '\t')
}

// isBlankz reports whether src[i] is a blank, a break or the end of input.
func isBlankz(src []byte, i int) bool {
	return i >= len(src) || src[i] == ' ' || src[i] == '\t' || breakWidth(src, i) > 0
}

// isBreakz reports whether src[i] is a break or the end of input.
func isBreakz(src []byte, i int) bool {
	return i >= len(src) || breakWidth(src, i) > 0
}

// at returns src[i], or 0 past the end, as yaml.v3's NUL-terminated buffer
// does; it keeps the scanners free of bounds checks that could panic.
func at(src []byte, i int) byte {
	if i < 0 || i >= len(src) {
		return 0
	}
	return src[i]
}

// charWidth returns the length of the character at src[i] (1 for a byte
// that does not start valid UTF-8, so that scanning always advances).
func charWidth(src []byte, i int) int {
	if i >= len(src) {
		return 1
	}
	if src[i] < utf8.RuneSelf {
		return 1
	}
	_, w := utf8.DecodeRune(src[i:])
	return w
}

// pos converts a byte offset to a line:col position, columns counting
// characters. Offsets outside the file are clamped.
func (s *source) pos(off int) diag.Pos {
	off = max(min(off, len(s.src)), s.lines[0])
	line := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off }) - 1
	start := s.lines[line]
	return diag.Pos{Line: line + 1, Column: 1 + runeCount(s.src[start:off])}
}

// offset converts a line:col position to a byte offset. Positions outside
// the file are clamped to it.
func (s *source) offset(p diag.Pos) int {
	if p.Line > len(s.lines) {
		return len(s.src)
	}
	line := max(p.Line, 1)
	off := s.lines[line-1]
	n := max(p.Column-1, 0)
	// Fast path: the characters before the column are ASCII.
	if end := off + n; end <= len(s.src) {
		ascii := true
		for _, c := range s.src[off:end] {
			if c >= utf8.RuneSelf {
				ascii = false
				break
			}
		}
		if ascii {
			return end
		}
	}
	for k := 0; k < n && off < len(s.src); k++ {
		off += charWidth(s.src, off)
	}
	return off
}

// runeCount counts characters, with a fast path for ASCII.
func runeCount(b []byte) int {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return utf8.RuneCount(b)
		}
	}
	return len(b)
}

// checkEncoding reports the first reason src is not UTF-8 text: a UTF-16 or
// UTF-32 byte order mark or layout, or an invalid byte. yaml.v3 would read
// UTF-16, but positions and PosAt are defined on UTF-8 bytes, and its own
// message for bad bytes carries no position.
func checkEncoding(name string, src []byte) (diag.Diagnostic, bool) {
	switch {
	case bytes.HasPrefix(src, []byte{0x00, 0x00, 0xFE, 0xFF}), bytes.HasPrefix(src, []byte{0xFF, 0xFE, 0x00, 0x00}):
		return encodingDiag(name, "file is utf-32 encoded; lwf reads utf-8 only"), true
	case bytes.HasPrefix(src, []byte{0xFE, 0xFF}), bytes.HasPrefix(src, []byte{0xFF, 0xFE}):
		return encodingDiag(name, "file is utf-16 encoded; lwf reads utf-8 only"), true
	case len(src) >= 2 && (src[0] == 0) != (src[1] == 0):
		// An ASCII character next to a NUL byte: UTF-16 without a BOM.
		return encodingDiag(name, "file looks utf-16 encoded; lwf reads utf-8 only"), true
	}
	if utf8.Valid(src) {
		return diag.Diagnostic{}, false
	}
	i := 0
	for i < len(src) {
		r, w := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && w == 1 {
			break
		}
		i += w
	}
	s := newSource(name, src[:i])
	p := s.pos(i)
	return diag.New(name, p, diag.CodeEncoding, "invalid utf-8 byte 0x"+hex2(src[i])+"; lwf reads utf-8 only"), true
}

func encodingDiag(name, msg string) diag.Diagnostic {
	return diag.New(name, diag.Pos{Line: 1, Column: 1}, diag.CodeEncoding, msg)
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&15]})
}

// yamlAllowed reports whether YAML allows character r in a stream, as
// yaml.v3's reader checks it.
func yamlAllowed(r rune) bool {
	switch {
	case r == 0x09, r == 0x0A, r == 0x0D:
	case r >= 0x20 && r <= 0x7E:
	case r == 0x85:
	case r >= 0xA0 && r <= 0xD7FF:
	case r >= 0xE000 && r <= 0xFFFD:
	case r >= 0x10000 && r <= 0x10FFFF:
	default:
		return false
	}
	return true
}

// firstDisallowed returns the offset of the first character YAML does not
// allow, or -1. It is only called after yaml.v3 has complained, to put a
// position on its complaint.
func firstDisallowed(src []byte) (int, rune) {
	for i := 0; i < len(src); {
		r, w := utf8.DecodeRune(src[i:])
		if !yamlAllowed(r) {
			return i, r
		}
		i += w
	}
	return -1, 0
}
