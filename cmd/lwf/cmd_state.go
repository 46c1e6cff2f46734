package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/dump"
)

func newStateCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Check, migrate, export and import the state store",
		Long: `The state store keeps every run, its workflows and completions, the event
log, the contact ledger and the leads of sequences: by default .lwf/state.db
beside your files (SQLite); --state or LWF_STATE names another directory, or a
PostgreSQL server by URL (postgres://USER@HOST:PORT/DB) that a team, CI
runners and several lwf processes share. lwf brings its schema up to date
whenever it opens it, refuses a store written by a newer lwf, and refuses a
damaged one rather than start afresh where a store was.`,
	}
	cmd.AddCommand(newStateCheckCmd(a), newStateMigrateCmd(a), newStateExportCmd(a), newStateImportCmd(a))
	return cmd
}

func newStateCheckCmd(a *app) *cobra.Command {
	var st stateFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Read the whole store and report any damage",
		Long: `Read the whole state store and check it: SQLite's integrity check of every
page (on PostgreSQL, the tables, columns and indexes lwf needs), references
between runs and workflows, runs that miss workflows, and records that are not
JSON. lwf makes only the cheap checks when it opens a store; run this one after
a crash of the machine, a full disk, or when lwf says the store is damaged.

Exit codes: 0 the store is sound; 1 it is damaged (each problem is listed);
2 there is no store, or it cannot be opened.`,
		Example: `  lwf state check
  lwf state check --state /var/lib/lwf
  lwf state check --state postgres://lwf@db.internal/lwf`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if ok, err := st.exists(a); err != nil {
				return err
			} else if !ok {
				return usageErr("no state store in %s", st.shown(a))
			}
			db, err := st.openAdmin(a)
			var de *state.DamagedError
			if errors.As(err, &de) {
				fmt.Fprintf(a.stdout, "%s: damaged: %s\n", de.Location, de.Detail)
				a.code = exitFindings
				return nil
			}
			if err != nil {
				return err
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
			fmt.Fprintf(a.stdout, "%s: sound (schema version %d): %s\n", db.Location(), s.Version, statsLine(s))
			return nil
		},
	}
	st.register(cmd)
	return cmd
}

// statsLine counts what a store holds.
func statsLine(s state.Stats) string {
	line := fmt.Sprintf("%s, %s, %s", results.Plural(s.Runs, "run"), results.Plural(s.Workflows, "workflow"), "ledger "+entries(s.Contacts))
	if s.Leads > 0 {
		line += ", " + results.Plural(s.Leads, "lead")
	}
	return line
}

func newStateMigrateCmd(a *app) *cobra.Command {
	var st stateFlags
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the store's schema up to date",
		Long: `Bring the state store's schema up to this lwf's version, creating the store if
there is none. lwf does this by itself whenever it opens a store; migrate does
it on its own, for operators who upgrade stores before they run campaigns. On
PostgreSQL every step is taken in one transaction, while other lwf processes
opening the store wait.`,
		Example: `  lwf state migrate
  lwf state migrate --state postgres://lwf@db.internal/lwf`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := st.openAdmin(a)
			if err != nil {
				return err
			}
			defer db.Close()
			s, err := db.Stats(a.ctx)
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

func newStateExportCmd(a *app) *cobra.Command {
	var (
		st     stateFlags
		output string
	)
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the whole store to a portable file",
		Long: `Write every record of the state store — runs, workflows, completions, events,
the contact ledger, items of named loops, leads, their timelines and cursors —
to a file that lwf state import loads into an empty store of either kind:
JSON Lines, one table row per line, between a first line with the schema
version and a last line that counts the rows and checksums them. The store is
read as it was at one moment, while other processes go on using it. The file
holds personal data (what the workflows returned): it is written readable by
its owner only.`,
		Example: `  lwf state export -o lwf-state.jsonl
  lwf state export --state postgres://lwf@db.internal/lwf -o backup.jsonl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output == "" {
				return usageErr("-o FILE is required (- for standard output)")
			}
			if ok, err := st.exists(a); err != nil {
				return err
			} else if !ok {
				return usageErr("no state store in %s", st.shown(a))
			}
			db, err := st.openAdmin(a)
			if err != nil {
				return err
			}
			defer db.Close()
			export := func(w io.Writer) (*dump.Trailer, error) { return db.Export(a.ctx, w) }
			tr, err := writePrivate(a, output, export)
			if err != nil {
				return fmt.Errorf("exporting %s: %w", db.Location(), err)
			}
			if output != "-" {
				fmt.Fprintf(a.stderr, "exported %s to %s: %s\n", db.Location(), output, rowsLine(tr))
			}
			return nil
		},
	}
	st.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to `FILE` (- for standard output)")
	return cmd
}

// writePrivate writes a file readable by its owner only, whole or not at
// all (through a temporary file), or to standard output for "-".
func writePrivate(a *app, path string, write func(io.Writer) (*dump.Trailer, error)) (*dump.Trailer, error) {
	if path == "-" {
		return write(a.stdout)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(resultFileMode); err != nil {
		tmp.Close()
		return nil, err
	}
	tr, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return tr, err
}

// rowNames name one row of each table, and many.
var rowNames = map[string][2]string{
	"runs": {"run", "runs"}, "workflows": {"workflow", "workflows"}, "events": {"event", "events"},
	"contacts": {"ledger entry", "ledger entries"}, "completions_read": {"completion read", "completions read"},
	"items": {"item", "items"}, "leads": {"lead", "leads"}, "lead_events": {"lead event", "lead events"}, "cursors": {"cursor", "cursors"},
}

// rowsLine counts an export's rows by table.
func rowsLine(tr *dump.Trailer) string {
	var parts []string
	for _, t := range dump.Tables {
		n := tr.Rows[t.Name]
		names, ok := rowNames[t.Name]
		if !ok {
			names = [2]string{t.Name, t.Name}
		}
		switch {
		case n == 1:
			parts = append(parts, "1 "+names[0])
		case n > 1:
			parts = append(parts, fmt.Sprintf("%d %s", n, names[1]))
		}
	}
	if len(parts) == 0 {
		return "nothing (an empty store)"
	}
	return strings.Join(parts, ", ") + " (sha256 " + tr.SHA256[:16] + ")"
}

func newStateImportCmd(a *app) *cobra.Command {
	var st stateFlags
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Load an exported store into an empty one",
		Long: `Load a file that lwf state export wrote, from either kind of store, into the
store --state or LWF_STATE names, creating it if need be: a laptop's history
moves to a team's PostgreSQL so, or back. The store must be empty. Every row
goes in one transaction, or none: a file cut short, or whose rows do not match
its checksum, or written by a newer lwf, is refused and nothing is stored.`,
		Example: `  lwf state export -o laptop.jsonl
  lwf state import laptop.jsonl --state postgres://lwf@db.internal/lwf`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = a.stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return usageErr("%v", err)
				}
				defer f.Close()
				r = f
			}
			db, err := st.openAdmin(a)
			if err != nil {
				return err
			}
			defer db.Close()
			tr, err := db.Import(a.ctx, r)
			if err != nil {
				return &exitError{code: exitFindings, err: fmt.Errorf("importing %s into %s: %w", args[0], db.Location(), err)}
			}
			fmt.Fprintf(a.stdout, "imported %s into %s: %s\n", args[0], db.Location(), rowsLine(tr))
			return nil
		},
	}
	st.register(cmd)
	return cmd
}
