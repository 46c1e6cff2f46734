package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/worker"
)

func newWorkerCmd(a *app) *cobra.Command {
	var (
		f    workFlags
		once bool
	)
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Work the sequences and queued runs of the state store, for as long as it runs",
		Long: `Tick every sequence registered in the state store (each lwf run of a sequence
registers it, with its inputs and senders) and drive every run queued there
(lwf run --enqueue) or left unfinished, for the accounts whose credentials this
worker has: every profile of the config file, and the account of
LINKED_API_TOKEN and IDENTIFICATION_TOKEN; --profile keeps to the ones named.

Any number of workers, on any number of machines, can work one store at once
(a PostgreSQL store for machines that do not share a disk): an account is
worked by one worker at a time, under the account's lock, and a worker that
dies loses its locks with its process, so another takes its accounts over on
its next pass — nothing is sent twice. A worker drives the runs of --parallel
accounts at once, each account's one after another. Between passes it sleeps
until a step is due, or --poll-every at most (while leads wait for events).

Runs staged by lwf itself (named loops) are driven by the lwf run that started
them, not by workers.`,
		Example: `  lwf worker --state postgres://lwf@db.internal/outreach
  lwf worker --profile work --profile agency --poll-every 5m
  lwf worker --once`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.check(); err != nil {
				return err
			}
			accounts, labels, err := workerAccounts(a, &f.conn, &f.camp, f.profiles)
			if err != nil {
				return err
			}
			if len(accounts) == 0 {
				return &exitError{code: exitUsage, err: errors.New("no account to work: put profiles in the config file ($LWF_CONFIG, ~/.config/lwf/config.yaml) or set LINKED_API_TOKEN and IDENTIFICATION_TOKEN")}
			}
			db, err := f.st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			bindStore(accounts, db)
			w := &worker.Worker{Store: db, Accounts: accounts, Parallel: f.parallel, Policy: f.policy(), Logf: f.logf(a)}
			if f.simClock {
				c, err := f.sandboxClock(a)
				if err != nil {
					return err
				}
				w.Clock, w.BeforePass = c, c.refresh
			}
			if !f.drive.quiet {
				fmt.Fprintf(a.stderr, "worker: %s (%s), state %s\n", results.Plural(len(labels), "account"), strings.Join(labels, ", "), db.Location())
			}
			if once {
				p, err := w.Pass(a.ctx)
				if err != nil {
					return err
				}
				if !f.drive.quiet {
					fmt.Fprintf(a.stderr, "worker: %d sequence tick(s), %d run(s) driven, %d account(s) busy elsewhere\n", p.Ticks, p.Runs, p.Busy)
				}
				if len(p.Errors) > 0 {
					a.code = exitFindings
				}
				return nil
			}
			if err := w.Run(a.ctx, f.every); err != nil {
				return err
			}
			fmt.Fprintln(a.stderr, "worker: stopped; what it was sending is finished by the next worker's pass")
			return nil
		},
	}
	f.register(cmd, "pass at least this often (leads waiting for events are looked in on at each pass)")
	cmd.Flags().BoolVar(&once, "once", false, "make one pass and exit")
	return cmd
}

// workerAccounts gathers the accounts a worker has credentials for: the
// config file's profiles (or those named) and the environment's.
func workerAccounts(a *app, conn *connFlags, camp *campaignFlags, names []string) (map[string]worker.Account, []string, error) {
	accs, labels, _, err := workerProfiles(a, conn, camp, names)
	return accs, labels, err
}

