// Command sequences measures a sequence at scale: 10,000 leads through
// the four steps of the sequences issue (invite, wait for the acceptance
// with a 14-day withdrawal, thank, follow up unless they replied) over 30
// simulated days on a sandbox whose clock the benchmark moves, a tick
// every simulated hour. It reports the wall time, the requests per tick
// for event detection, the requests and actions in all, the store's size
// and the peak memory — with acceptances read from the network feed, and
// with st.checkConnectionStatus per waiting lead for comparison.
//
//	go run ./bench/sequences -leads 10000 -days 30
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/schemas"
	"github.com/lwf-dev/lwf/sequence"
)

// sequenceFile is the sequence measured. The account's limits are
// raised (see limits) so that 10,000 leads fit in 30 days; the pace
// spreads the writes over each hour.
const sequenceFile = `version: 1
name: bench-sequence
inputs:
  leads:
    type: array
    items: {type: object, properties: {url: {type: string}, first: {type: string}}}
sequence:
  leads: ${{ inputs.leads }}
  key: ${{ lead.url }}
  steps:
    - id: invite
      action: sendConnectionRequest
      personUrl: ${{ lead.url }}
      note: Hi ${{ lead.first }}, glad to connect.
    - id: accepted
      wait: connectionAccepted
      within: 14d
      onTimeout:
        action: withdrawConnectionRequest
        personUrl: ${{ lead.url }}
    - id: hello
      after: 1d
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Thanks for connecting, ${{ lead.first }}!
    - id: follow-up
      after: 3d
      if: ${{ steps.hello.ok }}
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Any thoughts, ${{ lead.first }}?
  exitWhen: [replied]
  schedule:
    pace: 5s
`

// limits raise the account's limits for the benchmark: 2,000
// connection requests and messages a day.
func limits() []schemas.Limit {
	var out []schemas.Limit
	for _, c := range []string{"stConnectionRequests", "stMessages"} {
		out = append(out, schemas.Limit{Category: c, Period: schemas.PeriodDaily, Max: 2000, Source: "bench"},
			schemas.Limit{Category: c, Period: schemas.PeriodWeekly, Max: 14000, Source: "bench"},
			schemas.Limit{Category: c, Period: schemas.PeriodMonthly, Max: 60000, Source: "bench"})
	}
	return out
}

type outcome struct {
	wall         time.Duration
	ticks        int
	maxPolls     int   // feed reads in one tick, at most
	feedRequests int64 // POST /network/poll and /inbox/poll
	requests     int64 // every request to the sandbox
	checks       int   // st.checkConnectionStatus actions
	funnel       *sequence.Funnel
	storeBytes   int64
	peakHeap     uint64
	maxTick      time.Duration
	coldTick     time.Duration // one tick reading every lead from the store
	warnings     int
}

