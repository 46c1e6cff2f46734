package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/lwf-dev/lwf/diag"
)

// TestCombinationsMatchJSONSchema checks the walker's own evaluation of
// allOf/not against a JSON Schema validator: for every action whose
// schema refuses combinations of parameters, and many combinations of
// its parameters (known and unknown), CheckParams reports exactly what
// the walker and the validator's failed "not" keywords report together.
func TestCombinationsMatchJSONSchema(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range cat.Actions() {
		if !a.combines {
			continue
		}
		comp := jsonschema.NewCompiler()
		comp.Draft = jsonschema.Draft7
		url := "lwf:///actions/" + a.Name + ".json"
		if err := comp.AddResource(url, bytes.NewReader(a.Raw)); err != nil {
			t.Fatal(err)
		}
		s, err := comp.Compile(url)
		if err != nil {
			t.Fatal(err)
		}
		for _, params := range combinationsOf(a) {
			n++
			got := a.CheckParams("/0", params)
			want := referenceProblems(a, s, "/0", params)
			if !sameProblems(got, want) {
				t.Errorf("%s %v:\n got  %v\n want %v", a.Name, params, got, want)
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d combinations checked", n)
	}
}

// combinationsOf lists parameter objects for an action: every subset of
// its top-level parameters, each with a few values (of its enum, an
// Unknown, and for arrays of objects lists built the same way).
func combinationsOf(a *Action) []map[string]any {
	names := a.paramNames
	if len(names) > 6 {
		// Keep the parameters the combinations are about, then others.
		sort.SliceStable(names, func(i, j int) bool {
			return mentioned(a, names[i]) && !mentioned(a, names[j])
		})
		names = names[:6]
	}
	out := []map[string]any{{}}
	for _, name := range names {
		p, _ := a.Param(name)
		var next []map[string]any
		for _, m := range out {
			next = append(next, m)
			for _, v := range sampleValues(p.Schema, 0) {
				c := make(map[string]any, len(m)+1)
				for k, e := range m {
					c[k] = e
				}
				c[name] = v
				next = append(next, c)
			}
		}
		out = next
		if len(out) > 4000 {
			break
		}
	}
	return out
}

func mentioned(a *Action, name string) bool {
	return strings.Count(string(a.Raw), strconv.Quote(name)) > 1
}

func sampleValues(s map[string]any, depth int) []any {
	out := append([]any(nil), asSlice(s["enum"])...)
	switch schemaType(s) {
	case "string":
		if len(out) == 0 {
			out = append(out, "https://www.linkedin.com/in/ada")
		}
		out = append(out, Unknown{Type: "string"})
	case "integer", "number":
		out = append(out, 5, Unknown{Type: "integer", Optional: true})
	case "boolean":
		out = append(out, true)
	case "object":
		m := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		for _, k := range sortedKeys(props) {
			if vs := sampleValues(props[k].(map[string]any), depth+1); len(vs) > 0 && depth < 2 {
				m[k] = vs[0]
			}
		}
		out = append(out, m, Unknown{Type: "object"})
	case "array":
		is, _ := s["items"].(map[string]any)
		items := sampleItems(is, depth)
		out = append(out, []any{}, Unknown{Type: "array"})
		for _, x := range items {
			out = append(out, []any{x})
			for _, y := range items {
				out = append(out, []any{x, y})
			}
		}
	}
	return out
}

// sampleItems lists items for an array: for objects, every subset of
// their properties with each property's first few values.
func sampleItems(s map[string]any, depth int) []any {
	if schemaType(s) != "object" {
		vs := sampleValues(s, depth+1)
		if len(vs) > 3 {
			vs = vs[:3]
		}
		return vs
	}
	props, _ := s["properties"].(map[string]any)
	out := []map[string]any{{}}
	for _, k := range sortedKeys(props) {
		vs := sampleValues(props[k].(map[string]any), depth+1)
		if len(vs) > 3 {
			vs = vs[:3]
		}
		var next []map[string]any
		for _, m := range out {
			next = append(next, m)
			for _, v := range vs {
				c := map[string]any{k: v}
				for k2, e := range m {
					c[k2] = e
				}
				next = append(next, c)
			}
		}
		out = next
	}
	items := make([]any, len(out))
	for i, m := range out {
		items[i] = m
	}
	return items
}

// referenceProblems is what CheckParams reported when the JSON Schema
// validator checked the combinations: the walker's problems, then the
// validator's failed keywords the walker does not explain, where nothing
// was reported and nothing is unknown.
func referenceProblems(a *Action, s *jsonschema.Schema, base string, params map[string]any) []Problem {
	w := paramWalker{action: a, base: base}
	w.object(a.doc, params, nil, true)
	inst, ok := normalize(params).(map[string]any)
	if !ok {
		return w.problems
	}
	err := s.Validate(inst)
	var ve *jsonschema.ValidationError
	if err == nil || !errors.As(err, &ve) {
		return w.problems
	}
	for _, leaf := range leaves(ve) {
		kw := leaf.KeywordLocation[strings.LastIndex(leaf.KeywordLocation, "/")+1:]
		switch kw {
		case "type", "enum", "required", "additionalProperties", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems", "pattern":
			continue
		}
		p := w.base + leaf.InstanceLocation
		if w.reported[p] || w.underUnknown(p) {
			continue
		}
		where := strings.TrimPrefix(leaf.InstanceLocation, "/")
		msg := leaf.Message
		if strings.Contains(leaf.KeywordLocation, "/not") {
			msg = notMessage(a, leaf.KeywordLocation)
		}
		if where != "" {
			msg = strings.ReplaceAll(where, "/", ".") + ": " + msg
		}
		w.add(nil, AtValue, diag.CodeParamValue, msg, "")
		w.problems[len(w.problems)-1].Pointer = p
	}
	return w.problems
}

func notMessage(a *Action, kwLoc string) string {
	parts := strings.Split(strings.TrimPrefix(kwLoc[strings.Index(kwLoc, "#")+1:], "/"), "/")
	var node any = a.doc
	for _, p := range parts {
		if p == "not" {
			break
		}
		switch n := node.(type) {
		case map[string]any:
			node = n[p]
		case []any:
			i, _ := strconv.Atoi(p)
			if i >= 0 && i < len(n) {
				node = n[i]
			}
		}
	}
	if m, ok := node.(map[string]any); ok {
		if s, ok := m["x-lwf-message"].(string); ok {
			return s
		}
	}
	return "parameters combined in a way the action does not allow"
}

func leaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

func sameProblems(a, b []Problem) bool {
	key := func(ps []Problem) []string {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = fmt.Sprintf("%+v", p)
		}
		sort.Strings(out)
		return out
	}
	return reflect.DeepEqual(key(a), key(b))
}

// TestCombinationsRefused: a combination the catalog refuses is reported
// with its message, at the parameter it is about.
func TestCombinationsRefused(t *testing.T) {
	cat, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		action string
		params map[string]any
		want   string
	}{
		{"st.searchJobs", map[string]any{"filter": map[string]any{}, "preferences": map[string]any{}},
			"/0 param-value filter and preferences cannot be combined: use filter for classic job search or preferences for AI job search"},
		{"st.createPost", map[string]any{"text": "Hi", "attachments": []any{map[string]any{"url": "https://example.com/a.pdf", "type": "document"}}},
			"/0/attachments/0 param-value attachments.0: a document attachment needs a name"},
		{"st.acceptInvitation", map[string]any{"invitationType": "connect", "companyUrl": "https://www.linkedin.com/company/x"},
			"/0 param-value invitationType connect needs personUrl"},
	}
	for _, tt := range tests {
		var got []string
		for _, p := range cat.Lookup(tt.action).CheckParams("/0", tt.params) {
			got = append(got, p.Pointer+" "+p.Code+" "+p.Message)
		}
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("%s %v:\n got  %q\n want %q", tt.action, tt.params, got, tt.want)
		}
	}
}

