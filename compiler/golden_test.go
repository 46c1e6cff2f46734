package compiler

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/diag"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testNow is the clock of every golden test.
var testNow = time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)

var testEnv = map[string]string{"LWF_TEST_CITY": "Berlin", "LINKED_API_TOKEN": "canary-token-must-not-leak"}

// goldenOptions reads the test's options from its first line:
//
//	# args: --input note=Hi --input leads=@leads.csv --compile --chunk-size 2
//
// Paths after @ are relative to testdata. Without --compile the file is
// checked as lwf validate does (symbolically).
func goldenOptions(t *testing.T, src []byte, symbolic bool) Options {
	opts := Options{Symbolic: symbolic, Now: func() time.Time { return testNow }, Getenv: func(k string) string { return testEnv[k] }}
	first, _, _ := strings.Cut(string(src), "\n")
	args, ok := strings.CutPrefix(first, "# args:")
	if !ok {
		return opts
	}
	fields := strings.Fields(args)
	for i := 0; i < len(fields); i++ {
		switch fields[i] {
		case "--input":
			i++
			v := fields[i]
			if k, rest, ok := strings.Cut(v, "=@"); ok {
				v = k + "=@" + filepath.Join("testdata", rest)
			}
			opts.Inputs = append(opts.Inputs, strings.ReplaceAll(v, "_SP_", " "))
		case "--inputs-file":
			i++
			opts.InputsFile = filepath.Join("testdata", fields[i])
		case "--max-bytes", "--max-depth", "--max-nodes", "--max-expanded-bytes":
			i++
			var n int
			if err := json.Unmarshal([]byte(fields[i]), &n); err != nil {
				t.Fatalf("bad %s: %v", fields[i-1], err)
			}
			switch fields[i-1] {
			case "--max-bytes":
				opts.Parse.MaxBytes = n
			case "--max-depth":
				opts.Parse.MaxDepth = n
			case "--max-nodes":
				opts.Parse.MaxNodes = n
			default:
				opts.Parse.MaxExpandedBytes = n
			}
		case "--env":
			i++
			opts.EnvAllow = append(opts.EnvAllow, fields[i])
		case "--compile":
			opts.Symbolic = false
		case "--chunk-size":
			i++
			var n int
			if err := json.Unmarshal([]byte(fields[i]), &n); err != nil {
				t.Fatalf("bad --chunk-size: %v", err)
			}
			opts.ChunkSize = n
		default:
			t.Fatalf("unknown test arg %q", fields[i])
		}
	}
	return opts
}

// renderDiags is the text the .diag golden files hold.
func renderDiags(ds diag.List) string {
	var b bytes.Buffer
	if err := (&diag.TextWriter{}).Write(&b, ds, nil); err != nil {
		panic(err)
	}
	return b.String()
}

func TestCheckGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/check/*.yaml")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, ds := Compile(context.Background(), f, src, goldenOptions(t, src, true))
			got := renderDiags(ds)
			golden := strings.TrimSuffix(f, ".yaml") + ".diag"
			compareGolden(t, golden, got)
			if got == "" {
				t.Errorf("%s: a check case must produce diagnostics", f)
			}
		})
	}
}

func TestLowerGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/lower/*.yaml")
	if len(files) == 0 {
		t.Fatal("no golden files")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".yaml"), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			opts := goldenOptions(t, src, false)
			plan, ds := Compile(context.Background(), f, src, opts)
			if len(ds) > 0 {
				t.Fatalf("unexpected diagnostics:\n%s", renderDiags(ds))
			}
			var b bytes.Buffer
			for _, p := range plan.Payloads {
				if err := json.Indent(&b, p, "", "  "); err != nil {
					t.Fatal(err)
				}
				b.WriteByte('\n')
			}
			compareGolden(t, strings.TrimSuffix(f, ".yaml")+".json", b.String())
			// The same file must also pass lwf validate (symbolically).
			opts.Symbolic = true
			opts.Inputs, opts.InputsFile = nil, ""
			if _, ds := Compile(context.Background(), f, src, opts); ds.HasErrors() {
				t.Errorf("validate reports errors on a file that compiles:\n%s", renderDiags(ds))
			}
		})
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden file (run with -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n--- got\n%s--- want\n%s", path, got, want)
	}
}
