package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgServer is the PostgreSQL server the harness makes a database on for
// each configuration.
type pgServer struct {
	admin      string // URL of a database the user may CREATE DATABASE from
	version    string
	postmaster int // 0 when the server's processes are not this machine's
}

// openServer connects once to learn the server's version and its
// postmaster: the parent of the connection's backend, when that backend
// is a process here (a server on this machine, in this PID namespace).
func openServer(ctx context.Context, admin string) (*pgServer, error) {
	s := &pgServer{admin: admin}
	err := s.do(ctx, admin, func(ctx context.Context, c *pgx.Conn) error {
		var backend int
		if err := c.QueryRow(ctx, "SELECT current_setting('server_version'), pg_backend_pid()").Scan(&s.version, &backend); err != nil {
			return err
		}
		if st, err := readStat(backend); err == nil && st.comm == "postgres" {
			if pm, err := readStat(st.ppid); err == nil && pm.comm == "postgres" {
				s.postmaster = st.ppid
			}
		}
		// "15.18 (Debian 15.18-0+deb12u1)": the version is enough.
		s.version, _, _ = strings.Cut(s.version, " ")
		return nil
	})
	return s, err
}

// do runs fn on a connection of its own to the database at dsn.
func (s *pgServer) do(ctx context.Context, dsn string, fn func(context.Context, *pgx.Conn) error) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer c.Close(context.Background())
	return fn(ctx, c)
}

// create makes a new, empty database and returns its name, its URL and
// a function that drops it (ending whatever sessions are left in it).
func (s *pgServer) create(ctx context.Context) (name, dsn string, drop func() error, err error) {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		return "", "", nil, err
	}
	name = "lwf_bench_" + hex.EncodeToString(b)
	if err := s.do(ctx, s.admin, func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
		return err
	}); err != nil {
		return "", "", nil, fmt.Errorf("creating database %s: %w", name, err)
	}
	drop = func() error {
		// Its own context: the drop runs when the harness is interrupted too.
		return s.do(context.Background(), s.admin, func(ctx context.Context, c *pgx.Conn) error {
			_, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			return err
		})
	}
	u, err := url.Parse(s.admin)
	if err != nil {
		drop()
		return "", "", nil, err
	}
	u.Path = "/" + name
	return name, u.String(), drop, nil
}

// cpu is the server's CPU so far (see serverCPU); ok is false when its
// processes are not this machine's.
func (s *pgServer) cpu() (d time.Duration, ok bool, err error) {
	if s == nil || s.postmaster == 0 {
		return 0, false, nil
	}
	d, _, err = serverCPU(s.postmaster)
	return d, err == nil, err
}

// settle waits until no backend of database db is left (those of
// connections that just closed take a moment to end), or a few seconds:
// the CPU of a backend is read whole once it has ended.
func (s *pgServer) settle(db string) {
	if s == nil || s.postmaster == 0 || db == "" {
		return
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		left := false
		for _, k := range childrenOf(s.postmaster) {
			left = left || strings.Contains(cmdline(k.pid), " "+db+" ")
		}
		if !left {
			return
		}
	}
}
