package compiler_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/workflows"
)

var kebab = regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)

// allInputsLeaveOut names, per standard workflow, the inputs that the
// "every input given" compilation leaves out because the API rejects them
// together with others.
var allInputsLeaveOut = map[string][]string{
	"search-jobs":       {"preferences"},                 // filter and preferences exclude each other
	"accept-invitation": {"companyUrl", "newsletterUrl"}, // exactly one URL, the one of invitationType
	"ignore-invitation": {"companyUrl", "newsletterUrl"},
}

// requiredAlso names, per standard workflow, the optional inputs that the
// "required inputs" compilation gives too, because the API needs one of
// several (personUrl or threadId; the URL of the invitation type).
var requiredAlso = map[string][]string{
	"send-message":      {"personUrl"},
	"nv-send-message":   {"personUrl"},
	"accept-invitation": {"personUrl"},
	"ignore-invitation": {"personUrl"},
}

// TestStdlibWorkflows checks every file of the standard library: it is
// documented, validates without input values, and compiles without any
// diagnostic both with only its required inputs and with every input.
func TestStdlibWorkflows(t *testing.T) {
	names := workflows.Names()
	if len(names) < 26 {
		t.Fatalf("the standard library has %d workflows, want at least the 26 operations of issue 3", len(names))
	}
	ctx := context.Background()
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if !kebab.MatchString(name) {
				t.Errorf("file name %q is not kebab-case", name)
			}
			src, _ := workflows.Read(name)
			if !strings.HasPrefix(string(src), "# ") {
				t.Error("a standard workflow starts with a comment saying which SDK operation it mirrors")
			}
			f, ds := dsl.Parse(name+".yaml", src, dsl.Options{})
			if len(ds) > 0 || f.Root == nil {
				t.Fatalf("parse:\n%s", diagText(ds))
			}
			if got := f.Root.Get("name"); got == nil || got.Value != name {
				t.Errorf("name: is %v, want the file name %q", got, name)
			}
			if d := f.Root.Get("description"); d == nil || d.Value == "" {
				t.Error("no description")
			}
			out := f.Root.Get("output")
			if out == nil || out.Get("errors") == nil {
				t.Error("output: has no errors property")
			}

			if _, ds := compiler.CompileFile(ctx, name, compiler.Options{Symbolic: true}); len(ds) > 0 {
				t.Errorf("validate:\n%s", diagText(ds))
			}

			decls := f.Root.Get("inputs")
			required, all := sampleInputs(t, decls, requiredAlso[name], allInputsLeaveOut[name])
			for _, set := range []struct {
				what   string
				inputs []string
			}{{"required inputs", required}, {"every input", all}} {
				plan, ds := compiler.CompileFile(ctx, name, compiler.Options{Inputs: set.inputs})
				if len(ds) > 0 {
					t.Errorf("compile with %s %v:\n%s", set.what, set.inputs, diagText(ds))
					continue
				}
				if len(plan.Payloads) != 1 {
					t.Errorf("compile with %s: %d payloads, want 1", set.what, len(plan.Payloads))
				}
			}
		})
	}
}

// sampleInputs makes --input flags from the declarations: one set with the
// required inputs (and also), one with every input (but leaveOut).
func sampleInputs(t *testing.T, decls *dsl.Node, also, leaveOut []string) (required, all []string) {
	t.Helper()
	if decls == nil {
		return nil, nil
	}
	for _, p := range decls.Pairs {
		name := p.Key.Value
		decl, err := p.Value.Decode()
		if err != nil {
			t.Fatalf("input %s: %v", name, err)
		}
		m, _ := decl.(map[string]any)
		if d, _ := m["description"].(string); d == "" {
			t.Errorf("input %s has no description", name)
		}
		_, hasDefault := m["default"]
		req, explicit := m["required"].(bool)
		if !explicit {
			req = !hasDefault
		}
		var flag string
		if s, ok := sampleValue(name, m).(string); ok {
			flag = name + "=" + s
		} else {
			b, _ := json.Marshal(sampleValue(name, m))
			flag = name + "=" + string(b)
		}
		if req || contains(also, name) {
			required = append(required, flag)
		}
		if !contains(leaveOut, name) {
			all = append(all, flag)
		}
	}
	return required, all
}

// sampleValue returns a valid value for a declaration: the first enum
// value, the minimum, true, one-element lists, every declared property.
func sampleValue(name string, decl map[string]any) any {
	if e, ok := decl["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	switch decl["type"] {
	case "integer", "number":
		if v, ok := decl["minimum"]; ok {
			return v
		}
		return 1
	case "boolean":
		return true
	case "array":
		items, _ := decl["items"].(map[string]any)
		return []any{sampleValue(name, items)}
	case "object":
		props, _ := decl["properties"].(map[string]any)
		out := map[string]any{}
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			pm, _ := props[k].(map[string]any)
			out[k] = sampleValue(k, pm)
		}
		return out
	}
	switch {
	case strings.HasPrefix(name, "person") && strings.HasSuffix(name, "Url"):
		return "https://www.linkedin.com/in/sample-person"
	case strings.HasPrefix(name, "company") && strings.HasSuffix(name, "Url"):
		return "https://www.linkedin.com/company/sample-company"
	case name == "postUrl":
		return "https://www.linkedin.com/feed/update/urn:li:activity:7100000000000000000"
	case name == "jobUrl":
		return "https://www.linkedin.com/jobs/view/4000000001"
	case strings.HasSuffix(name, "Url"):
		return fmt.Sprintf("https://www.linkedin.com/sample/%s", strings.ToLower(name))
	case name == "since":
		return "2026-01-01"
	}
	return "sample " + name
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
