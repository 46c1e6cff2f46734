package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
)

// webhookFlags are the flags every lwf webhook command shares.
type webhookFlags struct {
	conn   connFlags
	format formatFlag
}

func (f *webhookFlags) register(cmd *cobra.Command) {
	f.conn.register(cmd)
	f.format.register(cmd, "text", "json")
}

// client builds a client for the admin endpoints: they take the
// workspace token alone, so no identification token is needed.
func (f *webhookFlags) client(a *app) (*linkedapi.Client, string, error) {
	format, err := f.format.get()
	if err != nil {
		return nil, "", err
	}
	p, err := profile.ResolveWorkspace(a.getenv, f.conn.profile)
	if err != nil {
		return nil, "", &exitError{code: exitUsage, err: err}
	}
	if f.conn.endpoint != "" {
		p.Endpoint = f.conn.endpoint
	}
	p.IdentificationToken = ""
	c, err := f.conn.client(a, p.Credentials)
	return c, format, err
}

func newWebhookCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "Manage the workspace's webhook (the Linked API admin endpoints)",
		Long: `Manage the webhook Linked API pushes events to — workflows created, started and
completed, connections accepted, messages received, account status changes —
through the admin endpoints. They take the workspace token alone:
LINKED_API_TOKEN, or the linked-api-token of a profile (--profile); no
identification token is needed and none is sent. A workspace has at most one
webhook.

A webhook's URL may hold a secret — an unguessable path is the only thing
that keeps strangers from posting events to it, since Linked API signs
nothing — so lwf prints every path segment of 16 characters or more as
[redacted], in text and in JSON.`,
		Example: `  lwf webhook set https://hooks.example.com/lwf/3q2-7vYh0aZmWk4uPnT8xRbC1eLdF6sJ
  lwf webhook set https://hooks.example.com/lwf/3q2-7vYh0aZmWk4uPnT8xRbC1eLdF6sJ --payload-mode thin --replace
  lwf webhook test && lwf webhook deliveries
  lwf webhook delete`,
	}
	cmd.AddCommand(newWebhookSetCmd(a), newWebhookGetCmd(a), newWebhookDeleteCmd(a), newWebhookDeliveriesCmd(a), newWebhookTestCmd(a))
	return cmd
}

// shownWebhook is a webhook as lwf prints it: its URL without secrets.
func shownWebhook(w linkedapi.Webhook) linkedapi.Webhook {
	w.URL = linkedapi.RedactWebhookURL(w.URL)
	return w
}

func printWebhook(a *app, verb string, w linkedapi.Webhook) {
	state := "active"
	if !w.IsActive {
		state = "inactive"
	}
	fmt.Fprintf(a.stdout, "webhook %s %s: %s (%s, %s, created %s)\n", w.ID, verb, linkedapi.RedactWebhookURL(w.URL), w.PayloadMode, state, w.CreatedAt)
}

