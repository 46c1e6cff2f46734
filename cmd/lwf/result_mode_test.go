//go:build unix

package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/lwf-dev/lwf/sandbox"
)

// TestResultFilesArePrivate: every result file -o writes — lwf run -o,
// lwf result -o, lwf result --by-variant -o — is readable by its owner
// only, whatever the umask, and one that was there with a wider mode is
// narrowed: results hold names, profiles and messages.
func TestResultFilesArePrivate(t *testing.T) {
	defer syscall.Umask(syscall.Umask(0o022))
	tb := newTestbed(t, sandbox.Options{})
	mode := func(p string) fs.FileMode {
		t.Helper()
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return st.Mode().Perm()
	}
	ran := filepath.Join(tb.dir, "ran.json")
	if code, _, stderr := tb.lwf(tb.runArgs("-q", "-o", ran)...); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	if m := mode(ran); m != 0o600 {
		t.Errorf("lwf run -o: mode %v, want -rw-------", m)
	}

	leads := tb.campaignFile("leads.csv", "url,firstName,company,topic\nhttps://www.linkedin.com/in/ada-lovelace,Ada,Engines,compilers\n")
	if code, _, stderr := tb.run("../../examples/weekly-outreach.yaml", "--input", "leads=@"+leads, "-q"); code != exitOK {
		t.Fatalf("run with variants: exit %d\n%s", code, stderr)
	}
	_, stdout, _ := tb.lwf("runs", "--json")
	var runs []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(stdout), &runs); err != nil || len(runs) != 2 {
		t.Fatalf("runs: %v\n%s", err, stdout)
	}
	for _, r := range runs {
		commands := [][]string{{"result", r.ID, "-o"}}
		if r.Name == "weekly-outreach" { // the run whose steps have variants:
			commands = append(commands, []string{"result", r.ID, "--by-variant", "-o"})
		}
		for _, args := range commands {
			out := filepath.Join(tb.dir, "out.csv")
			write(t, out, "old\n")
			if err := os.Chmod(out, 0o644); err != nil {
				t.Fatal(err)
			}
			if code, _, stderr := tb.lwf(append(args, out)...); code != exitOK {
				t.Fatalf("%v: exit %d\n%s", args, code, stderr)
			}
			if m := mode(out); m != 0o600 {
				t.Errorf("lwf %v: mode %v, want -rw-------", args, m)
			}
		}
	}
}
