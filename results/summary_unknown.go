package results

import (
	"fmt"
	"io"
	"strings"

	"github.com/lwf-dev/lwf/runner/state"
)

// writeUnknown lists the unknown submissions with their verdicts, if the
// account's activity gave them, and says what --resubmit-unknown would
// send.
func writeUnknown(w io.Writer, s Summary) {
	by := map[state.Verdict][]string{}
	var all []string
	for _, wf := range s.Workflows {
		if wf.State == state.Unknown {
			_, v, _ := state.SplitVerdict(wf.Error)
			n := fmt.Sprintf("#%d", wf.Index+1)
			by[v] = append(by[v], n)
			all = append(all, n)
		}
	}
	fmt.Fprintf(w, "unknown submissions (%d): lwf does not know whether Linked API runs them, so it has not sent them again.\n", len(all))
	for _, wf := range s.Workflows {
		if wf.State != state.Unknown {
			continue
		}
		reason, v, ev := state.SplitVerdict(wf.Error)
		fmt.Fprintf(w, "  #%d: %s\n", wf.Index+1, reason)
		if v != "" {
			fmt.Fprintf(w, "      %s: %s\n", v, ev)
		}
	}
	if s.ActivityError != "" {
		fmt.Fprintf(w, "  lwf could not judge them from the account's activity: %s\n", s.ActivityError)
	}
	if len(by[""]) == len(all) {
		fmt.Fprintln(w, "  Check the account's recent activity (lwf stats --since 1d, or the Linked API dashboard).")
		if s.ResubmitCommand != "" {
			fmt.Fprintf(w, "  If they did not run, send them again with: %s\n", s.ResubmitCommand)
		}
		return
	}
	var tally []string
	for _, v := range []state.Verdict{state.VerdictAccepted, state.VerdictNotAccepted, state.VerdictUnknown} {
		if ns := by[v]; len(ns) > 0 {
			tally = append(tally, fmt.Sprintf("%d %s (%s)", len(ns), v, strings.Join(ns, ", ")))
		}
	}
	fmt.Fprintf(w, "  The account's activity says: %s. Nothing is sent again on its own.\n", strings.Join(tally, "; "))
	if still := len(by[state.VerdictUnknown]) + len(by[""]); still > 0 {
		line := "  Check the ones still unknown in the account's recent activity (lwf stats --since 1d, or the Linked API dashboard)"
		if s.RecheckCommand != "" {
			line += ", or judge them again later with: " + s.RecheckCommand
		}
		fmt.Fprintln(w, line+".")
	}
	if s.ResubmitCommand == "" {
		return
	}
	ran, notRan := by[state.VerdictAccepted], by[state.VerdictNotAccepted]
	switch {
	case len(notRan) == len(all):
		fmt.Fprintf(w, "  None of them ran: send them again with: %s\n", s.ResubmitCommand)
	case len(ran) == len(all):
		fmt.Fprintf(w, "  Sending them again (%s) would run them twice.\n", s.ResubmitCommand)
	case len(ran) > 0:
		line := fmt.Sprintf("  %s sends all %d again: %s almost certainly ran already and would run twice", s.ResubmitCommand, len(all), joinAnd(ran))
		if len(notRan) > 0 {
			line += "; judged not accepted: " + joinAnd(notRan)
		}
		fmt.Fprintln(w, line+".")
	case len(notRan) > 0:
		fmt.Fprintf(w, "  If those still unknown did not run either, send them all again with: %s\n", s.ResubmitCommand)
	default:
		fmt.Fprintf(w, "  If they did not run, send them again with: %s\n", s.ResubmitCommand)
	}
}

// joinAnd is "#1", "#1 and #2", "#1, #2 and #3".
func joinAnd(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}
