//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadRefusesWhatIsNotARegularFile: a named pipe, a device behind a
// link, a directory and (without follow) a link are refused before any
// read, and a read is bounded by the limit whatever size the file system
// reports.
func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	reg := filepath.Join(dir, "a.yaml")
	if err := os.WriteFile(reg, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	pipe := filepath.Join(dir, "pipe.yaml")
	if err := syscall.Mkfifo(pipe, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	zero := filepath.Join(dir, "zero.yaml")
	link := filepath.Join(dir, "link.yaml")
	for target, name := range map[string]string{"/dev/zero": zero, reg: link} {
		if err := os.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		path    string
		limit   int64
		follow  bool
		want    string
		content string
	}{
		{reg, 10, false, "", "0123456789"},
		{link, 10, true, "", "0123456789"},
		{reg, 9, false, reg + " is 10 bytes, larger than the 9-byte limit", ""},
		{pipe, 1 << 20, true, pipe + " is a named pipe, not a regular file", ""},
		{zero, 1 << 20, true, zero + " is a device, not a regular file", ""},
		{link, 10, false, link + " is a symbolic link, not a regular file", ""},
		{zero, 1 << 20, false, zero + " is a symbolic link, not a regular file", ""},
		{dir, 1 << 20, true, dir + " is a directory, not a regular file", ""},
	}
	for _, tt := range tests {
		b, err := Read(tt.path, tt.limit, tt.follow)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want || string(b) != tt.content {
			t.Errorf("Read(%s, %d, %v) = %q, %q; want %q, %q", filepath.Base(tt.path), tt.limit, tt.follow, b, got, tt.content, tt.want)
		}
	}
}

// TestReadBoundsAFileThatReportsNoSize: files under /proc report size 0 but
// have content; the limit holds on the bytes read.
func TestReadBoundsAFileThatReportsNoSize(t *testing.T) {
	const p = "/proc/self/status"
	st, err := os.Stat(p)
	if err != nil || st.Size() != 0 {
		t.Skip("no /proc file reporting size 0")
	}
	_, err = Read(p, 16, true)
	var large *TooLargeError
	if !errors.As(err, &large) || err.Error() != p+" is larger than the 16-byte limit" {
		t.Fatalf("got %v, want a TooLargeError without a size", err)
	}
}

// TestReplaceNeverWritesThroughALink: Replace refuses a link (the target
// stays as it was), and replaces a regular file keeping its mode and
// leaving no temporary file behind.
func TestReplaceNeverWritesThroughALink(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	target := filepath.Join(outside, "target.yaml")
	if err := os.WriteFile(target, []byte("outside\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	err := Replace(link, []byte("changed\n"))
	if err == nil || err.Error() != link+" is a symbolic link, not a regular file" {
		t.Errorf("Replace through a link: %v", err)
	}
	if b, _ := os.ReadFile(target); string(b) != "outside\n" {
		t.Errorf("the link's target was written: %q", b)
	}

	reg := filepath.Join(dir, "a.yaml")
	if err := os.WriteFile(reg, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(reg, 0o640); err != nil { // whatever the umask
		t.Fatal(err)
	}
	if err := Replace(reg, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	st, err := os.Lstat(reg)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(reg); string(b) != "new\n" || st.Mode() != 0o640 {
		t.Errorf("replaced file: %q, mode %v; want \"new\\n\", -rw-r-----", b, st.Mode())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("left behind: %v", ents)
	}
}
