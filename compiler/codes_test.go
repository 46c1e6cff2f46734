package compiler

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/lwf-dev/lwf/diag"
)

// goldenExempt are the codes no file under testdata/check can produce,
// each with the test that proves it instead.
var goldenExempt = map[diag.Code]string{
	diag.CodeInterrupted: "needs a cancelled context: TestCancelStopsExpansion, TestCancelStopsEvaluation",
	diag.CodeIO:          "the golden test reads the file itself: TestFilesReadAreRegularAndBounded",
}

var codeAtEnd = regexp.MustCompile(`(?m) \[([a-z-]+)\]$`)

// TestEveryCodeHasGoldenCase: each code of the registry is shown by a
// case under testdata/check (or exempt, with the reason), and the cases
// show no code the registry lacks.
func TestEveryCodeHasGoldenCase(t *testing.T) {
	files, _ := filepath.Glob("testdata/check/*.diag")
	shown := map[diag.Code]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range codeAtEnd.FindAllStringSubmatch(string(b), -1) {
			c := diag.Code(m[1])
			if _, ok := c.Info(); !ok {
				t.Errorf("%s shows code %s, which the registry (diag.Codes) lacks", f, c)
			}
			shown[c] = f
		}
	}
	for _, ci := range diag.Codes() {
		_, exempt := goldenExempt[ci.Code]
		switch f, ok := shown[ci.Code]; {
		case !ok && !exempt:
			t.Errorf("code %s has no golden case under testdata/check (add one, or exempt it with a reason)", ci.Code)
		case ok && exempt:
			t.Errorf("code %s is exempt but %s shows it: drop the exemption", ci.Code, f)
		}
	}
}
