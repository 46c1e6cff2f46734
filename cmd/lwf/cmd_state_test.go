package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/sandbox"
)

// TestDamagedStoreSendsNothing: a store truncated to 0 bytes after a run
// is refused by every command, and run sends nothing again; lwf state
// check names the damage.
func TestDamagedStoreSendsNothing(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{}, urls("p", 6)...)
	if code, _, stderr := tb.lwf(tb.runArgs("-q")...); code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	if code, stdout, _ := tb.lwf("state", "check"); code != exitOK || !strings.Contains(stdout, ": sound (schema version ") || !strings.Contains(stdout, "1 run, 6 workflows") {
		t.Errorf("check of a sound store: exit %d\n%s", code, stdout)
	}
	posts := tb.posts()
	db := filepath.Join(tb.state, "state.db")
	if err := os.Truncate(db, 0); err != nil {
		t.Fatal(err)
	}
	os.Remove(db + "-wal")
	os.Remove(db + "-shm")
	code, _, stderr := tb.lwf(tb.runArgs()...)
	want := "lwf: the state store " + db + " is damaged: the file is empty (0 bytes). lwf stops rather than start afresh where a store was"
	if code != exitUsage || !strings.HasPrefix(stderr, want) {
		t.Errorf("run on an empty store: exit %d\n%s\nwant it to start with\n%s", code, stderr, want)
	}
	if tb.posts() != posts {
		t.Errorf("%d workflows sent again", tb.posts()-posts)
	}
	if st, _ := os.Stat(db); st.Size() != 0 {
		t.Error("the damaged file was changed")
	}
	code, stdout, _ := tb.lwf("state", "check")
	if code != exitFindings || stdout != db+": damaged: the file is empty (0 bytes)\n" {
		t.Errorf("check: exit %d\n%s", code, stdout)
	}
	if code, _, stderr := tb.lwf("state", "check", "--state", filepath.Join(tb.dir, "none")); code != exitUsage || !strings.Contains(stderr, "no state store in") {
		t.Errorf("check without a store: exit %d %s", code, stderr)
	}
}
