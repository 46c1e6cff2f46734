// Command workers measures lwf worker processes on one state store
// against the sandbox: a campaign of one sendConnectionRequest per lead,
// split over many senders (each an account of its own on the sandbox,
// which runs an account's workflows one after another) and queued with
// lwf run --enqueue, then sent and tracked by 1, 2, 4… lwf worker
// processes at once. For each configuration — SQLite with one worker, and
// with -pg PostgreSQL with each number of -workers — it starts a fresh
// sandbox process and a fresh store (a new directory; a new database on
// the -pg server, dropped after), queues the campaign (not measured), and
// measures from the workers' start until the last has exited: each runs
// lwf worker --once, one pass that drives every queued run whose account
// no other worker holds until the run has settled, so the last exit is
// the moment every workflow has. It then checks the store and the
// sandbox: every workflow sent once and completed.
//
// It reports per configuration the wall time and workflows per second;
// the workers' CPU (from the kernel's accounting when each is waited for)
// in all and per workflow; the sandbox's CPU (/proc/PID/stat) and
// PostgreSQL's — the postmaster's, its waited-for children's (the
// backends of connections that ended) and its live children's, read
// from /proc when no connection of the bench is open, so only on a
// server of this machine; the API requests per workflow (the sandbox's
// counters); and how busy the machine's cores were meanwhile (/proc/stat,
// every process on it), which says whether the machine was the limit.
//
//	go run ./bench/workers -workflows 200 -senders 4
//	bench/workers/run.sh                     # with a PostgreSQL of its own
//	bench/workers/run.sh -workflows 200 -senders 4 -workers 1,2
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lwf-dev/lwf/runner/state/stores"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	if ctx.Err() != nil {
		err = errors.New("interrupted; its processes are stopped and its files and databases removed")
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/workers:", err)
		os.Exit(1)
	}
}

// campaignFile is the campaign: one connection request per lead.
const campaignFile = `version: 1
name: bench-workers
inputs:
  leads: {type: array, items: {type: object, properties: {url: {type: string}}}}
workflow:
  - action: sendConnectionRequest
    forEach: ${{ inputs.leads }}
    as: lead
    personUrl: ${{ lead.url }}
`

func run(ctx context.Context) error {
	b := &bench{}
	fl := flag.NewFlagSet("workers", flag.ContinueOnError)
	fl.IntVar(&b.workflows, "workflows", 2000, "workflows in all: leads of the campaign, one workflow each")
	fl.IntVar(&b.senders, "senders", 20, "sender accounts the campaign is split over")
	list := fl.String("workers", "1,2,4", "numbers of worker processes to measure on PostgreSQL")
	pg := fl.String("pg", "", "URL of a PostgreSQL database whose user may create databases (each configuration gets a new one on its server); empty: SQLite only")
	// An account on the sandbox runs its workflows one after another, one
	// -speed per action: at 1 ms an account completes 1,000 one-action
	// workflows a second, more than one worker submits for it (one POST
	// at a time, each after its intent is committed).
	fl.DurationVar(&b.speed, "speed", time.Millisecond, "sandbox time per action (an account runs its workflows one after another)")
	fl.Float64Var(&b.rate, "rate", 0, "lwf worker --rate: requests per second per account (0: no pacing)")
	fl.DurationVar(&b.pollStart, "poll-start", 0, "lwf worker --poll-start: first interval between polls of a workflow (0: lwf's default)")
	fl.DurationVar(&b.pollMax, "poll-max", 0, "lwf worker --poll-max: longest interval between polls (0: lwf's default)")
	if err := fl.Parse(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	counts, err := workerCounts(*list)
	switch {
	case err != nil:
		return err
	case fl.NArg() > 0:
		return fmt.Errorf("unexpected arguments %q", fl.Args())
	case b.workflows < 1 || b.senders < 1:
		return errors.New("-workflows and -senders must be at least 1")
	case *pg != "" && !stores.IsURL(*pg):
		return fmt.Errorf("-pg %s: want a postgres:// URL", stores.Redact(*pg))
	}

	b.dir, err = os.MkdirTemp("", "lwf-bench-workers-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(b.dir)
	b.lwf = filepath.Join(b.dir, "lwf")
	build := exec.CommandContext(ctx, "go", "build", "-o", b.lwf, "./cmd/lwf")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building lwf (run from the repository's root): %w", err)
	}
	b.campaign, b.leads = filepath.Join(b.dir, "campaign.yaml"), filepath.Join(b.dir, "leads.csv")
	if err := os.WriteFile(b.campaign, []byte(campaignFile), 0o644); err != nil {
		return err
	}
	var leads strings.Builder
	leads.WriteString("url\n")
	for i := range b.workflows {
		fmt.Fprintf(&leads, "https://www.linkedin.com/in/bench-%d\n", i)
	}
	if err := os.WriteFile(b.leads, []byte(leads.String()), 0o644); err != nil {
		return err
	}

	type config struct {
		store   string
		workers int
	}
	configs := []config{{"sqlite", 1}}
	if *pg != "" {
		if b.pg, err = openServer(ctx, *pg); err != nil {
			return fmt.Errorf("PostgreSQL at %s: %w", stores.Redact(*pg), err)
		}
		for _, k := range counts {
			configs = append(configs, config{"postgres", k})
		}
	}

	b.header()
	for _, c := range configs {
		fmt.Fprintf(os.Stderr, "%s, %d worker(s)…\n", c.store, c.workers)
		r, err := b.measure(ctx, c.store, c.workers)
		if err != nil {
			return fmt.Errorf("%s with %d worker(s): %w", c.store, c.workers, err)
		}
		b.print(r)
	}
	return nil
}

func workerCounts(list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || k < 1 {
			return nil, fmt.Errorf("-workers %q: want numbers of workers, such as 1,2,4", list)
		}
		out = append(out, k)
	}
	return out, nil
}

// header says what was measured, and on what.
func (b *bench) header() {
	poll := "lwf's default polling (2 s, ×1.5, at most 60 s)"
	if b.pollStart > 0 || b.pollMax > 0 {
		poll = fmt.Sprintf("--poll-start %v --poll-max %v", b.pollStart, b.pollMax)
	}
	rate := "no pacing (--rate 0)"
	if b.rate > 0 {
		rate = fmt.Sprintf("--rate %g per account", b.rate)
	}
	fmt.Printf("%d workflows (one sendConnectionRequest each) over %d senders; sandbox --speed %v; lwf worker --once, %s, %s; %d CPU cores\n\n",
		b.workflows, b.senders, b.speed, rate, poll, runtime.NumCPU())
	fmt.Println("| store | workers | wall s | workflows/s | lwf CPU s | lwf CPU ms/workflow | sandbox CPU s | PostgreSQL CPU s | requests/workflow | machine busy |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|")
}

func (b *bench) print(r row) {
	store, pgCPU := "SQLite", "–"
	if r.store == "postgres" {
		store = "PostgreSQL " + b.pg.version
		if r.pgKnown {
			pgCPU = fmt.Sprintf("%.2f", r.pgCPU.Seconds())
		}
	}
	n := float64(b.workflows)
	fmt.Printf("| %s | %d | %.1f | %.0f | %.2f | %.2f | %.2f | %s | %.2f | %.0f%% |\n", store, r.workers, r.wall.Seconds(), n/r.wall.Seconds(),
		r.lwfCPU.Seconds(), r.lwfCPU.Seconds()*1000/n, r.sandboxCPU.Seconds(), pgCPU, float64(r.requests)/n, r.busy*100)
}
