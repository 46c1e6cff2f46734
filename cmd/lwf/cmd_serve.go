package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/serve"
	"github.com/lwf-dev/lwf/worker"
)

// envServeToken holds lwf serve's token.
const envServeToken = "LWF_SERVE_TOKEN"

// minTokenLen is the shortest token lwf serve accepts: a token is the
// only thing between the dashboard's actions and anyone who can reach
// the address.
const minTokenLen = 16

func newServeCmd(a *app) *cobra.Command {
	var (
		conn          connFlags
		st            stateFlags
		drive         driveFlags
		camp          campaignFlags
		listen        string
		tokenFile     string
		every         time.Duration
		grace         time.Duration
		dashboardOnly bool
		simClock      bool
		parallel      int
		webhookGrace  time.Duration
		profiles      []string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Work the state store and serve its dashboard, metrics and health checks",
		Long: `Run as a service: work the sequences and queued runs of the state store as
lwf worker does (for every profile of the config file and the environment's
account; --profile keeps to the ones named, --dashboard-only works none), and
serve over HTTP:

  /          the dashboard: sequences with their funnels, leads and their
             timelines, accounts with their usage and limits, runs with their
             action errors, the events feed; pause or resume a sequence or an
             account, cancel a run
  /metrics   Prometheus metrics
  /healthz   200 while the process runs
  /readyz    200 while it takes work and the store answers

It listens on 127.0.0.1:8787 by default, and answers requests to loopback
addresses only. Any other --listen address needs a token, in $LWF_SERVE_TOKEN
or a file given with --token-file (at least 16 characters; lwf never prints
it): requests then carry it as a bearer token (Authorization: Bearer …), or
log in once at /login, which sets an HTTP-only cookie. A token given on
loopback is required there too.

SIGTERM or Ctrl-C stops it gracefully: no new work starts, the pass in
progress gets --grace to finish, then stops where the next start resumes.`,
		Example: `  lwf serve
  lwf serve --state postgres://lwf@db.internal/outreach --profile work
  LWF_SERVE_TOKEN=… lwf serve --listen 0.0.0.0:8787
  lwf serve --dashboard-only --token-file /run/secrets/lwf-serve-token --listen :8787`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if parallel < 1 {
				return &exitError{code: exitUsage, err: fmt.Errorf("--parallel %d: at least 1", parallel)}
			}
			token, err := serveToken(a, tokenFile)
			if err != nil {
				return err
			}
			if token == "" && !serve.LoopbackHost(listen) {
				return &exitError{code: exitUsage, err: fmt.Errorf("--listen %s is not a loopback address: lwf serve needs a token there (set %s, or give --token-file), since anyone who reaches it could see every lead and pause or cancel your work", listen, envServeToken)}
			}
			metrics := serve.NewMetrics()
			conn.trace = metrics.Trace
			accounts := map[string]worker.Account{}
			var labels []string
			var profs []profile.Profile
			if !dashboardOnly {
				if accounts, labels, profs, err = workerProfiles(a, &conn, &camp, profiles); err != nil {
					return err
				}
			} else if len(profiles) > 0 {
				return usageErr("--dashboard-only works no account: leave out --profile")
			}
			db, err := st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			for acc, s := range accounts {
				c := *s.Check
				c.Store = db
				s.Check = &c
				accounts[acc] = s
			}
			opts := serve.Options{Store: db, Accounts: accounts, PollEvery: every, Grace: grace, Token: token, Metrics: metrics,
				Policy: runner.Policy{PollStart: drive.pollStart, PollMax: drive.pollMax}, Parallel: parallel}
			if !drive.quiet {
				out := syncWriter(a.stderr)
				opts.Logf = func(format string, args ...any) {
					fmt.Fprintf(out, "%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
				}
			}
			if simClock {
				c, err := newSandboxClock(orDefault(conn.endpoint, a.getenv(linkedapi.EnvEndpoint)))
				if err != nil {
					return &exitError{code: exitUsage, err: err}
				}
				if err := c.refresh(); err != nil {
					return err
				}
				opts.Clock, opts.BeforePass = c, c.refresh
			}
			secret := strings.TrimSpace(a.getenv(envWebhookSecret))
			if secret != "" {
				if dashboardOnly {
					return usageErr("$%s turns webhooks on, for the work of accounts: not with --dashboard-only", envWebhookSecret)
				}
				opts.WebhookSecret, opts.WebhookGrace = secret, webhookGrace
				opts.AccountIDs = accountIDs(a, &conn, profs, opts.Logf)
			}
			srv, err := serve.New(opts)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return &exitError{code: exitUsage, err: fmt.Errorf("--listen %s: %w", listen, err)}
			}
			sort.Strings(labels)
			work := "the dashboard only (no account to work)"
			if len(accounts) > 0 {
				work = "working " + strings.Join(labels, ", ")
			}
			auth := "no token: loopback requests only"
			if token != "" {
				auth = "token required"
			}
			fmt.Fprintf(a.stderr, "lwf serve: dashboard at http://%s/ (%s); %s; state %s\n", ln.Addr(), auth, work, db.Location())
			if secret != "" {
				fmt.Fprintf(a.stderr, "lwf serve: webhooks at http://%s/hooks/[the secret in $%s]: register that URL with lwf webhook set (first polls after %s)\n",
					ln.Addr(), envWebhookSecret, orDuration(webhookGrace, serve.DefaultWebhookGrace))
			}
			if err := srv.Run(a.ctx, ln); err != nil {
				return err
			}
			fmt.Fprintln(a.stderr, "lwf serve: stopped; the next start resumes what was in progress")
			return nil
		},
	}
	st.register(cmd)
	drive.register(cmd)
	camp.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&listen, "listen", "127.0.0.1:8787", "listen on `ADDRESS` (host:port); an address other than loopback needs a token")
	fl.StringVar(&tokenFile, "token-file", "", "read the token from `FILE` instead of $"+envServeToken)
	fl.StringArrayVar(&profiles, "profile", nil, "work only the account of profile `NAME` (repeatable); default: every profile, and the environment's account")
	fl.BoolVar(&dashboardOnly, "dashboard-only", false, "work no account: serve the dashboard, metrics and health checks only")
	fl.StringVar(&conn.endpoint, "endpoint", "", "Linked API address for every account (default each profile's, or $LINKED_API_ENDPOINT)")
	fl.Float64Var(&conn.rate, "rate", linkedapi.DefaultRatePerSecond, "at most this many requests per second, per account")
	fl.DurationVar(&every, "poll-every", time.Minute, "pass over the store at least this often")
	fl.IntVar(&parallel, "parallel", worker.DefaultParallel, "drive at most this many accounts' runs at once (on PostgreSQL each holds two connections)")
	fl.DurationVar(&grace, "grace", serve.DefaultGrace, "on SIGTERM, let the pass in progress go on this long before stopping it")
	fl.DurationVar(&webhookGrace, "webhook-grace", serve.DefaultWebhookGrace, "with webhooks ($"+envWebhookSecret+"): poll a workflow first this long after its submission, if no delivery came")
	fl.BoolVar(&simClock, "sandbox-clock", false, "take the time from the sandbox at --endpoint (loopback only)")
	_ = fl.MarkHidden("sandbox-clock")
	for _, hide := range []string{"output", "format", "timeout", "allow-action-errors", "json-events", "resubmit-unknown", "show-skipped", "fit", "ignore-limits", "allow-recontact"} {
		_ = fl.MarkHidden(hide)
	}
	return cmd
}

