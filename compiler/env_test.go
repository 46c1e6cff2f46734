package compiler

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

const envSecret = "s3cr3t-VALUE-9f8e"

// secretEnv is the environment of the env tests: every variable a test
// reads holds (a form of) the secret.
func secretGetenv(k string) string {
	switch k {
	case "MY_SECRET":
		return envSecret
	case "JSON_SECRET":
		return `{"s3cr3tKey-77": 1, "label": "` + envSecret + `"}`
	case "LIST_SECRET":
		return envSecret + ",other-" + envSecret
	}
	return ""
}

// leaks reports whether text shows the secret or a piece of it: the
// secret, its upper- and lower-case forms, any 8 characters of them in a
// row, or the JSON secret's key.
func leaks(text string) string {
	for _, form := range []string{envSecret, strings.ToUpper(envSecret), strings.ToLower(envSecret), "s3cr3tKey-77"} {
		for i := 0; i+8 <= len(form); i++ {
			if strings.Contains(text, form[i:i+8]) {
				return form[i : i+8]
			}
		}
	}
	return ""
}

// TestEnvValuesNeverInDiagnostics: an expression that reads env, in any
// shape (conversions, concatenation, upper(), slices, through vars:,
// forEach items, with: inputs and params:), never gets the value into a
// diagnostic: a failed conversion says what failed but not on what, and a
// value a rule refuses is shown as ***.
func TestEnvValuesNeverInDiagnostics(t *testing.T) {
	head := "version: 1\nname: leak\nenv: [MY_SECRET, JSON_SECRET, LIST_SECRET]\n"
	react := "workflow:\n  action: reactToPost\n  postUrl: https://www.linkedin.com/feed/update/urn:li:activity:1\n  type: "
	posts := "workflow:\n  action: openPersonPage\n  personUrl: https://www.linkedin.com/in/a\n  then:\n    action: retrievePersonPosts\n    since: "
	tests := []struct{ name, src string }{
		{"int", head + "workflow:\n  action: searchPeople\n  limit: ${{ int(env.MY_SECRET) }}\n"},
		{"float", head + "workflow:\n  action: searchPeople\n  limit: ${{ float(env.MY_SECRET) }}\n"},
		{"date", head + posts + "${{ date(env.MY_SECRET) }}\n"},
		{"duration", head + "workflow:\n  action: searchPeople\n  term: \"${{ string(duration(env.MY_SECRET)) }}\"\n"},
		{"int of upper", head + "workflow:\n  action: searchPeople\n  limit: ${{ int(upper(env.MY_SECRET)) }}\n"},
		{"enum", head + react + "${{ env.MY_SECRET }}\n"},
		{"enum of upper", head + react + "${{ upper(env.MY_SECRET) }}\n"},
		{"enum of a slice", head + react + "${{ env.MY_SECRET[2:12] }}\n"},
		{"enum of a concatenation", head + react + "\"${{ 'x-' + env.MY_SECRET + '-y' }}\"\n"},
		{"enum of an interpolation", head + react + "pre-${{ lower(env.MY_SECRET) }}-post\n"},
		{"enum through vars", head + "vars:\n  v: ${{ lower(env.MY_SECRET) }}\n  w: ${{ vars.v + '!' }}\n" + react + "${{ vars.w }}\n"},
		{"date pattern", head + posts + "${{ env.MY_SECRET }}\n"},
		{"long text cut short", head + posts + "\"${{ 'a long text that the message cuts short, then: ' + env.MY_SECRET }}\"\n"},
		{"forEach not a list", head + "workflow:\n  - action: retrieveSSI\n    forEach: ${{ env.MY_SECRET }}\n"},
		{"forEach items", head + "workflow:\n  - action: reactToPost\n    forEach: \"${{ split(env.LIST_SECRET, ',') }}\"\n    postUrl: https://www.linkedin.com/feed/update/urn:li:activity:1\n    type: ${{ item }}\n"},
		{"if not a bool", head + "workflow:\n  action: retrieveSSI\n  if: ${{ env.MY_SECRET }}\n"},
		{"params", head + "workflow:\n  action: retrieveSSI\n  params: ${{ fromJSON(env.JSON_SECRET) }}\n"},
		{"label", head + "workflow:\n  action: retrieveSSI\n  label: ${{ fromJSON(env.JSON_SECRET) }}\n"},
		{"with: of a reusable workflow", head + "workflow:\n  uses: ./fragments/react.yaml\n  with:\n    reaction: ${{ env.MY_SECRET }}\n"},
		{"with: then a rule inside", head + "workflow:\n  uses: ./fragments/react.yaml\n  with:\n    kind: ${{ env.MY_SECRET }}\n"},
		{"field of a secret mapping", head + "vars:\n  m: ${{ fromJSON(env.JSON_SECRET) }}\nworkflow:\n  action: retrieveSSI\n  label: ${{ vars.m.missing }}\n"},
	}
	dir := writeFiles(t, map[string]string{})
	writeFile(t, filepath.Join(dir, "fragments"), "react.yaml", "version: 1\nname: react\ninputs:\n"+
		"  reaction: {type: string, enum: [like, love], default: like}\n  kind: {type: string, default: like}\n"+
		"workflow:\n  action: reactToPost\n  postUrl: https://www.linkedin.com/feed/update/urn:li:activity:1\n  type: ${{ inputs.kind }}\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, "leak.yaml")
			writeFile(t, dir, "leak.yaml", tt.src)
			_, ds := CompileFile(context.Background(), file, Options{Getenv: secretGetenv})
			if !ds.HasErrors() {
				t.Fatalf("no error: the test does not exercise a diagnostic\n%s", renderDiags(ds))
			}
			text := renderDiags(ds)
			for _, d := range ds {
				text += d.Path + "\n"
			}
			if piece := leaks(text); piece != "" {
				t.Errorf("a diagnostic shows %q of the secret:\n%s", piece, text)
			}
		})
	}
}

