package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sequence"
)

// register records a sequence file in the store, with its resolved
// inputs and its senders, so that lwf worker — on this machine or
// another with the same store — ticks it too.
func register(ctx context.Context, db state.Store, file string, plan *compiler.Plan, accounts []string, now time.Time) error {
	content, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	inputs, err := json.Marshal(plan.Inputs)
	if err != nil {
		return fmt.Errorf("registering %s: its inputs: %w", file, err)
	}
	return db.SaveSource(ctx, state.Source{Kind: state.SourceSequence, Name: plan.Name, File: file, Content: content, Inputs: inputs,
		Accounts: accounts, Created: now, Updated: now})
}

// senders resolves the profiles named by --sender into the team's
// senders: each with its own client, limits and working hours.
func senders(j *seqJob, conn *connFlags, camp *campaignFlags, names []string) ([]sequence.Sender, error) {
	var out []sequence.Sender
	seen := map[string]string{}
	for _, name := range names {
		p, err := profile.Load(profile.ConfigPath(j.a.getenv), name)
		if err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("--sender %s: %w", name, err)}
		}
		if err := p.Check(); err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("--sender %s: %w", name, err)}
		}
		if conn.endpoint != "" {
			p.Endpoint = conn.endpoint
		}
		if other, dup := seen[p.Account()]; dup {
			return nil, usageErr("--sender %s and --sender %s are the same account", other, name)
		}
		seen[p.Account()] = name
		client, err := conn.client(j.a, p.Credentials)
		if err != nil {
			return nil, err
		}
		check, err := camp.check(j.db, &p)
		if err != nil {
			return nil, err
		}
		s := sequence.Sender{Account: p.Account(), Label: name, API: client, Endpoint: client.BaseURL(), Check: check}
		if p.WorkingHours != "" {
			wh, err := compiler.ParseWorkingHours(p.WorkingHours)
			if err != nil {
				return nil, &exitError{code: exitUsage, err: fmt.Errorf("--sender %s: working-hours: %w", name, err)}
			}
			s.WorkingHours = wh
		}
		out = append(out, s)
	}
	return out, nil
}

// runTeam does lwf run for a sequence with several senders.
func runTeam(j *seqJob, conn *connFlags, st *stateFlags, camp *campaignFlags) error {
	a := j.a
	j.clock = runner.SystemClock{}
	if j.flags.sandboxClock {
		c, err := newSandboxClock(orDefault(conn.endpoint, a.getenv("LINKED_API_ENDPOINT")))
		if err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		j.clock, j.refresh = c, c.refresh
		if err := c.refresh(); err != nil {
			return err
		}
	}
	db, err := st.open(a)
	if err != nil {
		return err
	}
	defer db.Close()
	j.db = db
	ss, err := senders(j, conn, camp, j.flags.senders)
	if err != nil {
		return err
	}
	accounts := make([]string, len(ss))
	labels := map[string]string{}
	for i, s := range ss {
		accounts[i], labels[s.Account] = s.Account, s.Label
	}
	if err := register(a.ctx, db, j.file, j.plan, accounts, j.clock.Now()); err != nil {
		return err
	}
	if j.enqueue {
		fmt.Fprintf(a.stderr, "sequence %s registered for %s: lwf worker ticks it (lwf status %s follows it)\n",
			j.plan.Name, results.Plural(len(ss), "sender"), shellQuote(j.file))
		return nil
	}
	tick := func() (sequence.TeamTick, error) {
		if j.refresh != nil {
			if err := j.refresh(); err != nil {
				return sequence.TeamTick{}, err
			}
		}
		if err := j.compile(); err != nil {
			return sequence.TeamTick{}, err
		}
		for i := range ss {
			c := *ss[i].Check
			c.Now = j.clock.Now()
			ss[i].Check = &c
		}
		tm := &sequence.Team{Plan: j.plan, File: j.file, Store: db, Senders: ss, Clock: j.clock,
			Policy:    runner.Policy{PollStart: j.drive.pollStart, PollMax: j.drive.pollMax},
			ChunkSize: j.chunkSize, Acceptance: j.flags.acceptance, CheckEvery: j.flags.checkEvery}
		tt, err := tm.Run(a.ctx)
		var le *state.LockedError
		switch {
		case errors.As(err, &le):
			fmt.Fprintf(a.stderr, "%v: another process assigns this sequence's leads now; nothing was done — run again later\n", le)
			a.code = exitPending
			return tt, errStopped
		case err != nil && a.ctx.Err() != nil:
			fmt.Fprintln(a.stderr, "interrupted: the leads being sent are finished by the next tick; nothing is sent twice")
			a.code = exitPending
			return tt, errStopped
		case err != nil:
			return tt, apiError(err)
		}
		if j.drive.jsonEvents {
			b, _ := json.Marshal(struct {
				Time time.Time `json:"time"`
				sequence.TeamTick
			}{j.clock.Now().UTC(), tt})
			fmt.Fprintln(a.stdout, string(b))
		}
		return tt, nil
	}
	for {
		tt, err := tick()
		if errors.Is(err, errStopped) {
			return nil
		}
		if err != nil {
			return err
		}
		j.printTeamTick(tt, labels)
		if !j.flags.follow || tt.Ended {
			return j.teamReport(tt, ss)
		}
		now := j.clock.Now()
		wake := now.Add(j.flags.pollEvery)
		if !tt.Next.IsZero() && tt.Next.Before(wake) {
			wake = tt.Next
		}
		if wait := wake.Sub(now); wait > 0 {
			fmt.Fprintf(a.stderr, "sleeping until %s\n", when(wake, now))
			select {
			case <-a.ctx.Done():
				fmt.Fprintln(a.stderr, "interrupted: run again (or with --follow) to go on")
				a.code = exitPending
				return j.teamReport(tt, ss)
			case <-time.After(wait):
			}
		}
	}
}

