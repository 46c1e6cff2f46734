package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/workflows"
)

// completeWorkflowArg completes the FILE argument of compile, run and plan:
// the standard workflows by name, and YAML files from the shell.
func completeWorkflowArg(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	if !strings.ContainsAny(toComplete, "/.") {
		for _, n := range workflows.Names() {
			if strings.HasPrefix(n, toComplete) {
				out = append(out, n+"\tstandard workflow")
			}
		}
	}
	// With names offered, let the shell complete files too (the directive
	// filters them to .yaml/.yml).
	return append(out, "yaml", "yml"), cobra.ShellCompDirectiveFilterFileExt
}
