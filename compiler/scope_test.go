package compiler

import (
	"strings"
	"testing"

	"github.com/expr-lang/expr/types"
)

func leadsScope() *scope {
	row := types.Map{}
	for _, k := range []string{"url", "firstName", "lastName", "company", "score", "school", "city", "title"} {
		row[k] = types.String
	}
	return &scope{types: types.Map{
		"inputs": types.Map{"leads": types.Array(row), "minScore": types.Int},
		"vars":   types.Map{},
	}}
}

// TestSignatureIsDeterministic: scopes of the same types have the same
// signature, arrays of objects included (expr's own text of such a type
// follows map order, which made every compilation of a file with a list
// of objects miss the program cache).
func TestSignatureIsDeterministic(t *testing.T) {
	want := leadsScope().signature()
	for range 50 {
		if got := leadsScope().signature(); got != want {
			t.Fatalf("signatures differ:\n%s\n%s", got, want)
		}
	}
	other := leadsScope()
	other.types["inputs"].(types.Map)["leads"] = types.Array(types.Map{"url": types.Int})
	other.retype()
	if other.signature() == want {
		t.Fatal("a list of other objects has the same signature")
	}
}

// TestChildSignature: a child's signature is derived from its parent's
// and what it set; the same types give the same signature, other types
// another.
func TestChildSignature(t *testing.T) {
	parent := leadsScope()
	same := parent.child()
	if same.signature() != parent.signature() {
		t.Error("a child that changed nothing has a signature of its own")
	}
	a, b, c := parent.child(), parent.child(), parent.child()
	a.setType("lead", types.Map{"url": types.String})
	b.setType("lead", types.Map{"url": types.String})
	c.setType("lead", types.Map{"url": types.Int})
	if a.signature() != b.signature() {
		t.Errorf("two children of the same types differ: %q, %q", a.signature(), b.signature())
	}
	if a.signature() == c.signature() || a.signature() == parent.signature() {
		t.Errorf("children of other types share a signature: %q, %q, %q", a.signature(), c.signature(), parent.signature())
	}
	grand := a.child()
	grand.setType("index", types.Int)
	if grand.signature() == a.signature() {
		t.Error("a grandchild that set a type has its parent's signature")
	}
	d := parent.child()
	d.types["lead"] = types.Map{"url": types.String}
	d.retype()
	full := leadsScope()
	full.types["lead"] = types.Map{"url": types.String}
	if d.signature() != full.signature() {
		t.Errorf("after retype, the signature is not that of the types: %q, %q", d.signature(), full.signature())
	}
}

// TestSameType: rows of one shape are the same type; a field of another
// type, a missing or an extra field is not; a list of objects is never
// taken for the same (its text follows map order).
func TestSameType(t *testing.T) {
	row := func(score types.Type) types.Type {
		return types.Map{"url": types.String, "score": score, types.Extra: types.Any}
	}
	tests := []struct {
		a, b types.Type
		want bool
	}{
		{row(types.Int), row(types.Int), true},
		{row(types.Int), row(types.Nil), false},
		{row(types.Int), row(types.String), false},
		{row(types.Int), types.Map{"url": types.String, types.Extra: types.Any}, false},
		{types.Map{"a": types.Int}, types.Map{"b": types.Int}, false},
		{types.Array(types.Any), types.Array(types.Any), true},
		{types.Array(types.Map{"a": types.Int}), types.Array(types.Map{"a": types.Int}), false},
		{types.Int, types.Map{}, false},
		{nil, nil, true},
		{nil, types.Int, false},
	}
	for i, tt := range tests {
		if got := sameType(tt.a, tt.b); got != tt.want {
			t.Errorf("%d: sameType(%v, %v) = %v, want %v", i, tt.a, tt.b, got, tt.want)
		}
	}
}