// printTeamTick says what each sender's tick did.
func (j *seqJob) printTeamTick(tt sequence.TeamTick, labels map[string]string) {
	if j.drive.quiet {
		return
	}
	var assigned []string
	for _, acc := range sortedCounts(tt.Assigned) {
		assigned = append(assigned, fmt.Sprintf("%s %d", labels[acc], tt.Assigned[acc]))
	}
	if len(assigned) > 0 {
		line := "new leads: " + strings.Join(assigned, ", ")
		if tt.Moved > 0 {
			line += fmt.Sprintf(" (%d handed over from senders that cannot send)", tt.Moved)
		}
		fmt.Fprintln(j.a.stderr, line)
	}
	if tt.Unassigned > 0 {
		fmt.Fprintf(j.a.stderr, "%s wait for a sender: every one is stopped\n", results.Plural(tt.Unassigned, "new lead"))
	}
	if len(tt.Taken) > 0 {
		fmt.Fprintf(j.a.stderr, "%d left out: leads of other sequences (%s)\n", len(tt.Taken), firstTaken(tt.Taken))
	}
	var accs []string
	for acc := range labels {
		accs = append(accs, acc)
	}
	sort.Slice(accs, func(i, k int) bool { return labels[accs[i]] < labels[accs[k]] })
	for _, acc := range accs {
		switch t, ok := tt.Ticks[acc]; {
		case ok:
			var parts []string
			for _, id := range sortedCounts(t.Sent) {
				parts = append(parts, fmt.Sprintf("%s ×%d", id, t.Sent[id]))
			}
			for _, k := range sortedCounts(t.Events) {
				parts = append(parts, fmt.Sprintf("%d %s", t.Events[k], k))
			}
			for _, k := range sortedCounts(t.Failures) {
				parts = append(parts, fmt.Sprintf("%d failed: %s", t.Failures[k], k))
			}
			if len(parts) == 0 {
				parts = append(parts, "nothing due")
			}
			stop := ""
			if why := tt.Stopped[acc]; why != "" {
				stop = " — stopped: " + why
			}
			fmt.Fprintf(j.a.stderr, "  %s: %s%s\n", labels[acc], strings.Join(parts, ", "), stop)
		case tt.Stopped[acc] != "":
			fmt.Fprintf(j.a.stderr, "  %s: stopped: %s\n", labels[acc], tt.Stopped[acc])
		default:
			fmt.Fprintf(j.a.stderr, "  %s: another process works this account now\n", labels[acc])
		}
	}
}

// teamReport prints the funnel over every sender, and the senders.
func (j *seqJob) teamReport(tt sequence.TeamTick, ss []sequence.Sender) error {
	a := j.a
	f, err := sequence.ReadFunnel(a.ctx, j.db, "", j.plan.Name, j.plan.Sequence, j.clock.Now())
	if err != nil {
		return err
	}
	if j.drive.quiet {
		return nil
	}
	printFunnel(a.stderr, f)
	fmt.Fprintln(a.stderr, "senders:")
	for _, s := range ss {
		ls, err := j.db.Leads(a.ctx, s.Account, j.plan.Name)
		if err != nil {
			return err
		}
		open := 0
		for _, l := range ls {
			if !l.Status.Ended() {
				open++
			}
		}
		line := fmt.Sprintf("  %s: %s, %d in progress", s.Label, results.Plural(len(ls), "lead"), open)
		if why := tt.Stopped[s.Account]; why != "" {
			line += "; stopped: " + why
		}
		fmt.Fprintln(a.stderr, line)
	}
	fmt.Fprintln(a.stderr, nextLine(f, sequence.Tick{Ended: tt.Ended, Waiting: tt.Waiting}, j.clock.Now(), false))
	return nil
}
