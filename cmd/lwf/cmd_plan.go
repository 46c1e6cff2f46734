package main

import (
	"errors"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sequence"
)

func newPlanCmd(a *app) *cobra.Command {
	var (
		in        inputFlags
		conn      connFlags
		st        stateFlags
		camp      campaignFlags
		formatF   formatFlag
		chunkSize int
		fresh     bool
		sandboxed bool
		seq       seqFlags
	)
	cmd := &cobra.Command{
		Use:   "plan FILE",
		Short: "Show what lwf run would send, and check it against the ledger and the limits",
		Long: `Compile FILE with its inputs and report, without sending anything: the
workflows and their chunks; how many actions of each type run, exactly (steps
written out or made by forEach) and at worst (server-side iteration: the limits
of the lists under doFor*); a rendered sample of each templated text; the
variants: handed out; the actions left out because the contact ledger says the
person was reached before, a workflow still open may reach them, or a
--suppress list names them; and every limit the plan touches, with what the
account already sent in the same day, week or month and what is left.

lwf run makes the same checks and refuses what plan refuses; --fit shows what
lwf run --fit would send (what fits the limits now), --ignore-limits plans past
them as lwf run --ignore-limits would. The account is the
one lwf run would use (--profile, or LINKED_API_TOKEN and IDENTIFICATION_TOKEN);
without credentials, plan checks the file's own limits and the defaults against
the plan alone.

Exit codes: 0 the plan may run; 1 it exceeds a limit, or the file has problems;
2 usage errors, a missing or unreadable input (lwf help exit-codes).`,
		Example: `  lwf plan campaign.yaml --input leads=@leads.csv
  lwf plan campaign.yaml --input leads=@leads.csv --show-skipped --suppress unsubscribed.csv
  lwf plan campaign.yaml --format json > plan.json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeWorkflowArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			format, err := formatF.get()
			if err != nil {
				return err
			}
			var w campaign.ReportWriter = campaign.TextReport{ShowSkipped: camp.showSkipped}
			if format == "json" {
				w = campaign.JSONReport{}
			}
			opts := in.options(a)
			opts.Getenv = hideTokens(a.getenv)
			opts.ChunkSize = chunkSize
			opts.Account = conn.accountType(a)
			raw, ds := compiler.CompileFile(a.ctx, args[0], opts)
			if plan := raw; plan == nil || ds.HasErrors() {
				a.code = max(diagExit(ds), exitFindings)
				if format == "json" {
					r := campaign.NewReport(&compiler.Plan{File: args[0]}, chunkSize)
					r.Diagnostics = ds
					return w.Write(a.stdout, r)
				}
				a.printDiags(ds)
				return nil
			}
			if len(ds) > 0 {
				a.printDiags(ds)
			}
			var (
				db   state.Store
				acct *profile.Profile
			)
			p, err := conn.account(a)
			if sandboxed {
				p, err = sandboxProfile(), nil
				st.dir = sandboxStateDir(a, &st)
			}
			switch {
			case errors.Is(err, profile.ErrNoCredentials):
			case err != nil:
				return err
			default:
				acct = &p
				// A state store that does not exist holds no ledger: plan
				// does not create one.
				ok, err := st.exists(a)
				if err != nil {
					return err
				}
				if ok {
					if db, err = st.open(a); err != nil {
						return err
					}
					defer db.Close()
				}
			}
			c, err := camp.check(db, acct)
			if err != nil {
				return err
			}
			if raw.Sequence != nil {
				var store state.Store
				if db != nil {
					store = db
				}
				return planSequence(a, args[0], raw, store, acct, c, format, &seq)
			}
			prep, err := c.Prepare(a.ctx, args[0], opts, raw, fresh)
			if err != nil {
				return campaignErr(err)
			}
			if len(ds) > 0 {
				prep.Report.Diagnostics = ds
			}
			prep.Report.IgnoreLimits = camp.ignoreLimits
			if prep.Report.Refused && !camp.ignoreLimits {
				a.code = exitFindings
			}
			return w.Write(a.stdout, prep.Report)
		},
	}
	in.register(cmd)
	st.register(cmd)
	camp.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&conn.profile, "profile", "", "check against the account of profile `NAME` in the config file")
	fl.StringVar(&conn.endpoint, "endpoint", "", "Linked API address (default $LINKED_API_ENDPOINT or "+linkedapi.DefaultBaseURL+"): part of the account's identity")
	formatF.register(cmd, "text", "json")
	fl.IntVar(&chunkSize, "chunk-size", compiler.DefaultChunkSize, "most root actions per workflow")
	fl.BoolVar(&fresh, "new", false, "plan a new run, as lwf run --new would, even if this file with these inputs already ran")
	fl.StringVar(&seq.acceptance, "acceptance", sequence.AcceptanceFeed, "sequences: plan with acceptances seen by feed or check (as lwf run --acceptance)")
	fl.DurationVar(&seq.checkEvery, "check-every", 24*time.Hour, "sequences with --acceptance check: as lwf run --check-every")
	fl.BoolVar(&sandboxed, "sandbox", false, "plan what lwf run --sandbox would do: against the runs, ledger and limits of --sandbox runs")
	return cmd
}