// TestValidateReadsNoEnv: lwf validate checks env.NAME as a string it
// does not know, and never reads the environment.
func TestValidateReadsNoEnv(t *testing.T) {
	src := "version: 1\nname: symbolic\nenv: [MY_SECRET]\nworkflow:\n  action: searchPeople\n" +
		"  limit: ${{ int(env.MY_SECRET) }}\n  term: ${{ upper(env.MY_SECRET) }}\n"
	getenv := func(k string) string {
		t.Errorf("validate read the environment variable %s", k)
		return envSecret
	}
	_, ds := Compile(context.Background(), "v.yaml", []byte(src), Options{Symbolic: true, Getenv: getenv})
	if len(ds) > 0 {
		t.Errorf("diagnostics:\n%s", renderDiags(ds))
	}
	// A string read from env is still type-checked.
	bad := strings.Replace(src, "int(env.MY_SECRET)", "env.MY_SECRET", 1)
	_, ds = Compile(context.Background(), "v.yaml", []byte(bad), Options{Symbolic: true, Getenv: getenv})
	if got := renderDiags(ds); got != "v.yaml:6:10: limit must be an integer, got a string [param-type]\n" {
		t.Errorf("diagnostics:\n%s", got)
	}
}

// TestEnvAllowList: a file reads only the variables its env: list
// declares, and --env (Options.EnvAllow) narrows what any file may
// declare; both hold in lwf validate too.
func TestEnvAllowList(t *testing.T) {
	tests := []struct {
		name, src string
		allow     []string
		want      string
	}{
		{"undeclared", "workflow:\n  action: searchPeople\n  term: ${{ env.CITY }}\n", nil,
			"e.yaml:5:13: env.CITY is not in the file's env: list [env-not-allowed]\n  hint: declare the variables the file reads: env: [CITY]\n"},
		{"declared", "env: [CITY]\nworkflow:\n  action: searchPeople\n  term: ${{ env.CITY }}\n", nil, ""},
		{"declared another", "env: [TOWN]\nworkflow:\n  action: searchPeople\n  term: x${{ env.CITY }}\n", nil,
			"e.yaml:6:14: env.CITY is not in the file's env: list [env-not-allowed]\n  hint: add it to the list at line 3\n"},
		{"read whole", "env: [CITY]\nworkflow:\n  action: searchPeople\n  term: ${{ toJSON(env) }}\n", nil,
			"e.yaml:6:20: env can only be read as env.NAME [env-not-allowed]\n  hint: a computed name could read any variable\n"},
		{"allowed by --env", "env: [CITY]\nworkflow:\n  action: searchPeople\n  term: ${{ env.CITY }}\n", []string{"CITY", "TOWN"}, ""},
		{"refused by --env", "env: [CITY, HOME]\nworkflow:\n  action: searchPeople\n  term: ${{ env.CITY }}\n", []string{"CITY"},
			"e.yaml:3:13: env: HOME is not allowed by --env (allowed: CITY) [env-not-allowed]\n"},
		{"--env allows none", "env: [CITY]\nworkflow:\n  action: searchPeople\n  term: ${{ env.CITY }}\n", []string{""},
			"e.yaml:3:7: env: CITY is not allowed by --env (allowed: none) [env-not-allowed]\n"},
		{"bad declarations", "env: [CITY, CITY, 'no such', LINKED_API_TOKEN]\nworkflow:\n  action: retrieveSSI\n", nil,
			"e.yaml:3:13: env: CITY is listed twice [field-value]\n" +
				"e.yaml:3:19: env: \"no such\" is not a variable name (letters, digits, _) [field-value]\n" +
				"e.yaml:3:30: env: LINKED_API_TOKEN is never available to expressions [env-not-allowed]\n  hint: tokens never go into payloads; lwf sends them as headers\n"},
		{"not a list", "env: CITY\nworkflow:\n  action: retrieveSSI\n", nil,
			"e.yaml:3:6: env must be a list of variable names, such as [CITY, REGION] [field-type]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "version: 1\nname: env\n" + tt.src
			for _, symbolic := range []bool{false, true} {
				_, ds := Compile(context.Background(), "e.yaml", []byte(src), Options{Symbolic: symbolic, EnvAllow: tt.allow,
					Getenv: func(k string) string { return "Berlin" }})
				if got := renderDiags(ds); got != tt.want {
					t.Errorf("symbolic=%v:\n%s\nwant:\n%s", symbolic, got, tt.want)
				}
			}
		})
	}
}
