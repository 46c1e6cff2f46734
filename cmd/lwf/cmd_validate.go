package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
)

// inputFlags are the flags that give input values, shared by validate,
// compile, plan and run.
type inputFlags struct {
	inputs     []string
	inputsFile string
	maxBytes   int
	env        []string // --env: nil when not given
}

func (f *inputFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVarP(&f.inputs, "input", "i", nil, "input value `name=value` or name=@file (.csv, .json, .yaml); repeatable")
	cmd.Flags().StringVar(&f.inputsFile, "inputs-file", "", "JSON or YAML `file` with input values")
	cmd.Flags().IntVar(&f.maxBytes, "max-bytes", 1<<20, "refuse workflow files larger than this many bytes")
	cmd.Flags().StringArrayVar(&f.env, "env", nil, "allow workflow files to read only environment variable `NAME` (from their env: list); repeatable; --env '' allows none")
}

func (f *inputFlags) options(a *app) compiler.Options {
	return compiler.Options{
		Inputs:     f.inputs,
		InputsFile: f.inputsFile,
		Getenv:     a.getenv,
		EnvAllow:   f.env,
		Parse:      dsl.Options{MaxBytes: f.maxBytes},
	}
}

func newValidateCmd(a *app) *cobra.Command {
	var in inputFlags
	var format string
	cmd := &cobra.Command{
		Use:   "validate [FILE|DIR]...",
		Short: "Check workflow files offline against the action catalog",
		Long: `Check workflow files (every *.yaml and *.yml below a directory) against the
Linked API action catalog: parameters, root and parent/child rules, inputs and
expressions. No input values are needed: inputs without a value are checked by
their declared types. Exit code 0: clean; 1: problems found; 2: usage error or
unreadable input.`,
		Example: `  lwf validate examples/
  lwf validate --format github workflows/*.yaml
  lwf validate campaign.yaml --input leads=@leads.csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := a.diagWriter(format)
			if err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{"."}
			}
			files, err := collectFiles(args)
			if err != nil {
				return usageErr("%v", err)
			}
			opts := in.options(a)
			opts.Symbolic = true
			opts.Getenv = nil // validate reads no environment variable: env.NAME is checked as a string
			ds := validateFiles(a, files, opts)
			if err := w.Write(a.stdout, ds, files); err != nil {
				return err
			}
			switch {
			case unreadable(ds):
				a.code = exitUsage
			case ds.HasErrors():
				a.code = exitFindings
			}
			if format == "text" && len(ds) == 0 && isTerminal(a.stderr) {
				fmt.Fprintf(a.stderr, "%d file(s) ok\n", len(files))
			}
			return nil
		},
	}
	in.register(cmd)
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text, json, github or sarif")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json", "github", "sarif"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// validateFiles checks files in parallel and returns every diagnostic,
// sorted.
func validateFiles(a *app, files []string, opts compiler.Options) diag.List {
	var (
		mu  sync.Mutex
		all diag.List
		wg  sync.WaitGroup
	)
	work := make(chan string)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				_, ds := compiler.CompileFile(a.ctx, f, opts)
				mu.Lock()
				all = append(all, ds...)
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	return all.Normalize()
}

// unreadable reports whether a file could not be read at all.
func unreadable(ds diag.List) bool {
	for _, d := range ds {
		if d.Code == diag.CodeIO {
			return true
		}
	}
	return false
}

// collectFiles expands directories into their *.yaml and *.yml files,
// skipping hidden directories and node_modules.
func collectFiles(args []string) ([]string, error) {
	var files []string
	for _, arg := range args {
		st, err := os.Stat(arg)
		if err != nil {
			files = append(files, arg) // reported as unreadable by the compiler
			continue
		}
		if !st.IsDir() {
			files = append(files, arg)
			continue
		}
		err = filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				name := d.Name()
				if p != arg && (strings.HasPrefix(name, ".") || name == "node_modules") {
					return filepath.SkipDir
				}
				return nil
			}
			if ext := strings.ToLower(filepath.Ext(p)); ext == ".yaml" || ext == ".yml" {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(files)
	return files, nil
}

// diagWriter picks the writer of an output format.
func (a *app) diagWriter(format string) (diag.Writer, error) {
	switch format {
	case "text":
		return a.textWriter(a.stdout), nil
	case "json":
		return diag.JSONWriter{}, nil
	case "github":
		return diag.GitHubWriter{}, nil
	case "sarif":
		return diag.SARIFWriter{Version: version, Rules: ruleDescriptions}, nil
	}
	return nil, usageErr("unknown format %q: use text, json, github or sarif", format)
}

// ruleDescriptions explain each diagnostic code in SARIF logs.
var ruleDescriptions = map[string]string{
	diag.CodeYAMLSyntax:      "The file is not valid YAML.",
	diag.CodeDuplicateKey:    "A mapping has the same key twice.",
	diag.CodeTooLarge:        "The file is larger than the size limit.",
	diag.CodeTooDeep:         "The YAML nests deeper than the limit.",
	diag.CodeAliasBudget:     "YAML aliases expand past the node budget.",
	diag.CodeEncoding:        "The file is not valid UTF-8.",
	diag.CodeMultiDocument:   "The file holds more than one YAML document.",
	diag.CodeMissingField:    "A required field is missing.",
	diag.CodeUnknownField:    "A field lwf does not know.",
	diag.CodeFieldType:       "A field has the wrong type.",
	diag.CodeFieldValue:      "A field has a value lwf does not accept.",
	diag.CodeUnknownAction:   "The action is not in the Linked API catalog.",
	diag.CodeUnknownParam:    "The action has no such parameter.",
	diag.CodeMissingParam:    "A required parameter is missing.",
	diag.CodeForbiddenParam:  "The parameter is not allowed where the action stands.",
	diag.CodeParamType:       "A parameter has the wrong type.",
	diag.CodeParamValue:      "A parameter's value is out of range or not allowed.",
	diag.CodeInvalidRoot:     "The action cannot start a workflow.",
	diag.CodeInvalidParent:   "The action cannot run under its parent.",
	diag.CodeExprSyntax:      "An expression does not parse.",
	diag.CodeExprUndefined:   "An expression uses an undefined name or field.",
	diag.CodeExprType:        "An expression has the wrong type.",
	diag.CodeExprLimit:       "An expression exceeds a sandbox limit.",
	diag.CodeExprRuntime:     "An expression failed when evaluated.",
	diag.CodeInputMissing:    "A required input has no value.",
	diag.CodeInputType:       "An input value has the wrong type.",
	diag.CodeInputValue:      "An input value is out of range or not allowed.",
	diag.CodeInputUnknown:    "A value was given for an input the workflow does not declare.",
	diag.CodeInputFile:       "An input file cannot be read.",
	diag.CodeIO:              "The file cannot be read.",
	diag.CodeTooManyActions:  "forEach or uses: expand the workflow past the action cap.",
	diag.CodeInterrupted:     "The compilation was stopped (Ctrl-C) before it finished.",
	diag.CodePayloadTooLarge: "A workflow's JSON is larger than the API accepts in one request.",
	diag.CodeEnvNotAllowed:   "An expression reads an environment variable the file's env: list (or --env) does not allow.",
}
