package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/schemas"
)

// TestActionsNestedKeys: lwf actions lists the keys of object parameters
// and of the objects in lists, with their types and allowed values, as
// text and as JSON.
func TestActionsNestedKeys(t *testing.T) {
	code, out, _ := run(t, "actions", "searchCompanies")
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`\n  filter +object +- +Conditions every returned company must meet`),
		regexp.MustCompile(`\n    filter\.sizes +string\[\] +each one of 1-10\|11-50\|51-200\|201-500\|501-1000\|1001-5000\|5001-10000\|10001\+ +Only companies`),
		regexp.MustCompile(`\n    filter\.locations +string\[\] +each min length 1 +Only companies in any of these locations`),
		regexp.MustCompile(`\n  limit +integer +default 10, min 1, max 1000 `),
	} {
		if code != 0 || !want.MatchString(out) {
			t.Errorf("actions searchCompanies lacks %s:\n%s", want.String(), out)
		}
	}
	code, out, _ = run(t, "actions", "createPost")
	if code != 0 || !regexp.MustCompile(`\n    attachments\[\]\.type +string +required, one of image\|video\|document +What the file is\.`).MatchString(out) {
		t.Errorf("actions createPost:\n%s", out)
	}

	code, out, _ = run(t, "actions", "searchCompanies", "--format", "json")
	var doc actionDoc
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil {
		t.Fatalf("json: exit %d, %v\n%s", code, err, out)
	}
	var filter *paramDoc
	for i := range doc.Parameters {
		if doc.Parameters[i].Name == "filter" {
			filter = &doc.Parameters[i]
		}
	}
	if filter == nil || len(filter.Keys) != 3 || filter.Keys[2].Name != "filter.sizes" || filter.Keys[2].Type != "string[]" ||
		filter.Keys[2].Items == nil || len(filter.Keys[2].Items.Enum) != 8 {
		t.Errorf("filter in JSON: %+v", filter)
	}
	if doc.StartsWorkflow != schemas.RootAlways || doc.Category != "stSearchQueries" || len(doc.Decisions) == 0 {
		t.Errorf("json: %+v", doc)
	}
}

// internalWording is what help must never say: how the catalog was made
// rather than what the Linked API does.
var internalWording = regexp.MustCompile(`(?i)\bseed\b|official SDK'?s README`)

// TestActionsHelpWording: the decisions of the catalog stay out of the
// default help and, where asked for, name SDKs by their version.
func TestActionsHelpWording(t *testing.T) {
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, ac := range cat.Actions() {
		for _, args := range [][]string{{"actions", ac.Name}, {"actions", ac.Name, "--decisions"}, {"actions", ac.Name, "--format", "json"}} {
			code, out, _ := run(t, args...)
			if code != 0 {
				t.Errorf("%v: exit %d", args, code)
			}
			if m := internalWording.FindString(out); m != "" {
				t.Errorf("%v says %q:\n%s", args, m, out)
			}
			if len(args) == 2 && strings.Contains(out, "Decisions") {
				t.Errorf("%v shows the decisions without --decisions", args)
			}
		}
	}
	_, out, _ := run(t, "actions", "sendConnectionRequest", "--decisions")
	if !strings.Contains(out, "  - The note key is note; message from the Node SDK 1.1 README is rejected.\n") {
		t.Errorf("--decisions:\n%s", out)
	}
	for _, args := range [][]string{{"--help"}, {"actions", "--help"}, {"run", "--help"}, {"plan", "--help"}} {
		if _, out, _ := run(t, args...); internalWording.MatchString(out) {
			t.Errorf("%v:\n%s", args, out)
		}
	}
}
