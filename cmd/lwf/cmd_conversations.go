package main

import (
	"fmt"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/spf13/cobra"
)

func newConversationsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "conversations",
		Short: "Read synced LinkedIn conversations",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newConversationsPollCmd(a))
	return cmd
}

func newConversationsPollCmd(a *app) *cobra.Command {
	var (
		conn    connFlags
		persons []string
		typ     string
		since   string
		format  formatFlag
	)
	cmd := &cobra.Command{
		Use:   "poll --person URL...",
		Short: "Print the messages of synced conversations (POST /conversations/poll)",
		Long: `Print the messages of conversations with the given people. A conversation must
have been synced first by a syncConversation action (for example the
sync-conversation standard workflow); --since keeps only newer messages and takes
a duration back from now (7d, 36h), a date or an RFC 3339 time.`,
		Example: `  lwf conversations poll --person https://www.linkedin.com/in/jane
  lwf conversations poll --person URL1 --person URL2 --type nv --since 7d --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := format.get()
			if err != nil {
				return err
			}
			if len(persons) == 0 {
				return usageErr("give at least one --person URL")
			}
			if typ != "st" && typ != "nv" {
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
			var reqs []linkedapi.ConversationRequest
			for _, p := range persons {
				reqs = append(reqs, linkedapi.ConversationRequest{PersonURL: p, Type: linkedapi.ConversationType(typ), Since: sinceISO})
			}
			convs, err := client.PollConversations(a.ctx, reqs)
			if err != nil {
				return apiError(err)
			}
			if f == "json" {
				if convs == nil {
					convs = []linkedapi.Conversation{}
				}
				return printJSON(a, convs)
			}
			for _, c := range convs {
				fmt.Fprintf(a.stdout, "%s (%s): %d message%s\n", c.PersonURL, c.Type, len(c.Messages), plural(len(c.Messages)))
				for _, m := range c.Messages {
					fmt.Fprintf(a.stdout, "  %s  %-4s  %s\n", m.Time, m.Sender, m.Text)
				}
			}
			return nil
		},
	}
	conn.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVar(&persons, "person", nil, "the person's LinkedIn `URL`; repeatable")
	fl.StringVar(&typ, "type", "st", "st (LinkedIn) or nv (Sales Navigator)")
	fl.StringVar(&since, "since", "", "only messages after this time")
	format.register(cmd, "text", "json")
	return cmd
}
