package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/sandbox"
)

func newSandboxCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "A local Linked API emulator for trying and testing workflows",
		Long: `The sandbox answers the Linked API endpoints locally, with the same envelope,
errors and result shapes as the real service, deterministic synthetic data and
documented inputs that trigger every action error. No LinkedIn account needed.`,
	}
	cmd.AddCommand(newSandboxServeCmd(a))
	return cmd
}

// sandboxFlags are the flags of lwf sandbox serve.
type sandboxFlags struct {
	addr, workingHours, accountState                  string
	tokens, limits                                    []string
	speed, retention, acceptAfter, replyAfter, spread time.Duration
	maxWait, readTimeout                              time.Duration
	noSalesNavigator, premium, reject, allowRemote    bool
	quiet, controlClock                               bool
	faults                                            sandbox.Faults
	webhook                                           sandbox.WebhookOptions
}

func newSandboxServeCmd(a *app) *cobra.Command {
	var f sandboxFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the sandbox until interrupted",
		Long: `Serve the Linked API sandbox on a loopback address until Ctrl-C.

Clients authenticate with the tokens given by --token (linked-api-token and
identification-token joined by a colon), by default
` + sandbox.DefaultLinkedAPIToken + `:` + sandbox.DefaultIdentificationToken + `.
Counters are at GET /_sandbox/counters, the log of every write it executed at
GET /_sandbox/actions. With --control-clock, POST /_sandbox/clock moves the
sandbox clock forward ({"advance": "24h"} or {"set": "2026-03-20T09:00:00Z"}),
so days of acceptances and replies pass in seconds. docs/sandbox.md lists the
inputs that trigger each action error.

With --webhook-url (or once lwf webhook set registered one) the sandbox pushes
webhook events as they happen on its clock, retries failed deliveries, and
injects the --webhook-* faults; GET /_sandbox/deliveries is its delivery log,
and /_sandbox/receiver a receiver to try them with.`,
		Example: `  lwf sandbox serve
  lwf sandbox serve --addr 127.0.0.1:9000 --speed 2s --token t:i
  lwf sandbox serve --working-hours "Mon-Fri 09:00-18:00 Europe/Berlin"
  lwf sandbox serve --rate-limit 0.1 --server-errors 0.05 --fault-seed 7
  lwf sandbox serve --control-clock --accept-after 72h --reply-after 48h
  lwf sandbox serve --webhook-url http://127.0.0.1:9000/hooks --webhook-duplicate 1 --webhook-drop 0.2
  curl -s -d '{"advance":"24h"}' http://127.0.0.1:8484/_sandbox/clock
  curl -s -H 'linked-api-token: t' -H 'identification-token: i' \
    -d '{"actionType":"st.searchPeople","term":"CTO","limit":3}' http://127.0.0.1:8484/workflows`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := f.options(a)
			if err != nil {
				return err
			}
			srv, err := sandbox.Start(a.ctx, f.addr, opts)
			if err != nil {
				return usageErr("%v", err)
			}
			fmt.Fprintf(a.stderr, "lwf sandbox listening on %s\n", srv.URL)
			fmt.Fprintf(a.stderr, "  tokens:   %s\n", strings.Join(f.tokenList(), ", "))
			fmt.Fprintf(a.stderr, "  counters: %s/_sandbox/counters\n", srv.URL)
			fmt.Fprintf(a.stderr, "  writes:   %s/_sandbox/actions\n", srv.URL)
			if f.controlClock {
				fmt.Fprintf(a.stderr, "  clock:    %s/_sandbox/clock (POST {\"advance\": \"24h\"} moves it forward)\n", srv.URL)
			}
			if f.webhook.URL != "" {
				fmt.Fprintf(a.stderr, "  webhook:  %s (%s), deliveries at %s/_sandbox/deliveries\n",
					linkedapi.RedactWebhookURL(f.webhook.URL), orDefault(f.webhook.PayloadMode, sandbox.PayloadFat), srv.URL)
			}
			fmt.Fprintln(a.stderr, "  press Ctrl-C to stop")
			select {
			case <-a.ctx.Done():
			case <-srv.Done():
			}
			err = srv.Close()
			fmt.Fprintln(a.stderr, "lwf sandbox stopped")
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8484", "address to listen on (loopback unless --allow-remote)")
	fl.BoolVar(&f.allowRemote, "allow-remote", false, "allow listening on addresses other than loopback")
	fl.StringArrayVar(&f.tokens, "token", nil, "accepted `LINKED:IDENTIFICATION` token pair (repeatable; default "+sandbox.DefaultLinkedAPIToken+":"+sandbox.DefaultIdentificationToken+")")
	fl.DurationVar(&f.speed, "speed", 0, "time each action takes on the sandbox clock (0: workflows complete on the first poll)")
	fl.StringVar(&f.workingHours, "working-hours", "", `park workflows outside these hours, e.g. "Mon-Fri 09:00-18:00 Europe/Berlin"`)
	fl.DurationVar(&f.maxWait, "working-hours-max-wait", 0, "fail workflows parked longer than this with workingHoursWaitExpired")
	fl.BoolVar(&f.reject, "working-hours-reject", false, "refuse workflows outside working hours (outsideWorkingHours) instead of parking them")
	fl.BoolVar(&f.noSalesNavigator, "no-sales-navigator", false, "the account has no Sales Navigator: nv.* actions fail with noSalesNavigator")
	fl.BoolVar(&f.premium, "premium", false, "the account has Premium: connection notes may use 300 characters instead of 200")
	fl.StringVar(&f.accountState, "account-state", "", "put the account in a problem state: "+states())
	fl.StringArrayVar(&f.limits, "limit", nil, "daily limit by category, e.g. stConnectionRequests=20 (repeatable): then limitExceeded")
	fl.DurationVar(&f.acceptAfter, "accept-after", 0, "responsive people accept connection requests this long after they were sent")
	fl.DurationVar(&f.replyAfter, "reply-after", 0, "responsive people answer messages this long after they were sent")
	fl.DurationVar(&f.spread, "spread", 0, "give each responsive person up to this much more before accepting and answering (decided by their URL)")
	fl.BoolVar(&f.controlClock, "control-clock", false, "let POST /_sandbox/clock move the sandbox clock forward, for simulations of days and weeks")
	fl.DurationVar(&f.retention, "retention", sandbox.DefaultRetention, "how long finished workflows stay readable")
	fl.DurationVar(&f.readTimeout, "read-timeout", sandbox.DefaultReadTimeout, "how long a request, headers and body, may take to arrive")
	fl.DurationVar(&f.faults.Latency, "latency", 0, "fault: latency added to every response")
	fl.Float64Var(&f.faults.RateLimit, "rate-limit", 0, "fault: share of requests answered 429 with Retry-After (0-1)")
	fl.DurationVar(&f.faults.RetryAfter, "retry-after", sandbox.DefaultRetryAfter, "fault: Retry-After of 429 and 503 answers")
	fl.Float64Var(&f.faults.ServerError, "server-errors", 0, "fault: share of requests answered 500, 502 or 503 (0-1)")
	fl.Float64Var(&f.faults.Drop, "drop", 0, "fault: share of connections closed without a response (0-1)")
	fl.Float64Var(&f.faults.Truncate, "truncate", 0, "fault: share of JSON bodies cut in half (0-1)")
	fl.DurationVar(&f.faults.SlowBody, "slow-body", 0, "fault: spread every response body over this long")
	fl.Int64Var(&f.faults.Seed, "fault-seed", 1, "fault: seed of the fault dice")
	fl.StringArrayVar(&f.faults.Endpoints, "fault-endpoint", nil, "fault: only on this endpoint, e.g. \"GET /workflows/{id}\" (repeatable)")
	fl.StringVar(&f.webhook.URL, "webhook-url", "", "deliver webhook events to this loopback URL (as if lwf webhook set had set it)")
	fl.StringVar(&f.webhook.PayloadMode, "webhook-payload-mode", sandbox.PayloadFat, "webhook payloads: fat (results in workflow.completed) or thin")
	fl.IntVar(&f.webhook.Attempts, "webhook-attempts", sandbox.DefaultWebhookAttempts, "attempts of a webhook delivery before it fails")
	fl.DurationVar(&f.webhook.Backoff, "webhook-backoff", sandbox.DefaultWebhookBackoff, "wait before the first retry of a delivery, doubled for each further one")
	fl.DurationVar(&f.webhook.Timeout, "webhook-timeout", sandbox.DefaultWebhookTimeout, "time a receiver has to answer an attempt")
	fl.IntVar(&f.webhook.Concurrency, "webhook-concurrency", 1, "webhook attempts in flight at once (1: in order, the same order for a fault seed)")
	fl.Float64Var(&f.faults.WebhookDrop, "webhook-drop", 0, "fault: share of webhook events never delivered (0-1)")
	fl.Float64Var(&f.faults.WebhookDuplicate, "webhook-duplicate", 0, "fault: share of webhook events delivered twice (0-1)")
	fl.Float64Var(&f.faults.WebhookReorder, "webhook-reorder", 0, "fault: share of webhook events a later one overtakes (0-1)")
	fl.DurationVar(&f.faults.WebhookDelay, "webhook-delay", 0, "fault: delay before every webhook delivery")
	fl.BoolVar(&f.quiet, "quiet", false, "do not log requests")
	return cmd
}

