package dsl

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/diag"
)

// find returns the value node at path (keys share their pair's path, so
// only values and items are searched).
func find(n *Node, path string) *Node {
	if n == nil {
		return nil
	}
	if n.Path == path {
		return n
	}
	for _, it := range n.Items {
		if f := find(it, path); f != nil {
			return f
		}
	}
	for _, p := range n.Pairs {
		if f := find(p.Value, path); f != nil {
			return f
		}
	}
	return nil
}

func TestPosAt(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		path   string
		offset int // into the decoded value; see the value column in comments
		want   string
	}{
		// Plain.
		{"plain", "k: hello ${{ x }}\n", "k", 6, "1:10"},
		{"plain, first char", "k: hello\n", "k", 0, "1:4"},
		{"plain, end", "k: hello\n", "k", 5, "1:9"},
		{"plain after é", "k: café ${{ x }}\n", "k", 6, "1:9"},
		{"plain after emoji", "k: 🎉 ${{ x }}\n", "k", 5, "1:6"},
		{"plain inside é", "k: é${{x}}\n", "k", 1, "1:4"},
		{"plain multi-line", "k: first line\n  second ${{ x }}\n", "k", 18, "2:10"},
		{"plain folded space is the break", "k: first line\n  second\n", "k", 10, "1:14"},
		{"plain blank line keeps a newline", "k: a\n\n  b\n", "k", 1, "2:1"},
		{"plain multi-line end", "k: a\n  bc\n", "k", 4, "2:5"},
		{"plain in flow", "k: [a, b c]\n", "k[1]", 2, "1:10"},
		{"plain with properties", "k: &a !!str b ${{ x }}\n", "k", 2, "1:15"},

		// Single-quoted.
		{"single", "k: 'it''s ${{ x }}'\n", "k", 5, "1:11"},
		{"single, escaped quote", "k: 'it''s'\n", "k", 2, "1:7"},
		{"single, char after escaped quote", "k: 'it''s'\n", "k", 3, "1:9"},
		{"single folded", "k: 'a\n  b ${{ x }}'\n", "k", 4, "2:5"},
		{"single, end is the closing quote", "k: 'ab'\n", "k", 2, "1:7"},
		{"single empty", "k: ''\n", "k", 0, "1:5"},
		{"single after multibyte", "k: 'ü''€ ${{x}}'\n", "k", 7, "1:10"},

		// Double-quoted.
		{"double, tab escape", `k: "tab\there \"q\" \u00e9 ${{ x }}"`, "k", 3, "1:8"},
		{"double, after escapes", `k: "tab\there \"q\" \u00e9 ${{ x }}"`, "k", 16, "1:28"},
		{"double, unicode escape", `k: "tab\there \"q\" \u00e9 ${{ x }}"`, "k", 13, "1:21"},
		{"double, quote escape", `k: "tab\there \"q\" \u00e9 ${{ x }}"`, "k", 9, "1:15"},
		{"double, 8-digit escape", `k: "\U0001F389${{x}}"`, "k", 4, "1:15"},
		{"double, escaped line break", "k: \"abc\\\n  def ${{ x }}\"\n", "k", 7, "2:7"},
		{"double, after escaped line break", "k: \"abc\\\n  def\"\n", "k", 3, "2:3"},
		{"double folded blank line", "k: \"a\n\n  b\"\n", "k", 1, "2:1"},
		{"double folded", "k: \"a\n\n  b\"\n", "k", 2, "3:3"},
		{"double, trailing spaces dropped", "k: \"a   \n  b\"\n", "k", 2, "2:3"},
		{"double, escaped space kept", "k: \"a\\ \n  b\"\n", "k", 1, "1:6"},

		// Literal.
		{"literal", "k: |\n  line one\n  ${{ x }} two\n", "k", 9, "3:3"},
		{"literal, newline is the break", "k: |\n  line one\n  ${{ x }} two\n", "k", 8, "2:11"},
		{"literal, end after final break", "k: |\n  line one\n  ${{ x }} two\n", "k", 22, "4:1"},
		{"literal keep, explicit indent", "k: |2+\n    indented\n  ${{ x }}\n\n", "k", 11, "3:3"},
		{"literal, indentation beyond the indent is content", "k: |2+\n    indented\n  ${{ x }}\n\n", "k", 0, "2:3"},
		{"literal keep, trailing blank line", "k: |2+\n    indented\n  ${{ x }}\n\n", "k", 20, "4:1"},
		{"literal strip", "k: |-\n  a\n  ${{ x }}\n", "k", 2, "3:3"},
		{"literal strip, end", "k: |-\n  a\n  ${{ x }}\n", "k", 10, "3:11"},
		{"literal indicator order", "k: |-2\n   a\n", "k", 0, "2:3"},
		{"literal in a sequence", "- |\n  x ${{ a }}\n", "[0]", 2, "2:5"},
		{"literal nested", "a:\n  b:\n    - c: |1\n        x\n", "a.b[0].c", 0, "4:8"},
		{"literal with comment on header", "k: | # note\n  é${{x}}\n", "k", 2, "2:4"},
		{"literal at top level", "--- |\n  top ${{x}}\n", "", 4, "2:7"},

		// Folded.
		{"folded", "k: >\n  one\n  two ${{ x }}\n\n  three\n", "k", 8, "3:7"},
		{"folded space is the break", "k: >\n  one\n  two ${{ x }}\n\n  three\n", "k", 3, "2:6"},
		{"folded blank line", "k: >\n  one\n  two ${{ x }}\n\n  three\n", "k", 16, "4:1"},
		{"folded more-indented line kept", "k: >\n  a\n    b\n  c\n", "k", 2, "3:3"},

		// Line endings.
		{"crlf plain", "k: first\r\n  ${{ x }}\r\nj: 'a\r\n  ${{ y }}'\r\n", "k", 6, "2:3"},
		{"crlf plain folded space", "k: first\r\n  ${{ x }}\r\n", "k", 5, "1:9"},
		{"crlf single", "k: first\r\n  ${{ x }}\r\nj: 'a\r\n  ${{ y }}'\r\n", "j", 2, "4:3"},
		{"crlf literal", "k: |\r\n  a\r\n  ${{ x }}\r\n", "k", 2, "3:3"},
		{"crlf literal end", "k: |\r\n  a\r\n  ${{ x }}\r\n", "k", 11, "4:1"},
		{"crlf double", "k: \"a\r\n  \\t${{x}}\"\r\n", "k", 3, "2:5"},
		{"bom", "\xef\xbb\xbfk: ab\n", "k", 1, "1:5"},
		{"line separator is kept", "k: a\u2028  b\n", "k", 4, "2:3"},
		{"line separator maps to itself", "k: a\u2028  b\n", "k", 1, "1:5"},

		// Clamping.
		{"negative offset", "k: abc\n", "k", -5, "1:4"},
		{"offset past the end", "k: abc\n", "k", 99, "1:7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, diags := Parse("t.yaml", []byte(tt.src), Options{})
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %v", diags)
			}
			n := find(f.Root, tt.path)
			if n == nil {
				t.Fatalf("no node at %q:\n%s", tt.path, dump(f.Root))
			}
			p := n.PosAt(tt.offset)
			if got := fmt.Sprintf("%d:%d", p.Line, p.Column); got != tt.want {
				t.Errorf("PosAt(%d) in %q = %s, want %s", tt.offset, n.Value, got, tt.want)
			}
		})
	}
}

