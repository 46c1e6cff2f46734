package campaign

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/schemas"
)

// Sending what fits (Check.Fit): when a plan exceeds a limit, the write
// actions that name their person are kept in the plan's order — a lead
// list's rows from the top — while each category's budget lasts, and the
// rest are left out with compiler.SkipOverLimit. Nothing is lost or sent
// twice: the next run's ledger leaves out who this one reached, its open
// workflows who this one may still reach, and the rest fits the next
// day's (or week's) budget.
//
// Only actions lwf knows before sending can be left out: people found by
// a server-side search are known after the run, so what server-side
// iteration may send at worst is taken from the budget first, and a plan
// whose worst case alone exceeds a limit is refused all the same.

// Budget is what a limit category has left for one run: the least that
// any of its periods has left, after what the account already spent and
// what server-side iteration may add.
type Budget struct {
	Category string
	Left     int        // actions that may still be sent; 0 or more
	Binding  LimitCheck // the rule that leaves least
	// WorstCase is what server-side iteration may send in the category,
	// taken from the budget first; when it alone exceeds, Left is 0 and
	// Overrun says by how much.
	WorstCase int
	Overrun   int
	allow     int // the binding rule's Max - Used, at least 0
}

// Budgets returns the budget of each category the report's limits
// check, by category.
func Budgets(r *Report) map[string]*Budget {
	worst := map[string]int{}
	for _, c := range r.Counts {
		if c.Category != "" {
			worst[c.Category] += c.WorstCase
		}
	}
	out := map[string]*Budget{}
	for _, l := range r.Limits {
		allow := max(0, l.Max-l.Used)
		if b := out[l.Category]; b != nil && allow >= b.allow {
			continue
		}
		out[l.Category] = &Budget{Category: l.Category, Binding: l, allow: allow}
	}
	for cat, b := range out {
		b.WorstCase = worst[cat]
		b.Left = b.allow - b.WorstCase
		if b.Left < 0 {
			b.Overrun, b.Left = -b.Left, 0
		}
	}
	return out
}

// Reason says why an action beyond a budget is left out, e.g. "over the
// daily limit of stConnectionRequests (25): left for a run after
// 2026-11-29 00:00 UTC".
func (b *Budget) Reason() string {
	return fmt.Sprintf("over the %s limit of %s (%d): left for a run after %s", b.Binding.Period, b.Category, b.Binding.Max,
		b.Binding.Resets.UTC().Format("2006-01-02 15:04 UTC"))
}

// fitter answers compiler.Options.Skip: the base skipper's answer first,
// then, in the order the compiler asks, each category's write actions
// while its budget lasts.
type fitter struct {
	base    func(actionType, personURL string) (compiler.Skip, bool)
	cat     *schemas.Catalog
	budgets map[string]*Budget
	kept    map[string]int
}

// Skip implements compiler.Options.Skip.
func (f *fitter) Skip(actionType, personURL string) (compiler.Skip, bool) {
	if f.base != nil {
		if sk, ok := f.base(actionType, personURL); ok {
			return sk, true
		}
	}
	a := f.cat.Lookup(actionType)
	if a == nil || a.Category == "" {
		return compiler.Skip{}, false
	}
	b := f.budgets[a.Category]
	if b == nil {
		return compiler.Skip{}, false
	}
	if f.kept[a.Category] >= b.Left {
		return compiler.Skip{Kind: compiler.SkipOverLimit, Detail: b.Reason()}, true
	}
	f.kept[a.Category]++
	return compiler.Skip{}, false
}

// fit compiles file again keeping what fits the budgets of the report's
// exceeded limits, and replaces p's plan and report with the result.
// base is the ledger's and suppression lists' skipper (nil when empty).
func (c *Check) fit(ctx context.Context, p *Prepared, file string, opts compiler.Options, base func(string, string) (compiler.Skip, bool), fileLimits []schemas.Limit) error {
	budgets := Budgets(p.Report)
	exceeded := map[string]*Budget{}
	for _, l := range p.Report.Limits {
		if l.Exceeded {
			exceeded[l.Category] = budgets[l.Category]
		}
	}
	f := &fitter{base: base, cat: c.Catalog, budgets: exceeded, kept: map[string]int{}}
	opts.Skip = f.Skip
	plan, ds := compiler.CompileFile(ctx, file, opts)
	if plan == nil || ds.HasErrors() {
		return fmt.Errorf("compiling %s again with what fits the limits: %v", file, ds)
	}
	p.Plan = plan
	p.Report = NewReport(plan, opts.ChunkSize)
	p.Report.setAccount(c.Profile)
	p.Report.counts(c.Catalog, plan)
	if err := c.checkLimits(ctx, p.Report, fileLimits); err != nil {
		return err
	}
	p.Report.Fit = fitSummary(p.Report, exceeded)
	return nil
}

// FitInfo says what sending what fits left out, and why some of it could
// not be left out.
type FitInfo struct {
	// LeftOut counts the actions left for a later run.
	LeftOut int `json:"leftOut"`
	// Next is when the first budget that left something out resets.
	Next time.Time `json:"next,omitzero"`
	// Problems say which limits still cannot be met and why: only
	// actions lwf knows before sending can be left out.
	Problems []string `json:"problems"`
}

func fitSummary(r *Report, exceeded map[string]*Budget) *FitInfo {
	fi := &FitInfo{Problems: []string{}}
	for _, s := range r.Skipped {
		if s.Kind == compiler.SkipOverLimit {
			fi.LeftOut++
		}
	}
	for _, b := range exceeded {
		if fi.Next.IsZero() || b.Binding.Resets.Before(fi.Next) {
			fi.Next = b.Binding.Resets
		}
	}
	for _, l := range r.Limits {
		if !l.Exceeded {
			continue
		}
		b := exceeded[l.Category]
		switch {
		case b != nil && b.Overrun > 0:
			fi.Problems = append(fi.Problems, fmt.Sprintf("%s %s: server-side iteration may send %d, more than the %d left; lower the limit: of the searches and lists", l.Category, l.Period, b.WorstCase, b.WorstCase-b.Overrun))
		default:
			fi.Problems = append(fi.Problems, fmt.Sprintf("%s %s: its actions do not name a person lwf knows before sending (only those can be left for later)", l.Category, l.Period))
		}
	}
	sort.Strings(fi.Problems)
	return fi
}

// FitLines writes what sending what fits did, for plan and run.
func FitLines(b *strings.Builder, r *Report) {
	if r.Fit == nil {
		return
	}
	if r.Fit.LeftOut > 0 {
		fmt.Fprintf(b, "fit: %s left for a later run (the next budget starts %s); the ledger keeps anyone from being reached twice\n",
			pluralActions(r.Fit.LeftOut), r.Fit.Next.UTC().Format("2006-01-02 15:04 UTC"))
	}
	for _, p := range r.Fit.Problems {
		fmt.Fprintf(b, "fit: cannot fit %s\n", p)
	}
}

func pluralActions(n int) string {
	if n == 1 {
		return "1 action"
	}
	return fmt.Sprintf("%d actions", n)
}
