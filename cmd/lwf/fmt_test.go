package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	messy := "name: x\nworkflow:\n    action: retrieveSSI # keep me\nversion: 1\n"
	f := filepath.Join(dir, "a.yaml")
	if err := os.WriteFile(f, []byte(messy), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := run(t, "fmt", "--check", dir); code != 1 || out != f+"\n" {
		t.Fatalf("--check on a messy file: exit %d, %q", code, out)
	}
	if b, _ := os.ReadFile(f); string(b) != messy {
		t.Fatal("--check wrote the file")
	}
	if code, out, _ := run(t, "fmt", dir); code != 0 || out != f+"\n" {
		t.Fatalf("fmt: exit %d, %q", code, out)
	}
	want := "version: 1\nname: x\nworkflow:\n  action: retrieveSSI # keep me\n"
	if b, _ := os.ReadFile(f); string(b) != want {
		t.Fatalf("formatted:\n%s\nwant:\n%s", b, want)
	}
	if code, out, _ := run(t, "fmt", "--check", dir); code != 0 || out != "" {
		t.Fatalf("--check on a formatted file: exit %d, %q", code, out)
	}
	bad := filepath.Join(dir, "b.yaml")
	os.WriteFile(bad, []byte("a: 1\na: 2\n"), 0o644)
	if code, _, errOut := run(t, "fmt", bad); code != 1 || errOut == "" {
		t.Fatalf("duplicate keys: exit %d, %q", code, errOut)
	}
}
