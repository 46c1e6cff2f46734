package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/format"
)

func newFmtCmd(a *app) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "fmt [FILE|DIR]...",
		Short: "Rewrite workflow files in canonical form",
		Long: `Rewrite workflow files in canonical form: keys in a fixed order (version,
name, description, inputs, vars, limits, workflow; in a step: action, label,
if, forEach/as/index, uses/with, params, the parameters, then), two-space
indentation, comments kept. With --check nothing is written: the files that
would change are listed and the exit code is 1, for CI.`,
		Example: `  lwf fmt examples/
  lwf fmt --check .`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			files, err := collectFiles(args)
			if err != nil {
				return usageErr("%v", err)
			}
			changed, failed := 0, 0
			for _, f := range files {
				src, err := os.ReadFile(f)
				if err != nil {
					fmt.Fprintf(a.stderr, "%s: %v\n", f, err)
					failed++
					continue
				}
				// The parser's limits and checks (duplicate keys, size,
				// depth, aliases) apply before anything is rewritten.
				if _, ds := dsl.Parse(f, src, dsl.Options{}); ds.HasErrors() {
					a.printDiags(ds)
					failed++
					continue
				}
				out, err := format.Format(src)
				if err != nil {
					a.printDiags(diag.List{diag.New(f, diag.Pos{}, diag.CodeYAMLSyntax, err.Error())})
					failed++
					continue
				}
				if bytes.Equal(out, src) {
					continue
				}
				changed++
				fmt.Fprintln(a.stdout, f)
				if !check {
					if err := os.WriteFile(f, out, 0o644); err != nil {
						fmt.Fprintf(a.stderr, "%s: %v\n", f, err)
						failed++
					}
				}
			}
			switch {
			case failed > 0:
				a.code = exitFindings
			case check && changed > 0:
				a.code = exitFindings
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "list files that are not formatted and exit 1; write nothing")
	return cmd
}
