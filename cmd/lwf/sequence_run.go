package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/sequence"
)

// seqFlags are lwf run's flags for files with sequence:.
type seqFlags struct {
	follow    bool
	pollEvery time.Duration
	// --sandbox plays the sequence on a simulated clock.
	acceptAfter, replyAfter, spread time.Duration
	days                            int
	acceptance                      string
	checkEvery                      time.Duration
	// sandboxClock (hidden) reads the time from a loopback sandbox's
	// clock (lwf sandbox serve --control-clock), for tests that move it.
	sandboxClock bool
	// senders are profiles the sequence sends from, several accounts.
	senders []string
}

func (f *seqFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.follow, "follow", false, "sequences: keep ticking until every lead has finished (or Ctrl-C), sleeping until the next step is due")
	fl.DurationVar(&f.pollEvery, "poll-every", 15*time.Minute, "sequences with --follow: read the event feeds this often while leads wait for events")
	fl.DurationVar(&f.acceptAfter, "sandbox-accept-after", 24*time.Hour, "sequences with --sandbox: responsive people accept requests this long after they were sent")
	fl.DurationVar(&f.replyAfter, "sandbox-reply-after", 48*time.Hour, "sequences with --sandbox: responsive people answer messages this long after they were sent")
	fl.DurationVar(&f.spread, "sandbox-spread", 10*24*time.Hour, "sequences with --sandbox: each person takes up to this much longer (decided by their URL)")
	fl.StringVar(&f.acceptance, "acceptance", sequence.AcceptanceFeed, "sequences: how accepted requests are seen: feed (the network feed, a request a tick) or check (st.checkConnectionStatus per waiting lead, an action each)")
	fl.DurationVar(&f.checkEvery, "check-every", 24*time.Hour, "sequences with --acceptance check: check each waiting lead this often")
	fl.IntVar(&f.days, "sandbox-days", 60, "sequences with --sandbox: simulate at most this many days")
	fl.StringArrayVar(&f.senders, "sender", nil, "sequences: send from the account of profile `NAME` too; repeat for each sender: each lead is given to one of them")
	fl.BoolVar(&f.sandboxClock, "sandbox-clock", false, "take the time from the sandbox at --endpoint (loopback only)")
	_ = fl.MarkHidden("sandbox-clock")
}

// seqJob runs the ticks of one sequence file.
type seqJob struct {
	a       *app
	file    string
	opts    compiler.Options
	plan    *compiler.Plan
	flags   *seqFlags
	drive   *driveFlags
	db      state.Store
	api     sequence.API
	acct    profile.Profile
	check   *campaign.Check
	clock   runner.Clock
	refresh func() error // re-reads a remote clock before each tick
	// sim is the embedded sandbox of lwf run --sandbox: its clock jumps
	// to the next due time instead of lwf sleeping.
	sim          *sandbox.Sandbox
	sandboxState string
	chunkSize    int
	// cache keeps the leads between the ticks of one process, which holds
	// the account's lock throughout.
	cache sequence.Cache
	// enqueue registers the sequence for lwf worker and ticks nothing.
	enqueue bool
}

