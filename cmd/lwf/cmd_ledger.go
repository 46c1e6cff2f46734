package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// ledgerVersion is the version of lwf ledger list's JSON document.
const ledgerVersion = 1

// ledgerEnv is what every ledger subcommand needs: the account, its store
// (caught up with the account's completions) and the catalog.
type ledgerEnv struct {
	db      state.Store
	account string
	cat     *schemas.Catalog
}

// ledgerFlags locate the account and its state.
type ledgerFlags struct {
	conn connFlags
	st   stateFlags
}

func (f *ledgerFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.conn.profile, "profile", "", "the ledger of the account of profile `NAME` in the config file")
	fl.StringVar(&f.conn.endpoint, "endpoint", "", "Linked API address (default $LINKED_API_ENDPOINT or "+linkedapi.DefaultBaseURL+"): part of the account's identity")
	f.st.register(cmd)
}

func (f *ledgerFlags) open(a *app) (*ledgerEnv, error) {
	creds, err := f.conn.account(a)
	if err != nil {
		return nil, err
	}
	cat, err := schemas.Default()
	if err != nil {
		return nil, err
	}
	db, err := f.st.open(a)
	if err != nil {
		return nil, err
	}
	e := &ledgerEnv{db: db, account: creds.Account(), cat: cat}
	if err := db.SyncLedger(a.ctx, e.account, campaign.ReadCompletion(cat)); err != nil {
		db.Close()
		return nil, err
	}
	return e, nil
}

func newLedgerCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ledger",
		Short: "List, import and forget the people campaigns reached (the contact ledger)",
		Long: `The contact ledger remembers, per account, every person a connection request,
a message or a Sales Navigator message reached: from the completions of lwf's
runs (people found by server-side iteration too), and from files of people
contacted outside lwf. lwf plan and lwf run leave out the actions that would
reach a person again with the same action (--allow-recontact for follow-ups).
An outcome of alreadyConnected or alreadyPending counts as reached.

The ledger lives in the state directory (.lwf/) beside the runs.`,
	}
	cmd.AddCommand(newLedgerListCmd(a), newLedgerImportCmd(a), newLedgerForgetCmd(a))
	return cmd
}

func newLedgerListCmd(a *app) *cobra.Command {
	var (
		lf      ledgerFlags
		filter  state.ContactFilter
		formatF formatFlag
	)
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the ledger's entries, oldest first",
		Example: `  lwf ledger list
  lwf ledger list --person https://www.linkedin.com/in/ada-lovelace
  lwf ledger list --campaign weekly-outreach --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := formatF.get()
			if err != nil {
				return err
			}
			if filter.Action != "" {
				filter.Action = schemas.FullName(filter.Action)
			}
			e, err := lf.open(a)
			if err != nil {
				return err
			}
			defer e.db.Close()
			cs, err := e.db.Contacts(a.ctx, e.account, filter)
			if err != nil {
				return err
			}
			if format == "json" {
				if cs == nil {
					cs = []state.Contact{}
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Version  int             `json:"version"`
					Account  string          `json:"account"`
					Contacts []state.Contact `json:"contacts"`
				}{ledgerVersion, e.account, cs})
			}
			if format == "csv" {
				return campaign.WriteLedgerCSV(a.stdout, cs)
			}
			if len(cs) == 0 {
				fmt.Fprintln(a.stderr, "the ledger has no entry that matches")
				return nil
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "PERSON\tACTION\tOUTCOME\tWHEN\tRUN\tCAMPAIGN")
			for _, c := range cs {
				action := c.ActionType
				if action == "" {
					action = "any"
				}
				run := orDefault(c.RunID, "-")
				if c.Source != "" {
					run = "import:" + c.Source
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", c.Person, action, c.Outcome, c.Time.UTC().Format("2006-01-02 15:04"), run, orDefault(c.Campaign, "-"))
			}
			return tw.Flush()
		},
	}
	lf.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&filter.Person, "person", "", "only the entries of the person with this `URL` (public or hashed)")
	fl.StringVar(&filter.Campaign, "campaign", "", "only the entries of the workflow file with this `NAME`")
	fl.StringVar(&filter.Action, "action", "", "only the entries of this action `TYPE` (imported ones count for every action)")
	formatF.register(cmd, "text", "json", "csv")
	return cmd
}

func newLedgerImportCmd(a *app) *cobra.Command {
	var (
		lf           ledgerFlags
		action       string
		campaignName string
		now          string
	)
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Add people contacted outside lwf to the ledger",
		Long: `Add the people of FILE to the ledger, so that no campaign reaches them
again. FILE is a CSV file or a plain list of LinkedIn URLs, one a line. In a CSV
file with a header, the first column holding a LinkedIn URL names the person and
these columns are read when present: action (the action that reached them, e.g.
sendConnectionRequest; without one they count for every action), date (YYYY-MM-DD
or RFC 3339; default now) and campaign. Importing the same file twice adds
nothing new.`,
		Example: `  lwf ledger import contacted.csv
  lwf ledger import lemlist-export.csv --action sendMessage --campaign lemlist-q3`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			when := time.Now()
			if now != "" {
				t, err := time.Parse(time.RFC3339, now)
				if err != nil {
					return usageErr("--now: %v", err)
				}
				when = t
			}
			cat, err := schemas.Default()
			if err != nil {
				return err
			}
			cs, err := campaign.ReadImport(cat, args[0], campaign.ImportOptions{Action: action, Campaign: campaignName, Now: when})
			if err != nil {
				return campaignErr(err)
			}
			e, err := lf.open(a)
			if err != nil {
				return err
			}
			defer e.db.Close()
			added, err := e.db.ImportContacts(a.ctx, e.account, cs)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "imported %s from %s (%d already in the ledger)\n", entries(added), args[0], len(cs)-added)
			return nil
		},
	}
	lf.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&action, "action", "", "the action that reached everyone in the file, when it has no action column (default: any action)")
	fl.StringVar(&campaignName, "campaign", "", "the campaign to record, when the file has no campaign column")
	fl.StringVar(&now, "now", "", "the time to record when the file has no date column (RFC 3339)")
	_ = fl.MarkHidden("now")
	return cmd
}

func newLedgerForgetCmd(a *app) *cobra.Command {
	var lf ledgerFlags
	cmd := &cobra.Command{
		Use:   "forget URL...",
		Short: "Remove people from the ledger, so that campaigns may reach them again",
		Long: `Remove every ledger entry of each person (by public or hashed URL) for the
account. The runs that reached them stay as they were; a workflow still open
that names them keeps them out of new runs until it ends.`,
		Example: `  lwf ledger forget https://www.linkedin.com/in/ada-lovelace`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := lf.open(a)
			if err != nil {
				return err
			}
			defer e.db.Close()
			var missing []string
			for _, u := range args {
				n, err := e.db.ForgetContact(a.ctx, e.account, u)
				if err != nil {
					return err
				}
				if n == 0 {
					missing = append(missing, u)
					continue
				}
				fmt.Fprintf(a.stderr, "forgot %s: %s\n", schemas.NormalizePersonURL(u), entries(n))
			}
			if len(missing) > 0 {
				slices.Sort(missing)
				fmt.Fprintf(a.stderr, "not in the ledger: %s\n", strings.Join(missing, ", "))
				a.code = exitFindings
			}
			return nil
		},
	}
	lf.register(cmd)
	return cmd
}

func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
