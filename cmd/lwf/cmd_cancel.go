package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
)

func newCancelCmd(a *app) *cobra.Command {
	var (
		conn    connFlags
		st      stateFlags
		timeout time.Duration
	)
	cmd := &cobra.Command{
		Use:   "cancel RUN_OR_WORKFLOW_ID",
		Short: "Cancel a run (or one workflow): send nothing more, stop what runs",
		Long: `Cancel a run: its unsent workflows are never sent, and DELETE /workflows/{id}
stops each one that is pending or running. When another lwf process is tracking
the run, that process does the cancelling (within seconds). Workflows that had
already ended keep their results. A submission whose outcome is unknown has no
id to cancel and is listed as such.

Given a workflow id, cancel only that workflow.`,
		Example: `  lwf cancel r-3f9a2c1b7d4e
  lwf cancel wf-64835e7c-0000-4000-8000-000000000000`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeRunID(a, &st),
		RunE: func(cmd *cobra.Command, args []string) error {
			a.stderr = syncWriter(a.stderr)
			db, err := st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			run, idx, err := db.Resolve(a.ctx, args[0])
			switch {
			case errors.Is(err, state.ErrNotFound):
				return cancelWorkflow(a, &conn, nil, args[0])
			case err != nil:
				return err
			case idx >= 0:
				ws, err := db.Workflows(a.ctx, run.ID)
				if err != nil {
					return err
				}
				if ws[idx].WorkflowID == "" || ws[idx].State.Terminal() {
					return usageErr("workflow #%d of run %s is %s: nothing to cancel", idx+1, run.ID, ws[idx].State)
				}
				return cancelWorkflow(a, &conn, run, ws[idx].WorkflowID)
			}
			c, _, err := db.Counts(a.ctx, run.ID)
			if err != nil {
				return err
			}
			if open := c.Total - c.Finished - c.ByState[state.Unknown]; open == 0 {
				fmt.Fprintf(a.stderr, "run %s has already ended: nothing to cancel\n", run.ID)
				return nil
			}
			if err := db.RequestCancel(a.ctx, run.ID); err != nil {
				return err
			}
			lock, err := db.Lock(run.ID)
			var le *state.LockedError
			if errors.As(err, &le) {
				fmt.Fprintf(a.stderr, "cancellation requested: %v and will cancel it within seconds\n", le)
				return nil
			}
			if err != nil {
				return err
			}
			defer lock.Unlock()
			creds, err := conn.account(a)
			if err != nil {
				return err
			}
			if creds.Endpoint == "" {
				creds.Endpoint = run.Endpoint
			}
			if creds.Account() != run.Account {
				return usageErr("run %s belongs to another account (or endpoint) than %s; use the run's credentials", run.ID, creds)
			}
			client, err := conn.client(a, creds.Credentials)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(a.ctx, timeout)
			defer cancel()
			prog := results.NewProgress(a.stderr, results.ProgressLines, results.ProgressOptions{RunID: run.ID})
			out, err := runner.Drive(ctx, runner.Config{API: client, Store: db, Events: prog.Event}, run.ID)
			prog.Close()
			if err != nil {
				return apiError(err)
			}
			if out.Stopped {
				fmt.Fprintf(a.stderr, "some workflows had not confirmed their end after %s; lwf status %s shows them\n", timeout, run.ID)
				a.code = exitPending
			}
			return nil
		},
	}
	conn.register(cmd)
	st.register(cmd)
	cmd.Flags().DurationVar(&timeout, "timeout", 2*time.Minute, "give up waiting for workflows to confirm their end after this long")
	return cmd
}

// cancelWorkflow sends DELETE /workflows/{id} for one workflow.
func cancelWorkflow(a *app, conn *connFlags, run *state.Run, id string) error {
	creds, err := conn.account(a)
	if err != nil {
		return err
	}
	if creds.Endpoint == "" && run != nil {
		creds.Endpoint = run.Endpoint
	}
	client, err := conn.client(a, creds.Credentials)
	if err != nil {
		return err
	}
	res, err := client.CancelWorkflow(a.ctx, id)
	if err != nil {
		return apiError(err)
	}
	if res.Cancelled {
		fmt.Fprintf(a.stdout, "workflow %s cancelled\n", id)
	} else {
		fmt.Fprintf(a.stdout, "workflow %s was not cancelled: it had already ended\n", id)
	}
	if run != nil {
		fmt.Fprintf(a.stdout, "lwf status %s shows the run\n", run.ID)
	}
	return nil
}
