package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/runner/state/stores"
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

// completeRunID completes the run id of status, wait, result and cancel
// from the state store the command would open (--state, $LWF_STATE or
// .lwf), newest run first, each with its name and status. A directory
// without a store offers nothing: completing never creates one.
func completeRunID(a *app, st *stateFlags) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		// A server that does not answer at once gets no second chance:
		// the shell waits.
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		spec := st.path(a)
		if ok, err := stores.Exists(ctx, spec); !ok || err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		db, err := stores.Open(ctx, spec)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		defer db.Close()
		runs, err := db.Runs(ctx, 100)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		var out []string
		for _, r := range runs {
			if strings.HasPrefix(r.ID, toComplete) || strings.HasPrefix(strings.TrimPrefix(r.ID, "r-"), toComplete) {
				out = append(out, fmt.Sprintf("%s\t%s · %s · %s", r.ID, r.Name, runStatus(r.Counts, db.Held(r.ID)), r.Created.Format("2006-01-02 15:04")))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
