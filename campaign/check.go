package campaign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// InputError is an error in what the user gave (a suppression list that
// cannot be read, a profile's unknown limit category): the command line
// reports it as a usage error.
type InputError struct{ Err error }

// Error returns the wrapped error's text.
func (e *InputError) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *InputError) Unwrap() error { return e.Err }

func inputErr(format string, args ...any) error {
	return &InputError{Err: fmt.Errorf(format, args...)}
}

// Check applies the contact ledger, suppression lists and limits to a
// compiled plan: what lwf plan shows and lwf run enforces.
type Check struct {
	Catalog *schemas.Catalog
	// Store and Profile are nil when there is no account to check
	// against (lwf plan without credentials); Store is also nil when
	// the account has no state yet.
	Store   state.Store
	Profile *profile.Profile
	// Suppress names files of people never to reach (CSV or one URL a
	// line).
	Suppress []string
	// AllowRecontact keeps people the ledger or open workflows hold
	// (follow-ups); suppression lists still apply.
	AllowRecontact bool
	// Own is a campaign (a sequence) whose own contacts and open
	// workflows do not keep its people out: its later steps are its
	// follow-ups.
	Own string
	// AccountHash names the account when there is no Profile: an account
	// whose credentials are elsewhere, whose ledger and spending are here.
	AccountHash string
	// Team are the other accounts of a team (senders of one campaign):
	// their ledgers and open workflows keep people out too, so that
	// nobody hears from two of them.
	Team []string
	// LazyLedger makes the Skipper read the ledger person by person, as
	// it is asked about them, instead of all of it at once: a sequence's
	// tick asks about a few people of a ledger of thousands.
	LazyLedger bool
	// Now is the time limits are evaluated at.
	Now time.Time
	// Fit sends what fits when the plan exceeds a limit: the write
	// actions beyond a category's budget are left out (fit.go).
	Fit bool
}

// Prepared is a campaign ready to send.
type Prepared struct {
	Plan     *compiler.Plan // what to send; the stored run's payloads on re-attach
	Key      string         // the run's identity, from the plan before skipping
	Existing *state.Run     // the run lwf run re-attaches to, if any
	Report   *Report
}

// Account returns the account's hash, "" without one.
func (c *Check) Account() string {
	if c.Profile == nil {
		return c.AccountHash
	}
	return c.Profile.Account()
}

// Prepare checks raw (the plan compiled without skipping anyone) against
// the ledger, the suppression lists and the limits. A run with the same
// plan for the same account is re-attached to, as lwf run always did;
// otherwise the file is compiled again leaving out whoever must not be
// reached, and that is the plan to send.
func (c *Check) Prepare(ctx context.Context, file string, opts compiler.Options, raw *compiler.Plan, fresh bool) (*Prepared, error) {
	account := c.Account()
	if c.Store != nil && account != "" {
		if err := c.Store.SyncLedger(ctx, account, ReadCompletion(c.Catalog)); err != nil {
			return nil, err
		}
	}
	key, err := RunKey(account, raw)
	if err != nil {
		return nil, err
	}
	p := &Prepared{Plan: raw, Key: key, Report: NewReport(raw, opts.ChunkSize)}
	p.Report.setAccount(c.Profile)
	if c.Store != nil && account != "" && !fresh {
		run, err := c.Store.RunByKey(ctx, key)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			return nil, err
		}
		if run != nil {
			return p, c.reattach(ctx, p, run)
		}
	}
	sk, err := c.Skipper(ctx)
	if err != nil {
		return nil, err
	}
	var base func(string, string) (compiler.Skip, bool)
	if !sk.Empty() {
		base = sk.Skip
		opts.Skip = sk.Skip
		plan, ds := compiler.CompileFile(ctx, file, opts)
		if plan == nil || ds.HasErrors() {
			return nil, fmt.Errorf("compiling %s again without the people to skip: %v", file, ds)
		}
		p.Plan = plan
		p.Report = NewReport(plan, opts.ChunkSize)
		p.Report.setAccount(c.Profile)
	}
	p.Report.counts(c.Catalog, p.Plan)
	sampleLoops(ctx, p.Plan, p.Report)
	if err := c.unfiltered(ctx, p.Plan, p.Report); err != nil {
		return nil, err
	}
	if err := c.checkLimits(ctx, p.Report, raw.Limits); err != nil {
		return nil, err
	}
	if !c.Fit || !p.Report.Refused {
		return p, nil
	}
	if err := c.fit(ctx, p, file, opts, base, raw.Limits); err != nil {
		return nil, err
	}
	if p.Report.Fit.LeftOut == 0 || len(p.Plan.Payloads) == 0 {
		return p, nil
	}
	// A run that sends part of its plan is the part it sends: the next
	// run of the same file sends the rest, as a run of its own.
	if p.Key, err = RunKey(account, p.Plan); err != nil {
		return nil, err
	}
	if c.Store != nil && account != "" && !fresh {
		run, err := c.Store.RunByKey(ctx, p.Key)
		if err != nil && !errors.Is(err, state.ErrNotFound) {
			return nil, err
		}
		if run != nil {
			return p, c.reattach(ctx, p, run)
		}
	}
	return p, nil
}

