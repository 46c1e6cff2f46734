package main

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/schemas"
)

func newPlanCmd(a *app) *cobra.Command {
	var (
		in        inputFlags
		conn      connFlags
		st        stateFlags
		camp      campaignFlags
		format    string
		chunkSize int
		fresh     bool
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

lwf run makes the same checks and refuses what plan refuses. The account is the
one lwf run would use (--profile, or LINKED_API_TOKEN and IDENTIFICATION_TOKEN);
without credentials, plan checks the file's own limits and the defaults against
the plan alone.

Exit codes: 0 the plan may run; 1 it exceeds a limit, or the file has problems;
2 usage errors or unreadable input.`,
		Example: `  lwf plan campaign.yaml --input leads=@leads.csv
  lwf plan campaign.yaml --input leads=@leads.csv --show-skipped --suppress unsubscribed.csv
  lwf plan campaign.yaml --format json > plan.json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeWorkflowArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			var w reportWriter
			switch format {
			case "", "text":
				w = textReport{showSkipped: camp.showSkipped}
			case "json":
				w = jsonReport{}
			default:
				return usageErr("--format: %q is not text or json", format)
			}
			now, err := camp.clock()
			if err != nil {
				return err
			}
			opts := in.options(a)
			opts.Getenv = hideTokens(a.getenv)
			opts.ChunkSize = chunkSize
			raw, ds := compiler.CompileFile(a.ctx, args[0], opts)
			if plan := raw; plan == nil || ds.HasErrors() {
				a.code = exitFindings
				if unreadable(ds) {
					a.code = exitUsage
				}
				if format == "json" {
					r := newPlanReport(&compiler.Plan{File: args[0]}, chunkSize)
					r.Diagnostics = ds
					return w.write(a.stdout, r)
				}
				a.printDiags(ds)
				return nil
			}
			if len(ds) > 0 {
				a.printDiags(ds)
			}
			cat, err := schemas.Default()
			if err != nil {
				return err
			}
			c := &campaignCheck{a: a, flags: &camp, cat: cat, now: now}
			creds, err := conn.credentials(a)
			switch {
			case errors.Is(err, runner.ErrNoCredentials):
			case err != nil:
				return err
			default:
				c.creds = &creds
				// A state directory that does not exist holds no ledger:
				// plan does not create one.
				if _, err := os.Stat(filepath.Join(st.path(a), "state.db")); err == nil {
					db, err := st.open(a)
					if err != nil {
						return err
					}
					defer db.Close()
					c.db = db
				}
			}
			p, err := c.prepare(a.ctx, args[0], opts, raw, fresh)
			if err != nil {
				return err
			}
			if len(ds) > 0 {
				p.report.Diagnostics = ds
			}
			if p.report.Refused {
				a.code = exitFindings
			}
			return w.write(a.stdout, p.report)
		},
	}
	in.register(cmd)
	st.register(cmd)
	camp.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&conn.profile, "profile", "", "check against the account of profile `NAME` in the config file")
	fl.StringVar(&conn.endpoint, "endpoint", "", "Linked API address (default $LINKED_API_ENDPOINT or "+runner.DefaultBaseURL+"): part of the account's identity")
	fl.StringVar(&format, "format", "text", "output format: text or json")
	fl.IntVar(&chunkSize, "chunk-size", compiler.DefaultChunkSize, "most root actions per workflow")
	fl.BoolVar(&fresh, "new", false, "plan a new run, as lwf run --new would, even if this file with these inputs already ran")
	return cmd
}
