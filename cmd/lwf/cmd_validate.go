package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/internal/safefile"
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
	cmd.Flags().IntVar(&f.maxBytes, "max-bytes", dsl.DefaultMaxBytes, "refuse workflow files larger than this many bytes")
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
	var (
		in      inputFlags
		format  string
		verbose bool
	)
	cmd := &cobra.Command{
		Use:   "validate [FILE|DIR]...",
		Short: "Check workflow files offline against the action catalog",
		Long: `Check workflow files against the Linked API action catalog: parameters, root
and parent/child rules, inputs and expressions. Below a directory, the *.yaml
and *.yml files that are lwf workflow files are checked — a top-level workflow:
key, version: 1, or a modeline pointing at lwf.schema.json — and other YAML
(docker-compose.yml, CI configurations) is skipped, counted on standard error
(--verbose lists it); a file named on the command line is always checked. No input values are needed: inputs without a value are checked by
their declared types. Exit codes: 0 clean; 1 problems found; 2 an unreadable
file or input (lwf help exit-codes).

Each problem ends with its code:
` + codeList(),
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
			srcs, refused, err := walkFiles(args, a.stderr)
			if err != nil {
				return usageErr("%v", err)
			}
			opts := in.options(a)
			opts.Symbolic = true
			opts.Getenv = nil // validate reads no environment variable: env.NAME is checked as a string
			// The compilations allocate briefly and keep little: a larger
			// heap between collections saves most of the collector's work.
			defer debug.SetGCPercent(debug.SetGCPercent(400))
			files, skipped, ds := validateFiles(a, srcs, opts, int64(in.maxBytes))
			reportSkipped(a.stderr, skipped, verbose)
			ds = append(ds, refused...).Normalize()
			if err := w.Write(a.stdout, ds, files); err != nil {
				return err
			}
			a.code = diagExit(ds)
			if format == "text" && len(ds) == 0 && isTerminal(a.stderr) {
				fmt.Fprintf(a.stderr, "%d file(s) ok\n", len(files))
			}
			return nil
		},
	}
	in.register(cmd)
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list the YAML files below a directory that are skipped as not lwf's")
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text, json, github or sarif")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json", "github", "sarif"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// validateFiles checks files in parallel, each worker reading, sniffing
// (below a directory) and compiling its files. It returns the files
// checked, sorted; those below a directory skipped as not lwf's, in walk
// order; and every diagnostic, sorted.
func validateFiles(a *app, srcs []source, opts compiler.Options, maxBytes int64) (files, skipped []string, all diag.List) {
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		skip = make([]bool, len(srcs))
	)
	work := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := opts
			opts.Cache = compiler.NewCache() // one per worker: the files share expressions
			for i := range work {
				var ds diag.List
				if src, ok := srcs[i].read(maxBytes); !ok {
					_, ds = compiler.CompileFile(a.ctx, srcs[i].path, opts)
				} else if srcs[i].sniff && !isWorkflowFile(src) {
					skip[i] = true
					continue
				} else {
					_, ds = compiler.Compile(a.ctx, srcs[i].path, src, opts)
				}
				mu.Lock()
				all = append(all, ds...)
				mu.Unlock()
			}
		}()
	}
	for i := range srcs {
		work <- i
	}
	close(work)
	wg.Wait()
	for i, s := range srcs {
		if skip[i] {
			skipped = append(skipped, s.path)
		} else {
			files = append(files, s.path)
		}
	}
	sort.Strings(files)
	return files, skipped, all.Normalize()
}

// source is a file to check. One found below a directory (sniff) is
// checked only if it is an lwf workflow file.
type source struct {
	path  string
	sniff bool
}

// read reads a file found below a directory, to sniff it and then compile
// what was read; ok is false for a file named on the command line, and
// for one that cannot be read within maxBytes, which the compiler reads
// and reports itself.
func (s source) read(maxBytes int64) (src []byte, ok bool) {
	if !s.sniff {
		return nil, false
	}
	src, err := safefile.Read(s.path, maxBytes, false)
	return src, err == nil
}

// collectFiles expands directories into their *.yaml and *.yml files
// that are lwf workflow files (isWorkflowFile), as walkFiles finds them;
// skipped lists the other YAML files. Files larger than maxBytes are
// taken without a look, for the compiler to report.
func collectFiles(args []string, stderr io.Writer, maxBytes int64) (files, skipped []string, refused diag.List, err error) {
	srcs, refused, err := walkFiles(args, stderr)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, s := range srcs {
		if src, ok := s.read(maxBytes); ok && !isWorkflowFile(src) {
			skipped = append(skipped, s.path)
			continue
		}
		files = append(files, s.path)
	}
	sort.Strings(files)
	return files, skipped, refused, nil
}

