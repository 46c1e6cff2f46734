package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sequence"
)

// statusShown bounds the workflows listed one per line.
const statusShown = 30

func newStatusCmd(a *app) *cobra.Command {
	var (
		conn      connFlags
		st        stateFlags
		format    formatFlag
		noRefresh bool
	)
	cmd := &cobra.Command{
		Use:   "status RUN_OR_WORKFLOW_ID | SEQUENCE_FILE",
		Short: "Show where a run, a workflow or a sequence stands",
		Long: `Show a run's workflows and their states, or one workflow; for a sequence
(its file or its name), the funnel: per step, the leads that entered it, those
it was done for, those at it now, skipped, failed and exited, and per variant
the leads sent each version and how many replied. A run that no lwf
process is tracking is refreshed first (one GET per unfinished workflow) when
credentials are available; --no-refresh shows the stored state only. An id that
is not in the state directory is looked up at Linked API as a workflow id.`,
		Example: `  lwf status r-3f9a2c1b7d4e
  lwf status examples/sequences/connect-follow-up.yaml
  lwf status wf-64835e7c-0000-4000-8000-000000000000 --format json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeRunID(a, &st),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := format.get()
			if err != nil {
				return err
			}
			asJSON := f == "json"
			db, err := st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			if isFile(args[0]) {
				return sequenceStatus(a, db, args[0], asJSON)
			}
			run, idx, err := db.Resolve(a.ctx, args[0])
			if errors.Is(err, state.ErrNotFound) {
				if ls, err := db.Leads(a.ctx, "", args[0]); err == nil && len(ls) > 0 {
					return sequenceStatus(a, db, args[0], asJSON)
				}
				return remoteStatus(a, &conn, args[0], asJSON)
			}
			if err != nil {
				return err
			}
			tracking := db.Held(run.ID)
			if !noRefresh && !tracking {
				refreshRun(a, &conn, db, run)
			}
			ws, err := db.Workflows(a.ctx, run.ID)
			if err != nil {
				return err
			}
			if idx >= 0 {
				return showWorkflow(a.stdout, run, ws[idx], asJSON)
			}
			if staged(ws) && !asJSON {
				defer func() { writeStages(a, db, run, ws) }()
			}
			return showRun(a.stdout, run, ws, tracking, asJSON)
		},
	}
	conn.register(cmd)
	st.register(cmd)
	format.register(cmd, "text", "json")
	cmd.Flags().BoolVar(&noRefresh, "no-refresh", false, "show the stored state without asking Linked API")
	return cmd
}

// refreshRun polls each unfinished workflow of a run nobody tracks once,
// quietly: a missing credential or a failure leaves the stored state.
func refreshRun(a *app, conn *connFlags, db state.Store, run *state.Run) {
	c, _, err := db.Counts(a.ctx, run.ID)
	if err != nil || c.ByState[state.Pending]+c.ByState[state.Running] == 0 {
		return
	}
	creds, err := profile.Resolve(a.getenv, conn.profile)
	if err != nil {
		return
	}
	if conn.endpoint != "" {
		creds.Endpoint = conn.endpoint
	}
	if creds.Endpoint == "" {
		creds.Endpoint = run.Endpoint
	}
	if creds.Account() != run.Account {
		return
	}
	client, err := conn.client(a, creds.Credentials)
	if err != nil {
		return
	}
	lock, err := db.Lock(run.ID)
	if err != nil {
		return
	}
	defer lock.Unlock()
	_, _ = runner.Drive(a.ctx, runner.Config{API: client, Store: db, Refresh: true}, run.ID)
}

func showRun(w io.Writer, run *state.Run, ws []*state.Workflow, tracking bool, asJSON bool) error {
	c := state.CountStates(ws)
	for _, wf := range ws {
		c.Actions += wf.Actions
		c.Errors += wf.ActionErrors
	}
	if asJSON {
		type wfItem struct {
			Index         int                `json:"index"`
			State         state.State        `json:"state"`
			WorkflowID    string             `json:"workflowId,omitempty"`
			PendingReason string             `json:"pendingReason,omitempty"`
			Message       string             `json:"message,omitempty"`
			Failure       *linkedapi.Failure `json:"failure,omitempty"`
			Error         string             `json:"error,omitempty"`
			Verdict       state.Verdict      `json:"verdict,omitempty"`
			Evidence      string             `json:"evidence,omitempty"`
			Actions       int                `json:"actions"`
			ActionErrors  int                `json:"actionErrors"`
			Attempts      int                `json:"attempts"`
			Submitted     *time.Time         `json:"submitted,omitempty"`
			Updated       time.Time          `json:"updated"`
		}
		doc := struct {
			ID        string       `json:"id"`
			Name      string       `json:"name"`
			File      string       `json:"file"`
			Endpoint  string       `json:"endpoint"`
			Created   time.Time    `json:"created"`
			Status    string       `json:"status"`
			Tracking  bool         `json:"tracking"`
			Counts    state.Counts `json:"counts"`
			Workflows []wfItem     `json:"workflows"`
		}{run.ID, run.Name, run.File, run.Endpoint, run.Created, runStatus(c, tracking), tracking, c, nil}
		for _, wf := range ws {
			reason, verdict, evidence := state.SplitVerdict(wf.Error)
			it := wfItem{wf.Index, wf.State, wf.WorkflowID, wf.PendingReason, wf.Message, wf.Failure, reason, verdict, evidence, wf.Actions, wf.ActionErrors, wf.Attempts, nil, wf.Updated}
			if !wf.Submitted.IsZero() {
				s := wf.Submitted
				it.Submitted = &s
			}
			doc.Workflows = append(doc.Workflows, it)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(doc)
	}
	fmt.Fprintf(w, "run %s · %s · %s\n", run.ID, run.Name, run.File)
	fmt.Fprintf(w, "started %s at %s; %s\n", run.Created.Format("2006-01-02 15:04:05"), run.Endpoint, runStatus(c, tracking))
	fmt.Fprintf(w, "%s: %s\n", results.Plural(c.Total, "workflow"), countsLine(c))
	shown := ws
	if len(ws) > statusShown {
		shown = nil
		for _, wf := range ws {
			if wf.State != state.Completed && len(shown) < statusShown {
				shown = append(shown, wf)
			}
		}
	}
	if len(shown) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "#\tSTATE\tWORKFLOW ID\tUPDATED\tNOTE")
		for _, wf := range shown {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", wf.Index+1, wf.State, orDefault(wf.WorkflowID, "-"), ago(wf.Updated), wf.Note())
		}
		tw.Flush()
	}
	if hidden := len(ws) - len(shown); hidden > 0 {
		fmt.Fprintf(w, "(%d more not listed; --format json lists every workflow)\n", hidden)
	}
	return nil
}

// countsLine is the state tally of a run plus the action counts of its
// completed workflows. Actions are counted from completions: a workflow
// still running has none yet (its note tells its progress), so a run
// with no completed workflow shows no action count rather than "0
// actions" beside "17 of 50 actions done".
func countsLine(c state.Counts) string {
	var parts []string
	for _, s := range state.AllStates() {
		if n := c.ByState[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	line := strings.Join(parts, ", ")
	done := c.ByState[state.Completed]
	switch {
	case done == 0:
		return line
	case done < c.Total:
		return fmt.Sprintf("%s; %d actions, %d action errors in the completed workflow%s", line, c.Actions, c.Errors, plural(done))
	}
	return fmt.Sprintf("%s; %d actions, %d action errors", line, c.Actions, c.Errors)
}

func showWorkflow(w io.Writer, run *state.Run, wf *state.Workflow, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		wf.Payload = nil
		return enc.Encode(wf)
	}
	fmt.Fprintf(w, "workflow #%d of run %s (%s)\n", wf.Index+1, run.ID, run.Name)
	fmt.Fprintf(w, "state: %s\n", wf.State)
	if wf.WorkflowID != "" {
		fmt.Fprintf(w, "workflow id: %s\n", wf.WorkflowID)
	}
	if !wf.Submitted.IsZero() {
		fmt.Fprintf(w, "submitted: %s (%d attempt%s)\n", wf.Submitted.Format("2006-01-02 15:04:05"), wf.Attempts, plural(wf.Attempts))
	}
	fmt.Fprintf(w, "updated: %s\n", wf.Updated.Format("2006-01-02 15:04:05"))
	if note := wf.Note(); note != "" {
		fmt.Fprintf(w, "note: %s\n", note)
	}
	return nil
}

// remoteStatus shows a workflow lwf did not submit, straight from the API.
func remoteStatus(a *app, conn *connFlags, id string, asJSON bool) error {
	client, _, err := conn.connect(a)
	if err != nil {
		return err
	}
	res, err := client.Workflow(a.ctx, id)
	if err != nil {
		return apiError(err)
	}
	if asJSON {
		res.Completion = nil
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(a.stdout, "workflow %s: %s\n", res.WorkflowID, res.WorkflowStatus)
	if res.PendingReason != "" {
		fmt.Fprintf(a.stdout, "pending reason: %s\n", res.PendingReason)
	}
	if res.Message != "" {
		fmt.Fprintf(a.stdout, "message: %s\n", res.Message)
	}
	if res.Failure != nil {
		fmt.Fprintf(a.stdout, "failure: %s: %s\n", res.Failure.Reason, res.Failure.Message)
	}
	if res.WorkflowStatus == linkedapi.StatusCompleted {
		fmt.Fprintf(a.stdout, "the result: lwf result %s\n", id)
	}
	return nil
}

// isFile reports whether path names a regular file.
func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// sequenceStatus shows a sequence's funnel, over every account of the
// store.
func sequenceStatus(a *app, db state.Store, arg string, asJSON bool) error {
	target, err := resolveSequence(a, arg)
	if err != nil {
		return err
	}
	f, err := sequence.ReadFunnel(a.ctx, db, "", target.name, target.seq, time.Now())
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(f)
	}
	if f.Leads == 0 {
		fmt.Fprintf(a.stdout, "%s has no leads in %s yet: lwf run %s starts it\n", target.name, db.Location(), shellQuote(arg))
		return nil
	}
	printFunnel(a.stdout, f)
	if err := printSenders(a, db, target.name); err != nil {
		return err
	}
	fmt.Fprintln(a.stdout, nextLine(f, sequence.Tick{Ended: f.Status[state.LeadActive]+f.Status[state.LeadWaiting]+f.Status[state.LeadSending] == 0,
		Waiting: f.Status[state.LeadWaiting]}, time.Now(), false))
	return nil
}

// printSenders lists the accounts a sequence's leads are with, when there
// are several or one is stopped: their leads and why a stopped one gets
// no work.
func printSenders(a *app, db state.Store, name string) error {
	ls, err := db.Leads(a.ctx, "", name)
	if err != nil {
		return err
	}
	type tally struct{ leads, open int }
	by := map[string]*tally{}
	for _, l := range ls {
		t := by[l.Account]
		if t == nil {
			t = &tally{}
			by[l.Account] = t
		}
		t.leads++
		if !l.Status.Ended() {
			t.open++
		}
	}
	sts, err := db.AccountStates(a.ctx)
	if err != nil {
		return err
	}
	states := map[string]state.AccountState{}
	stopped := false
	for _, st := range sts {
		if _, ok := by[st.Account]; ok {
			states[st.Account] = st
			stopped = stopped || st.Stopped != ""
		}
	}
	if len(by) < 2 && !stopped {
		return nil
	}
	accounts := make([]string, 0, len(by))
	for acc := range by {
		accounts = append(accounts, acc)
	}
	label := func(acc string) string { return orDefault(states[acc].Label, shortAccount(acc)) }
	sort.Slice(accounts, func(i, j int) bool { return label(accounts[i]) < label(accounts[j]) })
	fmt.Fprintln(a.stdout, "senders:")
	for _, acc := range accounts {
		line := fmt.Sprintf("  %s: %s, %d in progress", label(acc), results.Plural(by[acc].leads, "lead"), by[acc].open)
		if st := states[acc]; st.Stopped != "" {
			line += fmt.Sprintf("; stopped since %s: %s", st.Since.Local().Format("2006-01-02 15:04"), st.Stopped)
		}
		fmt.Fprintln(a.stdout, line)
	}
	return nil
}