func states() string {
	var out []string
	for _, s := range sandbox.AccountStates() {
		if s != sandbox.AccountActive {
			out = append(out, string(s))
		}
	}
	return strings.Join(out, ", ")
}

func (f *sandboxFlags) tokenList() []string {
	if len(f.tokens) == 0 {
		return []string{sandbox.DefaultLinkedAPIToken + ":" + sandbox.DefaultIdentificationToken}
	}
	return f.tokens
}

// options turns the flags into sandbox options.
func (f *sandboxFlags) options(a *app) (sandbox.Options, error) {
	opts := sandbox.Options{
		Speed: f.speed, Retention: f.retention, NoSalesNavigator: f.noSalesNavigator, Premium: f.premium,
		AccountState: sandbox.AccountState(f.accountState), AcceptAfter: f.acceptAfter, ReplyAfter: f.replyAfter, Spread: f.spread,
		Faults: f.faults, AllowNonLoopback: f.allowRemote, ReadTimeout: f.readTimeout, ControllableClock: f.controlClock,
		Webhook: f.webhook,
	}
	if !f.quiet {
		opts.Logf = func(format string, args ...any) { fmt.Fprintf(a.stderr, format+"\n", args...) }
	}
	if len(f.tokens) > 0 {
		opts.Tokens = map[string][]string{}
		for _, t := range f.tokens {
			lt, it, ok := strings.Cut(t, ":")
			if !ok || lt == "" || it == "" {
				return opts, usageErr("--token %q: want LINKED:IDENTIFICATION", t)
			}
			opts.Tokens[lt] = append(opts.Tokens[lt], it)
		}
	}
	if f.workingHours != "" {
		wh, err := sandbox.ParseWorkingHours(f.workingHours)
		if err != nil {
			return opts, usageErr("--working-hours: %v", err)
		}
		wh.MaxWait, wh.Reject = f.maxWait, f.reject
		opts.WorkingHours = wh
	} else if f.maxWait != 0 || f.reject {
		return opts, usageErr("--working-hours-max-wait and --working-hours-reject need --working-hours")
	}
	if len(f.limits) > 0 {
		opts.Limits = map[string]int{}
		for _, l := range f.limits {
			cat, n, ok := strings.Cut(l, "=")
			v, err := strconv.Atoi(n)
			if !ok || cat == "" || err != nil || v < 0 {
				return opts, usageErr("--limit %q: want CATEGORY=N, e.g. stConnectionRequests=20", l)
			}
			opts.Limits[cat] = v
		}
	}
	if err := sandbox.CheckOptions(opts); err != nil { // bad settings are usage errors
		return opts, usageErr("%v", err)
	}
	return opts, nil
}
