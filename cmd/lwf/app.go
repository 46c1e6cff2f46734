package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes, as documented in the README.
const (
	exitOK       = 0 // success
	exitFindings = 1 // the work ran but something failed (findings, failed workflow, action errors)
	exitUsage    = 2 // usage or input errors
	exitPending  = 3 // timed out or detached: resumable
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

// exitError carries an exit code with a message already fit for users.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr makes an error that exits with code 2.
func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
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
	newResultCmd,
	newWaitCmd,
	newCancelCmd,
	newConversationsCmd,
	newStatsCmd,
	newAccountCmd,
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
	}
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetContext(ctx)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: exitUsage, err: err}
	})
	for _, mk := range commands {
		root.AddCommand(mk(a))
	}
	err := root.ExecuteContext(ctx)
	if err == nil {
		return a.code
	}
	fmt.Fprintf(stderr, "lwf: %v\n", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if isUsage(err) {
		return exitUsage
	}
	return exitFindings
}

// isUsage recognises cobra's own argument errors.
func isUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
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
