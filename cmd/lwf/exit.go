package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/diag"
)

// Exit codes. exitCodes says what each means; every command returns one
// of them, through exitFor and diagExit.
const (
	exitOK       = 0 // success
	exitFindings = 1 // the work ran but something failed (findings, failed workflow, action errors)
	exitUsage    = 2 // usage or input errors
	exitPending  = 3 // not finished: timed out, interrupted or detached; resumable
)

// exitCodes is lwf's one table of exit codes: lwf help exit-codes prints
// it and the README's "Exit codes" section shows it (a test compares
// them).
var exitCodes = []struct {
	Code    int
	Meaning string
}{
	{exitOK, "success: the files are clean, the plan may run, every workflow completed without action errors, a sequence tick ran (leads whose step failed are reported, not an exit code)"},
	{exitFindings, "findings: problems in a workflow file (`validate`, `compile`, `plan`, `run`), a plan over a limit (`plan`; `run` refuses it), a failed, refused or cancelled workflow, an unknown submission (of a run, or of a sequence tick's step), action errors (unless `--allow-action-errors`), unformatted files (`fmt --check`), a person `ledger forget` did not find, a damaged state store (`state check`)"},
	{exitUsage, "usage or input errors: bad flags or arguments, an input value that is missing or unusable (`--input`, `--inputs-file`, `@file`), a file that cannot be read, refused credentials or an account error — nothing (more) was sent"},
	{exitPending, "not finished: timed out, interrupted or detached, or another lwf process tracks the run (or works the account's sequences: a tick then does nothing) — resumable with `lwf wait`; `lwf result` of a run still going (partial results)"},
}

// exitCodesText renders the table for the command line.
func exitCodesText() string {
	var b strings.Builder
	b.WriteString("lwf exits with one of these codes, whatever the command:\n\n")
	for _, e := range exitCodes {
		fmt.Fprintf(&b, "  %d  %s\n", e.Code, strings.ReplaceAll(e.Meaning, "`", ""))
	}
	return b.String()
}

// exitCodesMarkdown renders the table as the README shows it.
func exitCodesMarkdown() string {
	var b strings.Builder
	b.WriteString("| code | meaning |\n| --- | --- |\n")
	for _, e := range exitCodes {
		fmt.Fprintf(&b, "| %d | %s |\n", e.Code, e.Meaning)
	}
	return b.String()
}

// newExitCodesTopic is lwf help exit-codes.
func newExitCodesTopic(*app) *cobra.Command {
	return &cobra.Command{
		Use:   "exit-codes",
		Short: "What lwf's exit codes mean",
		Long:  exitCodesText(),
	}
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

// exitFor is the exit code of an error a command returned: the code it
// carries, 2 for cobra's own argument errors, else 1.
func exitFor(err error) int {
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
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// diagExit is the exit code of a compilation's diagnostics, the same for
// validate, compile, plan and run: 0 without errors; 2 when what the
// command was given cannot be used — a file that cannot be read, or an
// input value that is missing, unreadable or of the wrong kind; else 1,
// for problems in the workflow file itself.
func diagExit(ds diag.List) int {
	code := exitOK
	for _, d := range ds {
		if d.Severity != diag.Error {
			continue
		}
		if inputProblem(d) {
			return exitUsage
		}
		code = exitFindings
	}
	return code
}

// inputProblem reports whether a diagnostic is about what the command
// line gave rather than about the file: an unreadable file, or an input
// value (a problem with a uses: step's with: is the file's).
func inputProblem(d diag.Diagnostic) bool {
	switch d.Code {
	case diag.CodeIO, diag.CodeInputFile:
		return true
	case diag.CodeInputMissing, diag.CodeInputType, diag.CodeInputValue, diag.CodeInputUnknown:
		return d.Path == "" || d.Path == "inputs" || strings.HasPrefix(d.Path, "inputs.")
	}
	return false
}
