package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sequence"
)

// runCampaignTeam does lwf run --sender … for a one-shot campaign: its
// root steps are split over the senders by the person each reaches —
// the team's ledger leaving out whoever any of them reached — and each
// sender's share is one run of that account, driven here (one account at
// a time per account lock) or, with --enqueue, by lwf worker.
func runCampaignTeam(a *app, file string, plan *compiler.Plan, seq *seqFlags, drive *driveFlags, conn *connFlags, st *stateFlags, camp *campaignFlags, chunkSize int, enqueue bool) error {
	if len(plan.Loops) > 0 {
		return usageErr("%s runs in stages (its loops name their items): --sender splits campaigns whose steps name their people", file)
	}
	db, err := st.open(a)
	if err != nil {
		return err
	}
	defer db.Close()
	j := &seqJob{a: a, db: db}
	ss, err := senders(j, conn, camp, seq.senders)
	if err != nil {
		return err
	}
	accounts := make([]string, len(ss))
	for i, s := range ss {
		accounts[i] = s.Account
	}
	// One process splits a campaign at a time: two would give a person to
	// two senders.
	lock, err := db.LockAccount(sequence.TeamLock("campaign " + plan.Name))
	var le *state.LockedError
	if errors.As(err, &le) {
		fmt.Fprintf(a.stderr, "%v: another process splits %s now; nothing was done — run again later\n", le, plan.Name)
		a.code = exitPending
		return nil
	}
	if err != nil {
		return err
	}
	defer lock.Unlock()
	now := ss[0].Check.Now // the clock of limits: --now in tests
	var split []campaign.SplitSender
	for _, s := range ss {
		if err := db.SyncLedger(a.ctx, s.Account, campaign.ReadCompletion(s.Check.Catalog)); err != nil {
			return err
		}
		c := *s.Check
		c.Now = now
		left, _, err := c.Remaining(a.ctx, plan.Limits, nil)
		if err != nil {
			return err
		}
		if camp.ignoreLimits {
			left = nil
		}
		split = append(split, campaign.SplitSender{Account: s.Account, Left: left})
	}
	c := *ss[0].Check
	c.Team, c.LazyLedger, c.Now = accounts, true, now
	sk, err := c.Skipper(a.ctx)
	if err != nil {
		return campaignErr(err)
	}
	var skip func(string, string) (compiler.Skip, bool)
	if !camp.allowRecontact {
		skip = sk.Skip
	}
	sp, err := campaign.SplitBySender(c.Catalog, plan.Payloads, split, skip, chunkSize)
	if err != nil {
		return &exitError{code: exitFindings, err: fmt.Errorf("%s: %w", file, err)}
	}
	if sk.Err() != nil {
		return sk.Err()
	}
	if n := len(sp.Skipped); n > 0 && !drive.quiet {
		fmt.Fprintf(a.stderr, "%s left out: reached before by the team, in flight, or suppressed (lwf plan --show-skipped lists them)\n", results.Plural(n, "step"))
	}
	if sp.Later > 0 {
		fmt.Fprintf(a.stderr, "%s wait for room under the senders' limits: run again later (nobody is reached twice)\n", results.Plural(sp.Later, "person"))
	}
	type teamRun struct {
		sender sequence.Sender
		run    *state.Run
	}
	var runs []teamRun
	for _, s := range ss {
		payloads := sp.Payloads[s.Account]
		if len(payloads) == 0 {
			continue
		}
		key, err := state.RunKey(s.Account, append(append([]json.RawMessage{}, payloads...), json.RawMessage(strconv.Quote(plan.Name))))
		if err != nil {
			return err
		}
		run, _, err := db.Attach(a.ctx, state.Run{Key: key, Name: plan.Name, File: plan.File, Account: s.Account, Endpoint: s.Endpoint, Created: now}, payloads, false)
		if err != nil {
			return err
		}
		runs = append(runs, teamRun{s, run})
		fmt.Fprintf(a.stderr, "run %s: %s, %s for %s\n", run.ID, s.Label, results.Plural(len(payloads), "workflow"), results.Plural(sp.People[s.Account], "person"))
	}
	if len(runs) == 0 {
		fmt.Fprintf(a.stderr, "nothing to send: every step of %s was left out\n", file)
		return nil
	}
	if enqueue {
		for _, r := range runs {
			fmt.Fprintln(a.stdout, r.run.ID)
		}
		fmt.Fprintf(a.stderr, "%s queued: lwf worker sends and tracks them\n", results.Plural(len(runs), "run"))
		return nil
	}
	// Each sender's run on its own: accounts work in parallel.
	var wg sync.WaitGroup
	outs := make([]runner.Outcome, len(runs))
	errs := make([]error, len(runs))
	for i, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = driveTeamRun(a.ctx, db, r.sender, r.run.ID, drive)
		}()
	}
	wg.Wait()
	failed := false
	sort.SliceStable(runs, func(i, k int) bool { return runs[i].sender.Label < runs[k].sender.Label })
	for i, r := range runs {
		switch {
		case errs[i] != nil:
			fmt.Fprintf(a.stderr, "%s: run %s: %v\n", r.sender.Label, r.run.ID, errs[i])
			failed = true
		default:
			fmt.Fprintf(a.stderr, "%s: run %s: %s\n", r.sender.Label, r.run.ID, countsLine(outs[i].Counts))
			failed = failed || !outs[i].Settled() || outs[i].Counts.ByState[state.Failed]+outs[i].Counts.ByState[state.Unknown] > 0
		}
	}
	if a.ctx.Err() != nil {
		a.code = exitPending
		return nil
	}
	if failed {
		a.code = exitFindings
	}
	return nil
}

// driveTeamRun drives one sender's run under its account's lock.
func driveTeamRun(ctx context.Context, db state.Store, s sequence.Sender, runID string, drive *driveFlags) (runner.Outcome, error) {
	alock, err := db.LockAccount(s.Account)
	if err != nil {
		return runner.Outcome{}, err
	}
	defer alock.Unlock()
	lock, err := db.Lock(runID)
	if err != nil {
		return runner.Outcome{}, err
	}
	defer lock.Unlock()
	return runner.Drive(ctx, runner.Config{API: s.API, Store: db, Policy: runner.Policy{PollStart: drive.pollStart, PollMax: drive.pollMax}}, runID)
}
