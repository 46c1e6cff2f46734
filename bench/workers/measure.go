package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// bench is what every configuration shares.
type bench struct {
	lwf, dir           string // the lwf binary, the harness's directory
	campaign, leads    string // the campaign file and its leads
	workflows, senders int
	speed              time.Duration
	rate               float64
	pollStart, pollMax time.Duration
	pg                 *pgServer // nil: SQLite only
}

// row is one configuration's figures.
type row struct {
	store      string
	workers    int
	wall       time.Duration
	lwfCPU     time.Duration // the workers', summed
	sandboxCPU time.Duration
	pgCPU      time.Duration
	pgKnown    bool
	requests   int64   // API requests the sandbox served
	busy       float64 // the machine's CPU busy, share of all its cores
}

// sandboxToken is the linked-api-token of every sender; each has an
// identification token of its own, and so is an account of its own on
// the sandbox.
const sandboxToken = "sandbox-linked-api-token"

func senderID(i int) string { return fmt.Sprintf("sender-%02d", i+1) }

// measure runs one configuration: a fresh sandbox and a fresh store, the
// campaign queued over the senders, then workers lwf worker --once
// processes started at once and measured until the last has exited —
// each makes one pass over the queued runs, driving each run whose
// account no other worker holds until every workflow of it has settled,
// so when the last exits every run is settled. The store is checked
// after.
func (b *bench) measure(ctx context.Context, store string, workers int) (r row, err error) {
	r = row{store: store, workers: workers}
	dir, err := os.MkdirTemp(b.dir, fmt.Sprintf("%s-%d-", store, workers))
	if err != nil {
		return r, err
	}
	sb, base, err := b.startSandbox(ctx, dir)
	if err != nil {
		return r, err
	}
	defer sb.end()
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, b.config(base), 0o600); err != nil {
		return r, err
	}
	state, db := filepath.Join(dir, "state"), ""
	if store == "postgres" {
		var drop func() error
		db, state, drop, err = b.pg.create(ctx)
		if err != nil {
			return r, err
		}
		defer func() {
			if derr := drop(); derr != nil {
				derr = fmt.Errorf("dropping database %s: %w", db, derr)
				if err == nil {
					err = derr
				} else {
					fmt.Fprintln(os.Stderr, derr)
				}
			}
		}()
	}
	env := append(cleanEnv(), "LWF_CONFIG="+config, "LWF_STATE="+state)
	if err := b.enqueue(ctx, env, dir); err != nil {
		return r, err
	}

	// Measured: from the workers' start to the last one's exit.
	b.pg.settle(db)
	before, err := snapshot(b.pg, sb, base)
	if err != nil {
		return r, err
	}
	args := []string{"worker", "--once", "--rate", strconv.FormatFloat(b.rate, 'f', -1, 64)}
	if b.pollStart > 0 {
		args = append(args, "--poll-start", b.pollStart.String())
	}
	if b.pollMax > 0 {
		args = append(args, "--poll-max", b.pollMax.String())
	}
	start := time.Now()
	var ws []*proc
	defer func() {
		for _, w := range ws {
			w.end()
		}
	}()
	for i := range workers {
		w, err := startProc(ctx, env, filepath.Join(dir, fmt.Sprintf("worker-%d.log", i+1)), b.lwf, args...)
		if err != nil {
			return r, err
		}
		ws = append(ws, w)
	}
	for _, w := range ws {
		select {
		case <-w.done:
		case <-ctx.Done():
			return r, ctx.Err()
		}
		if w.err != nil {
			return r, fmt.Errorf("lwf worker: %v\n%s", w.err, w.tail())
		}
		r.lwfCPU += w.cpu()
	}
	r.wall = time.Since(start)
	b.pg.settle(db)
	after, err := snapshot(b.pg, sb, base)
	if err != nil {
		return r, err
	}
	r.sandboxCPU = after.sandbox - before.sandbox
	r.pgCPU, r.pgKnown = after.pg-before.pg, after.pgKnown && before.pgKnown
	r.requests = after.requests - before.requests
	if t := after.total - before.total; t > 0 {
		r.busy = float64(after.busy-before.busy) / float64(t)
	}
	return r, b.check(ctx, env, after.counters, ws)
}

// startSandbox starts lwf sandbox serve with an account per sender on a
// free loopback port (another one if that port was taken meanwhile).
func (b *bench) startSandbox(ctx context.Context, dir string) (*proc, string, error) {
	args := []string{"sandbox", "serve", "--speed", b.speed.String(), "--quiet", "--retention", "24h"}
	for i := range b.senders {
		args = append(args, "--token", sandboxToken+":"+senderID(i))
	}
	var last error
	for attempt := range 3 {
		addr, err := freeAddr()
		if err != nil {
			return nil, "", err
		}
		sb, err := startProc(ctx, cleanEnv(), filepath.Join(dir, fmt.Sprintf("sandbox-%d.log", attempt+1)), b.lwf, append(args, "--addr", addr)...)
		if err != nil {
			return nil, "", err
		}
		base := "http://" + addr
		if last = waitUp(ctx, base, sb); last == nil {
			return sb, base, nil
		}
		sb.end()
	}
	return nil, "", last
}

