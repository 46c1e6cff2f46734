package compiler

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// exampleInputs reads the --input flags of the "lwf run" or "lwf compile"
// command an example's header shows, so the documented command is what the
// test runs. Paths are relative to the repository root.
var exampleCmd = regexp.MustCompile(`(?m)^#\s+lwf (?:run --sandbox|compile) (\S+)(.*)$`)

func TestExamples(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.yaml")
	if len(files) < 6 {
		t.Fatalf("want at least six examples, found %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(src), "# ") {
				t.Error("an example starts with a comment header saying what it does")
			}
			_, ds := Compile(context.Background(), f, src, Options{Symbolic: true})
			if len(ds) > 0 {
				t.Fatalf("validate:\n%s", renderDiags(ds))
			}
			m := exampleCmd.FindStringSubmatch(string(src))
			if m == nil {
				t.Fatal("the header shows no lwf run --sandbox or lwf compile command")
			}
			var inputs []string
			fields := strings.Fields(m[2])
			for i := 0; i < len(fields); i++ {
				if fields[i] == "--input" && i+1 < len(fields) {
					v := fields[i+1]
					if k, p, ok := strings.Cut(v, "=@"); ok {
						v = k + "=@../" + p
					}
					inputs = append(inputs, v)
					i++
				}
			}
			plan, ds := Compile(context.Background(), f, src, Options{Inputs: inputs})
			if len(ds) > 0 {
				t.Fatalf("compile %v:\n%s", inputs, renderDiags(ds))
			}
			if len(plan.Payloads) == 0 {
				t.Fatal("no payload")
			}
		})
	}
}
