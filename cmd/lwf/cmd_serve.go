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

	"github.com/lwf-dev/lwf/profile"
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
		f             workFlags
		listen        string
		tokenFile     string
		grace         time.Duration
		dashboardOnly bool
		webhookGrace  time.Duration
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
			if err := f.check(); err != nil {
				return err
			}
			token, err := serveToken(a, tokenFile)
			if err != nil {
				return err
			}
			if token == "" && !serve.LoopbackHost(listen) {
				return &exitError{code: exitUsage, err: fmt.Errorf("--listen %s is not a loopback address: lwf serve needs a token there (set %s, or give --token-file), since anyone who reaches it could see every lead and pause or cancel your work", listen, envServeToken)}
			}
			metrics := serve.NewMetrics()
			f.conn.trace = metrics.Trace
			accounts := map[string]worker.Account{}
			var labels []string
			var profs []profile.Profile
			if !dashboardOnly {
				if accounts, labels, profs, err = workerProfiles(a, &f.conn, &f.camp, f.profiles); err != nil {
					return err
				}
			} else if len(f.profiles) > 0 {
				return usageErr("--dashboard-only works no account: leave out --profile")
			}
			db, err := f.st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			bindStore(accounts, db)
			opts := serve.Options{Store: db, Accounts: accounts, PollEvery: f.every, Grace: grace, Token: token, Metrics: metrics,
				Policy: f.policy(), Parallel: f.parallel, Logf: f.logf(a)}
			if f.simClock {
				c, err := f.sandboxClock(a)
				if err != nil {
					return err
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
				opts.AccountIDs = accountIDs(a, &f.conn, profs, opts.Logf)
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
	f.register(cmd, "pass over the store at least this often")
	fl := cmd.Flags()
	fl.StringVar(&listen, "listen", "127.0.0.1:8787", "listen on `ADDRESS` (host:port); an address other than loopback needs a token")
	fl.StringVar(&tokenFile, "token-file", "", "read the token from `FILE` instead of $"+envServeToken)
	fl.BoolVar(&dashboardOnly, "dashboard-only", false, "work no account: serve the dashboard, metrics and health checks only")
	fl.DurationVar(&grace, "grace", serve.DefaultGrace, "on SIGTERM, let the pass in progress go on this long before stopping it")
	fl.DurationVar(&webhookGrace, "webhook-grace", serve.DefaultWebhookGrace, "with webhooks ($"+envWebhookSecret+"): poll a workflow first this long after its submission, if no delivery came")
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
