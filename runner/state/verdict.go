package state

import (
	"fmt"
	"strings"
)

// Verdict is what the account's activity says of an unknown submission.
// It never changes the workflow's state: an unknown submission stays
// unknown, and only --resubmit-unknown sends it again.
type Verdict string

// The verdicts.
const (
	// VerdictAccepted: actions matching the payload ran where the
	// workflow would have run, and nothing else of their kinds ran that
	// the run does not account for. Sending it again would run it twice.
	VerdictAccepted Verdict = "almost certainly accepted"
	// VerdictNotAccepted: a workflow sent after it has finished (the
	// account runs its workflows one after another, in the order Linked
	// API accepted them), and nothing of its kinds ran since it was sent
	// that the run's known workflows do not account for.
	VerdictNotAccepted Verdict = "not accepted"
	// VerdictUnknown: the activity cannot tell; the evidence says why.
	VerdictUnknown Verdict = "still unknown"
)

// AcceptedNote begins the note of a submission Linked API answered with
// a 2xx whose body could not be read: it was accepted, only its id is
// unknown.
const AcceptedNote = "Linked API accepted it"

// verdictMark separates an unknown submission's note (Workflow.Error)
// from the verdict stored after it.
const verdictMark = "\nactivity check: "

// WithVerdict returns an unknown submission's note with v and its
// evidence in place of any verdict it held.
func WithVerdict(note string, v Verdict, evidence string) string {
	reason, _, _ := SplitVerdict(note)
	return reason + verdictMark + string(v) + ": " + evidence
}

// SplitVerdict parses a note written by WithVerdict: the reason the
// submission is unknown, and its verdict and evidence ("" when it has
// none).
func SplitVerdict(note string) (reason string, v Verdict, evidence string) {
	reason, rest, ok := strings.Cut(note, verdictMark)
	if !ok {
		return note, "", ""
	}
	for _, k := range []Verdict{VerdictAccepted, VerdictNotAccepted, VerdictUnknown} {
		if e, ok := strings.CutPrefix(rest, string(k)+": "); ok {
			return reason, k, e
		}
	}
	return reason, VerdictUnknown, rest
}

// Note is the one-line detail of a workflow's state, as lwf status and the
// dashboard show it: its failure, its unknown submission's verdict (which
// says more than why it is unknown), its actions, or why it is pending.
func (wf *Workflow) Note() string {
	switch {
	case wf.Failure != nil:
		return strings.TrimSuffix(wf.Failure.Reason+": "+wf.Failure.Message, ": ")
	case wf.Error != "":
		reason, v, ev := SplitVerdict(wf.Error)
		if v != "" {
			return string(v) + ": " + ev
		}
		return reason
	case wf.State == Completed && wf.ActionErrors > 0:
		return fmt.Sprintf("%d actions, %d failed", wf.Actions, wf.ActionErrors)
	case wf.State == Completed:
		return fmt.Sprintf("%d actions", wf.Actions)
	case wf.PendingReason != "" && wf.Message != "":
		return wf.PendingReason + ": " + wf.Message
	case wf.PendingReason != "":
		return wf.PendingReason
	}
	return wf.Message
}