// TestCatalogRefusesOtherKeywords: a catalog file with a keyword the
// checks would not evaluate does not load.
func TestCatalogRefusesOtherKeywords(t *testing.T) {
	const head = `{"title": "st.x", "type": "object", "x-lwf": {"root": "always", "parents": [], "children": [], "result": {"kind": "none"}, "errors": []}, `
	tests := []struct{ body, want string }{
		{`"properties": {"a": {"type": "string", "format": "uri"}}}`, "catalog file st.x.json: /properties/a/format: the keyword is not one lwf's checks evaluate"},
		{`"oneOf": [{"required": ["a"]}]}`, "catalog file st.x.json: /oneOf: the keyword is not one lwf's checks evaluate"},
		{`"anyOf": [{"required": ["a"]}]}`, "catalog file st.x.json: /anyOf: the keyword is not one lwf's checks evaluate"},
		{`"allOf": [{"not": {"const": 1, "if": {}}}]}`, "catalog file st.x.json: /allOf/0/not/if: the keyword is not one lwf's checks evaluate"},
		{`"properties": {"a": {"type": "string", "pattern": "("}}}`, "catalog file st.x.json: pattern \"(\": error parsing regexp: missing closing ): `(`"},
	}
	for _, tt := range tests {
		fsys := fstest.MapFS{"st.x.json": {Data: []byte(head + tt.body)}}
		_, err := LoadFS(fsys)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s:\n got  %v\n want %s", tt.body, err, tt.want)
		}
	}
	fsys := fstest.MapFS{"st.x.json": {Data: []byte(head + `"allOf": [{"not": {"anyOf": [{"const": 1}], "contains": {}}}]}`)}}
	if _, err := LoadFS(fsys); err != nil {
		t.Errorf("the keywords a not may use: %v", err)
	}
}

