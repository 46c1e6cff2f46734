package main

import (
	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/spf13/cobra"
)

func newWaitCmd(a *app) *cobra.Command {
	var (
		conn  connFlags
		st    stateFlags
		drive driveFlags
	)
	cmd := &cobra.Command{
		Use:   "wait RUN",
		Short: "Re-attach to a run and track it to the end",
		Long: `Resume a run stopped by Ctrl-C, --timeout, --detach or a crash: submit what
was never sent, track what runs, then report and write the results as lwf run
does. A run that has already ended is reported without any request but one
GET /stats/actions to judge its unknown submissions again, if it has any. Use the
same credentials as the run (the run remembers its account by a hash and
refuses others).

Exit codes are those of lwf run.`,
		Example: `  lwf wait r-3f9a2c1b7d4e
  lwf wait r-3f9a -o results.csv --timeout 1h`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeRunID(a, &st),
		RunE: func(cmd *cobra.Command, args []string) error {
			terminal, width := isTerminal(a.stderr), termWidth(a.stderr)
			a.stderr = syncWriter(a.stderr)
			db, err := st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			run, idx, err := resolveID(a, db, args[0])
			if err != nil {
				return err
			}
			if idx >= 0 {
				return usageErr("%s is a workflow of run %s: wait for the run", args[0], run.ID)
			}
			creds, err := conn.account(a)
			if err != nil {
				return err
			}
			if creds.Endpoint == "" {
				creds.Endpoint = run.Endpoint // the address the run was sent to
			}
			if creds.Account() != run.Account {
				return usageErr("run %s belongs to another account (or endpoint) than %s; use the run's credentials", run.ID, creds)
			}
			client, err := conn.client(a, creds.Credentials)
			if err != nil {
				return err
			}
			job := &driveJob{a: a, db: db, run: run, api: client, clock: conn.clock, flags: &drive, terminal: terminal, width: width,
				resume: "lwf wait " + run.ID + stateArg(&st)}
			ws, err := db.Workflows(a.ctx, run.ID)
			if err != nil {
				return err
			}
			// output: expressions live in the file: compile it again when
			// it still produces the run's payloads.
			plan := recompile(a.ctx, a, run, ws)
			if plan != nil {
				job.shape = planShaper(plan)
			}
			if staged(ws) {
				// Items found by the run's lists are rendered from the
				// file: it must still be the one the run was made from.
				if plan == nil || len(plan.Loops) == 0 {
					return usageErr("run %s renders the items its lists find from its workflow file, which is gone or has changed since; "+
						"restore the file (and the inputs it ran with), or start over with lwf run --new", run.ID)
				}
				check, err := (&campaignFlags{}).check(db, &creds)
				if err != nil {
					return err
				}
				m, _ := campaign.ParseMeta(run.Meta)
				check.Now = run.Created // limits are counted in the period the run started
				job.expand = (&campaign.Stager{Plan: plan, Store: db, RunID: run.ID, Check: check, ChunkSize: m.ChunkSize}).Expand
			}
			return job.execute()
		},
	}
	conn.register(cmd)
	st.register(cmd)
	drive.register(cmd)
	return cmd
}

// staged reports whether a run has lists that feed named loops.
func staged(ws []*state.Workflow) bool {
	for _, w := range ws {
		if len(w.Points) > 0 {
			return true
		}
	}
	return false
}
