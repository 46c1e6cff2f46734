package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/sandbox"
)

// TestExitCodesAgree: the same problem gives the same exit code whatever
// the command (exitCodes, diagExit).
func TestExitCodesAgree(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	leads := "../../examples/leads-from-csv.yaml"
	broken := "../../examples/broken/sdk-readme.yaml"
	missing := filepath.Join(tb.dir, "missing.csv")
	notCSV := tb.campaignFile("not.csv", "url,name\n\"unterminated\n")
	tests := []struct {
		problem string
		args    []string // the command's arguments after its name
		code    int
		cmds    []string
	}{
		{"a missing required input", []string{leads}, exitUsage, []string{"compile", "plan", "run"}},
		{"an unreadable @file", []string{leads, "--input", "leads=@" + missing}, exitUsage, []string{"validate", "compile", "plan", "run"}},
		{"a malformed CSV", []string{leads, "--input", "leads=@" + notCSV}, exitUsage, []string{"validate", "compile", "plan", "run"}},
		{"an input the file does not declare", []string{leads, "--input", "leads=@../../examples/leads.csv", "--input", "nope=1"}, exitUsage, []string{"validate", "compile", "plan", "run"}},
		{"a problem in the file", []string{broken}, exitFindings, []string{"validate", "compile", "plan", "run"}},
		{"a file that is not there", []string{filepath.Join(tb.dir, "nothing.yaml")}, exitUsage, []string{"validate", "compile", "plan", "run"}},
		{"an unknown flag", []string{leads, "--no-such-flag"}, exitUsage, []string{"validate", "compile", "plan", "run"}},
	}
	for _, tt := range tests {
		for _, c := range tt.cmds {
			args := append([]string{c}, tt.args...)
			if c == "run" {
				args = append(args, "--poll-start", "5ms")
			}
			code, _, stderr := tb.lwf(args...)
			if code != tt.code {
				t.Errorf("%s: lwf %s exits %d, want %d\n%s", tt.problem, c, code, tt.code, stderr)
			}
		}
	}
	if tb.posts() != 0 {
		t.Errorf("%d POSTs", tb.posts())
	}
}

// TestExitCodesHelp: lwf help exit-codes prints the one table.
func TestExitCodesHelp(t *testing.T) {
	code, out, _ := run(t, "help", "exit-codes")
	if code != 0 || !strings.Contains(out, exitCodesText()) {
		t.Errorf("exit %d\n%s", code, out)
	}
	for _, e := range exitCodes {
		if strings.Contains(exitCodesText(), "`") || !strings.Contains(out, e.Meaning[:20]) {
			t.Errorf("code %d missing from:\n%s", e.Code, out)
		}
	}
}

func TestVersionFlag(t *testing.T) {
	_, a, _ := run(t, "version")
	code, b, stderr := run(t, "--version")
	if code != 0 || a != b || a != "lwf "+version+"\n" {
		t.Errorf("--version: exit %d %q %q, version %q", code, b, stderr, a)
	}
}

// TestFlagHints: a flag lwf does not have points where to go.
func TestFlagHints(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "--dry-run", "x.yaml"}, "lwf: unknown flag: --dry-run: lwf plan FILE shows what lwf run would send, and sends nothing\n"},
		{[]string{"plan", "--ignore-limit", "x.yaml"}, "lwf: unknown flag: --ignore-limit (did you mean --ignore-limits?)\n"},
		{[]string{"validate", "--formt", "json"}, "lwf: unknown flag: --formt (did you mean --format?)\n"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != exitUsage || stderr != tt.want {
			t.Errorf("%v: exit %d %q, want %q", tt.args, code, stderr, tt.want)
		}
	}
}

// TestFormatEverywhere: every command that prints JSON takes --format
// json, and --json as its alias.
func TestFormatEverywhere(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	if code, _, stderr := tb.lwf(tb.runArgs("-q")...); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := tb.run("sync-conversation", "--input", "personUrl=https://www.linkedin.com/in/p-0", "-q"); code != 0 {
		t.Fatalf("sync-conversation: exit %d\n%s", code, stderr)
	}
	_, out, _ := tb.lwf("runs", "--format", "json")
	var runs []struct{ ID string }
	if err := json.Unmarshal([]byte(out), &runs); err != nil || len(runs) != 2 {
		t.Fatalf("runs: %v\n%s", err, out)
	}
	file := "../../examples/weekly-outreach.yaml"
	commands := [][]string{
		{"runs"}, {"status", runs[0].ID}, {"stats", "--since", "1d"}, {"account"},
		{"conversations", "poll", "--person", "https://www.linkedin.com/in/p-0"},
		{"inbox", "poll"}, {"network", "poll"}, {"actions"}, {"actions", "sendConnectionRequest"},
		{"plan", file, "--input", "leads=@../../examples/weekly-outreach.csv"}, {"ledger", "list"},
	}
	for _, c := range commands {
		code, byFormat, stderr := tb.lwf(append(c, "--format", "json")...)
		if code != 0 || !json.Valid([]byte(byFormat)) {
			t.Errorf("%v --format json: exit %d\n%s%s", c, code, byFormat, stderr)
			continue
		}
		_, byAlias, _ := tb.lwf(append(c, "--json")...)
		if c[0] != "stats" && byAlias != byFormat {
			t.Errorf("%v: --json differs from --format json:\n%s\n%s", c, byAlias, byFormat)
		}
		if code, _, stderr := tb.lwf(append(c, "--format", "xml")...); code != exitUsage || !strings.Contains(stderr, `"xml"`) {
			t.Errorf("%v --format xml: exit %d %q", c, code, stderr)
		}
	}
}

