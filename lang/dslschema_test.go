package lang

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/lwf-dev/lwf/schemas"
)

var update = flag.Bool("update", false, "rewrite lwf.schema.json from the catalog")

// TestDSLSchemaCommitted keeps the committed editor schema equal to the one
// generated from the catalog, so editors and lwf never disagree.
func TestDSLSchemaCommitted(t *testing.T) {
	c, err := schemas.Load()
	if err != nil {
		t.Fatal(err)
	}
	got, err := DSLSchema(c)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile("lwf.schema.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("lwf.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("lang/lwf.schema.json is out of date: run go test ./lang -run TestDSLSchemaCommitted -update")
	}
}

func TestDSLSchemaValidates(t *testing.T) {
	c, err := schemas.Load()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := DSLSchema(c)
	comp := jsonschema.NewCompiler()
	if err := comp.AddResource(DSLSchemaID, bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	s, err := comp.Compile(DSLSchemaID)
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]any{
		"version": 1, "name": "x",
		"inputs": map[string]any{"n": map[string]any{"type": "integer", "default": 3}},
		"workflow": map[string]any{
			"action": "searchPeople", "term": "CTO", "limit": "${{ inputs.n }}",
			"then": map[string]any{"action": "doForPeople", "then": map[string]any{"action": "openPersonPage"}},
		},
	}
	if err := s.Validate(good); err != nil {
		t.Errorf("a valid file is rejected: %v", err)
	}
	bad := []map[string]any{
		{"version": 1, "name": "x", "workflow": map[string]any{"action": "searchPeople", "terms": "CTO"}},
		{"version": 1, "name": "x", "workflow": map[string]any{"action": "searchPeople", "limit": "ten"}},
		{"version": 1, "name": "x", "workflow": map[string]any{"action": "searchCompanies", "filter": map[string]any{"sizes": []any{"2001-500"}}}},
		{"version": 1, "name": "Bad Name", "workflow": map[string]any{"action": "retrieveSSI"}},
		{"version": 1, "name": "x", "workflow": map[string]any{"action": "st.nope"}},
	}
	for i, b := range bad {
		if err := s.Validate(b); err == nil {
			t.Errorf("bad[%d] is accepted", i)
		}
	}
}

// TestDSLSchemaVocabulary: the editor schema offers exactly the
// language's words — the file fields, the keys of an input declaration,
// a uses: step's keys, and every step keyword on every action's step.
func TestDSLSchemaVocabulary(t *testing.T) {
	c, err := schemas.Load()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := DSLSchema(c)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Properties  map[string]any
		Definitions map[string]struct{ Properties map[string]any }
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	same := func(what string, got map[string]any, want []string) {
		t.Helper()
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		want = append([]string(nil), want...)
		sort.Strings(want)
		if strings.Join(keys, " ") != strings.Join(want, " ") {
			t.Errorf("%s: the schema has %v, the vocabulary %v", what, keys, want)
		}
	}
	same("file fields", doc.Properties, FileFields())
	same("input keys", doc.Definitions["input"].Properties, InputKeys())
	same("uses: keys", doc.Definitions["uses"].Properties, UsesKeywords())
	for _, a := range c.Actions() {
		props := doc.Definitions["action."+a.Name].Properties
		for _, k := range StepKeywords() {
			if k == KeyUses || k == KeyWith {
				continue // a step has an action or uses:, never both
			}
			if props[k] == nil {
				t.Errorf("%s: keyword %s is missing from the editor schema", a.Name, k)
			}
		}
	}
}
