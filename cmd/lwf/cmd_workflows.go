package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/workflows"
)

// sdkOnlyOperation is an operation of the official SDKs that is not a
// workflow, and the lwf command that serves it.
type sdkOnlyOperation struct {
	name     string // the SDK's method name
	endpoint string
	command  string
}

// sdkOnlyOperations are listed by lwf workflows after the standard library.
var sdkOnlyOperations = []sdkOnlyOperation{
	{"customWorkflow", "POST /workflows", "any workflow file: lwf compile FILE, lwf run FILE"},
	{"pollConversations", "POST /conversations/poll", "lwf conversations poll"},
	{"getApiUsage (getApiUsageStats)", "GET /stats/actions", "lwf stats"},
}

// stdWorkflow is what lwf workflows shows of one standard workflow.
type stdWorkflow struct {
	name        string
	description string
	inputs      []stdInput
	actions     []string // action types in the order the workflow lists them
	output      []string // the output's properties
}

type stdInput struct {
	name        string
	typ         string
	required    bool
	def         string // the default as JSON, "" when there is none
	constraints []string
	description string
}

func newWorkflowsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "workflows [NAME]",
		Short: "List the standard library of reusable workflows, or describe one",
		Long: `List the standard library: one reusable workflow per operation of the official
Linked API SDKs, with its inputs (named as the SDK's parameters). Use one in a
workflow file with "uses: NAME" and "with:", or compile it on its own with
"lwf compile NAME --input …". The SDK operations that are not workflows are
listed at the end with the command that serves them.`,
		Example: `  lwf workflows
  lwf workflows fetch-person
  lwf compile fetch-person --input personUrl=https://www.linkedin.com/in/john-doe --input retrieveSkills=true`,
		Args: cobra.MaximumNArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []string
			for _, name := range workflows.Names() {
				if w, err := loadStdWorkflow(name); err == nil {
					out = append(out, name+"\t"+w.description)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return listWorkflows(a.stdout)
			}
			name := args[0]
			if _, ok := workflows.Read(name); !ok {
				msg := fmt.Sprintf("no standard workflow named %q", name)
				if s := diag.Nearest(name, workflows.Names()); s != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", s)
				}
				return usageErr("%s", msg)
			}
			w, err := loadStdWorkflow(name)
			if err != nil {
				return err
			}
			describeWorkflow(a.stdout, w)
			return nil
		},
	}
}

func listWorkflows(out io.Writer) error {
	var all []*stdWorkflow
	inW, typW := 0, 0
	for _, name := range workflows.Names() {
		w, err := loadStdWorkflow(name)
		if err != nil {
			return err
		}
		all = append(all, w)
		for _, in := range w.inputs {
			inW, typW = max(inW, len(in.name)), max(typW, len(in.typ))
		}
	}
	fmt.Fprintln(out, "Standard workflows (uses: NAME in a workflow file, or lwf compile NAME), with the SDK operation each replaces:")
	for _, w := range all {
		fmt.Fprintln(out)
		fmt.Fprintf(out, "%s (%s): %s\n", w.name, sdkOperation(w.name), w.description)
		for _, in := range w.inputs {
			fmt.Fprintf(out, "    %-*s  %-*s  %s\n", inW, in.name, typW, in.typ, in.presence())
		}
	}
	fmt.Fprintln(out)
	fmt.Fprintln(out, "SDK operations that are not workflows:")
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, op := range sdkOnlyOperations {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", op.name, op.endpoint, op.command)
	}
	return tw.Flush()
}

