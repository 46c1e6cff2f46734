package compiler

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/schemas"
)

// Values read from env may be secrets (a pull-request check runs with the
// repository's secrets in its environment), so no diagnostic may show
// one — nor anything computed from one: upper(env.X), a slice of it, a
// URL built around it. A value is tainted when its expression reads env,
// or a name whose value came from env (a var, a forEach item, an input
// given in with:). The compiler records every tainted scalar node and
// every tainted value's text, and:
//
//   - an expression that fails at run time on a tainted value says what
//     failed, not on what (expr's messages print their operands);
//   - a diagnostic about a tainted node shows *** for every quoted text
//     related to a tainted value and every tainted value's text;
//   - every diagnostic of the file has the longer tainted texts (4 bytes
//     and more) replaced by ***, wherever it is reported.

// taintRecord is what a compilation knows to be tainted. The compilations
// of one file (the file and the reusable workflows it inlines) share it.
type taintRecord struct {
	nodes  map[*dsl.Node]bool
	texts  map[string]bool
	n      int      // tainted values so far: a caller compares before and after
	sorted []string // texts, longest first; nil when texts changed
}

func newTaintRecord() *taintRecord {
	return &taintRecord{nodes: map[*dsl.Node]bool{}, texts: map[string]bool{}}
}

// mark records node n as holding a tainted value.
func (t *taintRecord) mark(n *dsl.Node) {
	t.nodes[n] = true
	t.n++
}

// addText records the text of a tainted value.
func (t *taintRecord) addText(s string) {
	if s == "" || t.texts[s] {
		return
	}
	t.texts[s] = true
	t.sorted = nil
}

// addValue records the texts a tainted value may be shown as.
func (t *taintRecord) addValue(v any) {
	switch x := v.(type) {
	case string:
		t.addText(x)
	case int:
		t.addText(strconv.Itoa(x))
	case int64:
		t.addText(strconv.FormatInt(x, 10))
		t.addValue(float64(x))
	case float64:
		t.addText(strconv.FormatFloat(x, 'f', -1, 64))
		t.addText(strconv.FormatFloat(x, 'g', -1, 64))
		t.addText(fmt.Sprint(x))
	case []any:
		for _, e := range x {
			t.addValue(e)
		}
	case map[string]any:
		for k, e := range x {
			t.addText(k)
			t.addValue(e)
		}
	case *object:
		for _, k := range x.Keys() {
			t.addText(k)
			t.addValue(x.Value(k))
		}
	case nil, bool, schemas.Unknown:
	default:
		t.addText(fmt.Sprint(x))
	}
}

func (t *taintRecord) longestFirst() []string {
	if t.sorted == nil {
		t.sorted = make([]string, 0, len(t.texts))
		for s := range t.texts {
			t.sorted = append(t.sorted, s)
		}
		sort.Slice(t.sorted, func(i, j int) bool {
			a, b := t.sorted[i], t.sorted[j]
			return len(a) > len(b) || len(a) == len(b) && a < b
		})
	}
	return t.sorted
}

// redact hides tainted values in d. atNode says d is about a tainted node:
// then short texts and related quoted texts go too.
func (t *taintRecord) redact(d diag.Diagnostic, atNode bool) diag.Diagnostic {
	if len(t.texts) == 0 {
		return d
	}
	// The name of the parameter the diagnostic is about is written in
	// the file, not read from env, even when a value from env has it too.
	own := d.Path[strings.LastIndexAny(d.Path, ".[")+1:]
	keep := func(s string) string {
		if own == "" || !isIdentText(own) {
			return t.scrub(s, atNode)
		}
		parts := strings.Split(s, own)
		for i, p := range parts {
			parts[i] = t.scrub(p, atNode)
		}
		return strings.Join(parts, own)
	}
	d.Message = keep(d.Message)
	d.Hint = keep(d.Hint)
	return d
}

func isIdentText(s string) bool { return lang.IsIdent(s) }

const redacted = "***"