// runSequence does lwf run for a file with sequence:.
func runSequence(j *seqJob, sandboxed bool, conn *connFlags, st *stateFlags, camp *campaignFlags) error {
	a := j.a
	if a := j.flags.acceptance; a != sequence.AcceptanceFeed && a != sequence.AcceptanceCheck {
		return usageErr("--acceptance: %q is not feed or check", a)
	}
	if j.flags.sandboxClock && sandboxed {
		return usageErr("--sandbox-clock reads the clock of a sandbox at --endpoint; --sandbox has its own")
	}
	if len(j.flags.senders) > 0 {
		if sandboxed {
			return usageErr("--sender names accounts of the config file; --sandbox has one account of its own")
		}
		return runTeam(j, conn, st, camp)
	}
	if sandboxed {
		srv, err := sandbox.Start(context.WithoutCancel(a.ctx), "127.0.0.1:0", sandbox.Options{
			ControllableClock: true, AcceptAfter: j.flags.acceptAfter, ReplyAfter: j.flags.replyAfter, Spread: j.flags.spread,
		})
		if err != nil {
			return fmt.Errorf("starting the sandbox: %w", err)
		}
		defer srv.Close()
		j.sim = srv.Sandbox
		j.clock = srv.Sandbox
		j.acct = profile.Profile{Credentials: sandboxCredentials(srv.URL)}
		st.dir = sandboxStateDir(a, st)
		j.sandboxState = st.dir
		if j.drive.pollStart == 0 {
			j.drive.pollStart, j.drive.pollMax = time.Millisecond, 5*time.Millisecond
		}
		conn.rate = 0 // a local emulator: no rate to spare
		conn.endpoint = srv.URL
	} else {
		p, err := conn.account(a)
		if err != nil {
			return err
		}
		j.acct = p
		j.clock = runner.SystemClock{}
		if j.flags.sandboxClock {
			c, err := newSandboxClock(p.Endpoint)
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			j.clock, j.refresh = c, c.refresh
			if err := c.refresh(); err != nil {
				return err
			}
		}
	}
	client, err := conn.client(a, j.acct.Credentials)
	if err != nil {
		return err
	}
	j.api = client
	db, err := st.open(a)
	if err != nil {
		return err
	}
	defer db.Close()
	j.db = db
	if j.check, err = camp.check(db, &j.acct); err != nil {
		return err
	}
	account := j.acct.Account()
	if j.sim == nil {
		if err := register(a.ctx, db, j.file, j.plan, []string{account}, j.clock.Now()); err != nil {
			return err
		}
		if j.enqueue {
			fmt.Fprintf(a.stderr, "sequence %s registered: lwf worker ticks it (lwf status %s follows it)\n", j.plan.Name, shellQuote(j.file))
			return nil
		}
	}
	lock, err := db.LockAccount(account)
	var le *state.LockedError
	if errors.As(err, &le) {
		fmt.Fprintf(a.stderr, "%v: another tick works this account's sequences now; nothing was done — run again later\n", le)
		a.code = exitPending
		return nil
	}
	if err != nil {
		return err
	}
	defer lock.Unlock()
	if j.sim != nil {
		n, err := db.ResetSequence(a.ctx, account, j.plan.Name)
		if err != nil {
			return err
		}
		again := ""
		if n > 0 {
			again = fmt.Sprintf(" (its %s of an earlier sandbox are forgotten)", results.Plural(n, "lead"))
		}
		fmt.Fprintf(a.stderr, "sandbox: playing %s from the start on a simulated clock%s: responsive people accept after %s and answer after %s, each up to %s later\n",
			j.plan.Name, again, dur(j.flags.acceptAfter), dur(j.flags.replyAfter), dur(j.flags.spread))
		return j.simulate()
	}
	if j.flags.follow {
		return j.follow()
	}
	t, err := j.tick()
	if err != nil {
		return err
	}
	j.printTick(t)
	return j.report(t)
}

// engine builds the tick's engine from the file as it is now: an edit
// between ticks applies to what is not sent yet.
func (j *seqJob) engine() (*sequence.Engine, error) {
	if err := j.compile(); err != nil {
		return nil, err
	}
	check := *j.check
	check.Now = j.clock.Now()
	return &sequence.Engine{
		Plan: j.plan, File: j.file, Store: j.db, API: j.api,
		Account: j.acct.Account(), Endpoint: j.acct.Endpoint, Check: &check, Clock: j.clock,
		Policy:    runner.Policy{PollStart: j.drive.pollStart, PollMax: j.drive.pollMax},
		ChunkSize: j.chunkSize, Acceptance: j.flags.acceptance, CheckEvery: j.flags.checkEvery, Cache: &j.cache,
	}, nil
}

// compile reads the file as it is now: an edit between ticks applies to
// what is not sent yet. A file broken mid-edit leaves the last good plan.
func (j *seqJob) compile() error {
	opts := j.opts
	opts.Now = j.clock.Now
	plan, ds := compiler.CompileFile(j.a.ctx, j.file, opts)
	if plan == nil || ds.HasErrors() {
		j.a.printDiags(ds)
		if j.plan == nil {
			return &exitError{code: exitFindings, err: errors.New("the file has problems")}
		}
		fmt.Fprintf(j.a.stderr, "%s has problems now: this tick goes on with the file as it was\n", j.file)
	} else {
		j.plan = plan
	}
	if j.plan.Sequence == nil {
		return &exitError{code: exitFindings, err: fmt.Errorf("%s no longer has a sequence", j.file)}
	}
	return nil
}

// tick does one tick.
func (j *seqJob) tick() (sequence.Tick, error) {
	if j.refresh != nil {
		if err := j.refresh(); err != nil {
			return sequence.Tick{}, err
		}
	}
	e, err := j.engine()
	if err != nil {
		return sequence.Tick{}, err
	}
	t, err := e.Run(j.a.ctx)
	if err != nil {
		if j.a.ctx.Err() != nil {
			fmt.Fprintln(j.a.stderr, "interrupted: the leads being sent are finished by the next tick; nothing is sent twice")
			j.a.code = exitPending
			return t, errStopped
		}
		return t, apiError(err)
	}
	if j.drive.jsonEvents {
		b, _ := json.Marshal(struct {
			Time time.Time `json:"time"`
			sequence.Tick
		}{j.clock.Now().UTC(), t})
		fmt.Fprintln(j.a.stdout, string(b))
	}
	return t, nil
}

// errStopped ends a sequence command whose exit code is already set.
var errStopped = errors.New("stopped")

