package dsl

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// diagText parses src and renders its diagnostics one a line: the plain
// text form, then the path when there is one, so that tests compare whole
// values.
func diagText(src []byte, opts Options) string {
	_, diags := Parse("t.yaml", src, opts)
	var b strings.Builder
	for _, d := range diags {
		b.WriteString(d.String())
		if d.Path != "" {
			b.WriteString(" @" + d.Path)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func billionLaughs() string {
	var b strings.Builder
	b.WriteString(`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]` + "\n")
	for c := 'b'; c <= 'i'; c++ {
		fmt.Fprintf(&b, "%c: &%c [", c, c)
		for k := 0; k < 9; k++ {
			if k > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "*%c", c-1)
		}
		b.WriteString("]\n")
	}
	return b.String()
}

func TestHostile(t *testing.T) {
	tests := []struct {
		name string
		src  string
		opts Options
		want string
	}{
		// Size and encoding, checked before yaml.v3 sees the file.
		{"too large", "a: 12345678\n", Options{MaxBytes: 11},
			"t.yaml: file is 12 bytes, more than the limit of 11 [too-large]\n"},
		{"at the size limit", "a: 1234567\n", Options{MaxBytes: 11}, ""},
		{"invalid utf-8", "a: é\nb: éx\xffy\n", Options{},
			"t.yaml:2:6: invalid utf-8 byte 0xff; lwf reads utf-8 only [encoding]\n"},
		{"invalid utf-8 after crlf", "a: 1\r\n\r\nb: \xc3\x28\n", Options{},
			"t.yaml:3:4: invalid utf-8 byte 0xc3; lwf reads utf-8 only [encoding]\n"},
		{"utf-8 bom accepted", "\xef\xbb\xbfa: 1\n", Options{}, ""},
		{"utf-16le bom", "\xff\xfea\x00:\x00 \x001\x00", Options{},
			"t.yaml:1:1: file is utf-16 encoded; lwf reads utf-8 only [encoding]\n"},
		{"utf-16be bom", "\xfe\xff\x00a\x00:", Options{},
			"t.yaml:1:1: file is utf-16 encoded; lwf reads utf-8 only [encoding]\n"},
		{"utf-16 without bom", "a\x00:\x00 \x001\x00", Options{},
			"t.yaml:1:1: file looks utf-16 encoded; lwf reads utf-8 only [encoding]\n"},
		{"utf-32 bom", "\xff\xfe\x00\x00a\x00\x00\x00", Options{},
			"t.yaml:1:1: file is utf-32 encoded; lwf reads utf-8 only [encoding]\n"},
		{"control character", "a: 1\nb: x\x01y\n", Options{},
			"t.yaml:2:5: control character U+0001 is not allowed in yaml [encoding]\n"},

		// yaml.v3 syntax errors, with its line numbers corrected.
		{"scanner error on line 1", "a: b: c\n", Options{},
			"t.yaml:1:1: mapping values are not allowed in this context [yaml-syntax]\n"},
		{"scanner error later", "a:\n  b: @c\n", Options{},
			"t.yaml:2:1: found character that cannot start any token [yaml-syntax]\n"},
		{"tab indentation", "a:\n\tb: 1\n", Options{},
			"t.yaml:2:1: tabs are not allowed for indentation; use spaces [yaml-syntax]\n"},
		{"tab after spaces", "a:\n  b: 1\n  \tc: 2\n", Options{},
			"t.yaml:3:3: tabs are not allowed for indentation; use spaces [yaml-syntax]\n"},
		{"tab inside a value", "a: \"x\ty\"\n", Options{}, ""},
		{"parser error is 0-based in yaml.v3", "a: 1\n}\n", Options{},
			"t.yaml:2:1: did not find expected key [yaml-syntax]\n"},
		{"bad indentation", "a:\n  b: 1\n c: 2\n", Options{},
			"t.yaml:3:1: did not find expected key [yaml-syntax]\n"},
		{"unclosed flow sequence", "a: [1, 2\nb: 3\n", Options{},
			"t.yaml:2:1: did not find expected ',' or ']' [yaml-syntax]\n"},
		{"unclosed quote", "a: 1\nb: \"x\n", Options{},
			"t.yaml:2:1: found unexpected end of stream [yaml-syntax]\n"},
		{"unknown escape", "a: \"\\q\"\n", Options{},
			"t.yaml:1:1: found unknown escape character [yaml-syntax]\n"},
		{"unknown anchor", "a: &bb 1\nb: [*bb, *b]\n", Options{},
			"t.yaml:2:10: unknown anchor \"b\" referenced [yaml-syntax]\n"},
		{"upper case in message", "%YAML 1.2\n---\na: 1\n", Options{},
			"t.yaml:1:1: found incompatible yaml document [yaml-syntax]\n"},

		// Depth.
		{"depth at the limit", "a: [[1]]\n", Options{MaxDepth: 3}, ""},
		{"too deep flow", "a: [[[1]], [2]]\nb: {c: [[x]]}\n", Options{MaxDepth: 3},
			"t.yaml:1:6: nesting is deeper than 3 levels [too-deep] @a[0][0]\n" +
				"t.yaml:2:9: nesting is deeper than 3 levels [too-deep] @b.c[0]\n"},
		{"too deep block", "a:\n  b:\n    - c: 1\n", Options{MaxDepth: 3},
			"t.yaml:3:7: nesting is deeper than 3 levels [too-deep] @a.b[0]\n"},
		{"10000 deep closed", strings.Repeat("[", 10000) + strings.Repeat("]", 10000), Options{},
			"t.yaml:1:65: nesting is deeper than 64 levels [too-deep] @" + strings.Repeat("[0]", 64) + "\n"},
		{"10000 deep unclosed", strings.Repeat("[", 10000), Options{},
			"t.yaml:1:1: did not find expected node content [yaml-syntax]\n" +
				"t.yaml:1:65: nesting is deeper than 64 levels [too-deep]\n"},
		{"1 MiB of brackets", strings.Repeat("[", 1<<20), Options{},
			"t.yaml:1:65: nesting is deeper than 64 levels [too-deep]\n"},
		{"10001 deep block sequence", strings.Repeat("- ", 10001) + "x\n", Options{},
			"t.yaml:1:129: nesting is deeper than 64 levels [too-deep]\n"},
		{"deep block mapping with an error", "a:\n b:\n  c:\n   d: [\n", Options{MaxDepth: 3},
			"t.yaml:4:4: nesting is deeper than 3 levels [too-deep]\n" +
				"t.yaml:5:1: did not find expected node content [yaml-syntax]\n"},
		{"deep through an alias", "a: &a [[1]]\nb: [*a]\n", Options{MaxDepth: 3},
			"t.yaml:2:5: nesting is deeper than 3 levels once aliases are expanded [too-deep] @b[0]\n"},

		// Aliases.
		{"billion laughs", billionLaughs(), Options{},
			"t.yaml:6:8: document has more than 100000 nodes after alias expansion [alias-budget] @f[0]\n"},
		{"alias cycle", "a: &a [1, *a]\n", Options{},
			"t.yaml:1:11: alias \"a\" refers to a value that contains it [alias-budget] @a[1]\n"},
		{"alias cycle through a mapping", "a: &a {b: [*a]}\n", Options{},
			"t.yaml:1:12: alias \"a\" refers to a value that contains it [alias-budget] @a.b[0]\n"},
		{"merge cycle", "a: &a {<<: *a, b: 1}\n", Options{},
			"t.yaml:1:12: alias \"a\" refers to a value that contains it [alias-budget] @a\n"},
		{"node budget without aliases", "[1, 2, 3, 4]", Options{MaxNodes: 4},
			"t.yaml:1:11: file has more than 4 nodes (keys, values and list items) [too-large] @[3]\n"},
		{"node budget with aliases", "a: &a [1, 2]\nb: [*a, *a]\n", Options{MaxNodes: 10},
			"t.yaml:2:9: document has more than 10 nodes after alias expansion [alias-budget] @b[1]\n"},
		{"bytes after aliases", "a: &a " + strings.Repeat("x", 100) + "\nb: [*a, *a, *a]\n", Options{MaxExpandedBytes: 350},
			"t.yaml:2:13: document has more than 350 bytes of text after alias expansion [alias-budget] @b[2]\n"},
		{"bytes after aliases at the limit", "a: &a " + strings.Repeat("x", 100) + "\nb: [*a, *a]\n", Options{MaxExpandedBytes: 302}, ""},
		{"key bytes count", "a: &a {" + strings.Repeat("k", 50) + ": 1}\nb: [*a, *a]\n", Options{MaxExpandedBytes: 150},
			"t.yaml:2:9: document has more than 150 bytes of text after alias expansion [alias-budget] @b[1]\n"},
		{"merge of a scalar", "a: &a 1\nb:\n  <<: *a\n  c: 2\n", Options{},
			"t.yaml:3:7: merge key << needs a mapping or a sequence of mappings [yaml-syntax] @b\n"},
		{"merge of a list with a scalar", "a: &a {x: 1}\nb:\n  <<: [*a, 2]\n", Options{},
			"t.yaml:3:12: merge key << needs a mapping or a sequence of mappings [yaml-syntax] @b\n"},

		// Keys.
		{"duplicate keys", "a: 1\nb: 2\na: 3\nb: 4\na: 5\n", Options{},
			"t.yaml:3:1: duplicate key \"a\" (first defined at line 1) [duplicate-key] @a\n" +
				"t.yaml:4:1: duplicate key \"b\" (first defined at line 2) [duplicate-key] @b\n" +
				"t.yaml:5:1: duplicate key \"a\" (first defined at line 1) [duplicate-key] @a\n"},
		{"duplicate keys in a large mapping", "{k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9,\n k1: 0, k9: 0, k10: 1, k10: 2}\n", Options{},
			"t.yaml:2:2: duplicate key \"k1\" (first defined at line 1) [duplicate-key] @k1\n" +
				"t.yaml:2:9: duplicate key \"k9\" (first defined at line 1) [duplicate-key] @k9\n" +
				"t.yaml:2:24: duplicate key \"k10\" (first defined at line 2) [duplicate-key] @k10\n"},
		{"duplicate key in flow mapping", "x: {note: a, note: b}\n", Options{},
			"t.yaml:1:14: duplicate key \"note\" (first defined at line 1) [duplicate-key] @x.note\n"},
		{"keys that look like other types are strings", "1: a\n01: b\ntrue: c\n~: d\n", Options{}, ""},
		{"same key written differently", "1: a\n'1': b\n", Options{},
			"t.yaml:2:1: duplicate key \"1\" (first defined at line 1) [duplicate-key] @[\"1\"]\n"},
		{"merged keys are not duplicates", "a: &a {x: 1, y: 2}\nb: {<<: *a, x: 3}\n", Options{}, ""},
		{"sequence key", "[a, b]: 1\nc: 2\n", Options{},
			"t.yaml:1:1: mapping key must be a string, not a sequence [field-type]\n"},
		{"complex mapping key", "x:\n  ? {a: 1}\n  : v\n", Options{},
			"t.yaml:2:5: mapping key must be a string, not a mapping [field-type] @x\n"},
		{"alias of a sequence as key", "a: &k [1]\n*k : 2\n", Options{},
			"t.yaml:2:1: mapping key must be a string, not a sequence [field-type]\n"},

		// Documents.
		{"second document", "a: 1\n---\nb: 2\n", Options{},
			"t.yaml:2:1: file holds more than one yaml document; lwf reads one per file [multi-document]\n"},
		{"explicit first document", "---\na: 1\n---\nb: 2\n---\nc: 3\n", Options{},
			"t.yaml:3:1: file holds more than one yaml document; lwf reads one per file [multi-document]\n"},
		{"document end marker alone", "a: 1\n...\n", Options{}, ""},
		{"broken second document", "a: 1\n---\nb: x: y\n", Options{},
			"t.yaml:3:1: mapping values are not allowed in this context [yaml-syntax]\n"},
		{"implicit document after end marker", "a: 1\n...\nb: 2\n", Options{},
			"t.yaml:3:1: did not find expected <document start> [yaml-syntax]\n"},

		// Tags.
		{"unsupported tag", "a: !foo bar\nb: !!set {x: 1}\n", Options{},
			"t.yaml:1:4: unsupported tag \"!foo\" on a scalar [yaml-syntax] @a\n" +
				"t.yaml:2:4: unsupported tag \"!!set\" on a mapping [yaml-syntax] @b\n"},
		{"binary is a tag lwf does not read", "a: !!binary aGVsbG8=\n", Options{},
			"t.yaml:1:4: unsupported tag \"!!binary\" on a scalar [yaml-syntax] @a\n"},
		{"tag that does not fit the value", "a: !!int abc\nb: !!bool yes\nc: !!float 1.5\n", Options{},
			"t.yaml:1:4: cannot decode \"abc\" as !!int [yaml-syntax] @a\n" +
				"t.yaml:2:4: cannot decode \"yes\" as !!bool [yaml-syntax] @b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			got := diagText([]byte(tt.src), tt.opts)
			if got != tt.want {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", got, tt.want)
			}
			// Generous: each of these takes milliseconds; a hang or an
			// exponential blow-up takes far longer.
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
