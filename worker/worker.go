// Package worker is lwf's long-running work loop: it ticks the sequences
// registered in the store and drives the runs queued there, for the
// accounts whose credentials it has, alongside any number of other
// workers on the same store — on this machine or others.
//
// Coordination is the store's locks, nothing invented here: an account's
// lock (state.Store.LockAccount) is held while one of its sequences is
// ticked or one of its runs is driven, so an account is worked by one
// worker at a time (Linked API runs an account's workflows one after
// another anyway); a sequence's assignment of new leads takes the
// sequence's lock (sequence.TeamLock). A worker that dies loses its locks
// with its process or its database session, and the next worker to pass
// takes the account over: what the dead one recorded before each POST
// (its intent) keeps anything from being sent twice, and a submission it
// left unknown is never sent again.
package worker

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sequence"
)

// Account is an account this worker can work: its sender settings with
// a client built from its credentials.
type Account = sequence.Sender

// Worker works the sources and runs of a store.
type Worker struct {
	Store state.Store
	// Accounts are the accounts this worker has credentials for, by
	// account hash.
	Accounts map[string]Account
	Clock    runner.Clock
	Policy   runner.Policy
	// Compile compiles a registered source (its content and inputs);
	// nil means compiler.Compile with the source's input values.
	Compile func(ctx context.Context, src state.Source) (*compiler.Plan, error)
	// Events receives the events of the runs it drives.
	Events func(state.Event)
	// Logf reports what each pass did; nil means silence.
	Logf func(format string, args ...any)
	// ScanRuns bounds the recent runs looked at for unsettled ones.
	ScanRuns int
	// BeforePass, when set, runs before each pass (a test's clock reads
	// the sandbox's time there).
	BeforePass func() error
	// Results are workflow results that arrive without a poll (lwf
	// serve's webhooks): passed to every drive.
	Results runner.Results
	// Wake, when set, makes RunUntil pass at once (an event came);
	// AfterPass, when set, is told of every pass RunUntil makes.
	Wake      <-chan struct{}
	AfterPass func(Pass, error)
	// Parallel bounds the accounts whose runs are driven at once
	// (DefaultParallel when 0); the worker calls Events and Logf from one
	// goroutine at a time whatever it is.
	Parallel int

	plans map[string]cachedPlan // by source kind and name
	outMu sync.Mutex            // serializes Events and Logf
}

type cachedPlan struct {
	digest [32]byte
	plan   *compiler.Plan
}

// Pass is what one pass did.
type Pass struct {
	Ticks  int // sequences ticked (per sender)
	Runs   int // runs driven
	Busy   int // accounts other workers held
	Sent   int // steps and workflows sent
	Errors []string
	// Next is when something is due next (zero when nothing is known to
	// be); Waiting says leads wait for events, worth a look every poll.
	Next    time.Time
	Waiting bool
}

func (w *Worker) now() time.Time {
	if w.Clock == nil {
		return time.Now()
	}
	return w.Clock.Now()
}

func (w *Worker) logf(format string, args ...any) {
	if w.Logf != nil {
		w.outMu.Lock()
		defer w.outMu.Unlock()
		w.Logf(format, args...)
	}
}

// events is Events called one at a time (drives run side by side).
func (w *Worker) events() func(state.Event) {
	if w.Events == nil {
		return nil
	}
	return func(e state.Event) {
		w.outMu.Lock()
		defer w.outMu.Unlock()
		w.Events(e)
	}
}

// Run passes until ctx ends, sleeping between passes until something is
// due, or every at most.
func (w *Worker) Run(ctx context.Context, every time.Duration) error {
	return w.RunUntil(ctx, ctx, every)
}

// RunUntil is Run with the end of passing apart from the end of work: no
// pass starts once stop has ended, while the pass in progress goes on
// until ctx ends. A damaged store ends it with its error; any other
// error is waited out with a growing backoff.
func (w *Worker) RunUntil(stop, ctx context.Context, every time.Duration) error {
	backoff := time.Duration(0)
	for stop.Err() == nil {
		p, err := w.Pass(ctx)
		if w.AfterPass != nil {
			w.AfterPass(p, err)
		}
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			var dmg *state.DamagedError
			if errors.As(err, &dmg) {
				return err // a store that cannot be trusted: stop
			}
			// The store or the network is away (a restart, a cut): what
			// was recorded holds; wait and pass again.
			backoff = min(max(2*backoff, time.Second), 30*time.Second)
			w.logf("%v; trying again in %s", err, backoff)
			select {
			case <-stop.Done():
			case <-time.After(backoff):
			}
			continue
		}
		backoff = 0
		wait := every
		if !p.Next.IsZero() {
			if d := p.Next.Sub(w.now()); d < wait {
				wait = max(d, 0)
			}
		}
		if wait <= 0 {
			wait = time.Second // something is due: another pass right away, politely
		}
		select {
		case <-stop.Done():
		case <-time.After(wait):
		case <-w.Wake:
		}
	}
	return nil
}