// minFileWide is the shortest text hidden in every diagnostic; shorter
// ones ("5", "ab") are hidden only in diagnostics about a tainted node,
// where they cannot be mistaken for other words.
const minFileWide = 4

func (t *taintRecord) scrub(s string, atNode bool) string {
	if s == "" {
		return s
	}
	if atNode {
		s = t.scrubQuoted(s)
	}
	for _, x := range t.longestFirst() {
		if len(x) < minFileWide && !atNode {
			continue
		}
		for _, form := range escapedForms(x) {
			s = replaceText(s, form, len(form) < minFileWide)
		}
	}
	return s
}

// escapedForms are the ways a message may write x: as is, and escaped the
// way Go's %q and JSON escape it.
func escapedForms(x string) []string {
	forms := []string{x}
	if q := strconv.Quote(x); q[1:len(q)-1] != x {
		forms = append(forms, q[1:len(q)-1])
	}
	if j, err := json.Marshal(x); err == nil && string(j[1:len(j)-1]) != x {
		forms = append(forms, string(j[1:len(j)-1]))
	}
	return forms
}

// replaceText replaces x in s by ***; a short x only where it stands as a
// word of its own.
func replaceText(s, x string, wordOnly bool) string {
	if !strings.Contains(s, x) {
		return s
	}
	if !wordOnly {
		return strings.ReplaceAll(s, x, redacted)
	}
	var b strings.Builder
	for {
		i := strings.Index(s, x)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(x):])
		b.WriteString(s[:i])
		if i > 0 && isWordRune(before) || i+len(x) < len(s) && isWordRune(after) {
			b.WriteString(x)
		} else {
			b.WriteString(redacted)
		}
		s = s[i+len(x):]
	}
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.'
}

// scrubQuoted replaces the content of every quoted text in s ("…" or
// '…', closed or cut short by a truncation) that is related to a tainted
// text: equal to one, part of one, or holding one.
func (t *taintRecord) scrubQuoted(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if (c != '"' && c != '\'') || (c == '\'' && i > 0 && isWordRune(rune(s[i-1]))) {
			b.WriteByte(c)
			i++
			continue
		}
		end := i + 1
		for end < len(s) && s[end] != c {
			if s[end] == '\\' && c == '"' {
				end++
			}
			end++
		}
		closed := end < len(s)
		end = min(end, len(s))
		content := s[i+1 : end]
		if !closed {
			// A value cut short before its closing quote ("abc...): the
			// quoted text ends at the cut.
			if k := cutMarkAt(content); k >= 0 {
				content, end = content[:k], i+1+k
			}
		}
		b.WriteByte(c)
		if t.related(content) {
			b.WriteString(redacted)
		} else {
			b.WriteString(content)
		}
		if closed {
			b.WriteByte(c)
			end++
		}
		i = end
	}
	return b.String()
}

// cutMarkAt returns the offset of the first "..." or "…" in s, or -1.
func cutMarkAt(s string) int {
	k := strings.Index(s, "...")
	if j := strings.Index(s, "…"); j >= 0 && (k < 0 || j < k) {
		k = j
	}
	return k
}

// related reports whether the quoted text q shows a tainted text or a part
// of one (a message may cut a value short: "abc…" or "abc...").
func (t *taintRecord) related(q string) bool {
	q = strings.TrimSuffix(strings.TrimSuffix(q, "..."), "…")
	if u, err := strconv.Unquote(`"` + q + `"`); err == nil {
		q = u
	}
	if q == "" {
		return false
	}
	for _, x := range t.longestFirst() {
		if x == q || len(q) >= minFileWide && strings.Contains(x, q) || len(x) >= minFileWide && strings.Contains(q, x) {
			return true
		}
	}
	return false
}

// mentions reports whether expression text src names a tainted name; it
// stands in for the expression's references when it did not compile.
func mentions(src string, tainted map[string]bool) bool {
	for name := range tainted {
		if strings.Contains(src, name) {
			return true
		}
	}
	return false
}
