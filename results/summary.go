package results

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/runner/state"
)

// Summary is what a run's final report shows.
type Summary struct {
	Run       *state.Run
	Workflows []*state.Workflow // completions not needed
	Errors    []ActionError     // from Results.ActionErrors
	// ResubmitCommand is the command that sends unknown submissions
	// again, shown with them.
	ResubmitCommand string
	// RecheckCommand judges unknown submissions again from the account's
	// activity (lwf wait RUN), shown when some are still unknown.
	RecheckCommand string
	// ActivityError says why the account's activity could not be read to
	// judge the unknown submissions.
	ActivityError string
	// ResultCommand is the command that shows every action error, when
	// there are more than MaxErrors.
	ResultCommand string
	// MaxErrors bounds the action errors listed (0 means 20).
	MaxErrors int
}

// WriteSummary writes the final report: counts, every action error with
// its path (up to MaxErrors), failed and rejected workflows, and unknown
// submissions with what to do about them.
func WriteSummary(w io.Writer, s Summary) {
	c := state.CountStates(s.Workflows)
	for _, wf := range s.Workflows {
		c.Actions += wf.Actions
		c.Errors += wf.ActionErrors
	}
	name := ""
	if s.Run != nil {
		name = "run " + s.Run.ID
		if s.Run.Name != "" {
			name += " (" + s.Run.Name + ")"
		}
		name += ": "
	}
	fmt.Fprintf(w, "%s%s: %s\n", name, Plural(c.Total, "workflow"), countsText(c))
	if len(s.Errors) > 0 {
		fmt.Fprintf(w, "action errors (%s):\n", errorTally(s.Errors))
		limit := s.MaxErrors
		if limit <= 0 {
			limit = 20
		}
		for i, e := range s.Errors {
			if i == limit {
				cmd := s.ResultCommand
				if cmd == "" {
					cmd = "lwf result " + runID(s.Run) + " --format json"
				}
				fmt.Fprintf(w, "  … and %d more (all of them: %s)\n", len(s.Errors)-limit, cmd)
				break
			}
			prefix := ""
			if multiObject(s.Workflows) {
				prefix = fmt.Sprintf("#%d › ", e.Workflow+1)
			}
			fmt.Fprintf(w, "  %s%s\n", prefix, e)
		}
	}
	listState(w, s.Workflows, state.Failed, "failed workflows", func(wf *state.Workflow) string {
		if wf.Failure == nil {
			return "no reason given"
		}
		return strings.TrimSuffix(wf.Failure.Reason+": "+wf.Failure.Message, ": ")
	})
	listState(w, s.Workflows, state.Rejected, "workflows Linked API refused (nothing ran)", func(wf *state.Workflow) string { return wf.Error })
	if c.ByState[state.Unknown] > 0 {
		writeUnknown(w, s)
	}
}

// Plural is "1 workflow", "2 workflows".
func Plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func runID(r *state.Run) string {
	if r == nil {
		return "ID"
	}
	return r.ID
}

// multiObject reports whether a run has several workflows whose error
// paths do not number their items (not root arrays), so paths need the
// workflow number.
func multiObject(ws []*state.Workflow) bool {
	if len(ws) < 2 {
		return false
	}
	for _, w := range ws {
		if RootItems(w.Payload) > 0 {
			return false
		}
	}
	return true
}

func listState(w io.Writer, ws []*state.Workflow, st state.State, title string, detail func(*state.Workflow) string) {
	var lines []string
	for _, wf := range ws {
		if wf.State == st {
			id := ""
			if wf.WorkflowID != "" {
				id = " " + wf.WorkflowID
			}
			lines = append(lines, fmt.Sprintf("  #%d%s: %s", wf.Index+1, id, detail(wf)))
		}
	}
	if len(lines) > 0 {
		fmt.Fprintf(w, "%s:\n%s\n", title, strings.Join(lines, "\n"))
	}
}

// errorTally is "3: 2 alreadyPending, 1 retrievingNotAllowed", most
// frequent first.
func errorTally(errs []ActionError) string {
	n := map[string]int{}
	for _, e := range errs {
		n[e.Type]++
	}
	types := make([]string, 0, len(n))
	for t := range n {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		if n[types[i]] != n[types[j]] {
			return n[types[i]] > n[types[j]]
		}
		return types[i] < types[j]
	})
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = fmt.Sprintf("%d %s", n[t], t)
	}
	return fmt.Sprintf("%d: %s", len(errs), strings.Join(parts, ", "))
}

// WriteTable writes rows in columns two spaces apart, indented by two;
// right[i] aligns column i to the right (right may be nil or short).
func WriteTable(b *strings.Builder, rows [][]string, right []bool) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range rows {
		line := " "
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			switch {
			case i < len(right) && right[i]:
				line += " " + pad + c
			case i == len(row)-1:
				line += " " + c
			default:
				line += " " + c + pad
			}
			line += " "
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}
