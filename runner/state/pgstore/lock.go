package pgstore

import (
	"context"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lwf-dev/lwf/runner/state"
)

// lockKey is the 64-bit advisory lock key of a name of a kind ("run",
// "account", "attach", "migrate"): FNV-1a of both. Advisory locks belong
// to one database, so stores in other databases never meet.
func lockKey(kind, name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("lwf\x00" + kind + "\x00" + name))
	return int64(h.Sum64())
}

// sessionLock is a held lock: a session-level advisory lock on a
// connection of its own. The server releases it when the session ends,
// however it ends — the process killed, the connection cut — so a stale
// lock never blocks a run.
type sessionLock struct {
	mu   sync.Mutex
	conn *pgx.Conn
	key  int64
	// db and run, for a run's lock: the store fences the run's intents
	// with it (see alive).
	db  *DB
	run string
}

// alive reports whether the lock's session still holds it: a session cut
// by the network or a server restart lost the lock — another process may
// have taken it since — though this one was not told.
func (l *sessionLock) alive(ctx context.Context) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var held bool
	err := l.conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE `+advisoryWhere+` AND l.granted AND l.pid = pg_backend_pid())`,
		uint32(uint64(l.key)>>32), uint32(l.key)).Scan(&held)
	return err == nil && held
}

// Lock implements state.Store. The store remembers the lock: the run's
// intents before each POST check, in their transaction's time, that its
// session still holds it (fencing).
func (s *DB) Lock(runID string) (state.Lock, error) {
	l, err := s.lock("run", runID, runID, "")
	if err != nil {
		return nil, err
	}
	sl := l.(*sessionLock)
	sl.db, sl.run = s, runID
	s.heldMu.Lock()
	s.held[runID] = sl
	s.heldMu.Unlock()
	return sl, nil
}

// fence refuses a run's intent when this process locked the run and its
// lock's session no longer holds the lock.
func (s *DB) fence(ctx context.Context, runID string) error {
	s.heldMu.Lock()
	l := s.held[runID]
	s.heldMu.Unlock()
	if l == nil || l.alive(ctx) {
		return nil
	}
	return state.ErrLockLost
}

// LockAccount implements state.Store.
func (s *DB) LockAccount(account string) (state.Lock, error) {
	return s.lock("account", account, "account-"+account, "the sequences of account "+account[:min(12, len(account))])
}

// lock takes the advisory lock of name without waiting; id and what name
// it in the error.
func (s *DB) lock(kind, name, id, what string) (state.Lock, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, s.lockConfig)
	if err != nil {
		return nil, s.fail(err)
	}
	key := lockKey(kind, name)
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		conn.Close(ctx)
		return nil, s.fail(err)
	}
	if !ok {
		le := &state.LockedError{RunID: id, What: what}
		le.PID, le.Host = s.holder(ctx, conn, key)
		conn.Close(ctx)
		return nil, le
	}
	return &sessionLock{conn: conn, key: key}, nil
}

// holder names the process that holds a lock, from the application name
// its session gave ("lwf PID@HOST"); the host only when it is not this
// one. Zero when the server does not say (another user's session).
func (s *DB) holder(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}, key int64) (pid int, host string) {
	var app *string
	err := q.QueryRow(ctx, `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE `+advisoryWhere+` AND l.granted LIMIT 1`, uint32(uint64(key)>>32), uint32(key)).Scan(&app)
	if err != nil || app == nil {
		return 0, ""
	}
	rest, ok := strings.CutPrefix(*app, "lwf ")
	if !ok {
		return 0, ""
	}
	p, h, _ := strings.Cut(rest, "@")
	pid, _ = strconv.Atoi(p)
	if h == s.host {
		h = ""
	}
	return pid, h
}

// advisoryWhere finds a 64-bit advisory lock of this database in
// pg_locks, which splits its key in two 32-bit halves.
const advisoryWhere = `l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid AND l.objsubid = 1`

// Held reports whether some process holds the run's lock right now.
func (s *DB) Held(runID string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	key := lockKey("run", runID)
	var held bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE `+advisoryWhere+` AND l.granted)`,
		uint32(uint64(key)>>32), uint32(key)).Scan(&held)
	return err == nil && held
}

// Unlock releases the lock by ending its session.
func (l *sessionLock) Unlock() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
	l.conn.Close(ctx)
	l.conn = nil
	if l.db != nil {
		l.db.heldMu.Lock()
		if l.db.held[l.run] == l {
			delete(l.db.held, l.run)
		}
		l.db.heldMu.Unlock()
	}
}