func TestPosAtOnCollectionsAndHandBuiltNodes(t *testing.T) {
	f, _ := Parse("t.yaml", []byte("a:\n  - x\n"), Options{})
	seq := f.Root.Get("a")
	if got := seq.PosAt(3); got != seq.Pos {
		t.Errorf("collection: PosAt = %v, want Pos %v", got, seq.Pos)
	}
	n := &Node{Kind: ScalarNode, Value: "abc", Pos: diag.Pos{Line: 4, Column: 2}}
	if got := n.PosAt(2); got != n.Pos {
		t.Errorf("hand-built node: PosAt = %v, want Pos %v", got, n.Pos)
	}
	var nilNode *Node
	if got := nilNode.PosAt(1); got.IsValid() {
		t.Errorf("nil node: PosAt = %v", got)
	}
	// A node whose value no longer matches its source falls back to an
	// estimate instead of failing.
	x := f.Root.Get("a").Items[0]
	x.Value = "xyz"
	if got, want := x.PosAt(2), (diag.Pos{Line: 2, Column: 7}); got != want {
		t.Errorf("changed node: PosAt = %v, want %v", got, want)
	}
}

// posAtCorpus holds documents with every scalar style in awkward shapes;
// TestPosAtOracle checks every offset of every scalar in them.
var posAtCorpus = []string{
	"plain: a b  c\nmulti: one\n  two\n\n  three\nflow: [x y, 'q''r', \"s\\tt\"]\n",
	"d: \"a\\u00e9\\x41\\U0001F600 \\\"\\\\ end\"\ne: \"l1\\\n   l2\n\n   l3  \n   l4\"\n",
	"s: 'one\n\n  two''s   \n  three'\n",
	"lit: |\n  a\n\n   b\n  c\n\nlit2: |+2\n   x\n\n\nlit3: |-\n  y\n\n",
	"fold: >\n  a\n  b\n\n  c\n   d\n  e\n\nfold2: >-\n  x\n\n\n  y\n",
	"- |1\n  z\n- >\n é\n 🎉\n- &a !!str \"w\"\n- *a\n",
	"crlf: \"a\r\n  b\"\r\nlit: |\r\n  x\r\n  y\r\nplain: p\r\n  q\r\n",
	"\xef\xbb\xbfbom: é ü\nnel: a\u0085  b\nls: \"c\u2028 d\"\n",
	"k: &m\n  x: |2\n     indented\n  y: >\n   f\n   g\nk2:\n  <<: *m\n",
	"tabs: \"a\tb\"\nt2: a\tb\nt3: |\n  x\ty\n",
}

