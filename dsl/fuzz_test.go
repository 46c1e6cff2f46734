package dsl

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/diag"
)

// fuzzOptions keeps each fuzz input cheap while still exercising every
// limit.
var fuzzOptions = Options{MaxBytes: 64 << 10, MaxDepth: 16, MaxNodes: 5000, MaxExpandedBytes: 128 << 10}

// FuzzParse checks that Parse never panics or hangs, that every diagnostic
// points into the file (or, for too-large, at the whole file), and that
// the AST it returns is well formed. The starting inputs are in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range posAtCorpus {
		f.Add([]byte(s))
	}
	// Aliases of long text: the budget of bytes after expansion.
	long := strings.Repeat("x", 4000)
	f.Add([]byte("a: &a " + long + "\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"))
	f.Add([]byte("a: &a {" + long[:64] + ": " + long + "}\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"))
	f.Add([]byte("a: &a [" + long[:500] + ", " + long[:500] + "]\nb: {<<: {x: *a}, y: [*a, *a, *a]}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, diags := Parse("f.yaml", src, fuzzOptions)
		if file == nil {
			t.Fatal("Parse returned no file")
		}
		lines := strings.Count(string(src), "\n") + strings.Count(string(src), "\r") +
			strings.Count(string(src), "\u0085") + strings.Count(string(src), "\u2028") + strings.Count(string(src), "\u2029") + 1
		for _, d := range diags {
			checkDiag(t, d, lines)
		}
		nodes, text := 0, 0
		var visit func(n *Node, depth int)
		visit = func(n *Node, depth int) {
			nodes++
			text += len(n.Value)
			if n.Pos.Line < 1 || n.Pos.Column < 1 || n.Pos.Line > lines {
				t.Fatalf("%s: bad position %v", n.Path, n.Pos)
			}
			if n.End.Before(n.Pos) && n.Kind == ScalarNode {
				t.Fatalf("%s: end %v before start %v", n.Path, n.End, n.Pos)
			}
			if depth > fuzzOptions.MaxDepth && n.Kind != ScalarNode && (len(n.Items) > 0 || len(n.Pairs) > 0) {
				t.Fatalf("%s: collection at depth %d has content", n.Path, depth)
			}
			if n.Kind == ScalarNode {
				n.PosAt(0)
				n.PosAt(len(n.Value) / 2)
				n.PosAt(len(n.Value))
				if _, err := scalarValue(n.Tag, n.Value); err != nil {
					t.Fatalf("%s: tag and value disagree: %v", n.Path, err)
				}
			}
			for _, it := range n.Items {
				visit(it, depth+1)
			}
			for _, p := range n.Pairs {
				if p.Key.Kind != ScalarNode || p.Key.Tag != tagStr {
					t.Fatalf("%s: key is a %s %s", n.Path, p.Key.Kind, p.Key.Tag)
				}
				nodes++
				text += len(p.Key.Value)
				visit(p.Value, depth+1)
			}
		}
		if file.Root != nil {
			visit(file.Root, 1)
			if _, err := file.Root.Decode(); err != nil {
				t.Fatalf("Decode: %v", err)
			}
		}
		if nodes > fuzzOptions.MaxNodes {
			t.Fatalf("%d nodes, over the budget of %d", nodes, fuzzOptions.MaxNodes)
		}
		if text > fuzzOptions.MaxExpandedBytes {
			t.Fatalf("%d bytes of text, over the budget of %d", text, fuzzOptions.MaxExpandedBytes)
		}
	})
}

// checkDiag checks that a diagnostic points into a file of the given
// number of lines, or is a whole-file one.
func checkDiag(t *testing.T, d diag.Diagnostic, lines int) {
	t.Helper()
	if d.Line == 0 {
		if d.Column != 0 || d.Code != diag.CodeTooLarge {
			t.Fatalf("diagnostic without a line: %v", d)
		}
		return
	}
	if d.Line < 1 || d.Column < 1 || d.Line > lines {
		t.Fatalf("diagnostic outside the file (%d lines): %v", lines, d)
	}
	if d.Message == "" || d.Message != strings.ToLower(d.Message) && d.Code != diag.CodeDuplicateKey &&
		d.Code != diag.CodeYAMLSyntax && d.Code != diag.CodeEncoding && d.Code != diag.CodeAliasBudget {
		t.Fatalf("message not lower-case: %v", d)
	}
}

// FuzzPosAt checks PosAt on scalars of every style built from random text:
// it must never panic, the re-scan must reproduce the value yaml.v3
// decoded, and every character must map to the source character that
// produced it (see plausible). The starting inputs are in
// testdata/fuzz/FuzzPosAt.
func FuzzPosAt(f *testing.F) {
	f.Add("hello ${{ x }}", byte(0))
	f.Add("it's ${{ inputs.note }}", byte(1))
	f.Add("tab\there é 🎉 \"q\"", byte(2))
	f.Add("line one\n\nline ${{ two }}\n", byte(3))
	f.Add("a\n  b\nc", byte(4))
	f.Add("k: [a, 'b', \"c\\n\"]\n", byte(5))
	f.Fuzz(func(t *testing.T, text string, style byte) {
		if !utf8.ValidString(text) || len(text) > 1024 {
			return
		}
		src := scalarDocument(text, style)
		file, diags := Parse("f.yaml", []byte(src), fuzzOptions)
		if len(diags) > 0 {
			return // not valid YAML: nothing to position
		}
		checkScalars(t, file)
	})
}

// scalarDocument writes text as the value of key k in the style chosen by
// style (or, for the last choice, uses text as a whole document).
func scalarDocument(text string, style byte) string {
	crlf := style&0x80 != 0
	var doc string
	switch style & 0x7f % 7 {
	case 0:
		doc = "k: " + text + "\n"
	case 1:
		doc = "k: '" + strings.ReplaceAll(text, "'", "''") + "'\n"
	case 2:
		doc = "k: \"" + escapeDouble(text, style) + "\"\n"
	case 3:
		doc = "k: |" + chomp(style) + "\n" + indentLines(text, "  ")
	case 4:
		doc = "k: >" + chomp(style) + "\n" + indentLines(text, "  ")
	case 5:
		doc = "- [" + text + "]\n- {k: " + text + "}\n"
	default:
		doc = text
	}
	if crlf {
		doc = strings.ReplaceAll(doc, "\n", "\r\n")
	}
	return doc
}

func chomp(style byte) string {
	return [...]string{"", "-", "+", "2", "-1", "+3"}[int(style>>3)%6]
}

func indentLines(text, ind string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		b.WriteString(ind + l + "\n")
	}
	return b.String()
}

// escapeDouble escapes text for a double-quoted scalar, choosing between
// equivalent escapes by style so that the fuzzer meets them all.
func escapeDouble(text string, style byte) string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r == '\n' && style&0x10 != 0:
			b.WriteString("\\\n  ") // an escaped line break: nothing
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t' && style&0x20 != 0:
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfeff:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0x7f && style&0x40 != 0:
			if r > 0xffff {
				fmt.Fprintf(&b, `\U%08x`, r)
			} else {
				fmt.Fprintf(&b, `\u%04X`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
