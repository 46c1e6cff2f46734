package dsl

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

func TestParseValue(t *testing.T) {
	tests := []struct {
		name, src string
		want      any
	}{
		{"yaml types", "s: text\ni: 42\nneg: -7\nhex: 0x1F\noct: 0o17\nold-oct: 0777\nzero-led: 08\nneg-led: -017\nsep: 1_000\nf: 1.5\nexp: 1e3\nb: true\nB: False\nn: ~\nempty:\ndate: 2024-01-31\nq: '12'\n",
			map[string]any{"s": "text", "i": int64(42), "neg": int64(-7), "hex": int64(31), "oct": int64(15), "old-oct": int64(777), "zero-led": int64(8), "neg-led": int64(-17),
				"sep": int64(1000), "f": 1.5, "exp": 1000.0, "b": true, "B": false, "n": nil, "empty": nil, "date": "2024-01-31", "q": "12"}},
		{"json", `{"leads": [{"name": "Ada", "score": 9.5, "tags": ["a", "b"], "ok": true, "manager": null}]}`,
			map[string]any{"leads": []any{map[string]any{"name": "Ada", "score": 9.5, "tags": []any{"a", "b"}, "ok": true, "manager": nil}}}},
		{"keys are strings", "1: a\ntrue: b\n~: c\n", map[string]any{"1": "a", "true": "b", "~": "c"}},
		{"huge integer becomes a float", "n: 18446744073709551615\n", map[string]any{"n": 18446744073709551615.0}},
		{"explicit tags", "a: !!str 12\nb: !!float 3\nc: !!int \"7\"\n", map[string]any{"a": "12", "b": 3.0, "c": int64(7)}},
		{"merge", "base: &b {x: 1}\nc: {<<: *b, y: 2}\n", map[string]any{"base": map[string]any{"x": int64(1)}, "c": map[string]any{"x": int64(1), "y": int64(2)}}},
		{"top-level list", "- 1\n- [2, 3]\n", []any{int64(1), []any{int64(2), int64(3)}}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, diags := ParseValue("in.yaml", []byte(tt.src), Options{})
			if len(diags) > 0 {
				t.Fatalf("diagnostics: %v", diags)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestParseValueReportsProblems(t *testing.T) {
	v, diags := ParseValue("in.json", []byte(`{"a": 1, "a": 2}`), Options{})
	if len(diags) != 1 || diags[0].String() != `in.json:1:10: duplicate key "a" (first defined at line 1) [duplicate-key]` {
		t.Errorf("diagnostics: %v", diags)
	}
	if !reflect.DeepEqual(v, map[string]any{"a": int64(1)}) {
		t.Errorf("value: %#v", v)
	}
}

func TestScalarValue(t *testing.T) {
	tests := []struct {
		tag, in string
		want    any
	}{
		{tagFloat, ".inf", math.Inf(1)},
		{tagFloat, "-.Inf", math.Inf(-1)},
		{tagFloat, "+1.5e-3", 0.0015},
		{tagFloat, ".5", 0.5},
		{tagFloat, "7", 7.0},
		{tagFloat, "1_000.5", 1000.5},
		{tagFloat, "inf", "error"},
		{tagFloat, "0x1p3", "error"},
		{tagFloat, "1e", "error"},
		{tagInt, "-0b101", int64(-5)},
		{tagInt, "+12", int64(12)},
		{tagInt, "1.5", "error"},
		{tagBool, "TRUE", true},
		{tagBool, "yes", "error"},
		{tagNull, "Null", nil},
		{tagNull, "nil", "error"},
		{tagStr, "anything", "anything"},
	}
	for _, tt := range tests {
		got, err := scalarValue(tt.tag, tt.in)
		if err != nil {
			got = "error"
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("scalarValue(%s, %q) = %#v, want %#v", tt.tag, tt.in, got, tt.want)
		}
	}
	if v, _ := scalarValue(tagFloat, ".nan"); !math.IsNaN(v.(float64)) {
		t.Errorf(".nan = %v", v)
	}
}

func TestDecodeHandBuiltNodes(t *testing.T) {
	bad := &Node{Kind: ScalarNode, Tag: tagInt, Value: "x"}
	if _, err := (&Node{Kind: SeqNode, Items: []*Node{bad}}).Decode(); err == nil || err.Error() != `0:0: cannot decode "x" as !!int` {
		t.Errorf("err = %v", err)
	}
	loop := &Node{Kind: SeqNode}
	loop.Items = []*Node{loop}
	if _, err := loop.Decode(); err == nil {
		t.Error("a cyclic tree decoded")
	}
	var nilNode *Node
	if v, err := nilNode.Decode(); v != nil || err != nil {
		t.Errorf("nil node = %v, %v", v, err)
	}
	if _, err := (&Node{}).Decode(); fmt.Sprint(err) != "0:0: node of unknown kind 0" {
		t.Errorf("zero node: %v", err)
	}
}

func TestFileLimit(t *testing.T) {
	if got := (Options{}).FileLimit(); got != DefaultMaxBytes {
		t.Errorf("default: %d", got)
	}
	if got := (Options{MaxBytes: 10}).FileLimit(); got != 10 {
		t.Errorf("set: %d", got)
	}
}
