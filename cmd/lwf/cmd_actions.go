package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/schemas"
)

func newActionsCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "actions [ACTION]",
		Short: "List the Linked API action catalog, or describe one action",
		Example: `  lwf actions
  lwf actions sendConnectionRequest
  lwf actions nv.searchPeople --json`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			cat, err := schemas.Default()
			if err != nil {
				return nil, cobra.ShellCompDirectiveError
			}
			var names []string
			for _, ac := range cat.Actions() {
				switch {
				case strings.HasPrefix(ac.Name, toComplete):
					names = append(names, ac.Name+"\t"+firstSentence(ac.Description))
				case ac.Namespace() == "st" && strings.HasPrefix(ac.Short(), toComplete):
					names = append(names, ac.Short()+"\t"+firstSentence(ac.Description))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := schemas.Default()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				return listActions(a, cat)
			}
			ac := cat.Lookup(schemas.FullName(args[0]))
			if ac == nil {
				msg := fmt.Sprintf("unknown action %q", args[0])
				if s := cat.Suggest(args[0]); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				return usageErr("%s", msg)
			}
			if asJSON {
				_, err := a.stdout.Write(ac.Raw)
				return err
			}
			describeAction(a, ac)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the action's catalog file")
	return cmd
}

func listActions(a *app, cat *schemas.Catalog) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ACTION\tSTARTS\tRESULT\tDESCRIPTION")
	for _, ac := range cat.Actions() {
		starts := map[schemas.Root]string{schemas.RootAlways: "yes", schemas.RootURL: "with URL", schemas.RootNever: "no"}[ac.Root]
		result := ac.Result.Kind
		if ac.Result.Entity != "" {
			result += " of " + ac.Result.Entity
			if ac.Result.Kind == schemas.ResultObject {
				result = ac.Result.Entity
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", ac.Name, starts, result, firstSentence(ac.Description))
	}
	return tw.Flush()
}

func describeAction(a *app, ac *schemas.Action) {
	w := a.stdout
	fmt.Fprintf(w, "%s\n  %s\n\n", ac.Name, ac.Description)
	fmt.Fprintln(w, "Parameters:")
	if len(ac.Params) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range ac.Params {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Name, p.Type(), constraints(ac, p), p.Description)
	}
	tw.Flush()
	fmt.Fprintln(w)
	switch ac.Root {
	case schemas.RootAlways:
		fmt.Fprintln(w, "Starts a workflow: yes")
	case schemas.RootURL:
		fmt.Fprintf(w, "Starts a workflow: only with %s\n", strings.Join(ac.RootRequires, " or "))
	default:
		fmt.Fprintln(w, "Starts a workflow: no")
	}
	fmt.Fprintf(w, "Parents: %s\n", listOrNone(ac.Parents))
	if len(ac.ForbiddenUnderParent) > 0 {
		fmt.Fprintf(w, "Forbidden under a parent: %s\n", strings.Join(ac.ForbiddenUnderParent, ", "))
	}
	fmt.Fprintf(w, "Children: %s\n", listOrNone(ac.Children))
	result := ac.Result.Kind
	if ac.Result.Entity != "" {
		result += " (" + ac.Result.Entity + ")"
	}
	fmt.Fprintf(w, "Result: %s\n", result)
	if ac.Category != "" {
		fmt.Fprintf(w, "Limit category: %s\n", ac.Category)
	}
	fmt.Fprintf(w, "Errors: %s\n", listOrNone(ac.Errors))
	if len(ac.Decisions) > 0 {
		fmt.Fprintln(w, "Notes:")
		for _, d := range ac.Decisions {
			fmt.Fprintf(w, "  - %s\n", d)
		}
	}
}

// constraints summarises a parameter's schema: required, default, range.
func constraints(ac *schemas.Action, p schemas.Param) string {
	var parts []string
	if p.Required {
		parts = append(parts, "required")
	}
	for _, r := range ac.RootRequires {
		if r == p.Name {
			parts = append(parts, "required at root")
		}
	}
	keys := []string{"default", "minimum", "maximum", "minLength", "maxLength", "maxItems"}
	labels := map[string]string{"default": "default", "minimum": "min", "maximum": "max", "minLength": "min length", "maxLength": "max length", "maxItems": "max items"}
	for _, k := range keys {
		if v, ok := p.Schema[k]; ok {
			b, _ := json.Marshal(v)
			parts = append(parts, labels[k]+" "+string(b))
		}
	}
	if e, ok := p.Schema["enum"].([]any); ok {
		var vals []string
		for _, x := range e {
			vals = append(vals, fmt.Sprint(x))
		}
		parts = append(parts, "one of "+strings.Join(vals, "|"))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}
