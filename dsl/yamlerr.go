package dsl

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/lwf-dev/lwf/diag"
)

// yamlErrorDiags turns a yaml.v3 error into diagnostics with the best
// position that can be recovered. yaml.v3 reports only a line, in one of
// three ways: scanner errors carry the 1-based line, parser errors the
// 0-based one (so they are shifted here), and errors on the first line, or
// raised outside the scanner, carry none.
func yamlErrorDiags(s *source, err error, maxDepth int) diag.List {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, text, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				line, msg = n, text
			}
		}
	}
	var out diag.List
	// A file nested deeper than the limit often fails in yaml.v3 too
	// (unclosed brackets, its own limit of 10000); say so at the place it
	// happens, which yaml.v3's error does not give.
	if off := depthScan(s.src, s.lines[0], maxDepth); off >= 0 {
		out = append(out, diag.New(s.name, s.pos(off), diag.CodeTooDeep,
			fmt.Sprintf("nesting is deeper than %d levels", maxDepth)))
	}
	switch {
	case strings.HasPrefix(msg, "exceeded max depth"):
		if len(out) == 0 {
			out = append(out, diag.New(s.name, diag.Pos{Line: max(line, 1), Column: 1}, diag.CodeTooDeep,
				fmt.Sprintf("nesting is deeper than %d levels", maxDepth)))
		}
		return out
	case msg == "control characters are not allowed":
		if off, r := firstDisallowed(s.src); off >= 0 {
			return append(out, diag.New(s.name, s.pos(off), diag.CodeEncoding,
				fmt.Sprintf("control character %U is not allowed in yaml", r)))
		}
	case strings.HasPrefix(msg, "unknown anchor '"):
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "unknown anchor '"), "' referenced")
		p := diag.Pos{Line: 1, Column: 1}
		if off := findAlias(s.src, name); off >= 0 {
			p = s.pos(off)
		}
		return append(out, diag.New(s.name, p, diag.CodeYAMLSyntax,
			fmt.Sprintf("unknown anchor %q referenced", name)))
	case isParserProblem(msg):
		line++
	}
	line = min(max(line, 1), len(s.lines))
	// yaml.v3 names a tab in the indentation "a character that cannot
	// start any token" or "a tab character that violates indentation",
	// on the line of the tab or the one before it: say what it is, at
	// the tab.
	for _, l := range []int{line, line + 1} {
		if off := indentTab(s, l); off >= 0 {
			return append(out, diag.New(s.name, s.pos(off), diag.CodeYAMLSyntax,
				"tabs are not allowed for indentation; use spaces"))
		}
	}
	return append(out, diag.New(s.name, diag.Pos{Line: line, Column: 1}, diag.CodeYAMLSyntax, lowerMessage(msg)))
}

// indentTab returns the offset of the first tab in the indentation of
// line (1-based) — the white space before its first other character —
// or -1.
func indentTab(s *source, line int) int {
	if line < 1 || line > len(s.lines) {
		return -1
	}
	for off := s.lines[line-1]; off < len(s.src); off++ {
		switch s.src[off] {
		case '\t':
			return off
		case ' ':
			continue
		}
		return -1
	}
	return -1
}

// isParserProblem reports whether msg is one of the problems yaml.v3's
// parser (rather than its scanner) reports; their line numbers are
// 0-based.
func isParserProblem(msg string) bool {
	switch msg {
	case "did not find expected ',' or ']'",
		"did not find expected ',' or '}'",
		"did not find expected '-' indicator",
		"did not find expected <document start>",
		"did not find expected <stream-start>",
		"did not find expected key",
		"did not find expected node content",
		"found duplicate %TAG directive",
		"found duplicate %YAML directive",
		"found incompatible YAML document",
		"found undefined tag handle":
		return true
	}
	return false
}

// findAlias returns the offset of the first use of alias *name, or -1.
func findAlias(src []byte, name string) int {
	pat := []byte("*" + name)
	for from := 0; ; {
		i := bytes.Index(src[from:], pat)
		if i < 0 {
			return -1
		}
		i += from
		end := i + len(pat)
		if end >= len(src) || !isAnchorChar(src[end]) {
			return i
		}
		from = i + 1
	}
}

// lowerMessage puts a yaml.v3 message in the lower case every lwf message
// uses ("found incompatible YAML document" → "... yaml document").
func lowerMessage(s string) string { return strings.ToLower(s) }
