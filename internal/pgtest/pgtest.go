// Package pgtest gives tests a PostgreSQL database of their own: a new,
// empty database per test on a real server, dropped when the test ends.
// No mock stands in for PostgreSQL.
//
// The server is the one LWF_TEST_POSTGRES names (a URL whose user may
// create databases; .ci/run starts one and sets it), or else one the test
// binary starts itself with initdb and pg_ctl on a temporary directory —
// as the postgres user when the tests run as root, since initdb refuses
// root — on a free loopback port, and stops when its tests end (see
// Main). Without either, tests skip, saying why; with CI=true they fail.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lwf-dev/lwf/internal/testenv"
)

// EnvURL names a server for the tests: a URL of a database on it (such as
// postgres://lwf:secret@127.0.0.1:5432/postgres) whose user may create
// databases.
const EnvURL = "LWF_TEST_POSTGRES"

// server is the server of this test binary, found or started once.
var server struct {
	once sync.Once
	base string // URL of the maintenance database
	stop func()
	skip string // why there is none, for a skip
	err  error  // why it could not start
}

// Main runs a package's tests, then drops the databases they left for
// reuse and stops the server they started (if they started one). A
// package whose tests call URL calls it from its TestMain.
func Main(m *testing.M) {
	code := m.Run()
	free.Lock()
	names := free.names
	free.names = nil
	free.Unlock()
	for _, name := range names {
		if err := drop(name); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	if server.stop != nil {
		server.stop()
	}
	os.Exit(code)
}

// free holds the databases of tests that ended, emptied, for the next
// tests: CREATE DATABASE takes a few hundred milliseconds, emptying one a
// few.
var free struct {
	sync.Mutex
	names []string
}

// Base returns the URL of the server's maintenance database, starting
// the server if need be; it skips the test (fails it when CI=true)
// where there is no PostgreSQL.
func Base(t testing.TB) string {
	t.Helper()
	server.once.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			server.base = u
			return
		}
		bin := binDir()
		if bin == "" {
			server.skip = "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on the PATH), and " + EnvURL + " names no server"
			return
		}
		server.base, server.stop, server.err = start(bin)
	})
	switch {
	case server.skip != "":
		testenv.Missing(t, server.skip)
	case server.err != nil:
		t.Fatalf("starting PostgreSQL: %v", server.err)
	}
	return server.base
}

// URL returns the URL of an empty database of the test's own: no
// tables, no schema but public, no session but the test's, no lock held.
// It is a new database, or one an earlier test of the binary used,
// emptied when that test ended.
func URL(t testing.TB) string {
	t.Helper()
	base := Base(t)
	free.Lock()
	var name string
	if n := len(free.names); n > 0 {
		name, free.names = free.names[n-1], free.names[:n-1]
	}
	free.Unlock()
	if name == "" {
		name = "lwf_test_" + randomHex(6)
		if err := admin(func(ctx context.Context, conn *pgx.Conn) error {
			_, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
			return err
		}); err != nil {
			t.Fatalf("creating a test database: %v", err)
		}
	}
	t.Cleanup(func() {
		if err := empty(name); err != nil {
			t.Logf("emptying test database %s: %v", name, err)
			if err := drop(name); err != nil {
				t.Errorf("dropping test database %s: %v", name, err)
			}
			return
		}
		free.Lock()
		free.names = append(free.names, name)
		free.Unlock()
	})
	return WithDatabase(base, name)
}

// admin runs fn on a connection to the server's maintenance database.
func admin(fn func(context.Context, *pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, server.base)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return fn(ctx, conn)
}