// TestPosAtOracle checks PosAt against the source for every offset of
// every scalar: the character at the returned position must be the decoded
// character itself, or what legitimately produced it (a backslash for an
// escape, the first quote of ”, a line break for a folded space or a
// newline).
func TestPosAtOracle(t *testing.T) {
	for i, src := range posAtCorpus {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			f, diags := Parse("t.yaml", []byte(src), Options{})
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %v", diags)
			}
			checkScalars(t, f)
		})
	}
}

// checkScalars runs the PosAt oracle over every scalar of f, and checks
// that the re-scan reproduces each value (so PosAt never fell back to an
// estimate).
func checkScalars(t *testing.T, f *File) {
	t.Helper()
	lines := splitLines(f.Src)
	var visit func(n *Node)
	visit = func(n *Node) {
		if n == nil {
			return
		}
		for _, it := range n.Items {
			visit(it)
		}
		for _, p := range n.Pairs {
			visit(p.Key)
			visit(p.Value)
		}
		if n.Kind != ScalarNode {
			return
		}
		if sc := n.rescan(-1); !sc.ok || sc.out != len(n.Value) {
			t.Errorf("%s: re-scan of %s %q does not reproduce it (got %q)", n.Path, n.Style, n.Value, n.Value[:min(sc.out, len(n.Value))])
			return
		}
		for off, r := range n.Value {
			p := n.PosAt(off)
			got, ok := runeAt(lines, p)
			if !ok || !plausible(n.Style, r, got) {
				t.Errorf("%s: %s %q: PosAt(%d) = %d:%d holds %q, value has %q", n.Path, n.Style, n.Value, off, p.Line, p.Column, got, r)
			}
		}
		end := n.PosAt(len(n.Value))
		if end.Line < 1 || end.Line > len(lines)+1 {
			t.Errorf("%s: PosAt(len) = %v, outside the file", n.Path, end)
		}
	}
	visit(f.Root)
}

