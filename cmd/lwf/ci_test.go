package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestActionScript runs the GitHub Action's script as the composite action
// does, with a freshly built lwf, on the examples and on a broken file.
func TestActionScript(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "lwf")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	script := "../../scripts/action-validate.sh"
	runScript := func(env ...string) (int, string) {
		cmd := exec.Command("bash", script)
		cmd.Env = append(os.Environ(), append([]string{"LWF=" + bin}, env...)...)
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out)
	}
	examples, _ := filepath.Glob("../../examples/*.yaml")
	if code, out := runScript("LWF_PATHS=" + strings.Join(examples, " ") + " ../../workflows"); code != 0 || !strings.Contains(out, "no problems") {
		t.Errorf("examples: exit %d\n%s", code, out)
	}
	code, out := runScript("LWF_PATHS=../../examples/broken/sdk-readme.yaml")
	if code != 1 || !strings.Contains(out, "::error file=../../examples/broken/sdk-readme.yaml,line=14,col=17,") {
		t.Errorf("broken file: exit %d\n%s", code, out)
	}
	// The action's default, ".", in a repository with other YAML: only
	// the workflow files are checked.
	repo := t.TempDir()
	write(t, filepath.Join(repo, "docker-compose.yml"), "version: \"3.8\"\nservices:\n  web: {image: nginx}\n")
	write(t, filepath.Join(repo, "campaign.yaml"), "version: 1\nname: c\nworkflow:\n  action: retrieveSSI\n")
	abs, _ := filepath.Abs(script)
	cmd := exec.Command("bash", abs)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "LWF="+bin)
	scriptOut, _ := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 0 || string(scriptOut) != "lwf: skipped 1 YAML file that is not an lwf workflow file (--verbose lists it)\nlwf validate: .: no problems\n" {
		t.Errorf("default paths in a repository: exit %d\n%s", code, scriptOut)
	}
	sarif := filepath.Join(dir, "lwf.sarif")
	if code, _ := runScript("LWF_PATHS=../../examples/broken/sdk-readme.yaml", "LWF_FORMAT=sarif", "LWF_OUTPUT="+sarif); code != 1 {
		t.Errorf("sarif: exit %d", code)
	}
	if b, err := os.ReadFile(sarif); err != nil || !strings.Contains(string(b), `"version": "2.1.0"`) {
		t.Errorf("sarif report: %v", err)
	}
}

// TestActionAndHooksFiles: action.yml runs the script, and each pre-commit
// hook names a command lwf has.
func TestActionAndHooksFiles(t *testing.T) {
	var action struct {
		Runs struct {
			Using string
			Steps []struct{ Run string }
		}
	}
	b, err := os.ReadFile("../../action.yml")
	if err != nil || yaml.Unmarshal(b, &action) != nil || action.Runs.Using != "composite" {
		t.Fatalf("action.yml: %v", err)
	}
	last := action.Runs.Steps[len(action.Runs.Steps)-1].Run
	if !strings.Contains(last, "scripts/action-validate.sh") {
		t.Errorf("the action does not run the tested script: %q", last)
	}
	var hooks []struct{ ID, Entry, Language, Files string }
	b, err = os.ReadFile("../../.pre-commit-hooks.yaml")
	if err != nil || yaml.Unmarshal(b, &hooks) != nil || len(hooks) == 0 {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	for _, h := range hooks {
		args := strings.Fields(h.Entry)
		if len(args) < 2 || args[0] != "lwf" {
			t.Errorf("%s: entry %q", h.ID, h.Entry)
			continue
		}
		if code, _, _ := run(t, args[1], "--help"); code != 0 {
			t.Errorf("%s: lwf %s is not a command", h.ID, args[1])
		}
	}
}
