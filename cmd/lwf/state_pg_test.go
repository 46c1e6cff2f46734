package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/internal/pgtest"
	"github.com/lwf-dev/lwf/runner/state/pgstore"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// pgState points the testbed's LWF_STATE at a new PostgreSQL database
// and returns its URL and the password in it.
func pgState(t *testing.T, tb *testbed) (dbURL, password string) {
	t.Helper()
	dbURL = pgtest.URL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	password, _ = u.User.Password()
	if password == "" {
		t.Fatal("the test server's URL has no password: the test would prove nothing")
	}
	tb.env["LWF_STATE"] = dbURL
	return dbURL, password
}

// TestPostgresStateThroughTheCLI runs a campaign with LWF_STATE naming a
// PostgreSQL server: it runs, re-attaches instead of sending again, and
// the commands around it read it. The URL's password appears in no
// output, no error, no suggested command and no record of the store.
func TestPostgresStateThroughTheCLI(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{}, urls("p", 4)...)
	dbURL, password := pgState(t, tb)
	shown := strings.Replace(dbURL, ":"+password+"@", "@", 1)
	var all strings.Builder
	lwf := func(want int, args ...string) (string, string) {
		t.Helper()
		code, stdout, stderr := tb.lwf(args...)
		all.WriteString(stdout + stderr)
		if code != want {
			t.Fatalf("lwf %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, stdout, stderr)
		}
		return stdout, stderr
	}
	lwf(exitOK, tb.runArgs("-q")...)
	posts := tb.posts()
	lwf(exitOK, tb.runArgs("-q")...)
	if tb.posts() != posts {
		t.Errorf("the second run sent %d workflows again", tb.posts()-posts)
	}
	stdout, _ := lwf(exitOK, "runs")
	id := strings.Fields(strings.Split(stdout, "\n")[1])[0]
	if !strings.HasPrefix(id, "r-") {
		t.Fatalf("lwf runs:\n%s", stdout)
	}
	lwf(exitOK, "status", id)
	stdout, _ = lwf(exitOK, "state", "check")
	if want := shown + fmt.Sprintf(": sound (schema version %d): 1 run, 4 workflows, ledger 0 entries\n", pgstore.SchemaVersion()); stdout != want {
		t.Errorf("lwf state check:\n%s\nwant\n%s", stdout, want)
	}
	stdout, _ = lwf(exitOK, "state", "migrate")
	if want := shown + fmt.Sprintf(": schema version %d\n", pgstore.SchemaVersion()); stdout != want {
		t.Errorf("lwf state migrate:\n%s\nwant\n%s", stdout, want)
	}
	// A run detached with --state on the command line: the command that
	// follows it names the store without its password.
	_, stderr := lwf(exitPending, tb.runArgs("--new", "--detach", "--state", dbURL)...)
	if !strings.Contains(stderr, " --state "+shellQuote(shown)) {
		t.Errorf("the suggested command does not name the store:\n%s", stderr)
	}
	file := filepath.Join(tb.dir, "export.jsonl")
	lwf(exitOK, "state", "export", "-o", file)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	all.Write(data)
	// A server that is not there, with a password of its own.
	bad := "postgres://lwf:canary-9d2c@127.0.0.1:1/lwf?connect_timeout=2"
	_, stderr = lwf(exitUsage, "runs", "--state", bad)
	if want := "lwf: connecting to the state store postgres://lwf@127.0.0.1:1/lwf?connect_timeout=2: "; !strings.HasPrefix(stderr, want) {
		t.Errorf("an unreachable server:\n%s\nwant it to start with\n%s", stderr, want)
	}
	for _, secret := range []string{password, "canary-9d2c"} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("a password was printed or stored:\n%s", all.String())
		}
	}
}

