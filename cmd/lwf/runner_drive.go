package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/unknowns"
	"github.com/lwf-dev/lwf/schemas"
)

// driveFlags are the flags run and wait share.
type driveFlags struct {
	output            string
	format            string
	timeout           time.Duration
	allowActionErrors bool
	quiet             bool
	jsonEvents        bool
	resubmitUnknown   bool
	pollStart         time.Duration // hidden: tests shrink the polling
	pollMax           time.Duration
}

func (f *driveFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "", "write the results to `FILE` when the run ends (- for standard output)")
	fl.StringVar(&f.format, "format", "", "results format: json, jsonl or csv (default: from the -o extension, else json)")
	fl.DurationVar(&f.timeout, "timeout", 0, "stop tracking after this long (exit 3; resume with lwf wait), e.g. 30m")
	fl.BoolVar(&f.allowActionErrors, "allow-action-errors", false, "exit 0 even when actions inside completed workflows failed")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "show no progress; report only problems")
	fl.BoolVar(&f.jsonEvents, "json-events", false, "write one JSON object per event to standard output")
	fl.BoolVar(&f.resubmitUnknown, "resubmit-unknown", false, "send again the workflows whose earlier submission is unknown (they may run twice)")
	// Polling intervals are lwf's to choose; these exist for tests against
	// a fast sandbox.
	fl.DurationVar(&f.pollStart, "poll-start", 0, "first interval between polls of a workflow")
	fl.DurationVar(&f.pollMax, "poll-max", 0, "longest interval between polls of a workflow")
	_ = fl.MarkHidden("poll-start")
	_ = fl.MarkHidden("poll-max")
}

// errTimedOut is the cause of a --timeout.
var errTimedOut = errors.New("timed out")

// driveJob drives one run to its end for run and wait.
type driveJob struct {
	a     *app
	db    state.Store
	run   *state.Run
	api   runner.API
	clock *unknowns.ClockWatch // the server's clock, seen from api's answers; may be nil
	flags *driveFlags
	shape func(*state.Workflow) (json.RawMessage, error)
	// expand renders the items of named loops (campaign.Stager.Expand).
	expand   func(context.Context, *state.Workflow, int) ([]*state.Workflow, *state.Event, error)
	detach   bool
	terminal bool // standard error is a terminal
	width    func() int
	resume   string // the command that resumes the run; "" when it cannot be resumed
	// runClock, when set, is the runs' clock (lwf run --now, for tests).
	runClock runner.Clock
	// sandboxState is the state directory of a --sandbox run: its results
	// are written there, and the commands lwf suggests name it.
	sandboxState string
}

// stateArg is what commands about this run need to find it: --state for
// a --sandbox run's directory.
func (j *driveJob) stateArg() string {
	if j.sandboxState == "" {
		return ""
	}
	return " --state " + shellQuote(j.sandboxState)
}

// execute locks the run, drives it, writes the results and the summary,
// and sets the exit code.
func (j *driveJob) execute() error {
	a := j.a
	if _, err := results.FormatFor(j.flags.output, j.flags.format); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	lock, err := j.db.Lock(j.run.ID)
	var le *state.LockedError
	if errors.As(err, &le) {
		return &exitError{code: exitPending, err: fmt.Errorf("%v; follow it with: lwf status %s%s", le, j.run.ID, j.stateArg())}
	}
	if err != nil {
		return err
	}
	defer lock.Unlock()

	prog := j.progress()
	ctx := a.ctx
	if j.flags.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, j.flags.timeout, errTimedOut)
		defer cancel()
	}
	out, err := runner.Drive(ctx, runner.Config{
		API:             j.api,
		Store:           j.db,
		Events:          prog.Event,
		Shape:           j.shape,
		Expand:          j.expand,
		ResubmitUnknown: j.flags.resubmitUnknown,
		SubmitOnly:      j.detach,
		Policy:          runner.Policy{PollStart: j.flags.pollStart, PollMax: j.flags.pollMax},
		Clock:           j.runClock,
	}, j.run.ID)
	prog.Close()
	if err != nil {
		if linkedapi.IsAuth(err) {
			return &exitError{code: exitUsage, err: fmt.Errorf("%w\nnothing more was sent; once the credentials or the account are fixed, resume with: %s", err, j.resume)}
		}
		return err
	}
	switch {
	case out.Detached:
		fmt.Fprintln(a.stdout, j.run.ID) // for scripts: ID=$(lwf run x --detach)
		fmt.Fprintf(a.stderr, "run %s: %s submitted; follow with: %s\n", j.run.ID, results.Plural(out.Counts.Total, "workflow"), j.resumeOr("lwf status "+j.run.ID))
		a.code = exitPending
		return nil
	case out.Stopped:
		why := "interrupted"
		if errors.Is(context.Cause(ctx), errTimedOut) {
			why = fmt.Sprintf("timed out after %s", j.flags.timeout)
		}
		if j.resume == "" {
			fmt.Fprintf(a.stderr, "%s: the sandbox stops with lwf, so this run cannot be resumed\n", why)
		} else {
			fmt.Fprintf(a.stderr, "%s: the workflows go on at Linked API; resume tracking with: %s\n", why, j.resume)
		}
		a.code = exitPending
		return nil
	}
	return j.finish()
}

