package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var exampleRun = regexp.MustCompile(`(?m)^#\s+lwf run --sandbox (\S+)(.*)$`)

// exampleInputs returns the --input flags of an example header's command,
// with @file paths made relative to this package.
func exampleInputs(rest string) []string {
	var args []string
	fields := strings.Fields(rest)
	for i := 0; i+1 < len(fields); i++ {
		if fields[i] == "--input" {
			v := fields[i+1]
			if k, p, ok := strings.Cut(v, "=@"); ok {
				v = k + "=@../../" + p
			}
			args = append(args, "--input", v)
			i++
		}
	}
	return args
}

// eachExample runs fn as a subtest for every example whose header shows a
// lwf run --sandbox command, with that command's inputs, and returns how
// many there were.
func eachExample(t *testing.T, fn func(t *testing.T, file string, inputs []string)) int {
	t.Helper()
	files, _ := filepath.Glob("../../examples/*.yaml")
	ran := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := exampleRun.FindStringSubmatch(string(src))
		if m == nil {
			continue
		}
		ran++
		inputs := exampleInputs(m[2])
		t.Run(filepath.Base(f), func(t *testing.T) { fn(t, f, inputs) })
	}
	return ran
}

// TestExamplesRunOnSandbox runs every example the way its header says, on
// the in-process sandbox, and checks that every workflow completes.
func TestExamplesRunOnSandbox(t *testing.T) {
	ran := eachExample(t, func(t *testing.T, f string, inputs []string) {
		dir := t.TempDir()
		out := filepath.Join(dir, "out.json")
		args := append([]string{"run", "--sandbox", "--sandbox-speed", "0", "--poll-start", "5ms", "--allow-action-errors", "--state", dir, f, "-o", out}, inputs...)
		var o, e bytes.Buffer
		code := mainWithEnv(context.Background(), args, strings.NewReader(""), &o, &e, func(string) string { return "" })
		if code != exitOK {
			t.Fatalf("exit %d\n%s", code, e.String())
		}
		var doc struct {
			Workflows []struct{ State string }
		}
		b, _ := os.ReadFile(out)
		if err := json.Unmarshal(b, &doc); err != nil || len(doc.Workflows) == 0 {
			t.Fatalf("results: %v\n%s", err, b)
		}
		for i, w := range doc.Workflows {
			if w.State != "completed" {
				t.Errorf("workflow %d: %s", i, w.State)
			}
		}
	})
	if ran < 6 {
		t.Errorf("only %d examples show a lwf run --sandbox command", ran)
	}
}