// TestStateExportImportAcrossBackends moves a store from SQLite to
// PostgreSQL and back with lwf state export and import: the files are
// the same bytes each way, runs read the same, and an import into a store
// that holds something is refused.
func TestStateExportImportAcrossBackends(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{}, urls("p", 3)...)
	if code, _, stderr := tb.lwf(tb.runArgs("-q")...); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	lite := tb.state
	dbURL, _ := pgState(t, tb)
	a, b, c := filepath.Join(tb.dir, "a.jsonl"), filepath.Join(tb.dir, "b.jsonl"), filepath.Join(tb.dir, "c.jsonl")
	code, _, stderr := tb.lwf("state", "export", "--state", lite, "-o", a)
	if code != exitOK || !strings.HasPrefix(stderr, "exported "+lite+" to "+a+": 1 run, 3 workflows, ") {
		t.Fatalf("export: exit %d\n%s", code, stderr)
	}
	if st, err := os.Stat(a); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the export's mode: %v %v", st.Mode(), err)
	}
	code, stdout, stderr := tb.lwf("state", "import", a) // into LWF_STATE: PostgreSQL
	if code != exitOK || !strings.HasPrefix(stdout, "imported "+a+" into postgres://") {
		t.Fatalf("import into PostgreSQL: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := tb.lwf("state", "export", "-o", b); code != exitOK {
		t.Fatalf("export from PostgreSQL: exit %d\n%s", code, stderr)
	}
	back := filepath.Join(tb.dir, "back")
	if code, _, stderr := tb.lwf("state", "import", b, "--state", back); code != exitOK {
		t.Fatalf("import into SQLite: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := tb.lwf("state", "export", "--state", back, "-o", c); code != exitOK {
		t.Fatalf("export from SQLite again: exit %d\n%s", code, stderr)
	}
	fa, _ := os.ReadFile(a)
	fb, _ := os.ReadFile(b)
	fc, _ := os.ReadFile(c)
	if string(fa) != string(fb) || string(fb) != string(fc) {
		t.Errorf("the exports differ:\n%s\n%s\n%s", fa, fb, fc)
	}
	// The same run, read from each store.
	var outs []string
	for _, spec := range []string{lite, dbURL, back} {
		code, stdout, stderr := tb.lwf("runs", "--state", spec)
		if code != exitOK {
			t.Fatalf("lwf runs --state %s: exit %d\n%s", spec, code, stderr)
		}
		outs = append(outs, stdout)
	}
	if outs[0] != outs[1] || outs[1] != outs[2] {
		t.Errorf("lwf runs differs:\n%s\n%s\n%s", outs[0], outs[1], outs[2])
	}
	code, _, stderr = tb.lwf("state", "import", a)
	if code != exitFindings || !strings.HasSuffix(stderr, ": the store is not empty (its table runs holds 1 row): import into a new one\n") {
		t.Errorf("import into a store that holds a run: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := tb.lwf("state", "export", "--state", filepath.Join(tb.dir, "none"), "-o", c); code != exitUsage || !strings.Contains(stderr, "no state store in") {
		t.Errorf("export of no store: exit %d\n%s", code, stderr)
	}
}

// TestSandboxRunsNeverGoToPostgres: with LWF_STATE or --state naming a
// PostgreSQL server, lwf run --sandbox keeps its runs in .lwf/sandbox.
func TestSandboxRunsNeverGoToPostgres(t *testing.T) {
	for _, tc := range []struct{ env, flag string }{{"postgres://lwf:pw@db/lwf", ""}, {"", "postgresql://lwf:pw@db/lwf"}, {"", "mine"}, {"team", ""}} {
		a := &app{ctx: context.Background(), getenv: func(k string) string {
			if k == envState {
				return tc.env
			}
			return ""
		}}
		want := filepath.Join(sqlstore.DefaultDir, "sandbox")
		switch {
		case tc.flag == "mine":
			want = "mine"
		case tc.env == "team":
			want = filepath.Join("team", "sandbox")
		}
		if got := sandboxStateDir(a, &stateFlags{dir: tc.flag}); got != want {
			t.Errorf("LWF_STATE=%q --state=%q: %s, want %s", tc.env, tc.flag, got, want)
		}
	}
}
