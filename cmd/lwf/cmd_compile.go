package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/diag"
)

func newCompileCmd(a *app) *cobra.Command {
	var (
		in        inputFlags
		output    string
		compact   bool
		chunkSize int
	)
	cmd := &cobra.Command{
		Use:   "compile FILE",
		Short: "Print the exact JSON body of POST /workflows",
		Long: `Compile a workflow file with its input values and print the body that
lwf run would send to POST /workflows. When forEach expands the workflow past
--chunk-size root actions, it becomes several workflows: one JSON document is
printed for each, one after another. Nothing is printed for a file with errors.`,
		Example: `  lwf compile campaign.yaml --input note="Hi" --input companies=5
  lwf compile campaign.yaml --input leads=@leads.csv --output payload.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := in.options(a)
			opts.ChunkSize = chunkSize
			plan, ds := compiler.CompileFile(a.ctx, args[0], opts)
			if len(ds) > 0 {
				a.printDiags(ds)
			}
			if plan == nil || ds.HasErrors() {
				a.code = exitFindings
				if unreadable(ds) {
					a.code = exitUsage
				}
				return nil
			}
			var buf bytes.Buffer
			for _, p := range plan.Payloads {
				if compact {
					buf.Write(p)
				} else if err := json.Indent(&buf, p, "", "  "); err != nil {
					return err
				}
				buf.WriteByte('\n')
			}
			if output != "" {
				if err := os.WriteFile(output, buf.Bytes(), 0o644); err != nil {
					return usageErr("writing %s: %v", output, err)
				}
				if len(plan.Payloads) > 1 {
					fmt.Fprintf(a.stderr, "wrote %d workflows to %s\n", len(plan.Payloads), output)
				}
				return nil
			}
			_, err := a.stdout.Write(buf.Bytes())
			return err
		},
	}
	in.register(cmd)
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the JSON to `FILE` instead of standard output")
	cmd.Flags().BoolVar(&compact, "compact", false, "print each workflow on one line")
	cmd.Flags().IntVar(&chunkSize, "chunk-size", compiler.DefaultChunkSize, "most root actions per workflow")
	return cmd
}

// printDiags writes diagnostics to stderr in the text form.
func (a *app) printDiags(ds diag.List) {
	tw := &diag.TextWriter{}
	if isTerminal(a.stderr) {
		tw.Source = func(f string) []byte {
			b, _ := os.ReadFile(f)
			return b
		}
		tw.Color = a.getenv("NO_COLOR") == ""
	}
	_ = tw.Write(a.stderr, ds, nil)
}
