package ojson

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

func TestOrderAndSetAt(t *testing.T) {
	o := New()
	o.Set("b", 1)
	o.Set("a", 2)
	o.Set("b", 3) // an update keeps its place
	o.SetAt(1, "label", "x")
	o.SetAt(9, "z", nil)
	got, err := o.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"b":3,"label":"x","a":2,"z":null}`; string(got) != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if v, ok := o.Get("a"); !ok || v != 2 || o.Len() != 4 || o.Value("nope") != nil {
		t.Errorf("Get/Len/Value: %v %v %d", v, ok, o.Len())
	}
	var nilObj *Object
	if _, ok := nilObj.Get("a"); ok || nilObj.Len() != 0 {
		t.Error("a nil Object has keys")
	}
}

// TestDecodeRoundTrip: what Decode reads, MarshalJSON writes back in the
// same order, numbers as written.
func TestDecodeRoundTrip(t *testing.T) {
	const in = `{"z":1,"a":{"y":[1.50,{"k":true,"b":null}],"x":"<&>"},"m":12345678901234567890}`
	v, err := Decode([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"z":1,"a":{"y":[1.50,{"k":true,"b":null}],"x":"\u003c\u0026\u003e"},"m":12345678901234567890}`; string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
	if _, err := Decode([]byte(`{"a":1} 2`)); err == nil {
		t.Error("trailing data is accepted")
	}
}

// TestEncoding: the rules hold at every depth — in objects, lists and
// maps — and text is never mangled.
func TestEncoding(t *testing.T) {
	o := New()
	o.Set("n", 3.0)
	o.Set("list", []any{2.0, math.Inf(1), map[string]any{"b": 1.0, "a": "<b>"}})
	o.Set("text", `a <b> & \u003c`)
	e := Encoding{Float: func(x float64) []byte {
		if math.IsInf(x, 0) {
			return []byte("null")
		}
		return []byte(strconv.FormatInt(int64(x), 10))
	}}
	got, err := e.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"n":3,"list":[2,null,{"a":"<b>","b":1}],"text":"a <b> & \\u003c"}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	var back map[string]any
	if err := json.Unmarshal(got, &back); err != nil || back["text"] != `a <b> & \u003c` {
		t.Errorf("not valid JSON, or the text changed: %v %q", err, back["text"])
	}
}
