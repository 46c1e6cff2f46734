package format

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.in.yaml")
	if len(files) == 0 {
		t.Fatal("no cases")
	}
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			src, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Format(src)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Replace(in, ".in.", ".out.", 1)
			if *update {
				os.WriteFile(want, got, 0o644)
			}
			b, err := os.ReadFile(want)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(b) {
				t.Errorf("got:\n%s\nwant:\n%s", got, b)
			}
			again, err := Format(got)
			if err != nil || string(again) != string(got) {
				t.Errorf("formatting twice changes the file:\n%s", again)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	for _, src := range []string{"a: [1", "a: 1\n---\nb: 2\n"} {
		if _, err := Format([]byte(src)); err == nil {
			t.Errorf("%q: no error", src)
		}
	}
	if out, err := Format(nil); err != nil || len(out) != 0 {
		t.Errorf("empty file: %q %v", out, err)
	}
}

// FuzzIdempotent: for any input that formats, formatting the result
// again changes nothing.
func FuzzIdempotent(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.in.yaml")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte("a: 1 # c\nb:\n  - x\n  - y: [1, 2]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		if len(src) > 4096 {
			return
		}
		once, err := Format(src)
		if err != nil {
			return
		}
		twice, err := Format(once)
		if err != nil {
			t.Fatalf("formatted output does not parse: %v\n%s", err, once)
		}
		if string(once) != string(twice) {
			t.Fatalf("not idempotent:\n--- once\n%s\n--- twice\n%s", once, twice)
		}
	})
}
