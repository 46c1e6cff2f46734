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

// TestExamplesRunOnSandbox runs every example the way its header says, on
// the in-process sandbox, and checks that every workflow completes.
func TestExamplesRunOnSandbox(t *testing.T) {
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
		t.Run(filepath.Base(f), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.json")
			args := []string{"run", "--sandbox", "--sandbox-speed", "0", "--poll-start", "5ms", "--allow-action-errors", f, "-o", out}
			fields := strings.Fields(m[2])
			for i := 0; i < len(fields); i++ {
				if fields[i] == "--input" && i+1 < len(fields) {
					v := fields[i+1]
					if k, p, ok := strings.Cut(v, "=@"); ok {
						v = k + "=@../../" + p
					}
					args = append(args, "--input", v)
					i++
				}
			}
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
	}
	if ran < 6 {
		t.Errorf("only %d examples show a lwf run --sandbox command", ran)
	}
}