// envWebhookSecret holds the secret of lwf serve's webhook path.
const envWebhookSecret = "LWF_WEBHOOK_SECRET"

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// accountIDs maps Linked API's accountId of webhook deliveries to lwf's
// account hash: each workspace's accounts (POST /admin/accounts.getAll)
// with the tokens of the profiles that work them. An account it cannot
// map gets no account events; that is logged, not fatal.
func accountIDs(a *app, conn *connFlags, profs []profile.Profile, logf func(string, ...any)) map[string]string {
	out := map[string]string{}
	mine := map[string]bool{}
	done := map[string]bool{}
	for _, p := range profs {
		mine[p.Account()] = true
	}
	for _, p := range profs {
		key := p.LinkedAPIToken + "\x00" + p.Endpoint
		if done[key] {
			continue
		}
		done[key] = true
		client, err := conn.client(a, p.Credentials)
		if err != nil {
			continue
		}
		accs, err := client.AdminAccounts(a.ctx)
		if err != nil {
			if logf != nil {
				logf("webhooks: the accounts of profile %s's workspace are unknown (%v): its account events are not acted on", p.Name, err)
			}
			continue
		}
		for _, acc := range accs {
			c := p.Credentials
			c.IdentificationToken = string(acc.IdentificationToken)
			if h := c.Account(); mine[h] {
				out[acc.ID] = h
			}
		}
	}
	return out
}

// serveToken reads the token: --token-file, else $LWF_SERVE_TOKEN; ""
// when neither is given. Surrounding white space (a file's newline) is
// not part of it.
func serveToken(a *app, file string) (string, error) {
	tok := a.getenv(envServeToken)
	from := "$" + envServeToken
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", &exitError{code: exitUsage, err: fmt.Errorf("--token-file: %w", err)}
		}
		tok, from = string(b), "--token-file "+file
	}
	tok = strings.TrimSpace(tok)
	switch {
	case tok == "" && file != "":
		return "", &exitError{code: exitUsage, err: fmt.Errorf("%s is empty", from)}
	case tok != "" && len(tok) < minTokenLen:
		return "", &exitError{code: exitUsage, err: fmt.Errorf("the token in %s is %d characters long; lwf serve needs at least %d (for example: openssl rand -hex 32)", from, len(tok), minTokenLen)}
	case strings.ContainsAny(tok, "\r\n"):
		return "", &exitError{code: exitUsage, err: errors.New("the token in " + from + " is more than one line")}
	}
	return tok, nil
}
