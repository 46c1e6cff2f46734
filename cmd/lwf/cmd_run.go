package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/stores"
)

func newRunCmd(a *app) *cobra.Command {
	var (
		in        inputFlags
		conn      connFlags
		st        stateFlags
		drive     driveFlags
		detach    bool
		enqueue   bool
		fresh     bool
		sandboxed bool
		speed     time.Duration
		chunkSize int
		camp      campaignFlags
		seq       seqFlags
	)
	cmd := &cobra.Command{
		Use:               "run FILE",
		ValidArgsFunction: completeWorkflowArg,
		Short:             "Submit a workflow file to Linked API and track it to the end",
		Long: `Compile FILE, submit its workflows to Linked API and track them until every
one has ended, then report every action error and write the results.

A run is identified by its payloads and the account: running the same file with
the same inputs again re-attaches to the existing run instead of sending anything
twice (use --new to start over on purpose). The run's state lives in .lwf/, so
Ctrl-C, --timeout or a crash lose nothing: lwf wait RUN resumes tracking. A
submission whose outcome could not be known is never sent again unless you pass
--resubmit-unknown.

Before sending, run makes lwf plan's checks: actions that would reach someone
the contact ledger says the same action reached before, or whom a --suppress
list names, are left out; a plan that would exceed a limit (the file's, the
profile's or the defaults, counting what the account sent the same day, week
and month) is refused: --fit sends what fits now and leaves the rest for a later
run (the ledger keeps anyone from being reached twice), --ignore-limits sends
everything anyway.

Credentials come from LINKED_API_TOKEN and IDENTIFICATION_TOKEN, or --profile.
--sandbox runs against a local emulator instead, with no account: its runs are
kept in .lwf/sandbox (or --state DIR), apart from the account's, and their
results are written there too, so lwf result works afterwards with
--state .lwf/sandbox. Each --sandbox run starts a new emulator, and all are one
account: running the same file again re-attaches to its run, and the ledger
and limits carry over.

Exit codes: 0 every workflow completed without action errors; 1 the file has
problems, the plan exceeds a limit, a workflow failed, was refused or has an
unknown submission, or actions failed (unless --allow-action-errors); 2 usage
errors, a missing or unreadable input, credential or account errors; 3 timed
out, interrupted or detached: resumable with lwf wait (lwf help exit-codes).`,
		Example: `  lwf run --sandbox examples/ai-startups.yaml
  lwf run campaign.yaml --input note="Hi" -o results.csv
  lwf run campaign.yaml --detach
  lwf run campaign.yaml --timeout 30m --json-events > events.jsonl`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			terminal, width := isTerminal(a.stderr), termWidth(a.stderr)
			a.stderr = syncWriter(a.stderr)
			opts := in.options(a)
			opts.Getenv = hideTokens(a.getenv)
			opts.ChunkSize = chunkSize
			if !sandboxed {
				opts.Account = conn.accountType(a)
			}
			plan, ds := compiler.CompileFile(a.ctx, args[0], opts)
			if plan == nil || ds.HasErrors() {
				a.printDiags(ds)
				a.code = max(diagExit(ds), exitFindings)
				return nil
			}
			if len(ds) > 0 {
				a.printDiags(ds)
			}
			if enqueue && (sandboxed || detach || seq.follow) {
				return usageErr("--enqueue leaves the work to lwf worker: not with --sandbox, --detach or --follow")
			}
			if plan.Sequence != nil {
				if detach || fresh {
					return usageErr("--detach and --new are for one-shot runs; a sequence is worked tick by tick (--follow keeps ticking)")
				}
				j := &seqJob{a: a, file: args[0], opts: opts, plan: plan, flags: &seq, drive: &drive, chunkSize: chunkSize, enqueue: enqueue}
				err := runSequence(j, sandboxed, &conn, &st, &camp)
				if errors.Is(err, errStopped) {
					return nil
				}
				return err
			}
			if len(seq.senders) > 0 {
				if sandboxed || detach {
					return usageErr("--sender splits a campaign over accounts of the config file: not with --sandbox or --detach")
				}
				return runCampaignTeam(a, args[0], plan, &seq, &drive, &conn, &st, &camp, chunkSize, enqueue)
			}
			if seq.follow {
				return usageErr("--follow ticks a sequence; %s has none (lwf wait RUN follows a run)", args[0])
			}
			job := &driveJob{a: a, flags: &drive, detach: detach, terminal: terminal, width: width}
			var acct profile.Profile
			if sandboxed {
				if detach {
					return usageErr("--detach leaves the workflows to run on their own, but the sandbox stops with lwf: run without --detach, or against lwf sandbox serve")
				}
				stop, c, err := startSandbox(a, speed)
				if err != nil {
					return err
				}
				defer stop()
				acct, st.dir = profile.Profile{Credentials: c}, sandboxStateDir(a, &st)
				conn.endpoint = c.Endpoint
				job.sandboxState = st.dir
				if drive.pollStart == 0 {
					drive.pollStart, drive.pollMax = sandboxPollStart, max(drive.pollMax, sandboxPollMax)
				}
			} else {
				p, err := conn.account(a)
				if err != nil {
					return err
				}
				acct = p
			}
			client, err := conn.client(a, acct.Credentials)
			if err != nil {
				return err
			}
			db, err := st.open(a)
			if err != nil {
				return err
			}
			defer db.Close()
			prep, check, err := prepareRun(a, &camp, db, acct, args[0], planCommand(cmd, args[0]), opts, plan, fresh, drive.quiet || drive.jsonEvents)
			if prep == nil || err != nil {
				return err
			}
			plan = prep.Plan
			run, err := attachRun(a, db, prep, check.Now, args[0], acct.Credentials, client.BaseURL(), &in, chunkSize, fresh, drive.quiet || drive.jsonEvents)
			if err != nil {
				return err
			}
			if enqueue {
				if len(plan.Loops) > 0 {
					return usageErr("%s runs in stages (its loops name their items): lwf run drives it itself; --enqueue is for plans sent whole", args[0])
				}
				fmt.Fprintln(a.stdout, run.ID)
				fmt.Fprintf(a.stderr, "run %s queued: lwf worker sends and tracks it (lwf status %s follows it)\n", run.ID, run.ID)
				return nil
			}
			job.db, job.run, job.api, job.clock, job.runClock = db, run, client, conn.clock, camp.runClock()
			job.shape = planShaper(plan)
			if len(plan.Loops) > 0 {
				job.expand = (&campaign.Stager{Plan: plan, Store: db, RunID: run.ID, Check: check, ChunkSize: chunkSize}).Expand
			}
			if !sandboxed {
				job.resume = "lwf wait " + run.ID + stateArg(&st)
			}
			return job.execute()
		},
	}
	in.register(cmd)
	conn.register(cmd)
	st.register(cmd)
	drive.register(cmd)
	camp.register(cmd)
	seq.register(cmd)
	fl := cmd.Flags()
	fl.BoolVar(&detach, "detach", false, "submit every workflow, print the run id and exit 3 without tracking")
	fl.BoolVar(&enqueue, "enqueue", false, "record the run (or register the sequence) and leave the sending to lwf worker")
	fl.BoolVar(&fresh, "new", false, "start a new run even if this file with these inputs already ran for this account")
	fl.BoolVar(&sandboxed, "sandbox", false, "run against a local Linked API emulator (no account needed)")
	fl.DurationVar(&speed, "sandbox-speed", sandboxSpeed, "with --sandbox: how long each action takes")
	fl.IntVar(&chunkSize, "chunk-size", compiler.DefaultChunkSize, "most root actions per workflow")
	return cmd
}