// config is the config file: a profile per sender, with limits high
// enough that the whole campaign fits (lwf's default limits would leave
// most leads for later days).
func (b *bench) config(base string) []byte {
	var s strings.Builder
	s.WriteString("profiles:\n")
	for i := range b.senders {
		fmt.Fprintf(&s, "  s%02d:\n    linked-api-token: %s\n    identification-token: %s\n    endpoint: %s\n    limits: {stConnectionRequests: {daily: 1000000, weekly: 1000000}}\n",
			i+1, sandboxToken, senderID(i), base)
	}
	return []byte(s.String())
}

// enqueue queues the campaign, split over the senders, one workflow per
// lead: a run per sender (not measured).
func (b *bench) enqueue(ctx context.Context, env []string, dir string) error {
	args := []string{"run", b.campaign, "--input", "leads=@" + b.leads, "--enqueue", "--chunk-size", "1", "-q"}
	for i := range b.senders {
		args = append(args, "--sender", fmt.Sprintf("s%02d", i+1))
	}
	cmd := exec.CommandContext(ctx, b.lwf, args...)
	cmd.Env, cmd.Dir = env, dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("queueing the campaign: %v\n%s", err, stderr.String())
	}
	if n, want := len(strings.Fields(stdout.String())), min(b.senders, b.workflows); n != want {
		return fmt.Errorf("queueing the campaign: %d runs queued, want one per sender (%d)\n%s", n, want, stderr.String())
	}
	return nil
}

// check makes sure the configuration did what it is measured for: every
// workflow sent once and completed, as the sandbox and the store say.
func (b *bench) check(ctx context.Context, env []string, c counters, ws []*proc) error {
	var problems []string
	if c.WorkflowsAccepted != int64(b.workflows) || c.WorkflowsCompleted != int64(b.workflows) {
		problems = append(problems, fmt.Sprintf("the sandbox accepted %d workflows and completed %d, want %d", c.WorkflowsAccepted, c.WorkflowsCompleted, b.workflows))
	}
	if c.DuplicatePayloads != 0 {
		problems = append(problems, fmt.Sprintf("%d duplicate payloads", c.DuplicatePayloads))
	}
	cmd := exec.CommandContext(ctx, b.lwf, "runs", "--format", "json", "--limit", "100000")
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("lwf runs: %w", err)
	}
	var runs []struct {
		Counts struct {
			ByState map[string]int `json:"byState"`
		} `json:"counts"`
	}
	if err := json.Unmarshal(out, &runs); err != nil {
		return fmt.Errorf("lwf runs: %w", err)
	}
	done := 0
	for _, r := range runs {
		done += r.Counts.ByState["completed"]
	}
	if done != b.workflows {
		problems = append(problems, fmt.Sprintf("the store has %d workflows completed, want %d", done, b.workflows))
	}
	if len(problems) == 0 {
		return nil
	}
	msg := strings.Join(problems, "; ")
	for _, w := range ws {
		msg += "\n" + w.tail()
	}
	return errors.New(msg)
}

// cleanEnv is the harness's environment without any credentials, store
// or config of the machine's: each configuration sets its own.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "LINKED_API_") || strings.HasPrefix(k, "LWF_") || k == "IDENTIFICATION_TOKEN" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// counters are the sandbox's counters the harness reads.
type counters struct {
	Requests           map[string]int64
	WorkflowsAccepted  int64
	WorkflowsCompleted int64
	DuplicatePayloads  int64
}

// reading is what the harness reads before and after the workers.
type reading struct {
	sandbox, pg time.Duration
	pgKnown     bool
	requests    int64
	counters    counters
	busy, total int64
}

func snapshot(pg *pgServer, sb *proc, base string) (reading, error) {
	var r reading
	var err error
	if r.sandbox, err = processCPU(sb.cmd.Process.Pid); err != nil {
		return r, fmt.Errorf("the sandbox's CPU: %w", err)
	}
	if r.pg, r.pgKnown, err = pg.cpu(); err != nil {
		return r, fmt.Errorf("PostgreSQL's CPU: %w", err)
	}
	if err := getJSON(base+"/_sandbox/counters", &r.counters); err != nil {
		return r, fmt.Errorf("the sandbox's counters: %w", err)
	}
	for _, n := range r.counters.Requests {
		r.requests += n
	}
	r.busy, r.total, err = machineCPU()
	return r, err
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// waitUp waits for the sandbox to answer, or to exit.
func waitUp(ctx context.Context, base string, sb *proc) error {
	for range 200 {
		if resp, err := http.Get(base + "/_sandbox/health"); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-sb.done:
			return fmt.Errorf("the sandbox exited: %v\n%s", sb.err, sb.tail())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return fmt.Errorf("the sandbox did not answer at %s\n%s", base, sb.tail())
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