// walkFiles expands directories into their *.yaml and *.yml files,
// skipping hidden directories and node_modules; those are to be sniffed.
//
// Below a directory only regular files are taken: a symbolic link, a named
// pipe or a device is skipped with a note on stderr, so that a link
// committed in a pull request (to /dev/zero, to a secret, to a file
// outside the tree) is never read. A path named on the command line is
// taken as it is, links included, since a person chose it — except a link
// that leads out of the working directory, which a shell glob over a
// checked-out pull request would otherwise follow: it is refused with a
// diagnostic. What is read is bounded and must be a regular file
// (compiler.CompileFile).
func walkFiles(args []string, stderr io.Writer) (srcs []source, refused diag.List, err error) {
	for _, arg := range args {
		st, serr := os.Stat(arg)
		if serr != nil {
			srcs = append(srcs, source{path: arg}) // reported as unreadable by the compiler
			continue
		}
		if lst, err := os.Lstat(arg); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
			if msg := linkLeavesWorkDir(arg); msg != "" {
				refused = append(refused, diag.New(arg, diag.Pos{}, diag.CodeIO, msg))
				continue
			}
		}
		if !st.IsDir() {
			srcs = append(srcs, source{path: arg})
			continue
		}
		root := arg
		if !strings.HasSuffix(root, string(filepath.Separator)) {
			root += string(filepath.Separator) // walk a named link to a directory
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == root {
				return nil
			}
			if d.IsDir() {
				name := d.Name()
				if strings.HasPrefix(name, ".") || name == "node_modules" {
					return filepath.SkipDir
				}
				return nil
			}
			ext := strings.ToLower(filepath.Ext(p))
			if ext != ".yaml" && ext != ".yml" {
				if d.Type()&fs.ModeSymlink != 0 {
					if st, err := os.Stat(p); err == nil && st.IsDir() {
						fmt.Fprintf(stderr, "lwf: skipped %s: a symbolic link to a directory (links below a directory are not followed)\n", p)
					}
				}
				return nil
			}
			if !d.Type().IsRegular() {
				fmt.Fprintf(stderr, "lwf: skipped %s: %s (only regular files below a directory are read)\n", p, safefile.Kind(d.Type()))
				return nil
			}
			srcs = append(srcs, source{path: p, sniff: true})
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return srcs, refused, nil
}

// reportSkipped says on stderr how many YAML files below the directories
// were not lwf's, and with verbose which.
func reportSkipped(w io.Writer, skipped []string, verbose bool) {
	if len(skipped) == 0 {
		return
	}
	if verbose {
		for _, f := range skipped {
			fmt.Fprintf(w, "lwf: skipped %s: not an lwf workflow file (no top-level workflow: or version: 1)\n", f)
		}
		return
	}
	if len(skipped) == 1 {
		fmt.Fprintln(w, "lwf: skipped 1 YAML file that is not an lwf workflow file (--verbose lists it)")
		return
	}
	fmt.Fprintf(w, "lwf: skipped %d YAML files that are not lwf workflow files (--verbose lists them)\n", len(skipped))
}

// linkLeavesWorkDir says why the link named on the command line is
// refused, or "" when it leads to a path below the working directory.
func linkLeavesWorkDir(link string) string {
	target, err := filepath.EvalSymlinks(link)
	if err != nil {
		return fmt.Sprintf("cannot follow the link: %v", err)
	}
	wd, err := os.Getwd()
	if err == nil {
		wd, err = filepath.EvalSymlinks(wd)
	}
	if err != nil {
		return fmt.Sprintf("cannot follow the link: %v", err)
	}
	if abs, err := filepath.Abs(target); err == nil {
		target = abs
	}
	if rel, err := filepath.Rel(wd, target); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "is a symbolic link that leads out of the working directory; name the file it points to instead"
	}
	return ""
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
		return diag.SARIFWriter{Version: version}, nil
	}
	return nil, usageErr("unknown format %q: use text, json, github or sarif", format)
}

// codeList lists the diagnostic codes with their summaries, for help.
func codeList() string {
	var b strings.Builder
	for _, ci := range diag.Codes() {
		fmt.Fprintf(&b, "  %-18s %s\n", ci.Code, ci.Summary)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