func newWebhookSetCmd(a *app) *cobra.Command {
	var (
		f       webhookFlags
		mode    string
		replace bool
	)
	cmd := &cobra.Command{
		Use:   "set URL",
		Short: "Register the URL that receives every event (POST /admin/webhook.set)",
		Long: `Register the URL that receives the workspace's events. Linked API takes only
an HTTPS URL at a public address; lwf's sandbox takes loopback ones.
--payload-mode fat (the default) puts a completed workflow's result in its
event; thin leaves it out, and one GET /workflows/{id} fetches it.

A workspace holds one webhook and Linked API updates none: when one is set,
--replace deletes it first (events in between are lost; a sequence or a run
catches up by polling), unless only the payload mode differs, which is changed
in place.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if mode != string(linkedapi.PayloadFat) && mode != string(linkedapi.PayloadThin) {
				return usageErr("--payload-mode: %q is not fat or thin", mode)
			}
			client, format, err := f.client(a)
			if err != nil {
				return err
			}
			url, want := args[0], linkedapi.PayloadMode(mode)
			existing, err := client.Webhooks(a.ctx)
			if err != nil {
				return apiError(err)
			}
			var w *linkedapi.Webhook
			verb := "set"
			switch {
			case len(existing) == 0:
			case existing[0].URL == url && existing[0].PayloadMode == want:
				w, verb = &existing[0], "already set"
			case !replace:
				return &exitError{code: exitFindings, err: fmt.Errorf("webhook %s is already set to %s; lwf webhook set --replace replaces it",
					existing[0].ID, linkedapi.RedactWebhookURL(existing[0].URL))}
			case existing[0].URL == url:
				if w, err = client.SetWebhookPayloadMode(a.ctx, existing[0].ID, want); err != nil {
					return apiError(err)
				}
				verb = "changed to " + mode
			default:
				if err := client.DeleteWebhook(a.ctx, existing[0].ID); err != nil {
					return apiError(err)
				}
				fmt.Fprintf(a.stderr, "lwf: deleted webhook %s (%s)\n", existing[0].ID, linkedapi.RedactWebhookURL(existing[0].URL))
			}
			if w == nil {
				if w, err = client.SetWebhook(a.ctx, url, want); err != nil {
					return setError(err)
				}
			}
			if format == "json" {
				return printJSON(a, shownWebhook(*w))
			}
			printWebhook(a, verb, *w)
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&mode, "payload-mode", string(linkedapi.PayloadFat), "fat (results in the events) or thin")
	cmd.Flags().BoolVar(&replace, "replace", false, "replace the webhook already set")
	return cmd
}

func newWebhookGetCmd(a *app) *cobra.Command {
	var f webhookFlags
	cmd := &cobra.Command{
		Use:   "get",
		Short: "Show the workspace's webhook (POST /admin/webhook.get)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client, format, err := f.client(a)
			if err != nil {
				return err
			}
			hooks, err := client.Webhooks(a.ctx)
			if err != nil {
				return apiError(err)
			}
			if format == "json" {
				shown := []linkedapi.Webhook{}
				for _, w := range hooks {
					shown = append(shown, shownWebhook(w))
				}
				return printJSON(a, shown)
			}
			if len(hooks) == 0 {
				fmt.Fprintln(a.stdout, "no webhook is set (lwf webhook set URL sets one)")
			}
			for _, w := range hooks {
				printWebhook(a, "is", w)
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func newWebhookDeleteCmd(a *app) *cobra.Command {
	var f webhookFlags
	cmd := &cobra.Command{
		Use:   "delete [ID]",
		Short: "Delete the workspace's webhook (POST /admin/webhook.delete)",
		Long: `Delete the webhook (by default the one set; ID names it). Deliveries not yet
sent are dropped; the delivery history stays.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			client, format, err := f.client(a)
			if err != nil {
				return err
			}
			var id string
			if len(args) == 1 {
				id = args[0]
			} else {
				hooks, err := client.Webhooks(a.ctx)
				if err != nil {
					return apiError(err)
				}
				if len(hooks) == 0 {
					if format == "json" {
						return printJSON(a, map[string]any{"deleted": nil})
					}
					fmt.Fprintln(a.stdout, "no webhook is set: nothing to delete")
					return nil
				}
				id = hooks[0].ID
			}
			if err := client.DeleteWebhook(a.ctx, id); err != nil {
				return apiError(err)
			}
			if format == "json" {
				return printJSON(a, map[string]any{"deleted": id})
			}
			fmt.Fprintf(a.stdout, "webhook %s deleted\n", id)
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func newWebhookDeliveriesCmd(a *app) *cobra.Command {
	var f webhookFlags
	cmd := &cobra.Command{
		Use:   "deliveries",
		Short: "List the most recent deliveries, newest first (POST /admin/webhook.deliveries)",
		Long: `List the most recent deliveries to the webhook, newest first: the event, the
delivery's status (pending, delivering, success, failed), how many attempts it
took, the receiver's last HTTP status and the last error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client, format, err := f.client(a)
			if err != nil {
				return err
			}
			ds, err := client.WebhookDeliveries(a.ctx)
			if err != nil {
				return apiError(err)
			}
			if format == "json" {
				return printJSON(a, ds)
			}
			if len(ds) == 0 {
				fmt.Fprintln(a.stdout, "no deliveries")
				return nil
			}
			var table strings.Builder
			tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "DELIVERY\tEVENT\tSTATUS\tATTEMPTS\tHTTP\tUPDATED\tLAST ERROR")
			for _, d := range ds {
				code, last := "-", ""
				if d.ResponseStatusCode != nil {
					code = strconv.Itoa(*d.ResponseStatusCode)
				}
				if d.LastError != nil {
					last = *d.LastError
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", d.ID, d.EventID, d.Status, d.Attempts, code, d.UpdatedAt, last)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, line := range strings.SplitAfter(table.String(), "\n") {
				fmt.Fprint(a.stdout, strings.TrimRight(line, " \n")+strings.Repeat("\n", strings.Count(line, "\n")))
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

func newWebhookTestCmd(a *app) *cobra.Command {
	var f webhookFlags
	cmd := &cobra.Command{
		Use:   "test",
		Short: "Send a webhook.test event to the webhook (POST /admin/webhook.sendTest)",
		Long: `Ask Linked API to send a webhook.test event to the webhook; lwf webhook
deliveries then shows how the delivery went.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			client, format, err := f.client(a)
			if err != nil {
				return err
			}
			if err := client.SendTestWebhook(a.ctx); err != nil {
				return apiError(err)
			}
			if format == "json" {
				return printJSON(a, map[string]bool{"requested": true})
			}
			fmt.Fprintln(a.stdout, "test event requested; lwf webhook deliveries shows how it went")
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

// setError gives a refused webhook.set its exit code: 2 for a URL lwf or
// the API refuses (a usage error: nothing was set), apiError's otherwise.
func setError(err error) error {
	var (
		api  *linkedapi.APIError
		tr   *linkedapi.TransportError
		resp *linkedapi.ResponseError
	)
	switch {
	case errors.As(err, &api):
		if api.Status == 400 {
			return &exitError{code: exitUsage, err: err}
		}
	case !errors.As(err, &tr) && !errors.As(err, &resp): // refused before sending
		return &exitError{code: exitUsage, err: err}
	}
	return apiError(err)
}
