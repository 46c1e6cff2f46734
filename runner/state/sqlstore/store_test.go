package sqlstore

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/dump"
	"github.com/lwf-dev/lwf/runner/state/storetest"
)

// TestStore runs the store suite, which every backend passes.
func TestStore(t *testing.T) {
	storetest.Run(t, storetest.Backend{
		New:  func(t *testing.T) string { return t.TempDir() },
		Open: func(t *testing.T, dir string) state.Store { return open(t, dir) },
	})
}

func open(t *testing.T, dir string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func payloads(n int) []json.RawMessage { return storetest.Payloads(n) }

func testRun(t *testing.T, ps []json.RawMessage) state.Run { return storetest.TestRun(t, ps) }

func read(t *testing.T) state.ReadCompletion { return storetest.Read(t) }

// TestPrivateFiles: the state directory and its database are readable by
// their owner only, and so are lock files.
func TestPrivateFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".lwf")
	db := open(t, dir)
	l, err := db.Lock("r-1")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	for _, path := range []string{dir, filepath.Join(dir, "state.db"), filepath.Join(dir, "locks", "r-1.lock")} {
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v (err %v), want no access for others", path, st.Mode().Perm(), err)
		}
	}
}

// TestSchemaIsTheDumpsSchema: the migrations make exactly the tables and
// columns package dump names, which pgstore's make too.
func TestSchemaIsTheDumpsSchema(t *testing.T) {
	db := open(t, t.TempDir())
	got, err := db.Columns(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := dump.Schema(); !reflect.DeepEqual(got, want) {
		t.Errorf("tables and columns:\n got %v\nwant %v", got, want)
	}
}