// plausible reports whether source character got can have produced
// decoded character r in a scalar of the given style.
func plausible(style Style, r, got rune) bool {
	switch {
	case got == r:
		return true
	case got == '\n' || got == '\r' || got == 0x85 || got == 0x2028 || got == 0x2029 || got == lineEnd:
		return r == ' ' || r == '\n' || r == 0x2028 || r == 0x2029
	case style == DoubleQuoted && got == '\\':
		return true
	}
	return false
}

// lineEnd stands for the break at the end of a line in runeAt's answers
// (for the last line, which may have none).
const lineEnd = -2

// splitLines splits src into lines the way yaml.v3 counts them, each line
// without its break but followed by the break's first character, if any.
func splitLines(src []byte) [][]rune {
	s := strings.TrimPrefix(string(src), "\xef\xbb\xbf")
	var lines [][]rune
	var cur []rune
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch r {
		case '\r', '\n', 0x85, 0x2028, 0x2029:
			lines = append(lines, append(cur, r))
			cur = nil
			if r == '\r' && i+1 < len(rs) && rs[i+1] == '\n' {
				i++
			}
		default:
			cur = append(cur, r)
		}
	}
	return append(lines, cur)
}

// runeAt returns the character at p (lineEnd just past the last line's
// text), independently of the package's own position code.
func runeAt(lines [][]rune, p diag.Pos) (rune, bool) {
	if p.Line < 1 || p.Line > len(lines) || p.Column < 1 {
		return 0, false
	}
	l := lines[p.Line-1]
	switch {
	case p.Column <= len(l):
		return l[p.Column-1], true
	case p.Column == len(l)+1:
		return lineEnd, true
	}
	return 0, false
}

// TestPosAtIndex checks that large scalars, which PosAt answers from an
// index, get the same answers as re-scanning gives, and that the index
// makes many calls cheap.
func TestPosAtIndex(t *testing.T) {
	line := "é ${{ x }} 🎉 "
	long := strings.Repeat(line, 200) // > bigScalar bytes
	docs := []string{
		"k: " + long + "\n",
		"k: '" + long + "''\n  " + long + "'\n",
		"k: \"" + long + "\\t\\u00e9\\\n  " + long + "\"\n",
		"k: |\n" + strings.Repeat("  "+line+"\n", 300),
		"k: >-\n" + strings.Repeat("  "+line+"\n\n", 300),
		"k: |\r\n" + strings.Repeat("  "+line+"\r\n", 300),
	}
	for i, doc := range docs {
		f, diags := Parse("t.yaml", []byte(doc), Options{})
		if len(diags) > 0 {
			t.Fatalf("doc %d: %v", i, diags)
		}
		n := f.Root.Get("k")
		if n.big == nil {
			t.Fatalf("doc %d: %d-byte scalar has no index", i, len(n.Value))
		}
		for off := 0; off <= len(n.Value); off += 1 + off%13 {
			o := off
			for o > 0 && o < len(n.Value) && !utf8.RuneStart(n.Value[o]) {
				o--
			}
			if got, want := n.PosAt(off), n.posAtScan(o); got != want {
				t.Fatalf("doc %d: PosAt(%d) = %v from the index, %v by re-scanning", i, off, got, want)
			}
		}
		if got, want := n.PosAt(len(n.Value)), n.posAtScan(len(n.Value)); got != want {
			t.Fatalf("doc %d: PosAt(len) = %v from the index, %v by re-scanning", i, got, want)
		}
	}
}