// TestValidateRecognisesItsFiles: below a directory, YAML that is not an
// lwf workflow file is skipped and counted; named, it is checked.
func TestValidateRecognisesItsFiles(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"docker-compose.yml":          "version: \"3.8\"\nservices:\n  web:\n    image: nginx\n",
		".github/workflows/ci.yml":    "name: ci\non: [push]\njobs: {}\n",
		"k8s/deploy.yaml":             "apiVersion: apps/v1\nkind: Deployment\n",
		"campaigns/ok.yaml":           "version: 1\nname: ok\nworkflow:\n  action: retrieveSSI\n",
		"campaigns/typo.yaml":         "version: 1\nname: typo\nworkfow:\n  action: retrieveSSI\n",
		"campaigns/no-version.yaml":   "name: no-version\nworkflow:\n  action: retrieveSSII\n",
		"campaigns/modeline.yaml":     "# yaml-language-server: $schema=./lwf.schema.json\nname: m\n",
		"campaigns/sub/flow.lwf.yaml": "version: 1 # comment\nname: flow\nworkflow: {action: retrieveSSI}\n",
	}
	for name, src := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, p, src)
	}
	code, out, stderr := run(t, "validate", dir)
	// typo.yaml (version: 1), no-version.yaml (workflow:) and the
	// modeline file are lwf's, with their problems; the hidden directory
	// is not walked; two files are skipped.
	if code != exitFindings || !strings.Contains(out, "typo.yaml") || !strings.Contains(out, "no-version.yaml") || !strings.Contains(out, "modeline.yaml") ||
		strings.Contains(out, "docker-compose") || strings.Contains(out, "deploy.yaml") {
		t.Errorf("exit %d\n%s", code, out)
	}
	if stderr != "lwf: skipped 2 YAML files that are not lwf workflow files (--verbose lists them)\n" {
		t.Errorf("stderr %q", stderr)
	}
	_, _, stderr = run(t, "validate", "--verbose", dir)
	want := "lwf: skipped " + filepath.Join(dir, "docker-compose.yml") + ": not an lwf workflow file (no top-level workflow: or version: 1)\n" +
		"lwf: skipped " + filepath.Join(dir, "k8s/deploy.yaml") + ": not an lwf workflow file (no top-level workflow: or version: 1)\n"
	if stderr != want {
		t.Errorf("--verbose:\n%s\nwant:\n%s", stderr, want)
	}
	// Named on the command line, a file is checked whatever it holds.
	if code, out, _ := run(t, "validate", filepath.Join(dir, "docker-compose.yml")); code != exitFindings || !strings.Contains(out, "docker-compose.yml") {
		t.Errorf("named: exit %d\n%s", code, out)
	}
	// fmt leaves other YAML alone.
	if code, out, stderr := run(t, "fmt", "--check", dir); strings.Contains(out, "docker-compose") || !strings.Contains(stderr, "skipped 2 YAML files") {
		t.Errorf("fmt: exit %d\n%s%s", code, out, stderr)
	}
}

// TestPlanIgnoreLimits: plan takes --ignore-limits as run does, and then
// says the run would send.
func TestPlanIgnoreLimits(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	file := tb.campaignFile("capped.yaml", "version: 1\nname: capped\nlimits:\n  stConnectionRequests: {daily: 1}\n"+
		"workflow:\n  - action: sendConnectionRequest\n    personUrl: https://www.linkedin.com/in/a\n  - action: sendConnectionRequest\n    personUrl: https://www.linkedin.com/in/b\n")
	code, out, _ := tb.lwf("plan", file)
	if code != exitFindings || !strings.HasSuffix(out, "refused: the plan exceeds 1 limit; lwf run refuses it: --fit sends what fits the limits now and leaves the rest for a later run; --ignore-limits sends everything anyway\n") {
		t.Errorf("plan: exit %d\n%s", code, out)
	}
	code, out, _ = tb.lwf("plan", file, "--ignore-limits")
	if code != exitOK || !strings.HasSuffix(out, "over the limits: the plan exceeds 1 limit; lwf run --ignore-limits sends it anyway\n") {
		t.Errorf("plan --ignore-limits: exit %d\n%s", code, out)
	}
	if code, _, stderr := tb.run(file, "--ignore-limits"); code != exitOK || !strings.Contains(stderr, "going on past the limits, as --ignore-limits asks") {
		t.Errorf("run --ignore-limits: exit %d\n%s", code, stderr)
	}
}
