package dsl

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestDepthScan(t *testing.T) {
	tests := []struct {
		name, src string
		limit     int
		want      int // byte offset of the first collection too deep, or -1
	}{
		{"flow", "a: [[[1]]]", 3, 5},
		{"flow within the limit", "a: [[1]]", 3, -1},
		{"brackets in quotes", "a: \"[[[[\"\nb: '[[[['\n", 2, -1},
		{"brackets in a comment", "a: 1 # [[[[\n# {{{{\n", 2, -1},
		{"brackets inside plain text", "a: x[[[[ y\n", 2, -1},
		{"brackets in a block scalar", "a: |\n  [[[[\n  {{{{\nb: [[1]]\n", 2, 23},
		{"quote inside plain text", "a: it's [[[\n", 2, -1},
		{"quotes inside flow", "a: [\"]]\", [x]]", 2, 10},
		{"block sequences", "- - - x\n", 2, 4},
		{"block mappings", "a:\n  b:\n    c: 1\n", 2, 12},
		{"dedent pops levels", "a:\n  b: 1\nc:\n  d: 1\n", 2, -1},
		{"flow inside block", "a:\n  b: [x]\n", 2, 8},
		{"multi-line quoted key", "\"a\n b\": [[1]]\n", 2, 9},
		{"unclosed", strings.Repeat("[", 100), 64, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := depthScan([]byte(tt.src), 0, tt.limit); got != tt.want {
				t.Errorf("depthScan = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRecoverYAMLPanic(t *testing.T) {
	first, second, err := recoverYAML(func() (*yaml.Node, *yaml.Node, error) {
		panic("internal error: unexpected event")
	})
	if first != nil || second != nil || err == nil || err.Error() != "yaml: internal error: internal error: unexpected event" {
		t.Errorf("got %v, %v, %v", first, second, err)
	}
	_, _, err = recoverYAML(func() (*yaml.Node, *yaml.Node, error) { return nil, nil, errors.New("x") })
	if err == nil || err.Error() != "x" {
		t.Errorf("plain error: %v", err)
	}
	// What a recovered panic becomes in Parse's output.
	s := newSource("t.yaml", []byte("a: 1\n"))
	got := yamlErrorDiags(s, errors.New("yaml: internal error: boom"), 64)
	if len(got) != 1 || got[0].String() != "t.yaml:1:1: internal error: boom [yaml-syntax]" {
		t.Errorf("diagnostics: %v", got)
	}
}
