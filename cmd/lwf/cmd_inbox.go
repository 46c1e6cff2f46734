package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/results"
)

func newInboxCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inbox",
		Short: "Read the messages of every conversation of the account",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newInboxPollCmd(a))
	return cmd
}

func newInboxPollCmd(a *app) *cobra.Command {
	var (
		conn   connFlags
		typ    string
		thread string
		since  string
		format formatFlag
	)
	cmd := &cobra.Command{
		Use:   "poll",
		Short: "Print the inbox's messages, newest first (POST /inbox/poll)",
		Long: `Print the messages of every conversation of the account, newest first: what
people wrote and what was sent to them, by lwf or by hand. The inbox is captured
from the moment a syncInbox action ran for the account (once is enough: lwf run
sync-inbox, or nv-sync-inbox for Sales Navigator); before that the list is empty.
--since keeps only newer messages and takes a duration back from now (7d, 36h),
a date or an RFC 3339 time; --type keeps one kind of conversation; --thread one
conversation.`,
		Example: `  lwf run sync-inbox -q
  lwf inbox poll --since 1d
  lwf inbox poll --type nv --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := format.get()
			if err != nil {
				return err
			}
			if typ != "" && typ != "st" && typ != "nv" {
				return usageErr("--type must be st or nv, not %q", typ)
			}
			sinceISO, err := sinceFlag(since)
			if err != nil {
				return err
			}
			client, _, err := conn.connect(a)
			if err != nil {
				return err
			}
			res, err := client.PollInbox(a.ctx, linkedapi.InboxRequest{Since: sinceISO, Type: linkedapi.ConversationType(typ), ThreadID: thread})
			if err != nil {
				return apiError(err)
			}
			if res.Messages == nil {
				res.Messages = []linkedapi.InboxMessage{}
			}
			if f == "json" {
				return printJSON(a, res.Messages)
			}
			if len(res.Messages) == 0 {
				fmt.Fprintln(a.stdout, "no messages (the inbox is captured from the moment a syncInbox action ran: lwf run sync-inbox)")
				return nil
			}
			rows := [][]string{{"TIME", "TYPE", "FROM", "PERSON", "TEXT"}}
			for _, m := range res.Messages {
				rows = append(rows, []string{m.Time, string(m.Type), m.Sender, m.PersonURL, oneLine(m.Text, 60)})
			}
			var b strings.Builder
			results.WriteTable(&b, rows, nil)
			fmt.Fprint(a.stdout, b.String())
			return nil
		},
	}
	conn.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&typ, "type", "", "only st (LinkedIn) or nv (Sales Navigator) conversations")
	fl.StringVar(&thread, "thread", "", "only the conversation of this thread `ID`")
	fl.StringVar(&since, "since", "", "only messages after this time")
	format.register(cmd, "text", "json")
	return cmd
}

func newNetworkCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "network",
		Short: "Read the changes in the account's network",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newNetworkPollCmd(a))
	return cmd
}

// networkEventTypes are the kinds of events POST /network/poll reports.
var networkEventTypes = []string{"connectionAccepted", "connectionAdded", "connectionRequestReceived"}

func newNetworkPollCmd(a *app) *cobra.Command {
	var (
		conn   connFlags
		typ    string
		since  string
		format formatFlag
	)
	cmd := &cobra.Command{
		Use:   "poll",
		Short: "Print the network's changes, newest first (POST /network/poll)",
		Long: `Print the changes in the account's network, newest first: connection requests
accepted, connections added, requests received. Changes are captured from the
moment a syncNetwork action ran for the account (once is enough: lwf run
sync-network); before that the list is empty. This is how to see who accepted a
campaign's requests, and so compare its variants a week later. --since keeps
only newer events and takes a duration back from now (7d, 36h), a date or an
RFC 3339 time; --type keeps one kind of event.`,
		Example: `  lwf run sync-network -q
  lwf network poll --since 7d --type connectionAccepted
  lwf network poll --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := format.get()
			if err != nil {
				return err
			}
			if typ != "" && !contains(networkEventTypes, typ) {
				return usageErr("--type must be %s, not %q", orList(networkEventTypes), typ)
			}
			sinceISO, err := sinceFlag(since)
			if err != nil {
				return err
			}
			client, _, err := conn.connect(a)
			if err != nil {
				return err
			}
			res, err := client.PollNetwork(a.ctx, linkedapi.NetworkRequest{Since: sinceISO, Type: typ})
			if err != nil {
				return apiError(err)
			}
			if res.Events == nil {
				res.Events = []linkedapi.NetworkEvent{}
			}
			if f == "json" {
				return printJSON(a, res.Events)
			}
			if len(res.Events) == 0 {
				fmt.Fprintln(a.stdout, "no events (the network is watched from the moment a syncNetwork action ran: lwf run sync-network)")
				return nil
			}
			rows := [][]string{{"TIME", "EVENT", "PERSON"}}
			for _, e := range res.Events {
				rows = append(rows, []string{e.DetectedAt, e.Type, e.PersonURL})
			}
			var b strings.Builder
			results.WriteTable(&b, rows, nil)
			fmt.Fprint(a.stdout, b.String())
			return nil
		},
	}
	conn.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&typ, "type", "", "only events of this kind: "+orList(networkEventTypes))
	fl.StringVar(&since, "since", "", "only events after this time")
	_ = cmd.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(networkEventTypes, cobra.ShellCompDirectiveNoFileComp))
	format.register(cmd, "text", "json")
	return cmd
}

// sinceFlag reads a --since value as the API wants it: RFC 3339 in UTC,
// "" when not given.
func sinceFlag(since string) (string, error) {
	if since == "" {
		return "", nil
	}
	t, err := parseWhen(since, time.Now())
	if err != nil {
		return "", usageErr("--since: %v", err)
	}
	return t.UTC().Format(time.RFC3339), nil
}

// oneLine shows a text on one line, cut to n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