// Unfiltered is a write action under a loop that stays on the server (a
// doFor* without as:): lwf cannot leave out people reached before, since
// it never sees them before they are reached.
type Unfiltered struct {
	ActionType string `json:"actionType"`
	Via        string `json:"via"`
	// Contacts is how many people the ledger says the action reached
	// before; Refuses is set when that makes lwf run refuse the plan
	// (messages and comments; connection requests are answered
	// alreadyPending or alreadyConnected by Linked API itself).
	Contacts int  `json:"contacts"`
	Refuses  bool `json:"refuses"`
}

// unfiltered finds the write actions under server-side loops and decides
// whether they make the plan refused.
func (c *Check) unfiltered(ctx context.Context, plan *compiler.Plan, r *Report) error {
	counts := plan.Counts(c.Catalog)
	if st := plan.StageCounts(c.Catalog); st != nil {
		counts = st[0].Counts
	}
	for _, n := range counts {
		a := c.Catalog.Lookup(n.ActionType)
		if n.WorstCase == 0 || a == nil || !a.Write || a.Category == "" {
			continue
		}
		u := Unfiltered{ActionType: n.ActionType, Via: strings.Join(n.Via, "; ")}
		if c.Store != nil && c.Account() != "" {
			cs, err := c.Store.Contacts(ctx, c.Account(), state.ContactFilter{Action: n.ActionType})
			if err != nil {
				return err
			}
			u.Contacts = len(cs)
		}
		// Connection requests repeat harmlessly: Linked API answers them
		// alreadyPending or alreadyConnected.
		u.Refuses = u.Contacts > 0 && a.Category != "stConnectionRequests" && !c.AllowRecontact
		r.Unfiltered = append(r.Unfiltered, u)
		r.Refused = r.Refused || u.Refuses
	}
	return nil
}

// sampleLoops renders each named loop once for an example item typed
// from the catalog, so that plan shows what a note reads like before
// anyone is found.
func sampleLoops(ctx context.Context, plan *compiler.Plan, r *Report) {
	examples := map[int]compiler.Item{}
	for _, l := range plan.Loops {
		var parents []compiler.Item
		for p := l.Parent; p >= 0; p = plan.Loops[p].Parent {
			parents = append([]compiler.Item{examples[p]}, parents...)
		}
		it := plan.ExampleItem(l.ID, parents)
		examples[l.ID] = it
		rd, err := plan.Render(ctx, it, nil)
		if err != nil {
			continue
		}
		for _, smp := range rd.Samples {
			smp.Item = "an example " + l.As
			dup := false
			for _, x := range r.Samples {
				dup = dup || (x.ActionType == smp.ActionType && x.Param == smp.Param)
			}
			if !dup {
				r.Samples = append(r.Samples, smp)
			}
		}
	}
}

// reattach reports what is left to send of an existing run.
func (c *Check) reattach(ctx context.Context, p *Prepared, run *state.Run) error {
	ws, err := c.Store.Workflows(ctx, run.ID)
	if err != nil {
		return err
	}
	unsent := &compiler.Plan{Name: p.Plan.Name, File: p.Plan.File}
	for _, w := range ws {
		if w.State == state.Planned {
			unsent.Payloads = append(unsent.Payloads, w.Payload)
		}
	}
	p.Existing = run
	// The run keeps what it was compiled with: samples and variants of
	// the file as it is now would describe another plan.
	p.Report.Samples, p.Report.Variants = []compiler.Sample{}, []VariantSummary{}
	p.Report.Reattach = &ReattachInfo{Run: run.ID, Started: run.Created, Workflows: len(ws), Unsent: len(unsent.Payloads)}
	p.Report.counts(c.Catalog, unsent)
	return c.checkLimits(ctx, p.Report, p.Plan.Limits)
}

