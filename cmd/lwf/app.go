package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lwf-dev/lwf/diag"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// app is what every command can reach: the streams and the environment.
// Commands never touch os.Stdout or os.Getenv directly, so the whole CLI runs
// in-process in tests.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	// code is the exit code a command asks for when it returns without an
	// error (for example 1 when validation found problems).
	code int
}

// commands lists the constructors of every top-level command; each lives in
// its own cmd_*.go file.
var commands = []func(*app) *cobra.Command{
	newVersionCmd,
	newValidateCmd,
	newCompileCmd,
	newActionsCmd,
	newSchemaCmd,
	newFmtCmd,
	newInitCmd,
	newSandboxCmd,
	newWorkflowsCmd,
	newRunCmd,
	newPlanCmd,
	newLedgerCmd,
	newStateCmd,
	newRunsCmd,
	newStatusCmd,
	newLeadsCmd,
	newWorkerCmd,
	newServeCmd,
	newResultCmd,
	newWaitCmd,
	newCancelCmd,
	newConversationsCmd,
	newStatsCmd,
	newAccountCmd,
	newInboxCmd,
	newNetworkCmd,
	newWebhookCmd,
	newExitCodesTopic,
}

// Main runs lwf with args and the given streams and returns the exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return mainWithEnv(ctx, args, stdin, stdout, stderr, os.Getenv)
}

func mainWithEnv(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	root := &cobra.Command{
		Use:           "lwf",
		Short:         "Linked API workflows as code: validate, compile, run",
		Long:          "lwf turns YAML workflow files into Linked API custom workflows, checks them offline, runs them and tracks them to a result.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetVersionTemplate("lwf {{.Version}}\n")
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetContext(ctx)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: flagHint(c, err)}
	})
	for _, mk := range commands {
		root.AddCommand(mk(a))
	}
	err := root.ExecuteContext(ctx)
	if err == nil {
		return a.code
	}
	fmt.Fprintf(stderr, "lwf: %v\n", err)
	return exitFor(err)
}

// flagHints point from flags people reach for to what lwf has instead,
// by command.
var flagHints = map[string]map[string]string{
	"run": {
		"dry-run": "lwf plan FILE shows what lwf run would send, and sends nothing",
		"json":    "--json-events writes one JSON object per event; -o FILE.json writes the results",
	},
	"wait": {"dry-run": "lwf status RUN shows where a run stands"},
}

// flagHint adds to an unknown-flag error where to go instead, or the
// nearest flag of the command.
func flagHint(c *cobra.Command, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return err
	}
	if h := flagHints[c.Name()][name]; h != "" {
		return fmt.Errorf("%w: %s", err, h)
	}
	var names []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	if near := diag.Nearest(name, names); near != "" {
		return fmt.Errorf("%w (did you mean --%s?)", err, near)
	}
	return err
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print lwf's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(a.stdout, "lwf %s\n", version)
			return nil
		},
	}
}
