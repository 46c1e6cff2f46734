package pgstore

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/internal/pgtest"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/storetest"
)

// holdEnv makes the test binary a process that takes a run's lock at the
// URL it names, says so, and waits to be killed.
const holdEnv = "LWF_TEST_HOLD_LOCK"

func holdLock() {
	db, err := Open(ctx, os.Getenv(holdEnv))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if _, err := db.Lock("r-held"); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
	os.Exit(0)
}

// TestLockGoesWithTheSession: a lock's connection killed by the server
// (pg_terminate_backend, as when the network is cut and the server gives
// up on the client) releases the lock, and another process takes it.
func TestLockGoesWithTheSession(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	l, err := a.Lock("r-1")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if _, err := b.Lock("r-1"); err == nil {
		t.Fatal("the lock was taken twice")
	}
	c := raw(t, url)
	tag, err := c.Exec(ctx, `SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE `+advisoryWhere,
		uint32(uint64(lockKey("run", "r-1"))>>32), uint32(lockKey("run", "r-1")))
	if err != nil || tag.RowsAffected() != 1 {
		t.Fatalf("killing the lock's session: %v %v", tag, err)
	}
	waitFor(t, func() bool { return !b.Held("r-1") })
	l2, err := b.Lock("r-1")
	if err != nil {
		t.Fatalf("after the holder's session ended: %v", err)
	}
	l2.Unlock()
	l.Unlock() // its session is gone: harmless
}

// TestLockGoesWithTheProcess: a process that holds a run's lock is killed
// with SIGKILL: its sessions end, and the lock is free.
func TestLockGoesWithTheProcess(t *testing.T) {
	url := pgtest.URL(t)
	db := open(t, url)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+url)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		t.Fatalf("the other process: %q", line)
	}
	_, err = db.Lock("r-held")
	var le *state.LockedError
	if !errors.As(err, &le) || le.PID != cmd.Process.Pid {
		t.Fatalf("while the other process holds it: %v (want pid %d)", err, cmd.Process.Pid)
	}
	if want := fmt.Sprintf("run r-held is being driven by another lwf process (pid %d)", cmd.Process.Pid); err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	waitFor(t, func() bool { return !db.Held("r-held") })
	l, err := db.Lock("r-held")
	if err != nil {
		t.Fatalf("after kill -9: %v", err)
	}
	l.Unlock()
}

// TestLockNamesAHolderOnAnotherMachine: the lock's message names the
// holder's machine when it is not this one.
func TestLockNamesAHolderOnAnotherMachine(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	a.lockConfig.RuntimeParams["application_name"] = "lwf 4242@ci-runner-7"
	l, err := a.LockAccount("0123456789abcdef")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	_, err = b.LockAccount("0123456789abcdef")
	if want := "the sequences of account 0123456789ab is being worked by another lwf process (pid 4242 on ci-runner-7)"; err == nil || err.Error() != want {
		t.Errorf("message %v, want %q", err, want)
	}
}

// TestIntentWaitsForACancelInProgress: lwf cancel has updated the run's
// flag but not committed yet when an intent is saved: the save waits for
// it and refuses, rather than read the flag as it was and send.
func TestIntentWaitsForACancelInProgress(t *testing.T) {
	url := pgtest.URL(t)
	db := open(t, url)
	ps := storetest.Payloads(1)
	run, _, err := db.Attach(ctx, storetest.TestRun(t, ps), ps, false)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := db.Workflows(ctx, run.ID)
	c := raw(t, url)
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE runs SET cancel_requested = 1 WHERE id = $1`, run.ID); err != nil {
		t.Fatal(err)
	}
	type result struct {
		cancelled bool
		err       error
	}
	done := make(chan result, 1)
	go func() {
		w := *ws[0]
		w.State = state.Submitting
		cancelled, err := db.SaveUnlessCancelled(ctx, run.ID, []state.Change{{Workflow: &w, Event: state.Event{RunID: run.ID, Kind: state.EventSubmitting}}})
		done <- result{cancelled, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("the intent did not wait for the cancellation in progress: cancelled %v, %v", r.cancelled, r.err)
	case <-time.After(300 * time.Millisecond):
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || !r.cancelled {
		t.Errorf("after lwf cancel committed: cancelled %v, %v", r.cancelled, r.err)
	}
	if ws, _ := db.Workflows(ctx, run.ID); ws[0].State != state.Planned {
		t.Errorf("the intent was stored: %s", ws[0].State)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i == 500 {
			t.Fatal("gave up waiting")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestIntentFencedWhenTheLockIsLost: the session of a process's run lock
// ends under it (the network, a server restart) and another process
// takes the run: the first one's next intent is refused, so it sends
// nothing more.
func TestIntentFencedWhenTheLockIsLost(t *testing.T) {
	url := pgtest.URL(t)
	a, b := open(t, url), open(t, url)
	payloads := []json.RawMessage{json.RawMessage(`{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/ada"}`)}
	run, _, err := a.Attach(ctx, state.Run{Key: "0123456789abcdef0123", Name: "fence", Account: "acct", Created: time.Now()}, payloads, false)
	if err != nil {
		t.Fatal(err)
	}
	l, err := a.Lock(run.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	intent := []state.Change{{Workflow: &state.Workflow{RunID: run.ID, Index: 0, State: state.Submitting, Attempts: 1, Updated: time.Now()}}}
	if _, err := a.SaveUnlessCancelled(ctx, run.ID, intent); err != nil {
		t.Fatalf("an intent under a held lock: %v", err)
	}
	c := raw(t, url)
	if _, err := c.Exec(ctx, `SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE `+advisoryWhere,
		uint32(uint64(lockKey("run", run.ID))>>32), uint32(lockKey("run", run.ID))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return !b.Held(run.ID) })
	l2, err := b.Lock(run.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Unlock()
	if _, err := a.SaveUnlessCancelled(ctx, run.ID, intent); !errors.Is(err, state.ErrLockLost) {
		t.Errorf("an intent after the lock was lost: %v, want ErrLockLost", err)
	}
	if _, err := b.SaveUnlessCancelled(ctx, run.ID, intent); err != nil {
		t.Errorf("the new holder's intent: %v", err)
	}
}
