package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
)

// serveStopWait bounds how long lwf serve may take to stop after SIGTERM:
// its --grace (10 s) for the pass in progress, then up to 45 s for what
// it has in flight, plus the HTTP server's shutdown.
const serveStopWait = 90 * time.Second

// serve measures lwf serve working the workload against base: queued in
// a fresh store with lwf run --enqueue, then worked by lwf serve under
// /usr/bin/time — taking webhooks at listen's /hooks/secret when secret
// is set — until the store has every workflow finished; then serve is
// stopped with SIGTERM. before is what the sandbox counted before serve
// started (lwf run --enqueue sends nothing, but the counters are taken
// all the same).
//
// When serve recorded each workflow finished comes from the store: lwf
// serve prints no events, but its store logs every one, and the
// workflow.finished event's time is the moment the drive recorded the
// completion — the very event, with the same time, that lwf run
// --json-events prints for the lwf client, so the rows compare. It is
// written to the store with the next group commit (at most a second
// later), in the transaction that records the workflow's new state (the
// workflows table's updated column holds the same time, to the
// millisecond); the event keeps it to the nanosecond. The harness's own
// 200 ms look at the store only decides when to stop serve, and so the
// wall time.
func (b *bench) serve(base, listen, secret string) (o outcome, before counters, err error) {
	dir := b.freshDir("state")
	enq := exec.Command(b.lwf, append(b.runArgs(base, dir), "--enqueue")...)
	enq.Env = b.env()
	var out bytes.Buffer
	enq.Stdout, enq.Stderr = &out, &out
	if err := b.kids.run(enq); err != nil {
		return o, before, fmt.Errorf("lwf run --enqueue: %w\n%s", err, tail(out.String()))
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dir)
	if err != nil {
		return o, before, err
	}
	defer db.Close()
	runs, err := db.Runs(ctx, 2)
	if err != nil {
		return o, before, err
	}
	if len(runs) != 1 {
		return o, before, fmt.Errorf("lwf run --enqueue made %d runs, not one", len(runs))
	}
	runID := runs[0].ID
	if err := getJSON(base+"/_sandbox/counters", &before); err != nil {
		return o, before, err
	}

	var extra []string
	if secret != "" {
		extra = append(extra, "LWF_WEBHOOK_SECRET="+secret)
	}
	cmd := exec.Command("/usr/bin/time", "-f", timeFormat, b.lwf, "serve", "--state", dir, "--listen", listen,
		"--endpoint", base, "--rate", fmt.Sprint(b.rate))
	cmd.Env = b.env(extra...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := b.kids.start(cmd); err != nil {
		return o, before, fmt.Errorf("starting lwf serve: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- b.kids.wait(cmd) }()
	running := true
	defer func() {
		if running {
			b.kids.kill(cmd)
			<-exited
		}
	}()
	// fail stops serve at once and says why, with the end of its log.
	fail := func(err error) (outcome, counters, error) {
		if running {
			b.kids.kill(cmd)
			<-exited
			running = false
		}
		return o, before, fmt.Errorf("%w\n%s", err, tail(stderr.String()))
	}

	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(clientTimeout)
wait:
	for {
		select {
		case err := <-exited:
			running = false
			return fail(fmt.Errorf("lwf serve ended before every workflow finished: %v", err))
		case <-deadline:
			return fail(fmt.Errorf("not every workflow finished within %v", clientTimeout))
		case <-tick.C:
			c, _, err := db.Counts(ctx, runID)
			if err != nil {
				return fail(err)
			}
			if c.Finished >= b.n {
				break wait
			}
		}
	}
	o.wall = time.Since(start)

	// SIGTERM to lwf serve itself: /usr/bin/time would die of it without
	// a report.
	pid, err := onlyChild(cmd.Process.Pid)
	if err != nil {
		return fail(err)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		return fail(fmt.Errorf("stopping lwf serve: %w", err))
	}
	select {
	case err := <-exited:
		running = false
		if err != nil {
			return fail(fmt.Errorf("lwf serve: %w", err))
		}
	case <-time.After(serveStopWait):
		return fail(errors.New("lwf serve did not stop within " + serveStopWait.String() + " of SIGTERM"))
	}
	o.cpu, o.kb = usage(stderr.String())

	evs, err := db.Events(ctx, runID, 10*b.n+100)
	if err != nil {
		return o, before, err
	}
	o.reported = map[string]time.Time{}
	for _, e := range evs {
		if _, seen := o.reported[e.WorkflowID]; e.Kind == state.EventFinished && e.WorkflowID != "" && !seen {
			o.reported[e.WorkflowID] = e.Time
		}
	}
	return o, before, nil
}
