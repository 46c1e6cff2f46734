package lang

import (
	"bytes"
	"flag"
	"os"
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