// TestRebasedSignature: a scope rebased on the signature of its types
// without a name has the signature of the same types, whatever way they
// came.
func TestRebasedSignature(t *testing.T) {
	a := leadsScope()
	base := a.signature()
	vars := types.Map{"since": types.String}
	a.types["vars"] = vars
	a.rebase(base, "vars", vars)
	b := leadsScope()
	b.types["vars"] = types.Map{"since": types.String}
	b.rebase(base, "vars", b.types["vars"])
	c := leadsScope()
	c.types["vars"] = types.Map{"since": types.Int}
	c.rebase(base, "vars", c.types["vars"])
	if a.signature() != b.signature() || a.signature() == c.signature() || a.signature() == base {
		t.Errorf("signatures: %q, %q, %q, base %q", a.signature(), b.signature(), c.signature(), base)
	}
	vars["first"] = types.String
	a.rebase(base, "vars", vars)
	if a.signature() == b.signature() {
		t.Error("a var added in place did not change the signature")
	}
}

// TestSameShape: values of the same shape have the same type, and
// values sameShape tells apart have different types.
func TestSameShape(t *testing.T) {
	values := []any{nil, "a", "", true, 1, 2, 1.5, []any{}, []any{1}, map[string]any{},
		map[string]any{"a": "x"}, map[string]any{"a": "y"}, map[string]any{"a": 1}, map[string]any{"a": nil},
		map[string]any{"a": "x", "b": 2}, map[string]any{"a": map[string]any{"b": true}}, map[string]any{"a": map[string]any{"b": false}},
		map[string]any{"a": map[string]any{"b": "s"}}, int64(3), struct{}{}}
	key := func(v any) string {
		var b strings.Builder
		typeKey(&b, typeOfValue(v), 0)
		return b.String()
	}
	for _, a := range values {
		for _, b := range values {
			if same := sameShape(a, b); same != (key(a) == key(b)) {
				t.Errorf("sameShape(%v, %v) = %v; types %s, %s", a, b, same, key(a), key(b))
			}
		}
	}
}

// TestChildSharesUntilItWrites: a child reads its parent's names, and
// what it sets — types, values, unknown and tainted names — stays its
// own; a scope seen from other loops is a child in this too.
func TestChildSharesUntilItWrites(t *testing.T) {
	parent := newScope()
	parent.types["inputs"], parent.values["inputs"] = types.Map{"n": types.Int}, map[string]any{"n": 1}
	parent.unknown["inputs.x"] = true
	for _, c := range []*scope{parent.child(), parent.withLoops(nil)} {
		if c.values["inputs"] == nil || !c.unknown["inputs.x"] {
			t.Fatal("a child does not see its parent's names")
		}
		c.setType("lead", types.String)
		c.setValue("lead", "ada")
		c.setUnknown("inputs.x", false)
		c.setUnknown("lead.x", true)
		c.setTainted("lead")
		if c.values["lead"] != "ada" || c.types["lead"] != types.String || c.unknown["inputs.x"] || !c.unknown["lead.x"] || !c.tainted["lead"] {
			t.Errorf("the child does not see what it set: %v %v %v %v", c.values, c.types, c.unknown, c.tainted)
		}
		if _, ok := parent.values["lead"]; ok || parent.types["lead"] != nil || !parent.unknown["inputs.x"] || parent.unknown["lead.x"] || parent.tainted["lead"] {
			t.Errorf("the parent sees what its child set: %v %v %v %v", parent.values, parent.types, parent.unknown, parent.tainted)
		}
	}
}

// TestForEachItemsOfOneShape: items of one shape share their types, and
// a scope that shares them changes only its own when it sets a type.
func TestForEachItemsOfOneShape(t *testing.T) {
	parent := leadsScope()
	a := parent.child()
	a.setType("lead", types.Map{"url": types.String})
	b := parent.child()
	b.types, b.delta, b.sig = a.types, a.delta, a.signature()
	b.setType("index", types.Int)
	if _, ok := a.types["index"]; ok {
		t.Error("setting a type on a scope that shares its types changed the other's")
	}
	if _, ok := a.delta["index"]; ok || a.signature() == b.signature() {
		t.Errorf("signatures: %q, %q", a.signature(), b.signature())
	}
}