// stateArg repeats a non-default --state in resume commands; a URL
// without its password, which PGPASSWORD or ~/.pgpass then gives.
func stateArg(st *stateFlags) string {
	if st.dir == "" {
		return ""
	}
	return " --state " + shellQuote(stores.Redact(st.dir))
}

// attachRun finds the run of these payloads for this account, or creates
// it, and says which.
func attachRun(a *app, db state.Store, prep *campaign.Prepared, created time.Time, arg string, creds linkedapi.Credentials, endpoint string, in *inputFlags, chunkSize int, fresh, quiet bool) (*state.Run, error) {
	account, plan := creds.Account(), prep.Plan
	file := arg // a standard workflow's name stays a name
	if _, err := os.Stat(arg); err == nil {
		file, _ = filepath.Abs(arg)
	}
	cwd, _ := os.Getwd()
	meta := campaign.RunMeta{File: file, Dir: cwd, Inputs: in.inputs, InputsFile: in.inputsFile, ChunkSize: chunkSize, MaxBytes: in.maxBytes, Env: in.env, Variants: plan.Variants, LoopsDigest: plan.LoopsDigest, Loops: loopNames(plan.Loops)}
	run, isNew, err := db.Attach(a.ctx, state.Run{Key: prep.Key, Name: plan.Name, File: plan.File, Account: account, Endpoint: endpoint, Created: created, Meta: meta.Encode(), Points: statePoints(plan.Points)}, plan.Payloads, fresh)
	if err != nil {
		return nil, err
	}
	if quiet {
		return run, nil
	}
	if isNew {
		fmt.Fprintf(a.stderr, "run %s: %s, %s\n", run.ID, plan.File, results.Plural(len(plan.Payloads), "workflow"))
		return run, nil
	}
	c, _, err := db.Counts(a.ctx, run.ID)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(a.stderr, "re-attaching to run %s (started %s; %d of %d workflows finished); --new starts over\n",
		run.ID, run.Created.Format("2006-01-02 15:04"), c.Finished, c.Total)
	return run, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// planShaper applies the plan's output: expressions to completions.
func planShaper(plan *compiler.Plan) func(*state.Workflow) (json.RawMessage, error) {
	has := false
	for _, o := range plan.Outputs {
		has = has || o != nil
	}
	if !has {
		return nil
	}
	return func(w *state.Workflow) (json.RawMessage, error) {
		if w.Index >= len(plan.Outputs) || plan.Outputs[w.Index] == nil {
			return nil, nil
		}
		var v any
		if err := json.Unmarshal(w.Completion, &v); err != nil {
			return nil, err
		}
		out, err := plan.Outputs[w.Index].Apply(v)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(out); err != nil {
			return nil, err
		}
		return bytes.TrimSpace(buf.Bytes()), nil
	}
}

// recompile compiles a run's file again as it was run, to recover its
// output: expressions; nil when the file is gone, or changed so that its
// payloads differ.
func recompile(ctx context.Context, a *app, run *state.Run, ws []*state.Workflow) *compiler.Plan {
	m, err := campaign.ParseMeta(run.Meta)
	if err != nil || m.File == "" {
		return nil
	}
	if cwd, _ := os.Getwd(); cwd != m.Dir {
		return nil // relative input paths would not resolve the same
	}
	in := inputFlags{inputs: m.Inputs, inputsFile: m.InputsFile, maxBytes: m.MaxBytes, env: m.Env}
	opts := in.options(a)
	opts.Getenv = hideTokens(a.getenv)
	opts.ChunkSize = m.ChunkSize
	plan, ds := compiler.CompileFile(ctx, m.File, opts)
	var first []*state.Workflow // the file's own workflows; later stages were rendered
	for _, w := range ws {
		if w.Stage <= 1 {
			first = append(first, w)
		}
	}
	ws = first
	if plan == nil || ds.HasErrors() || len(plan.Payloads) != len(ws) || plan.LoopsDigest != m.LoopsDigest {
		return nil
	}
	for i, p := range plan.Payloads {
		a, _ := state.RunKey("", []json.RawMessage{p})
		b, _ := state.RunKey("", []json.RawMessage{ws[i].Payload})
		if a != b {
			return nil
		}
	}
	return plan
}

// statePoints converts the plan's points for the store.
func statePoints(pp [][]compiler.Point) [][]state.Point {
	out := make([][]state.Point, len(pp))
	for i, ps := range pp {
		for _, p := range ps {
			out[i] = append(out[i], state.Point{Pointer: p.Pointer, Loop: p.Loop, Instance: p.Instance, Item: p.Item})
		}
	}
	return out
}

// loopNames are the item names of a plan's named loops, by id.
func loopNames(ls []compiler.Loop) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.As)
	}
	return out
}

// runResults gathers what the result writers need of a run: its
// workflows and, for a staged run, its items and the names of its loops.
func runResults(a *app, db state.Store, run *state.Run, ws []*state.Workflow) (*results.Results, error) {
	res := &results.Results{Run: run, Workflows: ws}
	if !staged(ws) {
		return res, nil
	}
	items, err := db.Items(a.ctx, run.ID)
	if err != nil {
		return nil, err
	}
	m, err := campaign.ParseMeta(run.Meta)
	if err != nil {
		return nil, err
	}
	res.Items, res.Loops = items, m.Loops
	return res, nil
}