// Pass ticks every registered sequence for the accounts the worker has,
// then drives every queued or unfinished run of those accounts that no
// other process holds.
func (w *Worker) Pass(ctx context.Context) (Pass, error) {
	var p Pass
	if w.BeforePass != nil {
		if err := w.BeforePass(); err != nil {
			return p, err
		}
	}
	srcs, err := w.Store.Sources(ctx, state.SourceSequence)
	if err != nil {
		return p, err
	}
	for _, src := range srcs {
		if ctx.Err() != nil {
			return p, nil
		}
		if src.Paused || !w.hasAny(src.Accounts) {
			continue
		}
		if err := w.tickSource(ctx, src, &p); err != nil {
			if ctx.Err() != nil {
				return p, nil
			}
			var dmg *state.DamagedError
			if errors.As(err, &dmg) {
				return p, err
			}
			p.Errors = append(p.Errors, fmt.Sprintf("sequence %s: %v", src.Name, err))
			w.logf("sequence %s: %v", src.Name, err)
		}
	}
	if err := w.driveRuns(ctx, &p); err != nil {
		return p, err
	}
	return p, nil
}

func (w *Worker) hasAny(accounts []string) bool {
	for _, a := range accounts {
		if _, ok := w.Accounts[a]; ok {
			return true
		}
	}
	return false
}

// plan compiles a source, once per version of it.
func (w *Worker) plan(ctx context.Context, src state.Source) (*compiler.Plan, error) {
	h := sha256.New()
	h.Write(src.Content)
	h.Write([]byte{0})
	h.Write(src.Inputs)
	var d [32]byte
	copy(d[:], h.Sum(nil))
	key := src.Kind + "\x00" + src.Name
	if c, ok := w.plans[key]; ok && c.digest == d {
		return c.plan, nil
	}
	compile := w.Compile
	if compile == nil {
		compile = Compile
	}
	plan, err := compile(ctx, src)
	if err != nil {
		return nil, err
	}
	if w.plans == nil {
		w.plans = map[string]cachedPlan{}
	}
	w.plans[key] = cachedPlan{digest: d, plan: plan}
	return plan, nil
}

// Compile compiles a registered source from its content and its inputs'
// values, as it was registered.
func Compile(ctx context.Context, src state.Source) (*compiler.Plan, error) {
	var inputs map[string]any
	if len(src.Inputs) > 0 {
		if err := json.Unmarshal(src.Inputs, &inputs); err != nil {
			return nil, fmt.Errorf("its inputs: %w", err)
		}
	}
	plan, ds := compiler.Compile(ctx, src.File, src.Content, compiler.Options{InputValues: inputs})
	if plan == nil || ds.HasErrors() {
		return nil, fmt.Errorf("%s does not compile: %v", src.File, ds)
	}
	if plan.Sequence == nil {
		return nil, fmt.Errorf("%s has no sequence", src.File)
	}
	return plan, nil
}

