package sqlstore

import (
	"fmt"

	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/lwf-dev/lwf/runner/state"
)

// fileLock is a held run lock: an flock on a file of the state
// directory. The operating system releases it when the process ends,
// however it ends (kill -9 included), so a stale lock never blocks a run.
type fileLock struct {
	f *os.File
}

// Lock implements state.Store.
func (s *DB) Lock(runID string) (state.Lock, error) {
	return s.lockFile(runID, "")
}

// lockFile takes the lock of file NAME.lock; what names what it guards
// in the error ("" for a run).
func (s *DB) lockFile(name, what string) (state.Lock, error) {
	path := filepath.Join(s.dir, "locks", name+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state: opening the lock file: %w", err)
	}
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("state: locking %s: %w", name, err)
	}
	if !ok {
		b := make([]byte, 32)
		n, _ := f.ReadAt(b, 0)
		f.Close()
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b[:n])))
		return nil, &state.LockedError{RunID: name, What: what, PID: pid}
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &fileLock{f: f}, nil
}

// Held reports whether some process holds the run's lock right now.
func (s *DB) Held(runID string) bool {
	l, err := s.Lock(runID)
	if err != nil {
		return true
	}
	l.Unlock()
	return false
}

// Unlock releases the lock.
func (l *fileLock) Unlock() {
	if l == nil || l.f == nil {
		return
	}
	_ = l.f.Truncate(0)
	unlock(l.f)
	l.f.Close()
	l.f = nil
}
