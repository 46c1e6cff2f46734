package compiler

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestPayloadBodyLimit: a workflow whose JSON passes the API's body limit
// is an error at compile time that gives the size — in lwf validate too —
// and no payload is made.
func TestPayloadBodyLimit(t *testing.T) {
	long := strings.Repeat("x", 300_000)
	tests := []struct {
		name, src string
		want      string
	}{
		{"one workflow", "version: 1\nname: big\nvars:\n  s: " + long + "\nworkflow:\n" +
			strings.Repeat("  - action: searchPeople\n    term: ${{ vars.s }}\n", 4),
			"big.yaml:6:13: the workflow is 1200173 bytes as JSON, more than the 1048576 bytes the API accepts in one request [payload-too-large]"},
		{"the second of two", "version: 1\nname: big\nvars:\n  s: " + long + "\nworkflow:\n" +
			"  - action: searchPeople\n    forEach: ${{ 1..8 }}\n    term: \"${{ index < 4 ? 'x' : vars.s }}\"\n",
			"big.yaml:6:13: workflow 2 of 2 is 1200173 bytes as JSON, more than the 1048576 bytes the API accepts in one request [payload-too-large]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, symbolic := range []bool{false, true} {
				plan, ds := Compile(context.Background(), "big.yaml", []byte(tt.src), Options{Symbolic: symbolic, ChunkSize: 4})
				var got []string
				for _, d := range ds {
					got = append(got, d.String())
				}
				if len(got) != 1 || !strings.HasPrefix(got[0], strings.SplitN(tt.want, " is ", 2)[0]) {
					t.Fatalf("symbolic=%v: got %q, want %q", symbolic, got, tt.want)
				}
				if !symbolic && got[0] != tt.want {
					t.Errorf("got  %s\nwant %s", got[0], tt.want)
				}
				if plan != nil && len(plan.Payloads) > 0 {
					t.Errorf("symbolic=%v: %d payloads made", symbolic, len(plan.Payloads))
				}
			}
		})
	}
}

// TestCancelStopsExpansion: a compilation stops soon after its context is
// cancelled (lwf's commands cancel it on Ctrl-C and SIGTERM), with an
// interrupted diagnostic and no payload, instead of expanding on.
func TestCancelStopsExpansion(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	now := func() time.Time {
		calls++
		if calls == 100 {
			cancel()
		}
		return testNow
	}
	src := "version: 1\nname: long\nworkflow:\n  - action: retrieveSSI\n    forEach: ${{ 1..19000 }}\n    label: ${{ now() }}\n"
	plan, ds := Compile(ctx, "long.yaml", []byte(src), Options{Now: now})
	if calls > 101 {
		t.Errorf("the expansion went on after the cancel: %d evaluations", calls)
	}
	if got := renderDiags(ds); got != "long.yaml: compilation stopped: context canceled [interrupted]\n" {
		t.Errorf("diagnostics:\n%s", got)
	}
	if plan != nil && len(plan.Payloads) > 0 {
		t.Errorf("%d payloads from a stopped compilation", len(plan.Payloads))
	}
}
