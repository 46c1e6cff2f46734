package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// campaignFlags are the safety flags lwf plan and lwf run share.
type campaignFlags struct {
	suppress       []string
	allowRecontact bool
	showSkipped    bool
	fit            bool
	ignoreLimits   bool
	now            string // hidden: the clock of limits, for tests
}

func (f *campaignFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.suppress, "suppress", nil, "never reach the people listed in `FILE` (CSV or one URL a line); repeatable")
	fl.BoolVar(&f.allowRecontact, "allow-recontact", false, "do not skip people the contact ledger says were reached before (follow-ups)")
	fl.BoolVar(&f.showSkipped, "show-skipped", false, "list every action left out, with its row and the reason")
	fl.BoolVar(&f.fit, "fit", false, "when the plan exceeds a limit, send what fits now and leave the rest for a later run")
	fl.BoolVar(&f.ignoreLimits, "ignore-limits", false, "send even when the plan exceeds a limit")
	fl.StringVar(&f.now, "now", "", "evaluate limits as of this RFC 3339 time")
	_ = fl.MarkHidden("now")
}

// check builds the campaign check of these flags for an account (nil
// without one) and its store (nil without one).
func (f *campaignFlags) check(db state.Store, p *profile.Profile) (*campaign.Check, error) {
	now := time.Now()
	if f.now != "" {
		t, err := time.Parse(time.RFC3339, f.now)
		if err != nil {
			return nil, usageErr("--now: %v", err)
		}
		now = t
	}
	cat, err := schemas.Default()
	if err != nil {
		return nil, err
	}
	if f.fit && f.ignoreLimits {
		return nil, usageErr("--fit sends what fits the limits and --ignore-limits sends everything: give one")
	}
	return &campaign.Check{Catalog: cat, Store: db, Profile: p, Suppress: f.suppress, AllowRecontact: f.allowRecontact, Now: now, Fit: f.fit}, nil
}

// runClock is the clock of the runs lwf run starts: with --now (tests),
// the time it names, moving on from there, so that what the runs record
// (when each workflow was sent) is on the clock the limits are counted
// by; nil otherwise.
func (f *campaignFlags) runClock() runner.Clock {
	if f.now == "" {
		return nil
	}
	t, err := time.Parse(time.RFC3339, f.now)
	if err != nil {
		return nil
	}
	return offsetClock{offset: time.Until(t)}
}

// offsetClock is the system clock moved by an offset.
type offsetClock struct{ offset time.Duration }

func (c offsetClock) Now() time.Time { return time.Now().Add(c.offset) }

// campaignErr gives campaign errors about the user's input exit code 2.
func campaignErr(err error) error {
	var ie *campaign.InputError
	if errors.As(err, &ie) {
		return &exitError{code: exitUsage, err: err}
	}
	return err
}

// planCommand is the lwf plan command that shows the plan of this lwf
// run: the same file and every flag the two share.
func planCommand(run *cobra.Command, file string) string {
	plan := newPlanCmd(&app{})
	b := strings.Builder{}
	b.WriteString("lwf plan " + shellQuote(file))
	run.Flags().Visit(func(f *pflag.Flag) {
		if plan.Flags().Lookup(f.Name) == nil {
			return
		}
		switch v := f.Value.(type) {
		case pflag.SliceValue:
			for _, s := range v.GetSlice() {
				b.WriteString(" --" + f.Name + " " + shellQuote(s))
			}
		default:
			if f.Value.Type() == "bool" {
				if f.Value.String() == "true" {
					b.WriteString(" --" + f.Name)
				}
				return
			}
			b.WriteString(" --" + f.Name + " " + shellQuote(f.Value.String()))
		}
	})
	return b.String()
}

// prepareRun makes lwf plan's checks before lwf run sends anything. It
// returns nil, with a.code set, when there is nothing to send: the plan
// exceeds a limit, or every action was left out.
func prepareRun(a *app, f *campaignFlags, db state.Store, p profile.Profile, file, planCmd string, opts compiler.Options, raw *compiler.Plan, fresh, quiet bool) (*campaign.Prepared, *campaign.Check, error) {
	c, err := f.check(db, &p)
	if err != nil {
		return nil, nil, err
	}
	prep, err := c.Prepare(a.ctx, file, opts, raw, fresh)
	if err != nil {
		return nil, nil, campaignErr(err)
	}
	r := prep.Report
	if len(r.Skipped) > 0 && (!quiet || f.showSkipped) {
		var b strings.Builder
		campaign.TextReport{ShowSkipped: f.showSkipped, Catalog: c.Catalog}.SkipLines(&b, r, planCmd+" --show-skipped lists them")
		fmt.Fprint(a.stderr, b.String())
	}
	if r.Fit != nil && (!quiet || r.Refused) {
		var b strings.Builder
		campaign.FitLines(&b, r)
		fmt.Fprint(a.stderr, b.String())
	}
	if r.Refused {
		var b strings.Builder
		byLimits := campaign.RefusedByLimits(r)
		if byLimits {
			campaign.LimitLines(&b, r)
		}
		byLoops := false
		for _, u := range r.Unfiltered {
			byLoops = byLoops || u.Refuses
		}
		if byLoops {
			campaign.UnfilteredLines(&b, r)
		}
		if byLimits && f.ignoreLimits && !byLoops {
			fmt.Fprintf(a.stderr, "%sgoing on past the limits, as --ignore-limits asks\n", b.String())
		} else {
			how := campaign.RefusalOptions(r)
			if byLoops {
				how = "--allow-recontact sends it to everyone found"
			}
			fmt.Fprintf(a.stderr, "%srefused: nothing was sent; %s shows the plan; %s\n", b.String(), planCmd, how)
			a.code = exitFindings
			return nil, nil, nil
		}
	}
	if prep.Existing == nil && len(prep.Plan.Payloads) == 0 {
		why := ""
		if r.Fit != nil && r.Fit.LeftOut > 0 {
			why = fmt.Sprintf("; what is left fits after %s: run it again then", r.Fit.Next.UTC().Format("2006-01-02 15:04 UTC"))
		}
		fmt.Fprintf(a.stderr, "nothing to send: every action of %s was left out%s\n", file, why)
		a.code = exitOK
		return nil, nil, nil
	}
	return prep, c, nil
}
