package dsl

import (
	"fmt"
	"strings"
	"testing"
)

func TestPositions(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"block and flow nested",
			"name: x\ninputs:\n  note: {type: string, default: \"hi\"}\n  tags: [a, 'b c']\nworkflow:\n  - action: a\n    then:\n      - - 1\n        - 2\n      - {}\n      - []\n",
			`mapping 1:1-11:11 !!map @
  ? scalar 1:1-1:5 !!str plain "name" @name
  : scalar 1:7-1:8 !!str plain "x" @name
  ? scalar 2:1-2:7 !!str plain "inputs" @inputs
  : mapping 3:3-4:19 !!map @inputs
    ? scalar 3:3-3:7 !!str plain "note" @inputs.note
    : mapping 3:9-3:38 !!map @inputs.note
      ? scalar 3:10-3:14 !!str plain "type" @inputs.note.type
      : scalar 3:16-3:22 !!str plain "string" @inputs.note.type
      ? scalar 3:24-3:31 !!str plain "default" @inputs.note.default
      : scalar 3:33-3:37 !!str double-quoted "hi" @inputs.note.default
    ? scalar 4:3-4:7 !!str plain "tags" @inputs.tags
    : sequence 4:9-4:19 !!seq @inputs.tags
      scalar 4:10-4:11 !!str plain "a" @inputs.tags[0]
      scalar 4:13-4:18 !!str single-quoted "b c" @inputs.tags[1]
  ? scalar 5:1-5:9 !!str plain "workflow" @workflow
  : sequence 6:3-11:11 !!seq @workflow
    mapping 6:5-11:11 !!map @workflow[0]
      ? scalar 6:5-6:11 !!str plain "action" @workflow[0].action
      : scalar 6:13-6:14 !!str plain "a" @workflow[0].action
      ? scalar 7:5-7:9 !!str plain "then" @workflow[0].then
      : sequence 8:7-11:11 !!seq @workflow[0].then
        sequence 8:9-9:12 !!seq @workflow[0].then[0]
          scalar 8:11-8:12 !!int plain "1" @workflow[0].then[0][0]
          scalar 9:11-9:12 !!int plain "2" @workflow[0].then[0][1]
        mapping 10:9-10:11 !!map @workflow[0].then[1]
        sequence 11:9-11:11 !!seq @workflow[0].then[2]
`},
		{"properties, quoted keys, multibyte characters",
			"k: &a !!str 'x'\nm: &m\n  a: 1\n\"odd key\": [ é, 🎉x ]\n",
			`mapping 1:1-4:21 !!map @
  ? scalar 1:1-1:2 !!str plain "k" @k
  : scalar 1:13-1:16 !!str single-quoted "x" @k
  ? scalar 2:1-2:2 !!str plain "m" @m
  : mapping 3:3-3:7 !!map @m
    ? scalar 3:3-3:4 !!str plain "a" @m.a
    : scalar 3:6-3:7 !!int plain "1" @m.a
  ? scalar 4:1-4:10 !!str double-quoted "odd key" @["odd key"]
  : sequence 4:12-4:21 !!seq @["odd key"]
    scalar 4:14-4:15 !!str plain "é" @["odd key"][0]
    scalar 4:17-4:19 !!str plain "🎉x" @["odd key"][1]
`},
		{"crlf line endings",
			"a: 1\r\nb:\r\n  - x\r\n  - \"y\"\r\n",
			`mapping 1:1-4:8 !!map @
  ? scalar 1:1-1:2 !!str plain "a" @a
  : scalar 1:4-1:5 !!int plain "1" @a
  ? scalar 2:1-2:2 !!str plain "b" @b
  : sequence 3:3-4:8 !!seq @b
    scalar 3:5-3:6 !!str plain "x" @b[0]
    scalar 4:5-4:8 !!str double-quoted "y" @b[1]
`},
		{"block and multi-line scalars",
			"k: |\n  line1\n  line2\nj: >-\n  a\n  b\n\n  c\np: one\n  two\nq: \"x\\ty\"\n",
			`mapping 1:1-11:10 !!map @
  ? scalar 1:1-1:2 !!str plain "k" @k
  : scalar 1:4-3:8 !!str literal "line1\nline2\n" @k
  ? scalar 4:1-4:2 !!str plain "j" @j
  : scalar 4:4-8:4 !!str folded "a b\nc" @j
  ? scalar 9:1-9:2 !!str plain "p" @p
  : scalar 9:4-10:6 !!str plain "one two" @p
  ? scalar 11:1-11:2 !!str plain "q" @q
  : scalar 11:4-11:10 !!str double-quoted "x\ty" @q
`},
		{"merge keys and aliases",
			"base: &base {limit: 5, filter: {position: manager}}\nstep:\n  <<: *base\n  limit: 10\n  action: x\nother: *base\n",
			`mapping 1:1-6:13 !!map @
  ? scalar 1:1-1:5 !!str plain "base" @base
  : mapping 1:13-1:52 !!map @base
    ? scalar 1:14-1:19 !!str plain "limit" @base.limit
    : scalar 1:21-1:22 !!int plain "5" @base.limit
    ? scalar 1:24-1:30 !!str plain "filter" @base.filter
    : mapping 1:32-1:51 !!map @base.filter
      ? scalar 1:33-1:41 !!str plain "position" @base.filter.position
      : scalar 1:43-1:50 !!str plain "manager" @base.filter.position
  ? scalar 2:1-2:5 !!str plain "step" @step
  : mapping 3:3-5:12 !!map @step
    ? scalar 1:24-1:30 !!str plain "filter" @step.filter
    : mapping 1:32-1:51 !!map @step.filter
      ? scalar 1:33-1:41 !!str plain "position" @step.filter.position
      : scalar 1:43-1:50 !!str plain "manager" @step.filter.position
    ? scalar 4:3-4:8 !!str plain "limit" @step.limit
    : scalar 4:10-4:12 !!int plain "10" @step.limit
    ? scalar 5:3-5:9 !!str plain "action" @step.action
    : scalar 5:11-5:12 !!str plain "x" @step.action
  ? scalar 6:1-6:6 !!str plain "other" @other
  : mapping 1:13-1:52 !!map @other
    ? scalar 1:14-1:19 !!str plain "limit" @other.limit
    : scalar 1:21-1:22 !!int plain "5" @other.limit
    ? scalar 1:24-1:30 !!str plain "filter" @other.filter
    : mapping 1:32-1:51 !!map @other.filter
      ? scalar 1:33-1:41 !!str plain "position" @other.filter.position
      : scalar 1:43-1:50 !!str plain "manager" @other.filter.position
`},
		{"merge of a list: earlier mappings win",
			"a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc: {<<: [*a, *b], z: 3}\n",
			`mapping 1:1-3:24 !!map @
  ? scalar 1:1-1:2 !!str plain "a" @a
  : mapping 1:7-1:19 !!map @a
    ? scalar 1:8-1:9 !!str plain "x" @a.x
    : scalar 1:11-1:12 !!int plain "1" @a.x
    ? scalar 1:14-1:15 !!str plain "y" @a.y
    : scalar 1:17-1:18 !!int plain "1" @a.y
  ? scalar 2:1-2:2 !!str plain "b" @b
  : mapping 2:7-2:19 !!map @b
    ? scalar 2:8-2:9 !!str plain "y" @b.y
    : scalar 2:11-2:12 !!int plain "2" @b.y
    ? scalar 2:14-2:15 !!str plain "z" @b.z
    : scalar 2:17-2:18 !!int plain "2" @b.z
  ? scalar 3:1-3:2 !!str plain "c" @c
  : mapping 3:4-3:24 !!map @c
    ? scalar 1:8-1:9 !!str plain "x" @c.x
    : scalar 1:11-1:12 !!int plain "1" @c.x
    ? scalar 1:14-1:15 !!str plain "y" @c.y
    : scalar 1:17-1:18 !!int plain "1" @c.y
    ? scalar 3:19-3:20 !!str plain "z" @c.z
    : scalar 3:22-3:23 !!int plain "3" @c.z
`},
		{"scalar tags and keys", "1: 2024-01-01\ntrue: 1.5\n~: null\n'k': !!str 7\n",
			`mapping 1:1-4:13 !!map @
  ? scalar 1:1-1:2 !!str plain "1" @["1"]
  : scalar 1:4-1:14 !!str plain "2024-01-01" @["1"]
  ? scalar 2:1-2:5 !!str plain "true" @true
  : scalar 2:7-2:10 !!float plain "1.5" @true
  ? scalar 3:1-3:2 !!str plain "~" @["~"]
  : scalar 3:4-3:8 !!null plain "null" @["~"]
  ? scalar 4:1-4:4 !!str single-quoted "k" @k
  : scalar 4:12-4:13 !!str plain "7" @k
`},
		{"scalar document", "~", "scalar 1:1-1:2 !!null plain \"~\" @\n"},
		{"empty file", "", "<nil>\n"},
		{"comment only", "# nothing here\n", "<nil>\n"},
		{"empty document", "---\n", "<nil>\n"},
		{"bom", "\xef\xbb\xbf[é]", "sequence 1:1-1:4 !!seq @\n  scalar 1:2-1:3 !!str plain \"é\" @[0]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, diags := Parse("t.yaml", []byte(tt.src), Options{})
			if len(diags) > 0 {
				t.Fatalf("unexpected diagnostics: %v", diags)
			}
			if got := dump(f.Root); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	f, _ := Parse("t.yaml", []byte("a: {b: [x]}\nc: ~\nd: 1\nd: 2\n"), Options{})
	if got := f.Root.Get("a").Get("b").Items[0].Value; got != "x" {
		t.Errorf("a.b[0] = %q, want x", got)
	}
	if f.Root.Get("missing") != nil || f.Root.Get("a").Get("b").Get("x") != nil {
		t.Error("Get on a missing key or a sequence should be nil")
	}
	if p := f.Root.Lookup("d"); p == nil || p.Value.Value != "1" {
		t.Errorf("Lookup(d) = %v, want the first definition", p)
	}
	if !f.Root.Get("c").IsNull() || !f.Root.Get("missing").IsNull() || f.Root.Get("d").IsNull() {
		t.Error("IsNull is wrong")
	}
	var nilNode *Node
	if nilNode.Lookup("a") != nil || nilNode.Get("a") != nil {
		t.Error("a nil node has no keys")
	}
}