// TestCatalogParsesOnUse: the catalog parses an action's file when the
// action is first looked up, not before, and a file that does not parse
// makes its action unknown there (LoadFS reports why).
func TestCatalogParsesOnUse(t *testing.T) {
	sub, err := fs.Sub(actionFiles, "actions")
	if err != nil {
		t.Fatal(err)
	}
	c, err := open(sub)
	if err != nil {
		t.Fatal(err)
	}
	parsed := func() (n int) {
		for _, f := range c.files {
			if f.a != nil {
				n++
			}
		}
		return n
	}
	if n := parsed(); n != 0 {
		t.Fatalf("%d files parsed on opening the catalog, want 0", n)
	}
	if a := c.Lookup("st.retrieveSSI"); a == nil || a.Name != "st.retrieveSSI" {
		t.Fatalf("Lookup(st.retrieveSSI) = %v", a)
	}
	c.Lookup("st.retrieveSSI")
	if n := parsed(); n != 1 {
		t.Fatalf("%d files parsed after looking up one action twice, want 1", n)
	}
	if n := len(c.Actions()); n != len(c.Names()) || n < 50 {
		t.Fatalf("Actions() lists %d of %d actions", n, len(c.Names()))
	}

	broken := fstest.MapFS{"st.x.json": {Data: []byte(`{"title": "st.y"}`)}}
	c, err = open(broken)
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Lookup("st.x"); a != nil {
		t.Errorf("a file that does not parse gave an action: %v", a)
	}
	if _, err := LoadFS(broken); err == nil || err.Error() != `catalog file st.x.json: title "st.y" does not match the file name` {
		t.Errorf("LoadFS: %v", err)
	}
}

// TestHeadOf: the head read from a decoded catalog file is what decoding
// the file into a fileHead gives, for every file of the catalog; a value
// of another type sends parseAction to encoding/json, whose error it
// reports.
func TestHeadOf(t *testing.T) {
	sub, err := fs.Sub(actionFiles, "actions")
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(sub, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		raw, err := fs.ReadFile(sub, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		var want fileHead
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		got, ok := headOf(doc)
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: headOf = %+v, %v\nwant %+v", e.Name(), got, ok, want)
		}
	}
	for _, bad := range []string{
		`{"title": 1}`,
		`{"title": "st.x", "x-lwf": {"write": "yes"}}`,
		`{"title": "st.x", "x-lwf": {"parents": ["a", 2]}}`,
		`{"title": "st.x", "x-lwf": {"result": {"item": {"name": 1}}}}`,
		`{"title": "st.x", "x-lwf": {"itemUrl": []}}`,
	} {
		var doc map[string]any
		if err := json.Unmarshal([]byte(bad), &doc); err != nil {
			t.Fatal(err)
		}
		if _, ok := headOf(doc); ok {
			t.Errorf("%s: headOf took it", bad)
		}
		var h fileHead
		want := json.Unmarshal([]byte(bad), &h)
		if _, err := parseAction("st.x", []byte(bad)); err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("%s: parseAction: %v, want %v", bad, err, want)
		}
	}
}
