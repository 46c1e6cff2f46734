package compiler

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
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

// TestExprBudgetsHoldWhileRunning: expressions that build far more than
// the budget (a join of 9,000 copies of a 100 KB var was 900 MB) stop when
// they pass it, with expr-limit, having allocated little: the budget is
// counted before each string or list is built, not checked on the result.
func TestExprBudgetsHoldWhileRunning(t *testing.T) {
	const built = "expression builds more than 8388608 bytes of text and lists"
	tests := []struct{ expr, msg string }{
		{`join(map(1..9000, vars.s), '')`, built},
		{`len(map(1..19000, vars.s + vars.s))`, built},
		{`len(map(1..19000, vars.s + 'x'))`, built},
		{`len(map(1..19000, upper(vars.s)))`, built},
		{`len(map(1..19000, trim(vars.s)))`, built},
		{`len(toJSON(map(1..9000, vars.s)))`, built},
		{`len(string(map(1..9000, vars.s)))`, built},
		{`len(map(1..1000, split(vars.s, '')))`, built},
		{`len(map(1..19000, replace(vars.s, 'x', 'y')))`, built},
		{`len(concat(vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l, vars.l))`, built},
		{`len(filter(vars.l, none(vars.l, # < 0)))`, "expression takes more than 1000000 steps (items of map, filter, …)"},
	}
	s := strings.Repeat("x", 100_000)
	for _, tt := range tests {
		t.Run(tt.expr[:min(len(tt.expr), 40)], func(t *testing.T) {
			src := "version: 1\nname: budget\nvars:\n  s: " + s + "\n  l: ${{ 1..18000 }}\n  r: \"${{ " + tt.expr + " }}\"\nworkflow:\n  action: retrieveSSI\n"
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			// The deadline is not under test here: a busy machine must
			// not turn the budget's check into a timeout.
			_, ds := Compile(context.Background(), "budget.yaml", []byte(src), Options{ExprTimeout: time.Minute})
			runtime.ReadMemStats(&after)
			if len(ds) != 1 || ds[0].Code != diag.CodeExprLimit || ds[0].Message != tt.msg {
				t.Fatalf("diagnostics:\n%s", renderDiags(ds))
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MB on the way to the limit", alloc>>20)
			}
		})
	}
}

// TestExprTimeoutStops: an evaluation past its deadline stops, on the
// compilation's own goroutine: nothing goes on running once the deadline
// is reported (it used to run on in a goroutine of its own).
func TestExprTimeoutStops(t *testing.T) {
	src := "version: 1\nname: slow\nvars:\n  l: ${{ 1..18000 }}\n  r: \"${{ none(vars.l, -1 in vars.l) }}\"\nworkflow:\n  action: retrieveSSI\n"
	c, err := newCompilation("slow.yaml", Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.engine.timeout = 20 * time.Millisecond
	before := runtime.NumGoroutine()
	_, ds := c.compileSource(context.Background(), []byte(src))
	if got := renderDiags(ds); got != "slow.yaml:5:10: expression took longer than 20ms [expr-limit]\n" {
		t.Errorf("diagnostics:\n%s", got)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines left running after the deadline", after-before)
	}
}

// TestCancelStopsEvaluation: cancelling the context stops a long
// evaluation in the middle, not after it.
func TestCancelStopsEvaluation(t *testing.T) {
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
	src := "version: 1\nname: long\nworkflow:\n  action: retrieveSSI\n  label: \"${{ string(len(map(1..19000, now()))) }}\"\n"
	_, ds := Compile(ctx, "long.yaml", []byte(src), Options{Now: now})
	if calls > 200 {
		t.Errorf("the evaluation went on after the cancel: %d calls", calls)
	}
	if got := renderDiags(ds); got != "long.yaml: compilation stopped: context canceled [interrupted]\n" {
		t.Errorf("diagnostics:\n%s", got)
	}
}

// writeFile writes one file, making its directory.
func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestUsesPathsInTheDirectory: a file whose name starts with two dots is
// in the directory; a path that climbs out of it, directly or through a
// link, is refused.
func TestUsesPathsInTheDirectory(t *testing.T) {
	callee := "version: 1\nname: c\nworkflow:\n  action: retrieveSSI\n"
	dir := writeFiles(t, map[string]string{"..name.yaml": callee, "...yaml": callee, "..a..yaml": callee})
	writeFile(t, filepath.Join(dir, "sub"), "x.yaml", callee)
	if err := os.Symlink(filepath.Join(dir, "sub", "x.yaml"), filepath.Join(dir, "sub", "..link.yaml")); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	writeFile(t, outside, "o.yaml", callee)
	if err := os.Symlink(filepath.Join(outside, "o.yaml"), filepath.Join(dir, "..out.yaml")); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ uses, want string }{
		{"./..name.yaml", ""},
		{"..name.yaml", ""},
		{"./...yaml", ""},
		{"./..a..yaml", ""},
		{"./sub/..link.yaml", ""},
		{"./..out.yaml", `a.yaml:4:9: uses: "./..out.yaml" leaves the directory of a.yaml through a link [uses-not-found]`},
		{"../x.yaml", `a.yaml:4:9: uses: "../x.yaml" leaves the directory of a.yaml [uses-not-found]`},
		{"./sub/../../x.yaml", `a.yaml:4:9: uses: "./sub/../../x.yaml" leaves the directory of a.yaml [uses-not-found]`},
	}
	for _, tt := range tests {
		t.Run(tt.uses, func(t *testing.T) {
			writeFile(t, dir, "a.yaml", "version: 1\nname: a\nworkflow:\n  uses: "+tt.uses+"\n")
			_, ds := CompileFile(context.Background(), filepath.Join(dir, "a.yaml"), Options{})
			got := ""
			for _, d := range ds {
				d.File = filepath.Base(d.File)
				got += d.String()
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