// empty ends every session of a test database (releasing their locks)
// and drops every schema in it, leaving an empty public one.
func empty(name string) error {
	err := admin(func(ctx context.Context, conn *pgx.Conn) error {
		for i := 0; ; i++ {
			var n int
			err := conn.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, name).Scan(&n)
			if err != nil || n == 0 {
				return err
			}
			if i == 500 {
				return fmt.Errorf("%d sessions would not end", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, WithDatabase(server.base, name))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `DO $$
DECLARE s text;
BEGIN
	FOR s IN SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname != 'information_schema' LOOP
		EXECUTE format('DROP SCHEMA %I CASCADE', s);
	END LOOP;
	CREATE SCHEMA public;
END $$`)
	return err
}

// WithDatabase returns base with its database replaced by name.
func WithDatabase(base, name string) string {
	u, err := url.Parse(base)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String()
}

// drop drops a test database, ending its sessions.
func drop(name string) error {
	return admin(func(ctx context.Context, conn *pgx.Conn) error {
		_, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		return err
	})
}

// binDir finds PostgreSQL's programs: the newest version under
// /usr/lib/postgresql (Debian's layout), or initdb on the PATH.
func binDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	if len(dirs) > 0 {
		return filepath.Dir(dirs[0])
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

func version(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// start initialises a cluster on a temporary directory and starts it on a
// free loopback port, with a password (scram-sha-256) for TCP: the tests
// connect as a team's lwf would, password and all.
func start(bin string) (base string, stop func(), err error) {
	c, err := startCluster(bin)
	if err != nil {
		return "", nil, err
	}
	return c.URL, func() { c.stop(); c.remove() }, nil
}

// Cluster is a PostgreSQL server of one test's own (Own), which the test
// may stop and start again: a network cut, a server restart.
type Cluster struct {
	// URL is the server's maintenance database, password and all.
	URL    string
	stop   func() error
	start  func() error
	remove func()
}

// Own starts a server for the test alone, removed when the test ends;
// it skips (fails under CI=true) where PostgreSQL is missing.
func Own(t testing.TB) *Cluster {
	t.Helper()
	bin := binDir()
	if bin == "" {
		testenv.Missing(t, "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on the PATH): a test of a server's restart needs one of its own")
	}
	c, err := startCluster(bin)
	if err != nil {
		t.Fatalf("starting PostgreSQL: %v", err)
	}
	t.Cleanup(func() { c.stop(); c.remove() })
	return c
}

// Stop stops the server at once (as a crash or a cut would).
func (c *Cluster) Stop(t testing.TB) {
	t.Helper()
	if err := c.stop(); err != nil {
		t.Fatal(err)
	}
}

// Start starts it again, on the same port, with its data.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if err := c.start(); err != nil {
		t.Fatal(err)
	}
}

func startCluster(bin string) (c *Cluster, err error) {
	dir, err := os.MkdirTemp("", "lwf-pg-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			os.RemoveAll(dir)
		}
	}()
	// initdb refuses to run as root: the cluster then belongs to the
	// postgres user, and so must its directory.
	var as []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root, PostgreSQL needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	password := "pw-" + randomHex(12)
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return nil, err
	}
	if len(as) > 0 {
		u, _ := user.Lookup("postgres")
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(pwfile, uid, gid); err != nil {
			return nil, err
		}
	}
	run := func(name string, args ...string) error {
		cmd := exec.Command(append(as, filepath.Join(bin, name))[0], append(append(as, filepath.Join(bin, name))[1:], args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", name, err, out)
		}
		return nil
	}
	data := filepath.Join(dir, "data")
	if err := run("initdb", "-D", data, "-U", "lwf", "--pwfile", pwfile, "--auth-local", "trust", "--auth-host", "scram-sha-256",
		"-E", "UTF8", "--locale", "C", "--no-sync"); err != nil {
		return nil, err
	}
	// A port that was free a moment ago may be taken by the time the
	// server binds it: try a few.
	for try := 0; ; try++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		// fsync off: the cluster is thrown away with the tests.
		opts := fmt.Sprintf("-p %d -h 127.0.0.1 -k %s -F -c max_connections=200", port, dir)
		startIt := func() error {
			return run("pg_ctl", "-D", data, "-l", filepath.Join(dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
		}
		err = startIt()
		if err == nil {
			return &Cluster{
				URL:    fmt.Sprintf("postgres://lwf:%s@127.0.0.1:%d/postgres?sslmode=disable", password, port),
				stop:   func() error { return run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop") },
				start:  startIt,
				remove: func() { os.RemoveAll(dir) },
			}, nil
		}
		if try == 2 {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			return nil, errors.Join(err, errors.New(string(log)))
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