// workerProfiles is workerAccounts with the profiles behind the accounts.
func workerProfiles(a *app, conn *connFlags, camp *campaignFlags, names []string) (map[string]worker.Account, []string, []profile.Profile, error) {
	var ps []profile.Profile
	path := profile.ConfigPath(a.getenv)
	if len(names) > 0 {
		for _, n := range names {
			p, err := profile.Load(path, n)
			if err != nil {
				return nil, nil, nil, &exitError{code: exitUsage, err: fmt.Errorf("--profile %s: %w", n, err)}
			}
			ps = append(ps, p)
		}
	} else {
		all, err := profile.LoadAll(path)
		switch {
		case err == nil:
			ps = all
		case errors.Is(err, os.ErrNotExist):
		default:
			return nil, nil, nil, &exitError{code: exitUsage, err: err}
		}
		if env, ok := linkedapi.FromEnv(a.getenv); ok {
			ps = append(ps, profile.Profile{Credentials: env, Name: "environment"})
		}
	}
	out := map[string]worker.Account{}
	var labels []string
	var kept []profile.Profile
	for _, p := range ps {
		if conn.endpoint != "" {
			p.Endpoint = conn.endpoint
		} else if e := a.getenv(linkedapi.EnvEndpoint); e != "" && p.Endpoint == "" {
			p.Endpoint = e
		}
		if err := p.Check(); err != nil {
			return nil, nil, nil, &exitError{code: exitUsage, err: fmt.Errorf("profile %s: %w", p.Name, err)}
		}
		if _, dup := out[p.Account()]; dup {
			continue
		}
		client, err := conn.client(a, p.Credentials)
		if err != nil {
			return nil, nil, nil, err
		}
		check, err := camp.check(nil, &p)
		if err != nil {
			return nil, nil, nil, err
		}
		s := worker.Account{Account: p.Account(), Label: p.Name, API: client, Endpoint: client.BaseURL(), Check: check}
		if p.WorkingHours != "" {
			wh, err := compiler.ParseWorkingHours(p.WorkingHours)
			if err != nil {
				return nil, nil, nil, &exitError{code: exitUsage, err: fmt.Errorf("profile %s: working-hours: %w", p.Name, err)}
			}
			s.WorkingHours = wh
		}
		out[p.Account()] = s
		labels = append(labels, p.Name)
		kept = append(kept, p)
	}
	return out, labels, kept, nil
}

// workFlags are the flags of the commands that work a store's accounts:
// lwf worker and lwf serve.
type workFlags struct {
	conn     connFlags
	st       stateFlags
	drive    driveFlags
	camp     campaignFlags
	profiles []string
	every    time.Duration
	parallel int
	simClock bool
}

func (f *workFlags) register(cmd *cobra.Command, everyHelp string) {
	f.st.register(cmd)
	f.drive.register(cmd)
	f.camp.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.profiles, "profile", nil, "work only the account of profile `NAME` (repeatable); default: every profile, and the environment's account")
	fl.StringVar(&f.conn.endpoint, "endpoint", "", "Linked API address for every account (default each profile's, or $LINKED_API_ENDPOINT)")
	fl.Float64Var(&f.conn.rate, "rate", linkedapi.DefaultRatePerSecond, "at most this many requests per second, per account")
	fl.DurationVar(&f.every, "poll-every", time.Minute, everyHelp)
	fl.IntVar(&f.parallel, "parallel", worker.DefaultParallel, "drive at most this many accounts' runs at once (on PostgreSQL each holds two connections)")
	fl.BoolVar(&f.simClock, "sandbox-clock", false, "take the time from the sandbox at --endpoint (loopback only)")
	_ = fl.MarkHidden("sandbox-clock")
	for _, hide := range []string{"output", "format", "timeout", "allow-action-errors", "json-events", "resubmit-unknown", "show-skipped", "fit", "ignore-limits", "allow-recontact"} {
		_ = fl.MarkHidden(hide)
	}
}

// check refuses flags out of range before anything else is looked at.
func (f *workFlags) check() error {
	if f.parallel < 1 {
		return &exitError{code: exitUsage, err: fmt.Errorf("--parallel %d: at least 1", f.parallel)}
	}
	return nil
}

func (f *workFlags) policy() runner.Policy {
	return runner.Policy{PollStart: f.drive.pollStart, PollMax: f.drive.pollMax}
}

// logf reports what the work does, a line each with the time; nil with
// --quiet.
func (f *workFlags) logf(a *app) func(format string, args ...any) {
	if f.drive.quiet {
		return nil
	}
	out := syncWriter(a.stderr)
	return func(format string, args ...any) {
		fmt.Fprintf(out, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
	}
}

// sandboxClock is --sandbox-clock's clock: the sandbox's at --endpoint.
func (f *workFlags) sandboxClock(a *app) (*sandboxClock, error) {
	c, err := newSandboxClock(orDefault(f.conn.endpoint, a.getenv(linkedapi.EnvEndpoint)))
	if err != nil {
		return nil, &exitError{code: exitUsage, err: err}
	}
	return c, nil
}

// bindStore gives every account's campaign checks the store the work
// uses.
func bindStore(accounts map[string]worker.Account, db state.Store) {
	for acc, s := range accounts {
		c := *s.Check
		c.Store = db
		s.Check = &c
		accounts[acc] = s
	}
}
