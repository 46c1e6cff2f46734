package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/schemas"
)

func newActionsCmd(a *app) *cobra.Command {
	var (
		format    formatFlag
		decisions bool
	)
	cmd := &cobra.Command{
		Use:   "actions [ACTION]",
		Short: "List the Linked API action catalog, or describe one action",
		Long: `List every Linked API action, or describe one: its parameters (nested keys
included, with their types, bounds and allowed values), where it may stand, its
result, limit category and errors. --decisions adds the catalog's decisions:
where Linked API's documentation is silent or its sources disagree, what lwf
accepts and why. --format json prints the same as one document.`,
		Example: `  lwf actions
  lwf actions sendConnectionRequest
  lwf actions searchCompanies --decisions
  lwf actions nv.searchPeople --format json`,
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
			f, err := format.get()
			if err != nil {
				return err
			}
			cat, err := schemas.Default()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				if f == "json" {
					var all []actionDoc
					for _, ac := range cat.Actions() {
						all = append(all, newActionDoc(ac))
					}
					return printJSON(a, all)
				}
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
			if f == "json" {
				return printJSON(a, newActionDoc(ac))
			}
			describeAction(a, ac, decisions)
			return nil
		},
	}
	format.register(cmd, "text", "json")
	cmd.Flags().BoolVar(&decisions, "decisions", false, "also show where the documentation is silent or sources disagree, and what lwf decided")
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

func describeAction(a *app, ac *schemas.Action, decisions bool) {
	w := a.stdout
	fmt.Fprintf(w, "%s\n  %s\n\n", ac.Name, ac.Description)
	fmt.Fprintln(w, "Parameters:")
	if len(ac.Params) == 0 {
		fmt.Fprintln(w, "  (none)")
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, p := range paramDocs(ac) {
		writeParam(tw, p, "  ")
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
	switch {
	case decisions && len(ac.Decisions) > 0:
		fmt.Fprintln(w, "Decisions (where the documentation is silent or sources disagree):")
		for _, d := range ac.Decisions {
			fmt.Fprintf(w, "  - %s\n", d)
		}
	case decisions:
		fmt.Fprintln(w, "Decisions: (none: the documentation settles everything)")
	}
}

// writeParam writes a parameter and, indented, its nested keys.
func writeParam(tw io.Writer, p paramDoc, indent string) {
	fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\n", indent, p.Name, p.Type, orDefault(strings.Join(p.constraints(), ", "), "-"), p.Description)
	for _, k := range p.Keys {
		writeParam(tw, k, indent+"  ")
	}
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
