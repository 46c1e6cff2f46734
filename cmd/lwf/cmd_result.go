package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
)

func newResultCmd(a *app) *cobra.Command {
	var (
		conn      connFlags
		st        stateFlags
		output    string
		format    string
		byVariant bool
	)
	cmd := &cobra.Command{
		Use:   "result RUN_OR_WORKFLOW_ID",
		Short: "Write the results of a run or a workflow as JSON, JSON Lines or CSV",
		Long: `Write the stored results of a run (or of one of its workflows) without
asking Linked API anything. JSON is one document with every workflow, its result
(shaped by output: expressions where the workflow file has them) and every action
error with its path. JSON Lines and CSV hold one record per item found (each
person of each company, …) with the columns of the steps above it.

An id that is not in the state directory is read from Linked API as a workflow
id. Exit code 3 means the run has not finished and the results are partial.

--by-variant groups the outcomes of the actions by the variants: version each
got (a table, or --format json or csv).`,
		Example: `  lwf result r-3f9a2c1b7d4e -o results.csv
  lwf result r-3f9a --format jsonl | jq .person.name
  lwf result r-3f9a --by-variant`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeRunID(a, &st),
		RunE: func(cmd *cobra.Command, args []string) error {
			if byVariant {
				return resultByVariant(a, &st, args[0], output, format)
			}
			if _, err := results.FormatFor(output, format); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			if output == "" {
				output = "-"
			}
			db, err := st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			run, idx, err := db.Resolve(a.ctx, args[0])
			if errors.Is(err, state.ErrNotFound) {
				return remoteResult(a, &conn, args[0], output, format)
			}
			if err != nil {
				return err
			}
			ws, err := db.WorkflowsFull(a.ctx, run.ID)
			if err != nil {
				return err
			}
			if idx >= 0 {
				ws = ws[idx : idx+1]
			}
			res, err := runResults(a, db, run, ws)
			if err != nil {
				return err
			}
			if err := writeResults(a, res, output, format); err != nil {
				return err
			}
			c := state.CountStates(ws)
			if open := c.Total - c.Finished - c.ByState[state.Unknown]; open > 0 {
				fmt.Fprintf(a.stderr, "run %s has not finished (%d of %d workflows still open): these results are partial; lwf wait %s tracks it to the end\n", run.ID, open, c.Total, run.ID)
				a.code = exitPending
			}
			return nil
		},
	}
	conn.register(cmd)
	st.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `FILE` (default standard output)")
	cmd.Flags().StringVar(&format, "format", "", "json, jsonl or csv (default: from the -o extension, else json)")
	cmd.Flags().BoolVar(&byVariant, "by-variant", false, "outcomes grouped by the variants: version each action got")
	return cmd
}

// remoteResult reads a workflow lwf did not submit from the API.
func remoteResult(a *app, conn *connFlags, id, output, format string) error {
	client, _, err := conn.connect(a)
	if err != nil {
		return err
	}
	res, err := client.Workflow(a.ctx, id)
	if err != nil {
		return apiError(err)
	}
	wf := &state.Workflow{WorkflowID: res.WorkflowID, State: stateFor(res.WorkflowStatus), Completion: res.Completion, Failure: res.Failure, Message: res.Message}
	if err := writeResults(a, &results.Results{Workflows: []*state.Workflow{wf}}, output, format); err != nil {
		return err
	}
	if !res.WorkflowStatus.Terminal() {
		fmt.Fprintf(a.stderr, "workflow %s is %s: it has no result yet\n", id, res.WorkflowStatus)
		a.code = exitPending
	}
	return nil
}

// stateFor maps an API status onto lwf's states.
func stateFor(s linkedapi.Status) state.State {
	switch s {
	case linkedapi.StatusPending:
		return state.Pending
	case linkedapi.StatusCompleted:
		return state.Completed
	case linkedapi.StatusFailed:
		return state.Failed
	case "cancelled", "canceled":
		return state.Cancelled
	}
	return state.Running
}

// resultByVariant is lwf result --by-variant.
func resultByVariant(a *app, st *stateFlags, id, output, format string) error {
	if format == "" {
		format = "text"
		if strings.HasSuffix(output, ".json") {
			format = "json"
		} else if strings.HasSuffix(output, ".csv") {
			format = "csv"
		}
	}
	if format != "text" && format != "json" && format != "csv" {
		return usageErr("--format with --by-variant: %q is not text, json or csv", format)
	}
	db, err := st.open(a)
	if err != nil {
		return err
	}
	defer db.Close()
	run, _, err := db.Resolve(a.ctx, id)
	if errors.Is(err, state.ErrNotFound) {
		return usageErr("no run %q in %s (see lwf runs)", id, db.Location())
	}
	if err != nil {
		return err
	}
	meta, err := campaign.ParseMeta(run.Meta)
	if err != nil {
		return err
	}
	items, err := db.Items(a.ctx, run.ID)
	if err != nil {
		return err
	}
	meta.Variants = append(meta.Variants, campaign.ItemVariants(items)...)
	if len(meta.Variants) == 0 {
		return usageErr("run %s has no variants: none of its steps gives variants:", run.ID)
	}
	ws, err := db.WorkflowsFull(a.ctx, run.ID)
	if err != nil {
		return err
	}
	groups, err := campaign.VariantOutcomes(meta, ws)
	if err != nil {
		return err
	}
	w := a.stdout
	if output != "" && output != "-" {
		f, err := os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, resultFileMode)
		if err == nil {
			err = f.Chmod(resultFileMode) // a file that was there keeps no wider mode
		}
		if err != nil {
			return usageErr("writing %s: %v", output, err)
		}
		defer f.Close()
		w = f
	}
	return campaign.WriteVariants(w, format, run, groups)
}
