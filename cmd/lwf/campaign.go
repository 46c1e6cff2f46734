package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// campaignFlags are the safety flags lwf plan and lwf run share.
type campaignFlags struct {
	suppress       []string
	allowRecontact bool
	showSkipped    bool
	now            string // hidden: the clock of limits, for tests
}

func (f *campaignFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.suppress, "suppress", nil, "never reach the people listed in `FILE` (CSV or one URL a line); repeatable")
	fl.BoolVar(&f.allowRecontact, "allow-recontact", false, "do not skip people the contact ledger says were reached before (follow-ups)")
	fl.BoolVar(&f.showSkipped, "show-skipped", false, "list every action left out, with its row and the reason")
	fl.StringVar(&f.now, "now", "", "evaluate limits as of this RFC 3339 time")
	_ = fl.MarkHidden("now")
}

// clock returns the time limits are evaluated at.
func (f *campaignFlags) clock() (time.Time, error) {
	if f.now == "" {
		return time.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, f.now)
	if err != nil {
		return t, usageErr("--now: %v", err)
	}
	return t, nil
}

// campaignCheck applies the contact ledger, suppression lists and limits to a
// compiled plan: what lwf plan shows and lwf run enforces.
type campaignCheck struct {
	a     *app
	flags *campaignFlags
	cat   *schemas.Catalog
	now   time.Time
	// db and creds are nil when there is no account to check against
	// (lwf plan without credentials).
	db    *state.DB
	creds *runner.Credentials
}

// prepared is a campaign ready to send.
type prepared struct {
	plan     *compiler.Plan // what to send; the stored run's payloads on re-attach
	key      string         // the run's identity, from the plan before skipping
	existing *runner.Run    // the run lwf run re-attaches to, if any
	report   *planReport
	created  time.Time // the new run's start: its actions count in that day, week and month
}

// contactAction reports whether an action reaches a person in a way the
// ledger remembers: a write action that names its person and counts
// against a LinkedIn limit (connection requests, messages, Sales
// Navigator messages). Withdrawing a request or removing a connection
// contacts nobody; comments and reactions address posts, not people.
func contactAction(cat *schemas.Catalog) func(string) bool {
	return func(at string) bool {
		a := cat.Lookup(at)
		if a == nil || !a.Write || a.Category == "" {
			return false
		}
		_, p := a.Param("personUrl")
		_, h := a.Param("personHashedUrl")
		return p || h
	}
}

// account returns the account's hash, "" without one.
func (c *campaignCheck) account() string {
	if c.creds == nil {
		return ""
	}
	return c.creds.Account()
}

// prepare checks raw (the plan compiled without skipping anyone) against
// the ledger, the suppression lists and the limits. A run with the same
// plan for the same account is re-attached to, as lwf run always did;
// otherwise the file is compiled again leaving out whoever must not be
// reached, and that is the plan to send.
func (c *campaignCheck) prepare(ctx context.Context, file string, opts compiler.Options, raw *compiler.Plan, fresh bool) (*prepared, error) {
	contact := contactAction(c.cat)
	account := c.account()
	if c.db != nil && account != "" {
		if err := c.db.SyncLedger(ctx, account, contact); err != nil {
			return nil, err
		}
	}
	key, err := runner.RunKey(account, raw.Payloads)
	if err != nil {
		return nil, err
	}
	p := &prepared{plan: raw, key: key, report: newPlanReport(raw, opts.ChunkSize)}
	p.report.setAccount(c.creds)
	if c.db != nil && account != "" && !fresh {
		run, err := c.db.RunByKey(ctx, key)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			return nil, err
		}
		if run != nil {
			return p, c.reattach(ctx, p, run)
		}
	}
	sk, err := c.skipper(ctx, contact)
	if err != nil {
		return nil, err
	}
	if !sk.empty() {
		opts.Skip = sk.skip
		plan, ds := compiler.CompileFile(ctx, file, opts)
		if plan == nil || ds.HasErrors() {
			return nil, fmt.Errorf("compiling %s again without the people to skip: %v", file, ds)
		}
		p.plan = plan
		p.report = newPlanReport(plan, opts.ChunkSize)
		p.report.setAccount(c.creds)
	}
	p.report.counts(c.cat, p.plan)
	return p, c.checkLimits(ctx, p.report, raw.Limits)
}

