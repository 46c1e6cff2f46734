package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/profile"
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
	return &campaign.Check{Catalog: cat, Store: db, Profile: p, Suppress: f.suppress, AllowRecontact: f.allowRecontact, Now: now}, nil
}

// campaignErr gives campaign errors about the user's input exit code 2.
func campaignErr(err error) error {
	var ie *campaign.InputError
	if errors.As(err, &ie) {
		return &exitError{code: exitUsage, err: err}
	}
	return err
}

// runCampaignFlags are lwf run's campaign safety flags: plan's, and the
// override of its refusal.
type runCampaignFlags struct {
	campaignFlags
	ignoreLimits bool
}

func (f *runCampaignFlags) register(cmd *cobra.Command) {
	f.campaignFlags.register(cmd)
	cmd.Flags().BoolVar(&f.ignoreLimits, "ignore-limits", false, "send even when the plan exceeds a limit (lwf plan shows which)")
}

// prepareRun makes lwf plan's checks before lwf run sends anything. It
// returns nil, with a.code set, when there is nothing to send: the plan
// exceeds a limit, or every action was left out.
func prepareRun(a *app, f *runCampaignFlags, db state.Store, p profile.Profile, file string, opts compiler.Options, raw *compiler.Plan, fresh, quiet bool) (*campaign.Prepared, *campaign.Check, error) {
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
		campaign.TextReport{ShowSkipped: f.showSkipped, Catalog: c.Catalog}.SkipLines(&b, r, "lwf plan --show-skipped lists them")
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
			how := "--ignore-limits sends it anyway"
			if byLoops {
				how = "--allow-recontact sends it to everyone found"
			}
			fmt.Fprintf(a.stderr, "%srefused: nothing was sent; lwf plan %s shows the plan, %s\n", b.String(), file, how)
			a.code = exitFindings
			return nil, nil, nil
		}
	}
	if prep.Existing == nil && len(prep.Plan.Payloads) == 0 {
		fmt.Fprintf(a.stderr, "nothing to send: every action of %s was left out\n", file)
		a.code = exitOK
		return nil, nil, nil
	}
	return prep, c, nil
}
