package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/internal/safefile"
)

func newCompileCmd(a *app) *cobra.Command {
	var (
		in         inputFlags
		output     string
		compact    bool
		chunkSize  int
		showOutput bool
		applyTo    string
	)
	cmd := &cobra.Command{
		Use:   "compile FILE",
		Short: "Print the exact JSON body of POST /workflows",
		Long: `Compile a workflow file with its input values and print the body that
lwf run would send to POST /workflows. When forEach expands the workflow past
--chunk-size root actions, it becomes several workflows: one JSON document is
printed for each, one after another. A file whose loops name their item
(as: person) prints its first stage, without the steps under those loops:
lwf run renders them for each item found (lwf plan shows every stage).
Nothing is printed for a file with errors.`,
		Example: `  lwf compile campaign.yaml --input note="Hi" --input companies=5
  lwf compile campaign.yaml --input leads=@leads.csv --output payload.json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeWorkflowArg,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := in.options(a)
			opts.ChunkSize = chunkSize
			plan, ds := compiler.CompileFile(a.ctx, args[0], opts)
			if len(ds) > 0 {
				a.printDiags(ds)
			}
			if plan == nil || ds.HasErrors() {
				a.code = max(diagExit(ds), exitFindings)
				return nil
			}
			if showOutput || applyTo != "" {
				return writeOutputs(a, plan, showOutput, applyTo)
			}
			stagesNote(a.stderr, plan)
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
	cmd.Flags().BoolVar(&showOutput, "show-output", false, "print the output: expressions of the reusable workflows the plan inlines, instead of the payload")
	cmd.Flags().StringVar(&applyTo, "apply-output", "", "apply the outputs to the completion in `FILE` (JSON, as GET /workflows/{id} returns it) and print the result")
	return cmd
}

// stagesNote says, for a file whose loops name their item, that the
// payload is its first stage: what lwf sends before anything is found,
// without the steps it renders per item at run time.
func stagesNote(w io.Writer, plan *compiler.Plan) {
	if len(plan.Loops) == 0 {
		return
	}
	stages := 1
	var names []string
	for _, l := range plan.Loops {
		stages = max(stages, l.Stage)
		names = append(names, l.As)
	}
	fmt.Fprintf(w, "note: stage 1 of %d only: lwf renders the steps under the loops named with as: (%s) for each item found, at run time; lwf plan shows every stage\n",
		stages, strings.Join(names, ", "))
}

// writeOutputs prints the plan's outputs, or applies them to a completion.
func writeOutputs(a *app, plan *compiler.Plan, show bool, completionFile string) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if show {
		sites := []compiler.OutputSite{}
		for _, o := range plan.Outputs {
			sites = append(sites, o.Describe()...)
		}
		return enc.Encode(sites)
	}
	if len(plan.Payloads) != 1 {
		return usageErr("--apply-output needs a plan of one workflow; this one has %d", len(plan.Payloads))
	}
	b, err := os.ReadFile(completionFile)
	if err != nil {
		return usageErr("%v", err)
	}
	var completion any
	if err := json.Unmarshal(b, &completion); err != nil {
		return usageErr("%s: not JSON: %v", completionFile, err)
	}
	// Accept the whole GET /workflows/{id} envelope as well as the bare completion.
	if m, ok := completion.(map[string]any); ok {
		if r, ok := m["result"].(map[string]any); ok {
			m = r
		}
		if c, ok := m["completion"]; ok {
			completion = c
		}
	}
	shaped, err := plan.Outputs[0].Apply(completion)
	if err != nil {
		return &exitError{code: exitFindings, err: err}
	}
	return enc.Encode(shaped)
}

// printDiags writes diagnostics to stderr in the text form.
func (a *app) printDiags(ds diag.List) {
	_ = a.textWriter(a.stderr).Write(a.stderr, ds, nil)
}

// maxSnippetSource bounds the file read again to show source lines.
const maxSnippetSource = 16 << 20

// textWriter is the text writer for w: source lines and colour only on a
// terminal, and no colour with NO_COLOR.
func (a *app) textWriter(w io.Writer) *diag.TextWriter {
	tw := &diag.TextWriter{}
	if isTerminal(w) {
		tw.Source = func(f string) []byte {
			b, _ := safefile.Read(f, maxSnippetSource, true)
			return b
		}
		tw.Color = a.getenv("NO_COLOR") == ""
	}
	return tw
}
