package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/spf13/cobra"
)

func newAccountCmd(a *app) *cobra.Command {
	var (
		conn   connFlags
		format formatFlag
	)
	cmd := &cobra.Command{
		Use:   "account",
		Short: "Show the LinkedIn account the credentials select (GET /account)",
		Long: `Show the LinkedIn account behind the identification token: the quickest way
to check credentials. Exit code 2 when they are refused.`,
		Example: `  lwf account
  lwf account --profile work --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := format.get()
			if err != nil {
				return err
			}
			client, creds, err := conn.connect(a)
			if err != nil {
				return err
			}
			acct, err := client.Account(a.ctx)
			if err != nil {
				return apiError(err)
			}
			if f == "json" {
				return printJSON(a, acct)
			}
			fmt.Fprintf(a.stdout, "%s  %s\n", acct.Name, acct.URL)
			fmt.Fprintf(a.stdout, "%s, endpoint %s\n", creds, client.BaseURL())
			return nil
		},
	}
	conn.register(cmd)
	format.register(cmd, "text", "json")
	return cmd
}

func newStatsCmd(a *app) *cobra.Command {
	var (
		conn   connFlags
		since  string
		until  string
		format formatFlag
	)
	cmd := &cobra.Command{
		Use:   "stats",
		Short: "Count the actions the account executed (GET /stats/actions)",
		Long: `Count the actions the account executed in a period, by action type, with how
many failed. Periods longer than the API's 30-day window are fetched window by
window. --since and --until take a duration back from now (7d, 36h, 90m), a date
(2026-01-31) or an RFC 3339 time.`,
		Example: `  lwf stats --since 7d
  lwf stats --since 2026-01-01 --until 2026-03-01 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := format.get()
			if err != nil {
				return err
			}
			now := time.Now()
			start, err := parseWhen(since, now)
			if err != nil {
				return usageErr("--since: %v", err)
			}
			// The API takes whole seconds: the end of "until now" is
			// rounded up, so that what ran in this second is counted.
			end := now.Truncate(time.Second).Add(time.Second)
			if until != "" {
				if end, err = parseWhen(until, now); err != nil {
					return usageErr("--until: %v", err)
				}
			}
			if !end.After(start) {
				return usageErr("--since must be before --until")
			}
			client, _, err := conn.connect(a)
			if err != nil {
				return err
			}
			var all []linkedapi.ActionStat
			for from := start; from.Before(end); from = from.Add(linkedapi.MaxStatsWindow) {
				to := from.Add(linkedapi.MaxStatsWindow)
				if to.After(end) {
					to = end
				}
				part, err := client.ActionStats(a.ctx, from, to)
				if err != nil {
					return apiError(err)
				}
				all = append(all, part...)
			}
			if f == "json" {
				if all == nil {
					all = []linkedapi.ActionStat{}
				}
				return printJSON(a, all)
			}
			printStats(a, all, start, end)
			return nil
		},
	}
	conn.register(cmd)
	cmd.Flags().StringVar(&since, "since", "7d", "start of the period")
	cmd.Flags().StringVar(&until, "until", "", "end of the period (default now)")
	format.register(cmd, "text", "json")
	return cmd
}

func printStats(a *app, all []linkedapi.ActionStat, start, end time.Time) {
	type tally struct{ ok, failed int }
	by := map[string]*tally{}
	var total tally
	for _, s := range all {
		t := by[s.ActionType]
		if t == nil {
			t = &tally{}
			by[s.ActionType] = t
		}
		if s.Success {
			t.ok++
			total.ok++
		} else {
			t.failed++
			total.failed++
		}
	}
	names := make([]string, 0, len(by))
	for n := range by {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		ti, tj := by[names[i]], by[names[j]]
		if ti.ok+ti.failed != tj.ok+tj.failed {
			return ti.ok+ti.failed > tj.ok+tj.failed
		}
		return names[i] < names[j]
	})
	fmt.Fprintf(a.stdout, "actions from %s to %s\n", start.Format("2006-01-02 15:04"), end.Format("2006-01-02 15:04"))
	w := len("ACTION")
	for _, n := range names {
		w = max(w, len(n))
	}
	fmt.Fprintf(a.stdout, "%-*s  %6s  %9s  %6s\n", w, "ACTION", "TOTAL", "SUCCEEDED", "FAILED")
	for _, n := range names {
		t := by[n]
		fmt.Fprintf(a.stdout, "%-*s  %6d  %9d  %6d\n", w, n, t.ok+t.failed, t.ok, t.failed)
	}
	fmt.Fprintf(a.stdout, "%-*s  %6d  %9d  %6d\n", w, "total", total.ok+total.failed, total.ok, total.failed)
}

// parseWhen reads a point in time: a duration back from now ("7d", "36h",
// "90m"), a date, or an RFC 3339 time.
func parseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if n, ok := strings.CutSuffix(s, "d"); ok {
		if days, err := strconv.Atoi(n); err == nil && days >= 0 {
			return now.Add(-time.Duration(days) * 24 * time.Hour), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a duration (7d, 36h), a date (2026-01-31) or an RFC 3339 time", s)
}

func printJSON(a *app, v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
