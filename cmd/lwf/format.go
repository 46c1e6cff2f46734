package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// formatFlag is --format of the commands that print for people or for
// programs: one convention for every command, with --json kept as a
// hidden alias of --format json.
type formatFlag struct {
	value   string
	asJSON  bool
	allowed []string // the first is the default
}

// register adds --format (allowed[0] by default) and the hidden --json.
func (f *formatFlag) register(cmd *cobra.Command, allowed ...string) {
	f.allowed = allowed
	fl := cmd.Flags()
	fl.StringVar(&f.value, "format", allowed[0], "output format: "+strings.Join(allowed, " or "))
	fl.BoolVar(&f.asJSON, "json", false, "the same as --format json")
	_ = fl.MarkHidden("json")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(allowed, cobra.ShellCompDirectiveNoFileComp))
}

// get returns the format asked for, or a usage error.
func (f *formatFlag) get() (string, error) {
	if f.asJSON {
		if f.value != f.allowed[0] && f.value != "json" {
			return "", usageErr("--json asks for --format json, not --format %s", f.value)
		}
		return "json", nil
	}
	if !slices.Contains(f.allowed, f.value) {
		return "", usageErr("--format: %q is not %s", f.value, orList(f.allowed))
	}
	return f.value, nil
}

// orList joins "a", "b", "c" as "a, b or c".
func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