// progress picks the display: JSON events on standard output, a live
// view on a terminal, log lines otherwise, nothing with --quiet.
func (j *driveJob) progress() *results.Progress {
	a := j.a
	opts := results.ProgressOptions{RunID: j.run.ID, Name: j.run.Name}
	switch {
	case j.flags.jsonEvents:
		return results.NewProgress(a.stdout, results.ProgressJSON, opts)
	case j.flags.quiet:
		return results.NewProgress(a.stderr, results.ProgressQuiet, opts)
	case j.terminal:
		opts.Width = j.width
		return results.NewProgress(a.stderr, results.ProgressLive, opts)
	}
	return results.NewProgress(a.stderr, results.ProgressLines, opts)
}

func (j *driveJob) resumeOr(def string) string {
	if j.resume == "" {
		return def
	}
	return j.resume
}

// finish writes the results and the summary of a settled run and sets the
// exit code: 0 when every workflow completed without action errors (or
// they are allowed), 1 otherwise.
func (j *driveJob) finish() error {
	a := j.a
	ws, err := j.db.WorkflowsFull(a.ctx, j.run.ID)
	if err != nil {
		return err
	}
	res, err := runResults(a, j.db, j.run, ws)
	if err != nil {
		return err
	}
	errs := res.ActionErrors()
	output, format := j.flags.output, j.flags.format
	if output == "" && j.sandboxState != "" {
		// A --sandbox run's results are kept, to be read at leisure.
		output, format = filepath.Join(j.sandboxState, "results", j.run.ID+".csv"), "csv"
		if err := os.MkdirAll(filepath.Dir(output), 0o700); err != nil {
			return fmt.Errorf("writing the results: %w", err)
		}
	}
	if output != "" {
		if err := writeResults(a, res, output, format); err != nil {
			return err
		}
	}
	c := state.CountStates(ws)
	activityErr := ""
	if c.ByState[state.Unknown] > 0 {
		if err := j.judgeUnknown(ws); err != nil {
			activityErr = err.Error()
		}
	}
	clean := c.ByState[state.Completed] == c.Total
	if clean && (len(errs) == 0 || j.flags.allowActionErrors) {
		a.code = exitOK
	} else {
		a.code = exitFindings
	}
	if !j.flags.quiet || a.code != exitOK {
		resubmit := ""
		if j.resume != "" {
			resubmit = j.resume + " --resubmit-unknown"
		}
		result := "lwf result " + j.run.ID + j.stateArg()
		results.WriteSummary(a.stderr, results.Summary{Run: j.run, Workflows: ws, Errors: errs,
			ResubmitCommand: resubmit, RecheckCommand: j.resume, ActivityError: activityErr, ResultCommand: result + " --format json"})
		if !j.flags.quiet {
			if cat, err := schemas.Default(); err == nil {
				results.WriteReached(a.stderr, res.Reached(cat), results.ReachedOptions{Catalog: cat, More: "every row in the results"})
			}
		}
		switch {
		case j.flags.quiet || c.ByState[state.Completed] == 0:
		case output == "-":
		case output != "" && j.flags.output == "":
			fmt.Fprintf(a.stderr, "results: %s; every completion: %s --format json\n", output, result)
		case output != "":
			fmt.Fprintf(a.stderr, "results: %s\n", output)
		default:
			fmt.Fprintf(a.stderr, "results: %s -o results.csv (or .json, .jsonl)\n", result)
		}
	}
	return nil
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:@%+,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// resultFileMode is the mode of result files: they hold personal data
// (names, profiles, messages), so only their owner reads them, as the
// state store.
const resultFileMode = 0o600

// judgeUnknown reads the account's activity once (GET /stats/actions over
// the run's time) to judge the run's unknown submissions, and stores each
// verdict with its submission. It sends nothing: an unknown submission
// stays unknown, sent again only with --resubmit-unknown.
func (j *driveJob) judgeUnknown(ws []*state.Workflow) error {
	r, ok := j.api.(unknowns.Reader)
	if !ok {
		return nil
	}
	opts := unknowns.Options{Now: time.Now()}
	opts.Earlier = j.earlierWorkflows(ws, opts)
	if j.clock != nil {
		opts.SkewFrom = j.clock.Skew
	}
	vs, err := unknowns.Check(j.a.ctx, r, ws, opts)
	if err != nil {
		return err
	}
	return unknowns.Record(j.a.ctx, j.db, ws, vs, opts.Now)
}

// earlierRuns bounds the account's other runs looked at for workflows
// whose actions may show in a run's activity.
const earlierRuns = 20

// earlierWorkflows lists the workflows of the account's other runs that
// lwf sent before the run's first and that were active within the
// activity's window: their actions then account for activity the run's
// own do not. A run that was still sending when this one began is left
// out, since the order of their workflows is unknown; so is everything
// when the store cannot say.
func (j *driveJob) earlierWorkflows(ws []*state.Workflow, opts unknowns.Options) []*state.Workflow {
	start, _, ok := unknowns.Window(ws, opts)
	if !ok {
		return nil
	}
	var first time.Time
	for _, w := range ws {
		if !w.Submitted.IsZero() && (first.IsZero() || w.Submitted.Before(first)) {
			first = w.Submitted
		}
	}
	runs, err := j.db.Runs(j.a.ctx, earlierRuns)
	if err != nil {
		return nil
	}
	var out []*state.Workflow
	for _, r := range runs {
		if r.ID == j.run.ID || r.Account != j.run.Account || r.Updated.Before(start) {
			continue
		}
		theirs, err := j.db.Workflows(j.a.ctx, r.ID)
		if err != nil {
			return nil
		}
		var keep []*state.Workflow
		for _, w := range theirs {
			if !w.Submitted.Before(first) && (w.WorkflowID != "" || w.State == state.Unknown) {
				keep = nil // it overlaps this run
				break
			}
			if w.Updated.After(start) || !w.State.Terminal() {
				keep = append(keep, w)
			}
		}
		out = append(out, keep...)
	}
	return out
}

// writeResults writes res to path ("-" = standard output), through a
// temporary file so a reader never sees half a file.
func writeResults(a *app, res *results.Results, path, format string) error {
	f, err := results.FormatFor(path, format)
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	w, err := results.NewWriter(f)
	if err != nil {
		return err
	}
	if path == "-" {
		return w.WriteResults(a.stdout, res)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := w.WriteResults(tmp, res); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the results: %w", err)
	}
	if err := tmp.Chmod(resultFileMode); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the results: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the results: %w", err)
	}
	return nil
}

// termWidth returns a function giving the width of the terminal w is.
func termWidth(w io.Writer) func() int {
	f, ok := w.(*os.File)
	return func() int {
		if ok {
			if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
				return cols
			}
		}
		return 80
	}
}

// hideTokens keeps the credentials out of a workflow's env context, so no
// expression can put them into a payload, the state store or a result.
func hideTokens(getenv func(string) string) func(string) string {
	return func(k string) string {
		switch strings.ToUpper(k) {
		case linkedapi.EnvLinkedAPIToken, linkedapi.EnvIdentificationToken:
			return ""
		}
		return getenv(k)
	}
}