// checkLimits fills the report's limit checks.
func (c *Check) checkLimits(ctx context.Context, r *Report, file []schemas.Limit) error {
	var prof []schemas.Limit
	if c.Profile != nil {
		cats := c.Catalog.Categories()
		for _, l := range c.Profile.Limits {
			if !slices.Contains(cats, l.Category) {
				return inputErr("%s: unknown limit category %q%s", c.Profile.Source, l.Category, hintSuffix(diag.Nearest(l.Category, cats)))
			}
		}
		prof = c.Profile.Limits
	}
	rules := EffectiveLimits(prof, file)
	used := func(string, time.Time) int { return 0 }
	if c.Store != nil && c.Account() != "" {
		since := c.Now
		for _, p := range schemas.Periods() {
			if s := PeriodStart(p, c.Now); s.Before(since) {
				since = s
			}
		}
		acts, err := c.Store.Activity(ctx, c.Account(), since)
		if err != nil {
			return err
		}
		used = c.usage(acts)
	}
	r.Limits = CheckLimits(rules, r.planned, used, c.Now)
	if r.Limits == nil {
		r.Limits = []LimitCheck{}
	}
	for i := range r.Limits {
		r.Limits[i].Later = r.later[r.Limits[i].Category]
		r.Refused = r.Refused || r.Limits[i].Refuses()
	}
	return nil
}

// usage sums, per category, what the account's workflows spent since a
// time: completed ones by their succeeded actions, the others by
// everything their payloads may do.
func (c *Check) usage(acts []state.Activity) func(string, time.Time) int {
	type spent struct {
		at     time.Time
		cat    map[string]int
		always bool // not sent yet: it counts in every period
	}
	var all []spent
	for _, a := range acts {
		byType := a.Actions
		switch {
		case a.Payload != nil:
			byType = map[string]int{}
			for _, n := range (&compiler.Plan{Payloads: []json.RawMessage{a.Payload}}).Counts(c.Catalog) {
				byType[n.ActionType] += n.Total()
			}
		case a.Actions == nil && a.Completion != nil:
			byType, _ = ActionsIn(c.Catalog, a.Completion)
		}
		s := spent{at: a.Created, cat: map[string]int{}, always: a.State == state.Planned}
		for at, n := range byType {
			if ac := c.Catalog.Lookup(at); ac != nil && ac.Category != "" {
				s.cat[ac.Category] += n
			}
		}
		all = append(all, s)
	}
	return func(cat string, since time.Time) int {
		n := 0
		for _, s := range all {
			if s.always || !s.at.Before(since) {
				n += s.cat[cat]
			}
		}
		return n
	}
}

// RunKey is a plan's run identity for an account: its payloads and, for
// a file with named loops, what the loops send.
func RunKey(account string, p *compiler.Plan) (string, error) {
	payloads := p.Payloads
	if p.LoopsDigest != "" {
		payloads = append(append([]json.RawMessage(nil), payloads...), json.RawMessage(strconv.Quote("loops:"+p.LoopsDigest)))
	}
	return state.RunKey(account, payloads)
}

func hintSuffix(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", s)
}

// Spending is what an account's limits allow over time: the rules in
// force (the profile's, the file's and the defaults) and what the
// account spent since any moment.
type Spending struct {
	Rules []schemas.Limit
	used  func(string, time.Time) int
}

// Used is how many actions of a limit category the account's runs made
// at or after since (since no earlier than the start of the month of the
// check's Now).
func (b *Spending) Used(category string, since time.Time) int { return b.used(category, since) }

// Spending reads the account's spending over every period that holds the
// check's Now.
func (c *Check) Spending(ctx context.Context, fileLimits []schemas.Limit) (*Spending, error) {
	var prof []schemas.Limit
	if c.Profile != nil {
		prof = c.Profile.Limits
	}
	b := &Spending{Rules: EffectiveLimits(prof, fileLimits), used: func(string, time.Time) int { return 0 }}
	if c.Store != nil && c.Account() != "" {
		since := c.Now
		for _, p := range schemas.Periods() {
			if st := PeriodStart(p, c.Now); st.Before(since) {
				since = st
			}
		}
		acts, err := c.Store.Activity(ctx, c.Account(), since)
		if err != nil {
			return nil, err
		}
		b.used = c.usage(acts)
	}
	return b, nil
}

// Remaining works out, per limit category, how much the account may
// still send now under every period's limit (the profile's, file's and
// defaults): the limit less what the account spent in the period and
// less pending, what is planned but not sent yet. It returns, per
// category, what is left (possibly negative) and the rule that leaves
// least.
func (c *Check) Remaining(ctx context.Context, fileLimits []schemas.Limit, pending map[string]int) (map[string]int, map[string]schemas.Limit, error) {
	b, err := c.Spending(ctx, fileLimits)
	if err != nil {
		return nil, nil, err
	}
	left, binding := map[string]int{}, map[string]schemas.Limit{}
	for _, r := range b.Rules {
		l := r.Max - b.Used(r.Category, PeriodStart(r.Period, c.Now)) - pending[r.Category]
		if b, ok := left[r.Category]; !ok || l < b {
			left[r.Category], binding[r.Category] = l, r
		}
	}
	return left, binding, nil
}
