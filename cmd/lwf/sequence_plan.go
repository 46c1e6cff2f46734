package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sequence"
)

// planDays is how far lwf plan forecasts a sequence's writes.
const planDays = 14

// planSequence does lwf plan for a file with sequence:. db is nil when
// there is no state directory yet: nothing is in flight.
func planSequence(a *app, file string, plan *compiler.Plan, db state.Store, acct *profile.Profile, check *campaign.Check, format string, f *seqFlags) error {
	account := ""
	if acct != nil {
		account = acct.Account()
	}
	e := &sequence.Engine{Plan: plan, File: file, Store: db, Account: account, Check: check, Clock: fixedClock(check.Now),
		Acceptance: f.acceptance, CheckEvery: f.checkEvery}
	if acct == nil {
		c := *check
		c.Store = nil
		e.Check = &c
	}
	p, err := e.Preview(a.ctx, planDays)
	if err != nil {
		return err
	}
	if format == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	printPreview(a.stdout, p, plan, check.Now)
	return nil
}

// fixedClock is a clock stopped at one time.
type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

var _ runner.Clock = fixedClock{}

// printPreview prints a sequence's preview for people.
func printPreview(w io.Writer, p *sequence.Preview, plan *compiler.Plan, now time.Time) {
	inFlight := 0
	for _, n := range p.Status {
		inFlight += n
	}
	fmt.Fprintf(w, "%s (%s): %s in the list; %d new, %d already in the sequence", p.Sequence, p.File, results.Plural(p.Leads, "lead"), p.New, inFlight)
	if p.Removed > 0 {
		fmt.Fprintf(w, ", %d no longer in the list (a tick stops them)", p.Removed)
	}
	fmt.Fprintln(w)
	if len(p.Status) > 0 {
		var parts []string
		for _, s := range []state.LeadStatus{state.LeadActive, state.LeadWaiting, state.LeadSending, state.LeadDone, state.LeadExited, state.LeadFailed, state.LeadUnknown, state.LeadRemoved} {
			if n := p.Status[s]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, s))
			}
		}
		fmt.Fprintf(w, "  in the store: %s\n", strings.Join(parts, ", "))
	}
	for _, t := range p.Taken {
		fmt.Fprintf(w, "  held by another sequence of the account, left out: %s\n", t)
	}
	for _, m := range p.Moves {
		to := "the end"
		if m.To != "" {
			to = m.To
		}
		fmt.Fprintf(w, "  edit: %s is at step %s, no longer in the file: moves on to %s\n", m.Person, m.From, to)
	}
	fmt.Fprintln(w, "\nevents: "+p.Events)

	fmt.Fprintln(w, "\nthe funnel it can reach (done so far / at most, if every event comes):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range p.Reach {
		what := strings.TrimPrefix(strings.TrimPrefix(r.Action, "st."), "nv.")
		if r.Wait != "" {
			what = "wait for " + r.Wait
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d / %d\n", r.ID, what, r.Done, r.AtMost)
	}
	tw.Flush()

	fmt.Fprintln(w)
	if len(p.DueNow) == 0 {
		fmt.Fprintln(w, "due now: nothing")
	} else {
		var parts []string
		for _, k := range sortedCounts(p.DueNow) {
			parts = append(parts, fmt.Sprintf("%s %d", k, p.DueNow[k]))
		}
		fmt.Fprintf(w, "due now: %s (a tick sends what the working hours, the pace and the limits allow)\n", strings.Join(parts, ", "))
	}
	if sch := plan.Sequence.Schedule; sch.WorkingHours != nil || sch.Pace > 0 {
		var parts []string
		if sch.WorkingHours != nil {
			parts = append(parts, "working hours "+sch.WorkingHours.String())
		}
		if sch.Pace > 0 {
			parts = append(parts, "at most one write every "+dur(sch.Pace))
		}
		fmt.Fprintf(w, "schedule: %s\n", strings.Join(parts, ", "))
	}
	printForecast(w, p)
	if len(p.Samples) > 0 {
		fmt.Fprintln(w, "\nsamples:")
		for _, s := range p.Samples {
			fmt.Fprintf(w, "  %s %s for %s:\n    %s\n", s.Step, s.Param, s.Person, strings.ReplaceAll(s.Text, "\n", "\n    "))
		}
	}
	for _, pr := range p.Problems {
		fmt.Fprintf(w, "problem: %s\n", pr)
	}
}

// printForecast prints the days of writes the forecast found.
func printForecast(w io.Writer, p *sequence.Preview) {
	var steps, cats []string
	for _, d := range p.Days {
		for s := range d.Steps {
			if !slices.Contains(steps, s) {
				steps = append(steps, s)
			}
		}
		for c := range d.Spent {
			if !slices.Contains(cats, c) {
				cats = append(cats, c)
			}
		}
	}
	fmt.Fprintf(w, "\nwrites over the next %d days (each step succeeding, no event coming: waits count when they time out):\n", len(p.Days))
	if len(steps) == 0 {
		fmt.Fprintln(w, "  none")
	} else {
		slices.Sort(steps)
		slices.Sort(cats)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "  day\t")
		for _, s := range steps {
			fmt.Fprintf(tw, "%s\t", s)
		}
		for _, c := range cats {
			fmt.Fprintf(tw, "%s\t", c)
		}
		fmt.Fprintln(tw)
		for _, d := range p.Days {
			if len(d.Steps) == 0 {
				continue
			}
			fmt.Fprintf(tw, "  %s\t", d.Date)
			for _, s := range steps {
				fmt.Fprintf(tw, "%s\t", countCell(d.Steps[s]))
			}
			for _, c := range cats {
				cell := countCell(d.Spent[c])
				if m, ok := d.Max[c]; ok && d.Spent[c] > 0 {
					cell = fmt.Sprintf("%d of %d", d.Spent[c], m)
				}
				fmt.Fprintf(tw, "%s\t", cell)
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
	if p.Beyond > 0 {
		fmt.Fprintf(w, "  %s due within the %d days wait past them for the limits or the working hours\n", results.Plural(p.Beyond, "step"), len(p.Days))
	}
	if len(p.Limits) > 0 {
		var parts []string
		for _, r := range p.Limits {
			parts = append(parts, fmt.Sprintf("%s %d %s (%s)", r.Category, r.Max, r.Period, r.Source))
		}
		fmt.Fprintf(w, "limits: %s\n", strings.Join(parts, ", "))
	}
}

func countCell(n int) string {
	if n == 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
