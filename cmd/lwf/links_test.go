//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const (
	goodWorkflow  = "version: 1\nname: good\nworkflow:\n  action: retrieveSSI\n"
	messyWorkflow = "name: x\nworkflow:\n    action: retrieveSSI\nversion: 1\n"
	// secretLines stands for a file outside the tree that a link in a
	// pull request points at (/etc/shadow, a credentials file).
	secretLines = "root:canary-hash-0123:19000:0:99999:7:::\n"
)

// hostileTree makes, in the working directory, what a pull request can
// commit: links out of the tree (to /dev/zero, to a secret file, to a file
// fmt would rewrite, to a directory), a named pipe, next to one good file.
// It returns the secret file and the outside file fmt must not touch.
func hostileTree(t *testing.T) (secret, outside string) {
	t.Helper()
	out := t.TempDir()
	secret = filepath.Join(out, "shadow")
	outside = filepath.Join(out, "outside.yaml")
	if err := os.Mkdir(filepath.Join(out, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, secret, secretLines)
	write(t, outside, messyWorkflow)
	write(t, filepath.Join(out, "sub", "hidden.yaml"), goodWorkflow)
	t.Chdir(t.TempDir())
	if err := os.Mkdir("wf", 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, "wf/good.yaml", goodWorkflow)
	for name, target := range map[string]string{
		"wf/zero.yaml":    "/dev/zero",
		"wf/shadow.yaml":  secret,
		"wf/outside.yaml": outside,
		"wf/sub":          filepath.Join(out, "sub"),
	} {
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo("wf/pipe.yaml", 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	return secret, outside
}

const skippedNotes = `lwf: skipped wf/outside.yaml: a symbolic link (only regular files below a directory are read)
lwf: skipped wf/pipe.yaml: a named pipe (only regular files below a directory are read)
lwf: skipped wf/shadow.yaml: a symbolic link (only regular files below a directory are read)
lwf: skipped wf/sub: a symbolic link to a directory (links below a directory are not followed)
lwf: skipped wf/zero.yaml: a symbolic link (only regular files below a directory are read)
`

// TestValidateReadsOnlyRegularFilesInATree: validating a directory reads
// its regular files and skips, saying so, the links and the named pipe —
// no endless read of /dev/zero, no hang on the pipe, no line of the
// secret file in the output.
func TestValidateReadsOnlyRegularFilesInATree(t *testing.T) {
	hostileTree(t)
	for _, format := range []string{"text", "json", "sarif"} {
		code, out, errOut := run(t, "validate", "--format", format, "wf")
		if code != 0 || errOut != skippedNotes {
			t.Errorf("validate --format %s wf: exit %d\nstderr:\n%s\nwant:\n%s", format, code, errOut, skippedNotes)
		}
		if strings.Contains(out+errOut, "canary") || strings.Contains(out, "hidden.yaml") {
			t.Errorf("validate --format %s read through a link:\n%s", format, out)
		}
	}
}

// TestValidateNamedLinks: a link named on the command line is followed
// when it stays in the working directory; one that leads out of it (as a
// shell glob over a pull request's files would name it) is refused, and a
// named pipe named on the command line is refused without hanging.
func TestValidateNamedLinks(t *testing.T) {
	hostileTree(t)
	if err := os.Symlink("good.yaml", "wf/alias.yaml"); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := run(t, "validate", "wf/alias.yaml"); code != 0 || out+errOut != "" {
		t.Errorf("a link inside the working directory: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ := run(t, "validate", "wf/alias.yaml", "wf/good.yaml", "wf/outside.yaml", "wf/pipe.yaml", "wf/shadow.yaml", "wf/zero.yaml")
	want := `wf/outside.yaml: is a symbolic link that leads out of the working directory; name the file it points to instead [io]
wf/pipe.yaml: is a named pipe, not a regular file [io]
wf/shadow.yaml: is a symbolic link that leads out of the working directory; name the file it points to instead [io]
wf/zero.yaml: is a symbolic link that leads out of the working directory; name the file it points to instead [io]
`
	if code != 2 || out != want {
		t.Errorf("named links and a pipe: exit %d\n%s\nwant:\n%s", code, out, want)
	}
}

// TestFmtNeverWritesThroughALink: fmt on a tree skips the links (the file
// outside the tree stays as it was), refuses a link named on the command
// line even inside the tree, and rewrites a regular file in place keeping
// its mode.
func TestFmtNeverWritesThroughALink(t *testing.T) {
	_, outside := hostileTree(t)
	write(t, "wf/messy.yaml", messyWorkflow)
	if err := os.Chmod("wf/messy.yaml", 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("messy.yaml", "wf/alias.yaml"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "fmt", "wf")
	notes := "lwf: skipped wf/alias.yaml: a symbolic link (only regular files below a directory are read)\n" + skippedNotes
	if code != 0 || out != "wf/messy.yaml\n" || errOut != notes {
		t.Errorf("fmt wf: exit %d, %q\nstderr:\n%s\nwant:\n%s", code, out, errOut, notes)
	}
	if b, _ := os.ReadFile(outside); string(b) != messyWorkflow {
		t.Errorf("fmt rewrote a file outside the tree through a link:\n%s", b)
	}
	st, err := os.Stat("wf/messy.yaml")
	if err != nil || st.Mode() != 0o640 {
		t.Errorf("formatted file: %v, mode %v; want -rw-r-----", err, st.Mode())
	}

	write(t, "wf/messy2.yaml", messyWorkflow)
	if err := os.Symlink("messy2.yaml", "wf/alias2.yaml"); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, "fmt", "wf/alias2.yaml", "wf/pipe.yaml", "wf/outside.yaml")
	want := `wf/outside.yaml: is a symbolic link that leads out of the working directory; name the file it points to instead [io]
lwf: wf/alias2.yaml: not formatted: it is a symbolic link, and lwf fmt reads and writes only regular files
lwf: wf/pipe.yaml: not formatted: it is a named pipe, and lwf fmt reads and writes only regular files
`
	if code != 1 || out != "" || errOut != want {
		t.Errorf("fmt on named links: exit %d, %q\nstderr:\n%s\nwant:\n%s", code, out, errOut, want)
	}
	if b, _ := os.ReadFile("wf/messy2.yaml"); string(b) != messyWorkflow {
		t.Errorf("fmt wrote through a named link:\n%s", b)
	}
	if b, _ := os.ReadFile(outside); string(b) != messyWorkflow {
		t.Errorf("fmt rewrote a file outside the tree through a named link:\n%s", b)
	}
}
