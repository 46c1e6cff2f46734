package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// run runs lwf in-process and returns its exit code and streams.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{}
	code := mainWithEnv(context.Background(), args, strings.NewReader(""), &out, &errb, func(k string) string { return env[k] })
	return code, out.String(), errb.String()
}

// broken is the Node SDK 1.1 README's custom workflow, with its mistakes.
const broken = "../../examples/broken/sdk-readme.yaml"

func TestValidateFormats(t *testing.T) {
	code, out, _ := run(t, "validate", broken)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	want := `../../examples/broken/sdk-readme.yaml:14:17: unknown action "st.retriveCompanyEmployees" [unknown-action]
  hint: did you mean "st.retrieveCompanyEmployees"?
../../examples/broken/sdk-readme.yaml:16:28: filter.position must be a string, got an array [param-type]
../../examples/broken/sdk-readme.yaml:20:21: st.sendConnectionRequest cannot run under st.doForPeople [invalid-parent]
  hint: insert ` + "`action: openPersonPage`" + ` between doForPeople and sendConnectionRequest
`
	if out != want {
		t.Errorf("text output:\n%s\nwant:\n%s", out, want)
	}

	code, out, _ = run(t, "validate", "--format", "github", broken)
	if code != 1 || !strings.HasPrefix(out, "::error file=../../examples/broken/sdk-readme.yaml,line=14,col=17,endLine=14,endColumn=43,title=lwf unknown-action::unknown action \"st.retriveCompanyEmployees\"%0Ahint: did you mean \"st.retrieveCompanyEmployees\"?\n") {
		t.Errorf("github output (exit %d):\n%s", code, out)
	}

	code, out, _ = run(t, "validate", "--format", "json", broken)
	var doc struct {
		Version     int
		Files       []string
		Diagnostics []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 1 {
		t.Fatalf("json output (exit %d): %v\n%s", code, err, out)
	}
	if doc.Version != 1 || len(doc.Diagnostics) != 3 || doc.Diagnostics[1]["code"] != "param-type" || doc.Diagnostics[1]["line"] != 16.0 ||
		doc.Diagnostics[1]["path"] != "workflow.then.then.then.filter.position" || doc.Diagnostics[0]["severity"] != "error" {
		t.Errorf("json document: %+v", doc)
	}

	code, out, _ = run(t, "validate", "--format", "sarif", broken)
	var sarif struct {
		Version string
		Runs    []struct {
			Results []struct {
				RuleID    string
				Locations []struct {
					PhysicalLocation struct {
						Region struct{ StartLine, StartColumn int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &sarif); err != nil || code != 1 {
		t.Fatalf("sarif (exit %d): %v", code, err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs[0].Results) != 3 || sarif.Runs[0].Results[2].RuleID != "invalid-parent" ||
		sarif.Runs[0].Results[2].Locations[0].PhysicalLocation.Region.StartLine != 20 {
		t.Errorf("sarif: %+v", sarif)
	}
}

func TestValidateExitCodes(t *testing.T) {
	// Every example validates; examples/broken/ holds the mistakes of the
	// README's demo.
	examples, _ := filepath.Glob("../../examples/*.yaml")
	if code, out, errOut := run(t, append([]string{"validate"}, examples...)...); code != 0 || out != "" || len(examples) < 8 {
		t.Errorf("examples: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, _ := run(t, "validate", "../../examples"); code != 1 || strings.Count(out, "examples/broken/sdk-readme.yaml:") != 3 {
		t.Errorf("examples/ with broken/: exit %d\n%s", code, out)
	}
	if code, out, _ := run(t, "validate", "does-not-exist.yaml"); code != 2 || !strings.Contains(out, "does-not-exist.yaml: cannot read the file: no such file or directory [io]") {
		t.Errorf("missing file: exit %d\n%s", code, out)
	}
	if code, _, errOut := run(t, "validate", "--format", "xml", broken); code != 2 || errOut != "lwf: unknown format \"xml\": use text, json, github or sarif\n" {
		t.Errorf("bad format: exit %d, %q", code, errOut)
	}
	if code, _, _ := run(t, "validate", "--no-such-flag"); code != 2 {
		t.Errorf("bad flag: exit %d", code)
	}
}

func TestCompile(t *testing.T) {
	dir := t.TempDir()
	outFile := filepath.Join(dir, "payload.json")
	code, out, errOut := run(t, "compile", "../../examples/ai-startups.yaml", "--input", "companies=3", "--input", "note=Hello", "--compact", "--output", outFile)
	if code != 0 || out != "" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	b, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	// The file's people loop is named (as: person): its payload is the
	// first stage, what lwf sends before anyone is found, and compile
	// says so.
	want := `{"actionType":"st.searchCompanies","term":"AI startup","limit":3,"filter":{"locations":["San Francisco"],"sizes":["11-50","51-200"]},"then":{"actionType":"st.doForCompanies","then":{"actionType":"st.openCompanyPage","basicInfo":true,"then":{"actionType":"st.retrieveCompanyEmployees","limit":2,"filter":{"position":"manager"}}}}}` + "\n"
	if string(b) != want {
		t.Errorf("payload:\n%s\nwant:\n%s", b, want)
	}
	if wantErr := "note: stage 1 of 2 only: lwf renders the steps under the loops named with as: (person) for each item found, at run time; lwf plan shows every stage\n"; errOut != wantErr {
		t.Errorf("stderr %q, want %q", errOut, wantErr)
	}
	// A file without named loops is sent as compiled: no note.
	if code, out, errOut := run(t, "compile", "../../examples/leads-from-csv.yaml", "--input", "leads=@../../examples/leads.csv"); code != 0 || out == "" || errOut != "" {
		t.Errorf("leads-from-csv: exit %d, stderr %q", code, errOut)
	}
	// A file with errors prints nothing on stdout.
	code, out, errOut = run(t, "compile", broken)
	if code != 1 || out != "" || !strings.Contains(errOut, "[unknown-action]") {
		t.Errorf("compile of a broken file: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// A missing required input is an error in compile (not in validate),
	// and an input error: exit 2.
	code, _, errOut = run(t, "compile", "../../examples/leads-from-csv.yaml")
	if code != 2 || !strings.Contains(errOut, `input "leads" is required [input-missing]`) {
		t.Errorf("missing input: exit %d, %q", code, errOut)
	}
}

func TestActionsAndSchema(t *testing.T) {
	code, out, _ := run(t, "actions")
	if code != 0 || !strings.Contains(out, "st.sendConnectionRequest") || strings.Count(out, "\n") < 50 {
		t.Errorf("actions: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "actions", "sendConnectionRequest")
	for _, want := range []string{"st.sendConnectionRequest\n", "  note ", "max length 300", "Starts a workflow: only with personUrl", "Parents: st.openPersonPage", "Limit category: stConnectionRequests"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("actions sendConnectionRequest lacks %q:\n%s", want, out)
		}
	}
	if code, _, errOut := run(t, "actions", "sendConectionRequest"); code != 2 || !strings.Contains(errOut, `did you mean "st.sendConnectionRequest"?`) {
		t.Errorf("unknown action: exit %d %q", code, errOut)
	}
	code, out, _ = run(t, "schema")
	committed, err := os.ReadFile("../../lang/lwf.schema.json")
	if err != nil || code != 0 || out != string(committed) {
		t.Errorf("lwf schema differs from lang/lwf.schema.json (exit %d, %v)", code, err)
	}
}

func TestVersion(t *testing.T) {
	if code, out, _ := run(t, "version"); code != 0 || out != "lwf dev\n" {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestCompileOutputs(t *testing.T) {
	completion := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(completion, []byte(`{"success":true,"result":{"workflowId":"wf-1","workflowStatus":"completed","completion":
		{"actionType":"st.checkConnectionStatus","success":false,"error":{"type":"personNotFound","message":"no such person"}}}}`), 0o644)
	code, out, errOut := run(t, "compile", "check-connection-status", "--input", "personUrl=https://www.linkedin.com/in/x", "--apply-output", completion)
	want := "{\n  \"errors\": [\n    {\n      \"message\": \"no such person\",\n      \"type\": \"personNotFound\"\n    }\n  ]\n}\n"
	if code != 0 || out != want {
		t.Errorf("--apply-output: exit %d\n%s%s\nwant:\n%s", code, out, errOut, want)
	}
	code, out, _ = run(t, "compile", "check-connection-status", "--input", "personUrl=https://www.linkedin.com/in/x", "--show-output")
	if code != 0 || !strings.Contains(out, `"workflow": "check-connection-status"`) || !strings.Contains(out, `"data": "${{ result.data }}"`) {
		t.Errorf("--show-output: exit %d\n%s", code, out)
	}
}
