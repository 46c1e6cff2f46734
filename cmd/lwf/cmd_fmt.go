package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/format"
	"github.com/lwf-dev/lwf/internal/safefile"
)

func newFmtCmd(a *app) *cobra.Command {
	var (
		check    bool
		verbose  bool
		maxBytes int64
	)
	cmd := &cobra.Command{
		Use:   "fmt [FILE|DIR]...",
		Short: "Rewrite workflow files in canonical form",
		Long: `Rewrite workflow files in canonical form: keys in a fixed order (version,
name, description, inputs, vars, limits, workflow; in a step: action, label,
if, forEach/as/index, uses/with, params, the parameters, then), two-space
indentation, comments kept. With --check nothing is written: the files that
would change are listed and the exit code is 1, for CI. Below a directory only
lwf workflow files are formatted, as lwf validate picks them; other YAML is
left alone.`,
		Example: `  lwf fmt examples/
  lwf fmt --check .`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"."}
			}
			files, skipped, refused, err := collectFiles(args, a.stderr, maxBytes)
			if err != nil {
				return usageErr("%v", err)
			}
			reportSkipped(a.stderr, skipped, verbose)
			a.printDiags(refused)
			changed, failed := 0, len(refused)
			for _, f := range files {
				// fmt rewrites what it reads, so it reads no link at all,
				// not even one named on the command line: writing through
				// it would change a file elsewhere.
				src, err := safefile.Read(f, maxBytes, false)
				if err != nil {
					fmt.Fprintf(a.stderr, "lwf: %s\n", fmtReadError(f, err))
					failed++
					continue
				}
				// The parser's limits and checks (duplicate keys, size,
				// depth, aliases) apply before anything is rewritten.
				if _, ds := dsl.Parse(f, src, dsl.Options{MaxBytes: int(maxBytes)}); ds.HasErrors() {
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
					if err := safefile.Replace(f, out); err != nil {
						fmt.Fprintf(a.stderr, "lwf: %s\n", fmtReadError(f, err))
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
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list the YAML files below a directory that are skipped as not lwf's")
	cmd.Flags().Int64Var(&maxBytes, "max-bytes", dsl.DefaultMaxBytes, "refuse workflow files larger than this many bytes")
	return cmd
}

// fmtReadError words a file fmt cannot read or write.
func fmtReadError(f string, err error) string {
	var kind *safefile.NotRegularError
	if errors.As(err, &kind) {
		return fmt.Sprintf("%s: not formatted: it is %s, and lwf fmt reads and writes only regular files", f, safefile.Kind(kind.Mode))
	}
	var large *safefile.TooLargeError
	if errors.As(err, &large) {
		return large.Error()
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("%s: %v", f, err)
}
