package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/runner/state"
)

// damaged asserts that err says the store is damaged, with detail.
func damaged(t *testing.T, err error, detail string) {
	t.Helper()
	var de *state.DamagedError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a DamagedError", err)
	}
	if !strings.Contains(de.Detail, detail) {
		t.Errorf("detail %q, want %q", de.Detail, detail)
	}
	if !strings.Contains(err.Error(), "lwf state check") {
		t.Errorf("the message does not say what to do: %v", err)
	}
}

func TestEmptyOrForeignFileIsNeverANewStore(t *testing.T) {
	for _, tc := range []struct {
		name, detail string
		make         func(path string)
	}{
		{"empty file", "the file is empty (0 bytes)", func(p string) { os.WriteFile(p, nil, 0o600) }},
		{"not a database", "the file is not a SQLite database", func(p string) { os.WriteFile(p, []byte("hello, this is not SQLite at all"), 0o600) }},
		{"another program's database", "not an lwf state store", func(p string) {
			db, _ := sql.Open("sqlite", "file:"+p)
			db.Exec(`CREATE TABLE notes (id INTEGER)`)
			db.Close()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "state.db")
			tc.make(path)
			before, _ := os.ReadFile(path)
			_, err := Open(context.Background(), dir)
			damaged(t, err, tc.detail)
			if after, _ := os.ReadFile(path); string(after) != string(before) {
				t.Error("Open changed the file it refused")
			}
		})
	}
}

// TestCorruptPagesNeverLoseWorkflowsSilently damages a store's data pages
// with random bytes, many times over: reading the run either gives all
// of its workflows or an error that says the store is damaged — never
// fewer workflows and no word, which is how a run would send again what
// it lost.
func TestCorruptPagesNeverLoseWorkflowsSilently(t *testing.T) {
	ctx := context.Background()
	base := t.TempDir()
	db := open(t, base)
	ps := payloads(45)
	for i := range ps {
		ps[i] = []byte(strings.Replace(string(ps[i]), `"label"`, `"note":"`+strings.Repeat("x", 200)+`","label"`, 1))
	}
	run, _, err := db.Attach(ctx, testRun(t, ps), ps, false)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	pristine, err := os.ReadFile(filepath.Join(base, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	detected, intact := 0, 0
	for seed := uint64(1); seed <= 40; seed++ {
		dir := t.TempDir()
		r := rand.New(rand.NewPCG(seed, 0))
		b := append([]byte(nil), pristine...)
		for range 10 { // ten bytes, never in the first page (the header)
			b[pageSize+r.IntN(len(b)-pageSize)] = byte(r.IntN(256))
		}
		os.WriteFile(filepath.Join(dir, "state.db"), b, 0o600)
		got, err := func() ([]*state.Workflow, error) {
			db, err := Open(ctx, dir)
			if err != nil {
				return nil, err
			}
			defer db.Close()
			return db.Workflows(ctx, run.ID)
		}()
		switch {
		case err != nil:
			var de *state.DamagedError
			if !errors.As(err, &de) {
				t.Errorf("seed %d: %v, not a DamagedError", seed, err)
			}
			detected++
		case len(got) != 45:
			t.Errorf("seed %d: %d workflows of 45 and no error", seed, len(got))
		default:
			intact++
		}
	}
	t.Logf("40 damaged copies: %d refused as damaged, %d read whole", detected, intact)
	if detected == 0 {
		t.Error("no damage was detected at all: the test damages nothing")
	}
}

func TestCheckReportsDamage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := open(t, dir)
	ps := payloads(3)
	if _, _, err := db.Attach(ctx, testRun(t, ps), ps, false); err != nil {
		t.Fatal(err)
	}
	if problems, err := db.Check(ctx); err != nil || len(problems) != 0 {
		t.Fatalf("a sound store: %v %v", problems, err)
	}
	// Rows that go missing, and a payload that is no longer JSON.
	db.db.Exec(`PRAGMA foreign_keys = OFF`)
	db.db.Exec(`DELETE FROM workflows WHERE idx = 2`)
	db.db.Exec(`UPDATE workflows SET payload = '{"actionType":' WHERE idx = 1`)
	problems, err := db.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := "1 runs miss some of their workflows|run " + testRunID(t, db) + " workflow 2: the payload is not JSON"
	if got := strings.Join(problems, "|"); got != want {
		t.Errorf("problems\n%s\nwant\n%s", got, want)
	}
	_, err = db.Workflows(ctx, testRunID(t, db))
	damaged(t, err, "has 3 workflows, but the store holds 2 of them")
}

func testRunID(t *testing.T, db *DB) string {
	rs, err := db.Runs(context.Background(), 1)
	if err != nil || len(rs) != 1 {
		t.Fatal(rs, err)
	}
	return rs[0].ID
}
