package diag

import (
	"flag"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the codes table of docs/language.md")

// TestRegistry: every code is registered once, with a one-sentence
// summary and a help text.
func TestRegistry(t *testing.T) {
	seen := map[Code]bool{}
	for _, ci := range Codes() {
		if seen[ci.Code] {
			t.Errorf("%s is registered twice", ci.Code)
		}
		seen[ci.Code] = true
		if !strings.HasSuffix(ci.Summary, ".") || strings.Contains(strings.TrimSuffix(ci.Summary, "."), ". ") {
			t.Errorf("%s: the summary must be one sentence: %q", ci.Code, ci.Summary)
		}
		if ci.Help == "" {
			t.Errorf("%s has no help", ci.Code)
		}
		if got, ok := ci.Code.Info(); !ok || got != ci {
			t.Errorf("%s: Info() = %v, %v", ci.Code, got, ok)
		}
	}
	if _, ok := Code("no-such-code").Info(); ok {
		t.Error("an unregistered code has an entry")
	}
}

const (
	tableStart = "<!-- codes: generated from diag.Codes; go test ./diag -run TestCodesTable -update rewrites it -->\n"
	tableEnd   = "<!-- end of codes -->\n"
)

// codesTable renders the registry as the table of docs/language.md.
func codesTable() string {
	var b strings.Builder
	b.WriteString("| code | what it reports | what to do |\n| --- | --- | --- |\n")
	for _, ci := range Codes() {
		b.WriteString("| `" + string(ci.Code) + "` | " + ci.Summary + " | " + ci.Help + " |\n")
	}
	return b.String()
}

// TestCodesTable keeps the table of codes in docs/language.md equal to
// the registry.
func TestCodesTable(t *testing.T) {
	const path = "../docs/language.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, tableStart), strings.Index(doc, tableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no generated codes table (%q … %q)", path, tableStart, tableEnd)
	}
	got := doc[i+len(tableStart) : j]
	want := codesTable()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(doc[:i+len(tableStart)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the codes table of %s differs from the registry; go test ./diag -run TestCodesTable -update rewrites it", path)
}
