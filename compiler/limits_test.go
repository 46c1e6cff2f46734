package compiler

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/diag"
)

// writeFiles writes name → content files into a new temporary directory
// and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// steps writes n copies of one step as a root array.
func steps(name, step string, n int) string {
	return "version: 1\nname: " + name + "\nworkflow:\n" + strings.Repeat("  - "+step+"\n", n)
}

// TestUsesFanOutCap: a fan-out through uses: (a uses b 40 times, b uses c
// 50 times, c has 51 actions: 102,000 actions) passes the expansion cap.
// It must end in an error, reported where the cap was hit and at each
// uses: that was cut, and no payload — never in a shortened workflow.
func TestUsesFanOutCap(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml": steps("a", "uses: ./b.yaml", 40),
		"b.yaml": steps("b", "uses: ./c.yaml", 50),
		"c.yaml": steps("c", "action: retrieveSSI", 51),
	})
	for _, symbolic := range []bool{false, true} {
		plan, ds := CompileFile(context.Background(), filepath.Join(dir, "a.yaml"), Options{Symbolic: symbolic})
		if !ds.HasErrors() {
			n := 0
			if plan != nil {
				for _, p := range plan.Payloads {
					n += strings.Count(string(p), "retrieveSSI")
				}
			}
			t.Fatalf("symbolic=%v: no error; the plan holds %d actions of 102000", symbolic, n)
		}
		files := map[string]bool{}
		for _, d := range ds {
			if d.Code == diag.CodeTooManyActions {
				files[filepath.Base(d.File)] = true
			}
		}
		for _, f := range []string{"a.yaml", "b.yaml", "c.yaml"} {
			if !files[f] {
				t.Errorf("symbolic=%v: no %s diagnostic in %s:\n%s", symbolic, diag.CodeTooManyActions, f, renderDiags(ds))
			}
		}
		if plan != nil && len(plan.Payloads) > 0 {
			t.Errorf("symbolic=%v: %d payloads from a file with errors", symbolic, len(plan.Payloads))
		}
	}
}
