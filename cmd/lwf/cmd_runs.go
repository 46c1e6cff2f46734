package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/runner/state"
)

func newRunsCmd(a *app) *cobra.Command {
	var (
		st     stateFlags
		limit  int
		format formatFlag
	)
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "List recent runs with their status",
		Long: `List the runs in the state directory, newest first, with the state of their
workflows. A run whose status is "in progress" is either being tracked by an lwf
process ("tracking") or waits for lwf wait.`,
		Example: `  lwf runs
  lwf runs --limit 5 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := format.get()
			if err != nil {
				return err
			}
			db, err := st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			runs, err := db.Runs(a.ctx, limit)
			if err != nil {
				return err
			}
			if f == "json" {
				return writeRunsJSON(a, db, runs)
			}
			if len(runs) == 0 {
				fmt.Fprintf(a.stderr, "no runs in %s\n", db.Location())
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUN\tNAME\tSTATUS\tWORKFLOWS\tACTIONS\tERRORS\tSTARTED\tFILE")
			for _, r := range runs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d\t%d\t%d\t%s\t%s\n", r.ID, r.Name, runStatus(r.Counts, db.Held(r.ID)),
					r.Counts.Finished, r.Counts.Total, r.Counts.Actions, r.Counts.Errors, ago(r.Created), r.File)
			}
			return tw.Flush()
		},
	}
	st.register(cmd)
	cmd.Flags().IntVarP(&limit, "limit", "n", 20, "show at most this many runs")
	format.register(cmd, "text", "json")
	return cmd
}

func writeRunsJSON(a *app, db state.Store, runs []state.RunSummary) error {
	type item struct {
		ID       string       `json:"id"`
		Name     string       `json:"name"`
		File     string       `json:"file"`
		Status   string       `json:"status"`
		Created  time.Time    `json:"created"`
		Updated  time.Time    `json:"updated"`
		Tracking bool         `json:"tracking"`
		Counts   state.Counts `json:"counts"`
	}
	out := []item{}
	for _, r := range runs {
		held := db.Held(r.ID)
		out = append(out, item{ID: r.ID, Name: r.Name, File: r.File, Status: runStatus(r.Counts, held), Created: r.Created, Updated: r.Updated, Tracking: held, Counts: r.Counts})
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// runStatus sums up a run in a few words.
func runStatus(c state.Counts, tracking bool) string {
	open := c.ByState[state.Planned] + c.ByState[state.Submitting] + c.ByState[state.Pending] + c.ByState[state.Running]
	switch {
	case open > 0 && tracking:
		return "tracking"
	case open > 0:
		return "in progress"
	case c.ByState[state.Unknown] > 0:
		return "unknown submissions"
	case c.ByState[state.Failed]+c.ByState[state.Rejected] > 0:
		return "failed"
	case c.ByState[state.Cancelled] > 0:
		return "cancelled"
	case c.Errors > 0:
		return "action errors"
	}
	return "completed"
}

// ago renders a past time compactly: "3m ago", or a date beyond a day.
func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return t.Format("2006-01-02 15:04")
}
