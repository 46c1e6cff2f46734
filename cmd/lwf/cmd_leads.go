package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
	"github.com/lwf-dev/lwf/sequence"
)

// seqTarget is what lwf leads and lwf status name: a sequence file or a
// sequence's name, and the accounts to show.
type seqTarget struct {
	name string
	seq  *compiler.Sequence // the file's steps, for their order; nil for a name
}

// resolveSequence reads a sequence file's name and steps; an argument that
// is not a file is a sequence's name.
func resolveSequence(a *app, arg string) (*seqTarget, error) {
	if arg == "" {
		return &seqTarget{}, nil
	}
	if fi, err := os.Stat(arg); err != nil || fi.IsDir() {
		return &seqTarget{name: arg}, nil
	}
	plan, ds := compiler.CompileFile(a.ctx, arg, compiler.Options{Symbolic: true})
	if plan == nil || ds.HasErrors() {
		a.printDiags(ds)
		return nil, &exitError{code: exitFindings, err: fmt.Errorf("%s has problems", arg)}
	}
	if plan.Sequence == nil {
		return nil, usageErr("%s has no sequence: (lwf status RUN shows a run)", arg)
	}
	return &seqTarget{name: plan.Name, seq: plan.Sequence}, nil
}

func newLeadsCmd(a *app) *cobra.Command {
	var (
		st        stateFlags
		conn      connFlags
		format    formatFlag
		sandboxed bool
		statuses  []string
		person    string
		output    string
	)
	cmd := &cobra.Command{
		Use:   "leads [SEQUENCE_FILE|NAME]",
		Short: "List the leads of sequences: their step, when it is due, what happened",
		Long: `List the leads of a sequence (a file with sequence:, or its name; every
sequence without one) as the state directory has them: each lead's status,
the step it is at, when that step is due (a wait's deadline), and the outcome of
every step so far. --person shows one lead's timeline, event by event.

Leads of every account in the state directory are listed unless --profile or
--endpoint names one. --sandbox lists those of lwf run --sandbox.`,
		Example: `  lwf leads connect.yaml
  lwf leads connect.yaml --status failed,unknown
  lwf leads connect.yaml --person https://www.linkedin.com/in/ada
  lwf leads connect.yaml --format csv -o leads.csv`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeWorkflowArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := format.get()
			if err != nil {
				return err
			}
			target, err := resolveSequence(a, firstArg(args))
			if err != nil {
				return err
			}
			if sandboxed {
				st.dir = sandboxStateDir(a, &st)
			}
			db, err := st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			account := ""
			if sandboxed {
				account = sandboxProfile().Account()
			} else if conn.profile != "" || conn.endpoint != "" {
				p, err := conn.account(a)
				if err != nil {
					return err
				}
				account = p.Account()
			}
			if person != "" {
				return showLead(a, db, account, person, f)
			}
			ls, err := db.Leads(a.ctx, account, target.name)
			if err != nil {
				return err
			}
			ls = filterLeads(ls, statuses)
			if len(ls) == 0 && f == "text" {
				what := "no leads"
				if target.name != "" {
					what += " of " + target.name
				}
				fmt.Fprintf(a.stderr, "%s in %s\n", what, db.Location())
				return nil
			}
			if output != "" || f == "csv" || f == "json" {
				path := output
				if path == "" {
					path = "-"
				}
				ff := f
				if ff == "text" {
					ff = ""
				}
				return writeLeadsFor(a, ls, target.seq, path, ff)
			}
			return printLeads(a.stdout, ls, target.seq, time.Now())
		},
	}
	st.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&conn.profile, "profile", "", "only the leads of the account of profile `NAME`")
	fl.StringVar(&conn.endpoint, "endpoint", "", "only the leads of the account at this Linked API address")
	fl.BoolVar(&sandboxed, "sandbox", false, "the leads of lwf run --sandbox (kept in .lwf/sandbox)")
	fl.StringSliceVar(&statuses, "status", nil, "only leads in these states: active, waiting, sending, done, exited, failed, unknown, removed")
	fl.StringVar(&person, "person", "", "show one lead's timeline, by the person's URL")
	fl.StringVarP(&output, "output", "o", "", "write the leads to `FILE` (json, jsonl or csv by its extension)")
	format.register(cmd, "text", "json", "csv")
	return cmd
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

// filterLeads keeps the leads in the given states.
func filterLeads(ls []state.Lead, statuses []string) []state.Lead {
	if len(statuses) == 0 {
		return ls
	}
	keep := map[state.LeadStatus]bool{}
	for _, s := range statuses {
		keep[state.LeadStatus(strings.TrimSpace(s))] = true
	}
	out := ls[:0]
	for _, l := range ls {
		if keep[l.Status] {
			out = append(out, l)
		}
	}
	return out
}