// follow ticks until every lead has ended, sleeping until something is
// due or the feeds are worth reading again.
func (j *seqJob) follow() error {
	for {
		t, err := j.tick()
		if errors.Is(err, errStopped) {
			return nil
		}
		if err != nil {
			return err
		}
		j.printTick(t)
		if t.Ended {
			return j.report(t)
		}
		now := j.clock.Now()
		wake := now.Add(j.flags.pollEvery)
		if !t.Next.IsZero() && t.Next.Before(wake) {
			wake = t.Next
		}
		if wait := wake.Sub(now); wait > 0 {
			fmt.Fprintf(j.a.stderr, "sleeping until %s\n", when(wake, now))
			select {
			case <-j.a.ctx.Done():
				fmt.Fprintln(j.a.stderr, "interrupted: run again (or with --follow) to go on")
				j.a.code = exitPending
				return j.report(t)
			case <-time.After(wait):
			}
		}
	}
}

// simulate plays the sequence on the embedded sandbox, jumping its clock
// from one due time to the next.
func (j *seqJob) simulate() error {
	start := j.clock.Now()
	end := start.Add(time.Duration(j.flags.days) * 24 * time.Hour)
	began := time.Now()
	ticks := 0
	var t sequence.Tick
	for {
		var err error
		t, err = j.tick()
		if errors.Is(err, errStopped) {
			return nil
		}
		if err != nil {
			return err
		}
		ticks++
		if !j.drive.quiet && (len(t.Sent) > 0 || len(t.Events) > 0 || t.Added > 0 || len(t.Taken) > 0 && ticks == 1) {
			j.printTick(t)
		}
		now := j.clock.Now()
		if t.Ended || !now.Before(end) {
			break
		}
		// Leads waiting for events are looked in on every simulated hour.
		wake := now.Add(time.Hour)
		if !t.Next.IsZero() && t.Next.Before(wake) {
			wake = t.Next
		}
		if wake.After(end) {
			wake = end
		}
		if _, err := j.sim.SetClock(wake.Add(time.Second)); err != nil {
			return err
		}
	}
	days := j.clock.Now().Sub(start).Hours() / 24
	fmt.Fprintf(j.a.stderr, "sandbox: %.1f simulated days in %s, %d ticks\n", days, time.Since(began).Round(10*time.Millisecond), ticks)
	return j.report(t)
}

// printTick says what a tick did, on one line.
func (j *seqJob) printTick(t sequence.Tick) {
	if j.drive.quiet {
		return
	}
	var parts []string
	if t.Added > 0 {
		parts = append(parts, fmt.Sprintf("%d joined", t.Added))
	}
	if t.Removed > 0 {
		parts = append(parts, fmt.Sprintf("%d left the list", t.Removed))
	}
	if len(t.Taken) > 0 {
		parts = append(parts, fmt.Sprintf("%d left out: leads of other sequences of the account (%s)", len(t.Taken), firstTaken(t.Taken)))
	}
	for _, id := range sortedCounts(t.Sent) {
		parts = append(parts, fmt.Sprintf("%s ×%d", id, t.Sent[id]))
	}
	for _, k := range sortedCounts(t.Events) {
		parts = append(parts, fmt.Sprintf("%d %s", t.Events[k], k))
	}
	if t.Parked > 0 {
		parts = append(parts, fmt.Sprintf("%s parked until the account's working hours", results.Plural(t.Parked, "run")))
	}
	if len(parts) == 0 {
		parts = append(parts, "nothing due")
	}
	fmt.Fprintf(j.a.stderr, "tick %s: %s\n", j.clock.Now().Format("Mon 2006-01-02 15:04 MST"), strings.Join(parts, ", "))
	for _, w := range t.Warnings {
		fmt.Fprintln(j.a.stderr, "warning: "+w)
	}
}

// firstTaken shows the first of the leads other sequences hold.
func firstTaken(taken []string) string {
	if len(taken) == 1 {
		return taken[0]
	}
	return fmt.Sprintf("%s and %d more; a person is a lead of one sequence at a time", taken[0], len(taken)-1)
}

