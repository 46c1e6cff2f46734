//go:build unix

package compiler

import (
	"context"
	"os"
	"syscall"
	"testing"
)

// TestFilesReadAreRegularAndBounded: every file the compiler reads — the
// workflow file, a uses: file, an @file input — is refused, with a
// diagnostic, when it is a named pipe or a device; none of them can hang
// the compiler or make it read without end.
func TestFilesReadAreRegularAndBounded(t *testing.T) {
	t.Chdir(t.TempDir())
	pipe := "pipe.yaml"
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	csvPipe := "leads.csv"
	if err := syscall.Mkfifo(csvPipe, 0o600); err != nil {
		t.Fatal(err)
	}
	zero := "zero.yaml"
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	main := "main.yaml"
	src := `version: 1
name: main
inputs:
  leads: {type: array, items: {type: object, properties: {url: {type: string}}}}
workflow:
  - action: searchPeople
    term: x
  - uses: ./pipe.yaml
  - uses: ./zero.yaml
`
	if err := os.WriteFile(main, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file   string
		inputs []string
		want   []string
	}{
		{pipe, nil, []string{pipe + ": is a named pipe, not a regular file [io]"}},
		{zero, nil, []string{zero + ": is a device, not a regular file [io]"}},
		{main, []string{"leads=@" + csvPipe}, []string{
			"main.yaml: cannot read leads.csv: it is a named pipe, not a regular file [input-file]",
			"main.yaml:8:11: uses: ./pipe.yaml: cannot read the workflow: is a named pipe, not a regular file [uses-not-found]",
			`main.yaml:9:11: uses: "./zero.yaml" leaves the directory of main.yaml through a link [uses-not-found]`,
		}},
	}
	for _, tt := range tests {
		_, ds := CompileFile(context.Background(), tt.file, Options{Inputs: tt.inputs})
		var got []string
		for _, d := range ds {
			got = append(got, d.String())
		}
		if !equalStrings(got, tt.want) {
			t.Errorf("%s:\ngot  %q\nwant %q", tt.file, got, tt.want)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