// printLeads prints leads as a table.
func printLeads(w io.Writer, ls []state.Lead, seq *compiler.Sequence, now time.Time) error {
	accounts := map[string]bool{}
	for _, l := range ls {
		accounts[l.Account] = true
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := "PERSON\tSEQUENCE\tSTATUS\tSTEP\tDUE\tLAST"
	if len(accounts) > 1 {
		head = "ACCOUNT\t" + head
	}
	fmt.Fprintln(tw, head)
	for _, l := range ls {
		v := sequence.View(l)
		due := ""
		if !v.Due.IsZero() && !l.Status.Ended() {
			due = "now"
			if v.Due.After(now) {
				due = v.Due.Local().Format("2006-01-02 15:04")
			}
		}
		last := lastOutcome(v, seq)
		switch {
		case v.Error != "":
			last = v.Error
		case l.Status == state.LeadExited && v.Events["replied"] != "":
			last = "replied"
		case l.Status == state.LeadExited && v.Events["timeout"] != "":
			last = v.Step + " timed out"
		}
		row := fmt.Sprintf("%s\t%s\t%s\t%s\t%s\t%s", v.Person, v.Sequence, v.Status, orDefault(v.Step, "-"), orDefault(due, "-"), orDefault(last, "-"))
		if len(accounts) > 1 {
			row = shortAccount(l.Account) + "\t" + row
		}
		fmt.Fprintln(tw, row)
	}
	return tw.Flush()
}

func shortAccount(a string) string { return a[:min(12, len(a))] }

// lastOutcome is the last step done for a lead, with its outcome.
func lastOutcome(v sequence.LeadView, seq *compiler.Sequence) string {
	var last string
	var at string
	for _, id := range sequence.StepOrder(seq, []sequence.LeadView{v}) {
		if r, ok := v.Steps[id]; ok && r.At >= at {
			last, at = id+" "+sequence.Outcome(r, true), r.At
		}
	}
	return last
}

// showLead prints one lead's state and timeline.
func showLead(a *app, db state.Store, account, person, f string) error {
	key := schemas.NormalizePersonURL(person)
	var found []state.Lead
	ls, err := db.Leads(a.ctx, account, "")
	if err != nil {
		return err
	}
	for _, l := range ls {
		if l.Person == key {
			found = append(found, l)
		}
	}
	if len(found) == 0 {
		return &exitError{code: exitFindings, err: fmt.Errorf("%s is no lead in %s", person, db.Location())}
	}
	var views []sequence.LeadView
	for _, l := range found {
		v := sequence.View(l)
		if v.Timeline, err = db.Timeline(a.ctx, l.Account, l.Person); err != nil {
			return err
		}
		views = append(views, v)
	}
	if f == "json" {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if len(views) == 1 {
			return enc.Encode(views[0])
		}
		return enc.Encode(views)
	}
	for _, v := range views {
		fmt.Fprintf(a.stdout, "%s — %s, %s", v.Person, v.Sequence, v.Status)
		if v.Step != "" {
			fmt.Fprintf(a.stdout, " at %s", v.Step)
		}
		if !v.Due.IsZero() && !v.Status.Ended() {
			fmt.Fprintf(a.stdout, ", due %s", v.Due.Local().Format("2006-01-02 15:04 MST"))
		}
		fmt.Fprintln(a.stdout)
		if v.Error != "" {
			fmt.Fprintf(a.stdout, "  error: %s\n", v.Error)
		}
		tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
		for _, e := range v.Timeline {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", e.Time.Local().Format("2006-01-02 15:04"), e.Kind, orDefault(e.Step, "-"), e.Detail)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// writeLeads writes leads to path ("-": standard output) as JSON, JSON
// Lines or CSV (lwf run -o for a sequence).
func writeLeads(a *app, ls []state.Lead, path, format string) error {
	return writeLeadsFor(a, ls, nil, path, format)
}

func writeLeadsFor(a *app, ls []state.Lead, seq *compiler.Sequence, path, format string) error {
	f, err := results.FormatFor(path, format)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	views := make([]sequence.LeadView, len(ls))
	for i, l := range ls {
		views[i] = sequence.View(l)
	}
	write := func(w io.Writer) error {
		switch f {
		case results.FormatCSV:
			return leadsCSV(w, views, sequence.StepOrder(seq, views))
		case results.FormatJSONL:
			enc := json.NewEncoder(w)
			for _, v := range views {
				if err := enc.Encode(v); err != nil {
					return err
				}
			}
			return nil
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(views)
	}
	if path == "-" {
		return write(a.stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing the leads: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the leads: %w", err)
	}
	if err := tmp.Chmod(resultFileMode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// leadsCSV writes one row per lead: where it stands, then per step its
// outcome, time and variant, then the events seen.
func leadsCSV(w io.Writer, views []sequence.LeadView, steps []string) error {
	cw := csv.NewWriter(w)
	head := []string{"account", "person", "sequence", "status", "step", "due", "since", "error"}
	for _, id := range steps {
		head = append(head, id, id+"_at", id+"_variant")
	}
	head = append(head, "connectionAccepted", "replied")
	if err := cw.Write(head); err != nil {
		return err
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, v := range views {
		row := []string{v.Account, v.Person, v.Sequence, string(v.Status), v.Step, ts(v.Due), ts(v.Since), results.DefuseFormula(v.Error)}
		for _, id := range steps {
			r, ok := v.Steps[id]
			row = append(row, sequence.Outcome(r, ok), r.At, v.Variants[id])
		}
		row = append(row, v.Events["connectionAccepted"], v.Events["replied"])
		for i := range row {
			row[i] = results.DefuseFormula(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