// tickSource ticks a sequence over its senders; senders whose
// credentials this worker lacks take their share of the new leads and
// are ticked by a worker that has them.
func (w *Worker) tickSource(ctx context.Context, src state.Source, p *Pass) error {
	plan, err := w.plan(ctx, src)
	if err != nil {
		return err
	}
	var senders []sequence.Sender
	for _, acc := range src.Accounts {
		if s, ok := w.Accounts[acc]; ok {
			if s.Check != nil {
				c := *s.Check
				c.Now = w.now()
				s.Check = &c
			}
			senders = append(senders, s)
		} else {
			senders = append(senders, sequence.Sender{Account: acc, Label: acc[:min(12, len(acc))]})
		}
	}
	tm := &sequence.Team{Plan: plan, File: src.File, Store: w.Store, Senders: senders, Clock: w.Clock, Policy: w.Policy, Events: w.events(), Results: w.Results}
	tt, err := tm.Run(ctx)
	var le *state.LockedError
	if errors.As(err, &le) {
		p.Busy++ // another worker assigns its leads now
		return nil
	}
	if err != nil {
		return err
	}
	p.Busy += len(tt.Busy)
	for _, t := range tt.Ticks {
		p.Ticks++
		for _, n := range t.Sent {
			p.Sent += n
		}
	}
	if !tt.Next.IsZero() && (p.Next.IsZero() || tt.Next.Before(p.Next)) {
		p.Next = tt.Next
	}
	p.Waiting = p.Waiting || tt.Waiting > 0
	if n := len(tt.Ticks); n > 0 {
		w.logf("sequence %s: %d sender(s) ticked, %d new lead(s)", src.Name, n, sum(tt.Assigned))
	}
	return nil
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// driveRuns drives the unfinished runs of the worker's accounts: queued
// ones (lwf run --enqueue) are sent, submitted ones tracked, until each
// settles or what is left is parked until the account's working hours.
func (w *Worker) driveRuns(ctx context.Context, p *Pass) error {
	n := w.ScanRuns
	if n <= 0 {
		n = 1000
	}
	runs, err := w.Store.Runs(ctx, n)
	if err != nil {
		return err
	}
	sort.SliceStable(runs, func(i, j int) bool { return runs[i].Created.Before(runs[j].Created) })
	// Accounts paused by a person, or stopped for their trouble (signed
	// out, frozen), are not driven: their runs wait.
	sts, err := w.Store.AccountStates(ctx)
	if err != nil {
		return err
	}
	stopped := map[string]bool{}
	for _, st := range sts {
		stopped[st.Account] = strings.HasPrefix(st.Stopped, sequence.StopPaused) || strings.HasPrefix(st.Stopped, sequence.StopSignedOut)
	}
	// Each account's runs are driven one after another, in the order they
	// were made, under the account's lock; accounts are driven side by
	// side, at most Parallel at once.
	byAccount := map[string][]state.RunSummary{}
	var order []string
	for _, r := range runs {
		_, ok := w.Accounts[r.Account]
		if !ok || stopped[r.Account] || settled(r.Counts) || len(r.Points) > 0 {
			continue // not ours, done, or staged (its plan is where it started)
		}
		if _, seen := byAccount[r.Account]; !seen {
			order = append(order, r.Account)
		}
		byAccount[r.Account] = append(byAccount[r.Account], r)
	}
	par := w.Parallel
	if par <= 0 {
		par = DefaultParallel
	}
	var (
		mu    sync.Mutex // guards p
		wg    sync.WaitGroup
		slots = make(chan struct{}, par)
		first error
	)
	for _, account := range order {
		if ctx.Err() != nil {
			break
		}
		// A slot first, then the account's lock: a lock (on PostgreSQL, a
		// connection) is held only while its account is driven.
		slots <- struct{}{}
		alock, err := w.Store.LockAccount(account)
		if err != nil {
			<-slots
			var le *state.LockedError
			if errors.As(err, &le) {
				mu.Lock()
				p.Busy++
				mu.Unlock()
				continue
			}
			first = err
			break
		}
		wg.Add(1)
		go func(acc Account, rs []state.RunSummary) {
			defer wg.Done()
			defer func() { <-slots }()
			defer alock.Unlock()
			for _, r := range rs {
				if ctx.Err() != nil {
					return
				}
				out, err := w.drive(ctx, acc, r.ID)
				var le *state.LockedError
				mu.Lock()
				switch {
				case errors.As(err, &le):
					p.Busy++
				case err != nil && ctx.Err() != nil:
				case err != nil:
					p.Errors = append(p.Errors, fmt.Sprintf("run %s: %v", r.ID, err))
					w.logf("run %s: %v", r.ID, err)
				default:
					p.Runs++
					w.logf("run %s (%s): %s", r.ID, r.Name, countsText(out.Counts))
					if out.Parked && (p.Next.IsZero() || w.now().Add(10*time.Minute).Before(p.Next)) {
						p.Next = w.now().Add(10 * time.Minute)
					}
				}
				mu.Unlock()
			}
		}(w.Accounts[account], byAccount[account])
	}
	wg.Wait()
	return first
}

// DefaultParallel is how many accounts a worker drives at once by default.
// On PostgreSQL each account driven holds two connections (its account's
// and its run's session locks) besides the pool: 8 keeps a worker under
// 20 connections, so that several fit in a server's default 100.
const DefaultParallel = 8

func (w *Worker) drive(ctx context.Context, acc Account, runID string) (runner.Outcome, error) {
	lock, err := w.Store.Lock(runID)
	if err != nil {
		return runner.Outcome{}, err
	}
	defer lock.Unlock()
	return runner.Drive(ctx, runner.Config{API: acc.API, Store: w.Store, Policy: w.Policy, Events: w.events(), Clock: w.Clock, LeaveParked: true, Results: w.Results}, runID)
}

// settled reports whether nothing is left to do for a run: every
// workflow terminal or unknown.
func settled(c state.Counts) bool {
	return runner.Outcome{Counts: c}.Settled()
}

func countsText(c state.Counts) string {
	var parts []string
	for _, s := range state.AllStates() {
		if n := c.ByState[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	if len(parts) == 0 {
		return "nothing"
	}
	out := parts[0]
	for _, x := range parts[1:] {
		out += ", " + x
	}
	return out
}
