package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

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
func prepareRun(a *app, f *runCampaignFlags, db *state.DB, creds runner.Credentials, file string, opts compiler.Options, raw *compiler.Plan, fresh, quiet bool) (*prepared, error) {
	now, err := f.clock()
	if err != nil {
		return nil, err
	}
	cat, err := schemas.Default()
	if err != nil {
		return nil, err
	}
	c := &campaignCheck{a: a, flags: &f.campaignFlags, cat: cat, now: now, db: db, creds: &creds}
	p, err := c.prepare(a.ctx, file, opts, raw, fresh)
	if err != nil {
		return nil, err
	}
	p.created = now
	r := p.report
	if len(r.Skipped) > 0 && (!quiet || f.showSkipped) {
		var b strings.Builder
		textReport{showSkipped: f.showSkipped}.skipLines(&b, r)
		if !f.showSkipped {
			fmt.Fprintf(a.stderr, "%s", strings.Replace(b.String(), "(--show-skipped lists them)", "(lwf plan --show-skipped lists them)", 1))
		} else {
			fmt.Fprint(a.stderr, b.String())
		}
	}
	if r.Refused {
		var b strings.Builder
		textReport{}.limitLines(&b, r)
		if f.ignoreLimits {
			fmt.Fprintf(a.stderr, "%sgoing on past the limits, as --ignore-limits asks\n", b.String())
		} else {
			fmt.Fprintf(a.stderr, "%srefused: nothing was sent; lwf plan %s shows the plan, --ignore-limits sends it anyway\n", b.String(), file)
			a.code = exitFindings
			return nil, nil
		}
	}
	if p.existing == nil && len(p.plan.Payloads) == 0 {
		fmt.Fprintf(a.stderr, "nothing to send: every action of %s was left out\n", file)
		a.code = exitOK
		return nil, nil
	}
	return p, nil
}
