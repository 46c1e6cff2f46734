package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
)

func newStateCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Check and migrate the state store",
		Long: `The state store keeps every run, its workflows and completions, the event
log and the contact ledger (by default .lwf/state.db beside your files; --state
or LWF_STATE moves it). lwf brings its schema up to date whenever it opens it,
refuses a store written by a newer lwf, and refuses a damaged one rather than
start afresh where a store was.`,
	}
	cmd.AddCommand(newStateCheckCmd(a), newStateMigrateCmd(a))
	return cmd
}

func newStateCheckCmd(a *app) *cobra.Command {
	var st stateFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Read the whole store and report any damage",
		Long: `Read every page of the state store and check it: SQLite's integrity check,
references between runs and workflows, runs that miss workflows, and records
that are not JSON. lwf makes only the cheap checks when it opens a store; run
this one after a crash of the machine, a full disk, or when lwf says the store
is damaged.

Exit codes: 0 the store is sound; 1 it is damaged (each problem is listed);
2 there is no store, or it cannot be opened.`,
		Example: `  lwf state check
  lwf state check --state /var/lib/lwf`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := os.Stat(filepath.Join(st.path(a), "state.db")); errors.Is(err, os.ErrNotExist) {
				return usageErr("no state store in %s", st.path(a))
			}
			db, err := sqlstore.Open(a.ctx, st.path(a))
			var de *state.DamagedError
			if errors.As(err, &de) {
				fmt.Fprintf(a.stdout, "%s: damaged: %s\n", de.Location, de.Detail)
				a.code = exitFindings
				return nil
			}
			if err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			defer db.Close()
			problems, err := db.Check(a.ctx)
			if err != nil {
				return err
			}
			if len(problems) > 0 {
				fmt.Fprintf(a.stdout, "%s: damaged:\n", db.Location())
				for _, p := range problems {
					fmt.Fprintf(a.stdout, "  %s\n", p)
				}
				a.code = exitFindings
				return nil
			}
			s, err := db.Stats(a.ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s: sound (schema version %d): %s, %s, %s\n", db.Location(), s.Version,
				results.Plural(s.Runs, "run"), results.Plural(s.Workflows, "workflow"), "ledger "+entries(s.Contacts))
			return nil
		},
	}
	st.register(cmd)
	return cmd
}

func newStateMigrateCmd(a *app) *cobra.Command {
	var st stateFlags
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the store's schema up to date",
		Long: `Bring the state store's schema up to this lwf's version, creating the store if
there is none. lwf does this by itself whenever it opens a store; migrate does
it on its own, for operators who upgrade stores before they run campaigns.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			s, err := db.(*sqlstore.DB).Stats(a.ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s: schema version %d\n", db.Location(), s.Version)
			return nil
		},
	}
	st.register(cmd)
	return cmd
}