// reattach reports what is left to send of an existing run.
func (c *campaignCheck) reattach(ctx context.Context, p *prepared, run *runner.Run) error {
	ws, err := c.db.Workflows(ctx, run.ID)
	if err != nil {
		return err
	}
	unsent := &compiler.Plan{Name: p.plan.Name, File: p.plan.File}
	for _, w := range ws {
		if w.State == runner.StatePlanned {
			unsent.Payloads = append(unsent.Payloads, w.Payload)
		}
	}
	p.existing = run
	// The run keeps what it was compiled with: samples and variants of
	// the file as it is now would describe another plan.
	p.report.Samples, p.report.Variants = []compiler.Sample{}, []variantSummary{}
	p.report.Reattach = &reattachInfo{Run: run.ID, Started: run.Created, Workflows: len(ws), Unsent: len(unsent.Payloads)}
	p.report.counts(c.cat, unsent)
	return c.checkLimits(ctx, p.report, p.plan.Limits)
}

// checkLimits fills the report's limit checks.
func (c *campaignCheck) checkLimits(ctx context.Context, r *planReport, fileLimits []compiler.Limit) error {
	var file []runner.LimitRule
	for _, l := range fileLimits {
		file = append(file, runner.LimitRule{Category: l.Category, Period: l.Period, Max: l.Max, Source: "file"})
	}
	var profile []runner.LimitRule
	if c.creds != nil {
		cats := c.cat.Categories()
		for _, l := range c.creds.Limits {
			if !slices.Contains(cats, l.Category) {
				return usageErr("%s: unknown limit category %q%s", c.creds.Source, l.Category, hintSuffix(diag.Nearest(l.Category, cats)))
			}
		}
		profile = c.creds.Limits
	}
	rules := runner.EffectiveLimits(profile, file)
	used := func(string, time.Time) int { return 0 }
	if c.db != nil && c.account() != "" {
		since := c.now
		for _, p := range runner.Periods() {
			if s := runner.PeriodStart(p, c.now); s.Before(since) {
				since = s
			}
		}
		acts, err := c.db.Activity(ctx, c.account(), since)
		if err != nil {
			return err
		}
		used = c.usage(acts)
	}
	r.Limits = runner.CheckLimits(rules, r.planned, used, c.now)
	if r.Limits == nil {
		r.Limits = []runner.LimitCheck{}
	}
	for _, l := range r.Limits {
		r.Refused = r.Refused || l.Exceeded
	}
	return nil
}

// usage sums, per category, what the account's workflows spent since a
// time: completed ones by their succeeded actions, the others by
// everything their payloads may do.
func (c *campaignCheck) usage(acts []state.Activity) func(string, time.Time) int {
	type spent struct {
		at  time.Time
		cat map[string]int
	}
	var all []spent
	for _, a := range acts {
		byType := a.Actions
		if a.Payload != nil {
			byType = map[string]int{}
			for _, n := range (&compiler.Plan{Payloads: []json.RawMessage{a.Payload}}).Counts(c.cat) {
				byType[n.ActionType] += n.Total()
			}
		}
		s := spent{at: a.Created, cat: map[string]int{}}
		for at, n := range byType {
			if ac := c.cat.Lookup(at); ac != nil && ac.Category != "" {
				s.cat[ac.Category] += n
			}
		}
		all = append(all, s)
	}
	return func(cat string, since time.Time) int {
		n := 0
		for _, s := range all {
			if !s.at.Before(since) {
				n += s.cat[cat]
			}
		}
		return n
	}
}

func hintSuffix(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", s)
}

// planCount is one action type of a plan, with its limit category.
type planCount struct {
	compiler.Count
	Category string `json:"category,omitempty"`
	// Skipped counts the actions of this type left out for people
	// reached before or suppressed.
	Skipped int `json:"skipped,omitempty"`
}

// sortedCounts orders counts by type.
func sortedCounts(m map[string]*planCount) []planCount {
	out := make([]planCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ActionType < out[j].ActionType })
	return out
}
