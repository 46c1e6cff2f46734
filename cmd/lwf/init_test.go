package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInit(t *testing.T) {
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)

	code, out, errOut := run(t, "init", "outreach")
	if code != 0 || out != "wrote lwf.schema.json\nwrote outreach.yaml\n" {
		t.Fatalf("init: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := run(t, "validate", "outreach.yaml"); code != 0 || out != "" {
		t.Errorf("the written file does not validate: %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "run", "--sandbox", "--sandbox-speed", "0", "--poll-start", "5ms", "-q", "outreach.yaml"); code != 0 {
		t.Errorf("the written file does not run on the sandbox: %d\n%s", code, errOut)
	}
	if code, _, errOut := run(t, "init", "outreach"); code != 2 || !strings.Contains(errOut, "exists; --force overwrites it") {
		t.Errorf("overwrite without --force: %d %q", code, errOut)
	}
	if code, _, _ := run(t, "init", "outreach", "--force"); code != 0 {
		t.Errorf("--force: %d", code)
	}
	// A second file in the same folder shares its schema.
	if code, out, errOut := run(t, "init", "second"); code != 0 || out != "kept lwf.schema.json (up to date)\nwrote second.yaml\n" {
		t.Errorf("init second: exit %d\n%s%s", code, out, errOut)
	}
	if err := os.WriteFile("lwf.schema.json", []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := run(t, "init", "third"); code != 2 || errOut != "lwf: lwf.schema.json exists; it is another lwf's schema: lwf schema > lwf.schema.json refreshes it, --force overwrites every file\n" {
		t.Errorf("init with another schema: exit %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "init", "Bad Name"); code != 2 || !strings.Contains(errOut, "is not a workflow name") {
		t.Errorf("bad name: %d %q", code, errOut)
	}

	code, out, _ = run(t, "init", "--examples", "campaigns")
	if code != 0 || strings.Count(out, "wrote ") != 4 {
		t.Fatalf("--examples: %d\n%s", code, out)
	}
	if code, out, errOut := run(t, "validate", "campaigns"); code != 0 || out != "" {
		t.Errorf("examples do not validate: %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := run(t, "run", "--sandbox", "--sandbox-speed", "0", "--poll-start", "5ms", "-q",
		filepath.Join("campaigns", "campaign.yaml"), "--input", "leads=@"+filepath.Join("campaigns", "leads.csv")); code != 0 {
		t.Errorf("the example campaign does not run on the sandbox: %d\n%s", code, errOut)
	}
	b, _ := os.ReadFile(filepath.Join("campaigns", "campaign.yaml"))
	if !strings.HasPrefix(string(b), "# yaml-language-server: $schema=./lwf.schema.json") {
		t.Error("no modeline")
	}
}