func TestPartialASTOnErrors(t *testing.T) {
	// Problems found while walking leave the rest of the tree in place.
	f, diags := Parse("t.yaml", []byte("a: 1\na: 2\nb: [[[x]]]\nc: !!int z\nd: ok\n"), Options{MaxDepth: 2})
	if len(diags) != 3 {
		t.Errorf("got %d diagnostics, want 3: %v", len(diags), diags)
	}
	want := `mapping 1:1-5:6 !!map @
  ? scalar 1:1-1:2 !!str plain "a" @a
  : scalar 1:4-1:5 !!int plain "1" @a
  ? scalar 2:1-2:2 !!str plain "a" @a
  : scalar 2:4-2:5 !!int plain "2" @a
  ? scalar 3:1-3:2 !!str plain "b" @b
  : sequence 3:4-3:11 !!seq @b
    sequence 3:5-3:10 !!seq @b[0]
  ? scalar 4:1-4:2 !!str plain "c" @c
  : scalar 4:10-4:11 !!str plain "z" @c
  ? scalar 5:1-5:2 !!str plain "d" @d
  : scalar 5:4-5:6 !!str plain "ok" @d
`
	if got := dump(f.Root); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestPathsAreBounded(t *testing.T) {
	long := strings.Repeat("k", 100)
	var b strings.Builder
	b.WriteString("x: &x [1, 2]\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "%s%s%d:\n", strings.Repeat(" ", i), long, i)
	}
	fmt.Fprintf(&b, "%s\"a b\": *x\n", strings.Repeat(" ", 20))
	f, diags := Parse("t.yaml", []byte(b.String()), Options{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	n := f.Root
	for i := 0; i < 20; i++ {
		n = n.Pairs[len(n.Pairs)-1].Value
	}
	if got, want := f.Root.Pairs[1].Key.Path, `["`+strings.Repeat("k", maxKeyInPath)+`…"]`; got != want {
		t.Errorf("long key path = %q, want %q", got, want)
	}
	item := n.Get("a b").Items[1]
	if !strings.HasSuffix(item.Path, "[…]") || len(item.Path) > maxPathLen {
		t.Errorf("deep path = %q (%d bytes)", item.Path, len(item.Path))
	}
	if item.Value != "2" {
		t.Errorf("deep item = %q", item.Value)
	}
}

func TestFirstDocumentKeptWhenTheSecondIsBroken(t *testing.T) {
	f, diags := Parse("t.yaml", []byte("a: 1\n---\nb: [\n"), Options{})
	if len(diags) != 1 || diags[0].String() != "t.yaml:4:1: did not find expected node content [yaml-syntax]" {
		t.Errorf("diagnostics: %v", diags)
	}
	if got := dump(f.Root); got != "mapping 1:1-1:5 !!map @\n  ? scalar 1:1-1:2 !!str plain \"a\" @a\n  : scalar 1:4-1:5 !!int plain \"1\" @a\n" {
		t.Errorf("root:\n%s", got)
	}
}