func describeWorkflow(out io.Writer, w *stdWorkflow) {
	fmt.Fprintf(out, "%s\n  %s\n  Replaces the SDK operation %s.\n\n", w.name, w.description, sdkOperation(w.name))
	fmt.Fprintln(out, "Inputs:")
	if len(w.inputs) == 0 {
		fmt.Fprintln(out, "  (none)")
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, in := range w.inputs {
		details := append([]string{in.presence()}, in.constraints...)
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", in.name, in.typ, strings.Join(details, ", "), in.description)
	}
	tw.Flush()
	fmt.Fprintln(out)
	fmt.Fprintf(out, "Actions: %s\n", strings.Join(w.actions, ", "))
	output := "(none)"
	if len(w.output) > 0 {
		output = strings.Join(w.output, ", ")
	}
	fmt.Fprintf(out, "Output: %s\n", output)
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Use it:")
	fmt.Fprintf(out, "  workflow:\n    uses: %s\n", w.name)
	var flags []string
	first := true
	for _, in := range w.inputs {
		if !in.required {
			continue
		}
		if first {
			fmt.Fprintln(out, "    with:")
			first = false
		}
		fmt.Fprintf(out, "      %s: …\n", in.name)
		flags = append(flags, fmt.Sprintf(" --input %s=…", in.name))
	}
	fmt.Fprintf(out, "  lwf compile %s%s\n", w.name, strings.Join(flags, ""))
}

// presence says whether an input must be given, or what it defaults to.
func (in stdInput) presence() string {
	switch {
	case in.def != "":
		return "default " + in.def
	case in.required:
		return "required"
	}
	return "optional"
}

// loadStdWorkflow reads the name, description, inputs, actions and output
// of a standard workflow from its source.
func loadStdWorkflow(name string) (*stdWorkflow, error) {
	src, ok := workflows.Read(name)
	if !ok {
		return nil, fmt.Errorf("no standard workflow named %q", name)
	}
	f, ds := dsl.Parse("workflows/"+name+".yaml", src, dsl.Options{})
	if ds.HasErrors() || f.Root == nil {
		return nil, fmt.Errorf("standard workflow %s cannot be read: %v", name, ds)
	}
	w := &stdWorkflow{name: name}
	if d := f.Root.Get("description"); d != nil {
		w.description = d.Value
	}
	if decls := f.Root.Get("inputs"); decls != nil {
		for _, p := range decls.Pairs {
			w.inputs = append(w.inputs, readInputDecl(p.Key.Value, p.Value))
		}
	}
	collectActions(f.Root.Get("workflow"), &w.actions)
	if o := f.Root.Get("output"); o != nil {
		for _, p := range o.Pairs {
			w.output = append(w.output, p.Key.Value)
		}
	}
	return w, nil
}

func readInputDecl(name string, n *dsl.Node) stdInput {
	in := stdInput{name: name, typ: "string", required: true}
	if n == nil || n.Kind != dsl.MapNode {
		return in // name: with no declaration is a required string
	}
	v, _ := n.Decode()
	m, _ := v.(map[string]any)
	in.typ = typeName(m)
	in.description, _ = m["description"].(string)
	if d, ok := m["default"]; ok {
		b, _ := json.Marshal(d)
		in.def = string(b)
	}
	in.required = in.def == ""
	if r, ok := m["required"].(bool); ok {
		in.required = r
	}
	if e, ok := m["enum"].([]any); ok {
		var vals []string
		for _, x := range e {
			vals = append(vals, fmt.Sprint(x))
		}
		in.constraints = append(in.constraints, "one of "+strings.Join(vals, "|"))
	}
	for _, k := range []struct{ key, label string }{
		{"minimum", "min"}, {"maximum", "max"}, {"minLength", "min length"}, {"maxLength", "max length"},
		{"minItems", "min items"}, {"maxItems", "max items"},
	} {
		if x, ok := m[k.key]; ok {
			in.constraints = append(in.constraints, fmt.Sprintf("%s %v", k.label, x))
		}
	}
	return in
}

// typeName writes a declaration's type: string, integer, object,
// string[] for a list of strings.
func typeName(m map[string]any) string {
	t, _ := m["type"].(string)
	if t == "" {
		t = "string"
	}
	if t == "array" {
		if items, ok := m["items"].(map[string]any); ok {
			return typeName(items) + "[]"
		}
	}
	return t
}

// collectActions lists the action: of every step under n, depth first.
func collectActions(n *dsl.Node, out *[]string) {
	if n == nil {
		return
	}
	switch n.Kind {
	case dsl.SeqNode:
		for _, it := range n.Items {
			collectActions(it, out)
		}
	case dsl.MapNode:
		if a := n.Get("action"); a != nil {
			*out = append(*out, a.Value)
		}
		if u := n.Get("uses"); u != nil {
			*out = append(*out, "uses: "+u.Value)
		}
		collectActions(n.Get("then"), out)
	}
}

// sdkOperation turns a standard workflow's name into the SDK method it
// replaces: fetch-person → fetchPerson, retrieve-ssi → retrieveSSI.
func sdkOperation(name string) string {
	parts := strings.Split(name, "-")
	for i := 1; i < len(parts); i++ {
		if parts[i] == "ssi" {
			parts[i] = "SSI"
			continue
		}
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}
