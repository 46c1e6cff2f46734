package format_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/format"
)

// TestFormatKeepsMeaning: every example, standard workflow and lowering
// case compiles to the same payloads before and after formatting.
func TestFormatKeepsMeaning(t *testing.T) {
	var files []string
	for _, g := range []string{"../examples/*.yaml", "../workflows/*.yaml", "../compiler/testdata/lower/*.yaml"} {
		m, _ := filepath.Glob(g)
		files = append(files, m...)
	}
	if len(files) < 30 {
		t.Fatalf("only %d files", len(files))
	}
	compared := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, err := format.Format(src)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		// Compile both under the file's own name, so relative uses: and
		// @file inputs resolve the same way; nothing is written beside it
		// (a temporary file in workflows/ would be embedded by a build
		// running at the same time).
		a, da := compiler.CompileFile(context.Background(), f, compiler.Options{})
		b, db := compiler.Compile(context.Background(), f, out, compiler.Options{})
		if len(da) != len(db) {
			t.Errorf("%s: %d diagnostics before formatting, %d after", f, len(da), len(db))
		}
		if a != nil && b != nil && len(a.Payloads) == len(b.Payloads) {
			compared += len(a.Payloads)
			for i := range a.Payloads {
				if !bytes.Equal(a.Payloads[i], b.Payloads[i]) {
					t.Errorf("%s: payload %d changed", f, i)
				}
			}
		}
	}
	if compared < 20 {
		t.Errorf("only %d payloads compared", compared)
	}
}