// report prints the funnel and what comes next, and writes the leads
// when -o asks.
func (j *seqJob) report(t sequence.Tick) error {
	a := j.a
	now := j.clock.Now()
	f, err := sequence.ReadFunnel(a.ctx, j.db, j.acct.Account(), j.plan.Name, j.plan.Sequence, now)
	if err != nil {
		return err
	}
	if t.Unknown > 0 {
		// Nothing is sent again for them: a person must look.
		fmt.Fprintf(a.stderr, "%s of this tick went out with an unknown outcome: never sent again; lwf leads %s --status unknown%s lists them\n",
			results.Plural(t.Unknown, "lead's step"), shellQuote(j.file), j.stateArg())
		a.code = exitFindings
	}
	if !j.drive.quiet {
		printFunnel(a.stderr, f)
		fmt.Fprintln(a.stderr, nextLine(f, t, now, j.sim != nil))
		if failed := f.Status[state.LeadFailed] + f.Status[state.LeadUnknown]; failed > 0 {
			fmt.Fprintf(a.stderr, "%s failed or unknown: lwf leads %s --status failed,unknown%s tells why\n", results.Plural(failed, "lead"), shellQuote(j.file), j.stateArg())
		}
	}
	if j.drive.output != "" {
		ls, err := j.db.Leads(a.ctx, j.acct.Account(), j.plan.Name)
		if err != nil {
			return err
		}
		if err := writeLeads(a, ls, j.drive.output, j.drive.format); err != nil {
			return err
		}
	}
	return nil
}

func (j *seqJob) stateArg() string {
	if j.sandboxState == "" {
		return ""
	}
	return " --state " + shellQuote(j.sandboxState)
}

// nextLine says when something is due next.
func nextLine(f *sequence.Funnel, t sequence.Tick, now time.Time, sim bool) string {
	switch {
	case t.Ended:
		return "every lead has finished"
	case f.Next.IsZero() && t.Waiting > 0:
		return fmt.Sprintf("next: %d wait for events, read each tick; run again (a schedule every 15 minutes to an hour suits)", t.Waiting)
	case f.Next.IsZero():
		return "next: nothing is due"
	}
	s := "next: a step is due " + when(f.Next, now)
	if t.Waiting > 0 {
		s += fmt.Sprintf("; %d wait for events, read each tick", t.Waiting)
	}
	if !sim {
		s += "; run again then (or keep it going with --follow)"
	}
	return s
}

// when renders a time relative to now.
func when(t, now time.Time) string {
	if !t.After(now) {
		return "now"
	}
	return fmt.Sprintf("%s (in %s)", t.Local().Format("Mon 2006-01-02 15:04 MST"), dur(t.Sub(now)))
}

// dur renders a duration in days, hours and minutes.
func dur(d time.Duration) string {
	d = d.Round(time.Minute)
	days, h, m := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%dd", days))
	}
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%dh", h))
	}
	if m > 0 || len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%dm", m))
	}
	return strings.Join(parts, " ")
}

// printFunnel prints a funnel as a table.
func printFunnel(w io.Writer, f *sequence.Funnel) {
	fmt.Fprintf(w, "%s: %s", f.Sequence, results.Plural(f.Leads, "lead"))
	for _, k := range []string{"connectionAccepted", "replied"} {
		if n := f.Events[k]; n > 0 {
			fmt.Fprintf(w, ", %d %s", n, map[string]string{"connectionAccepted": "accepted", "replied": "replied"}[k])
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %-16s %8s %6s %6s %8s %7s %7s %9s\n", "step", "entered", "done", "here", "skipped", "failed", "exited", "timed out")
	for _, s := range f.Steps {
		name := s.ID
		if s.Wait != "" {
			name += " (wait)"
		}
		fmt.Fprintf(w, "  %-16s %8d %6d %6d %8d %7d %7d %9d\n", name, s.Entered, s.Done, s.Here, s.Skipped, s.Failed, s.Exited, s.TimedOut)
		for _, v := range s.Variants {
			fmt.Fprintf(w, "    variant %-6s %8d %6d   replied %d\n", v.Name, v.Sent, v.Done, v.Replied)
		}
	}
}

// sortedCounts returns a count map's keys in order.
func sortedCounts(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// sandboxClock is the clock of a sandbox served on loopback with
// --control-clock: its offset from this machine's clock, read before
// each tick.
type sandboxClock struct {
	url    string
	offset time.Duration
	client *http.Client
}

func newSandboxClock(endpoint string) (*sandboxClock, error) {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("--sandbox-clock needs --endpoint with a sandbox's address")
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--sandbox-clock reads the clock of a sandbox on this machine; %s is not a loopback address", host)
	}
	return &sandboxClock{url: strings.TrimRight(endpoint, "/") + "/_sandbox/clock", client: &http.Client{Timeout: 10 * time.Second}}, nil
}

func (c *sandboxClock) refresh() error {
	resp, err := c.client.Get(c.url)
	if err != nil {
		return fmt.Errorf("reading the sandbox clock: %w", err)
	}
	defer resp.Body.Close()
	var v struct {
		Time string `json:"time"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&v); err != nil {
		return fmt.Errorf("reading the sandbox clock: %w", err)
	}
	t, err := time.Parse(time.RFC3339Nano, v.Time)
	if err != nil {
		return fmt.Errorf("reading the sandbox clock: %w", err)
	}
	c.offset = time.Until(t)
	return nil
}

// Now implements runner.Clock.
func (c *sandboxClock) Now() time.Time { return time.Now().Add(c.offset) }