func measure(ctx context.Context, n, days int, acceptance string) (outcome, error) {
	var o outcome
	srv, err := sandbox.Start(ctx, "127.0.0.1:0", sandbox.Options{ControllableClock: true, AcceptAfter: 24 * time.Hour,
		ReplyAfter: 36 * time.Hour, Spread: 20 * 24 * time.Hour, MaxWorkflows: 100000})
	if err != nil {
		return o, err
	}
	defer srv.Close()
	start := time.Now().UTC().AddDate(0, 0, 7).Truncate(24 * time.Hour)
	if _, err := srv.Sandbox.SetClock(start); err != nil {
		return o, err
	}
	dir, err := os.MkdirTemp("", "lwf-bench-sequences")
	if err != nil {
		return o, err
	}
	defer os.RemoveAll(dir)
	db, err := sqlstore.Open(ctx, dir)
	if err != nil {
		return o, err
	}
	defer db.Close()
	creds := linkedapi.Credentials{LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: sandbox.DefaultIdentificationToken, Endpoint: srv.URL}
	client, err := linkedapi.New(linkedapi.Options{BaseURL: srv.URL, LinkedAPIToken: creds.LinkedAPIToken, IdentificationToken: creds.IdentificationToken, RatePerSecond: -1})
	if err != nil {
		return o, err
	}
	leads := make([]any, n)
	for i := range leads {
		leads[i] = map[string]any{"url": fmt.Sprintf("https://www.linkedin.com/in/bench-%05d", i), "first": fmt.Sprintf("Lead%d", i)}
	}
	plan, ds := compiler.Compile(ctx, "bench.yaml", []byte(sequenceFile), compiler.Options{InputValues: map[string]any{"leads": leads}})
	if plan == nil || ds.HasErrors() {
		return o, fmt.Errorf("%v", ds)
	}
	cat, err := schemas.Default()
	if err != nil {
		return o, err
	}
	prof := &profile.Profile{Credentials: creds, Limits: limits()}
	e := &sequence.Engine{Plan: plan, File: "bench.yaml", Store: db, API: client, Account: creds.Account(), Endpoint: srv.URL,
		Check: &campaign.Check{Catalog: cat, Store: db, Profile: prof}, Clock: srv.Sandbox, Acceptance: acceptance, Cache: &sequence.Cache{},
		Policy: runner.Policy{PollStart: time.Millisecond, PollMax: 5 * time.Millisecond}}
	began := time.Now()
	var ms runtime.MemStats
	for h := 0; h < days*24; h++ {
		t0 := time.Now()
		before := srv.Sandbox.Counters()
		t, err := e.Run(ctx)
		if err != nil {
			return o, fmt.Errorf("tick %d: %w", h, err)
		}
		after := srv.Sandbox.Counters()
		o.feedRequests += after.Requests[sandbox.EndpointNetworkPoll] + after.Requests[sandbox.EndpointInboxPoll] -
			before.Requests[sandbox.EndpointNetworkPoll] - before.Requests[sandbox.EndpointInboxPoll]
		o.ticks++
		o.maxPolls = max(o.maxPolls, t.Polls)
		o.checks += t.Checks
		o.warnings += len(t.Warnings)
		o.maxTick = max(o.maxTick, time.Since(t0))
		if h%24 == 0 {
			runtime.ReadMemStats(&ms)
			o.peakHeap = max(o.peakHeap, ms.HeapInuse)
		}
		if _, err := srv.Sandbox.AdvanceClock(time.Hour); err != nil {
			return o, err
		}
	}
	o.wall = time.Since(began)
	// A tick as cron runs it: a new process, nothing in memory.
	cold := *e
	cold.Cache = nil
	t0 := time.Now()
	if _, err := cold.Run(ctx); err != nil {
		return o, err
	}
	o.coldTick = time.Since(t0)
	runtime.ReadMemStats(&ms)
	o.peakHeap = max(o.peakHeap, ms.HeapInuse)
	for _, c := range srv.Sandbox.Counters().Requests {
		o.requests += c
	}
	if o.funnel, err = sequence.ReadFunnel(ctx, db, creds.Account(), plan.Name, plan.Sequence, srv.Sandbox.Now()); err != nil {
		return o, err
	}
	for _, f := range []string{"state.db", "state.db-wal"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err == nil {
			o.storeBytes += fi.Size()
		}
	}
	return o, nil
}

func main() {
	n := flag.Int("leads", 10000, "leads in the list")
	days := flag.Int("days", 30, "simulated days, a tick every hour")
	modes := flag.String("acceptance", "feed,check", "ways of detecting acceptances to measure, comma-separated")
	cpu := flag.String("cpuprofile", "", "write a CPU profile to `FILE`")
	flag.Parse()
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	ctx := context.Background()
	fmt.Printf("%d leads × 4 steps over %d simulated days, a tick every simulated hour; sandbox: accept after 1 d, reply after 36 h, each person up to 20 d later\n\n", *n, *days)
	fmt.Println("| acceptances by | wall | slowest tick | a tick from the store | feed reads per tick | requests (feeds) | checkConnectionStatus actions | invited / accepted / thanked / followed up / replied | store | peak heap |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |")
	for _, mode := range strings.Split(*modes, ",") {
		o, err := measure(ctx, *n, *days, mode)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			pprof.StopCPUProfile()
			os.Exit(1)
		}
		f := o.funnel
		step := func(id string) int {
			for _, s := range f.Steps {
				if s.ID == id {
					return s.Done
				}
			}
			return 0
		}
		fmt.Printf("| %s | %.1f s | %.2f s | %.2f s | %d | %d (%d) | %d | %d / %d / %d / %d / %d | %.1f MB | %.0f MB |\n", mode, o.wall.Seconds(), o.maxTick.Seconds(), o.coldTick.Seconds(),
			o.maxPolls, o.requests, o.feedRequests, o.checks, step("invite"), step("accepted"), step("hello"), step("follow-up"), f.Events["replied"],
			float64(o.storeBytes)/1e6, float64(o.peakHeap)/1e6)
		if o.warnings > 0 {
			fmt.Printf("\n%s: %d feed warnings\n", mode, o.warnings)
		}
	}
}
