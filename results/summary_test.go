package results

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

func TestWriteSummary(t *testing.T) {
	ws := []*state.Workflow{
		{Index: 0, State: state.Completed, WorkflowID: "wf-1", Payload: json.RawMessage(`[{},{}]`), Actions: 6, ActionErrors: 2},
		{Index: 1, State: state.Failed, WorkflowID: "wf-2", Payload: json.RawMessage(`[{}]`), Failure: &linkedapi.Failure{Reason: "linkedinAccountSignedOut", Message: "reconnect the account"}},
		{Index: 2, State: state.Rejected, Payload: json.RawMessage(`[{}]`), Error: "POST /workflows: invalidWorkflow (HTTP 400): bad"},
		{Index: 3, State: state.Unknown, Payload: json.RawMessage(`[{}]`), Error: "lwf stopped while sending this workflow, so whether Linked API received it is unknown"},
	}
	errs := []ActionError{
		{Workflow: 0, Path: []string{"[0]", "openPersonPage", "sendConnectionRequest"}, Type: "alreadyPending"},
		{Workflow: 0, Path: []string{"[1]", "openPersonPage"}, Type: "personNotFound"},
		{Workflow: 0, Path: []string{"[1]", "openPersonPage", "sendMessage"}, Type: "alreadyPending"},
	}
	var buf bytes.Buffer
	WriteSummary(&buf, Summary{Run: &state.Run{ID: "r-abc", Name: "demo"}, Workflows: ws, Errors: errs, ResubmitCommand: "lwf wait r-abc --resubmit-unknown", MaxErrors: 2})
	want := `run r-abc (demo): 4 workflows: 1 completed, 1 failed, 1 rejected, 1 unknown; 6 actions, 2 action errors
action errors (3: 2 alreadyPending, 1 personNotFound):
  [0] › openPersonPage › sendConnectionRequest: alreadyPending
  [1] › openPersonPage: personNotFound
  … and 1 more (all of them: lwf result r-abc --format json)
failed workflows:
  #2 wf-2: linkedinAccountSignedOut: reconnect the account
workflows Linked API refused (nothing ran):
  #3: POST /workflows: invalidWorkflow (HTTP 400): bad
unknown submissions (1): lwf does not know whether Linked API runs them, so it has not sent them again.
  #4: lwf stopped while sending this workflow, so whether Linked API received it is unknown
  Check the account's recent activity (lwf stats --since 1d, or the Linked API dashboard).
  If they did not run, send them again with: lwf wait r-abc --resubmit-unknown
`
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestProgressLines(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, ProgressLines, ProgressOptions{RunID: "r-abc"})
	counts := &state.Counts{Total: 2, ByState: map[state.State]int{state.Pending: 1, state.Planned: 1}}
	for _, ev := range []state.Event{
		{Kind: state.EventRunStart, RunID: "r-abc", Index: -1, Counts: counts},
		{Kind: state.EventSubmitting, RunID: "r-abc", Index: 0, Counts: counts},
		{Kind: state.EventSubmitted, RunID: "r-abc", Index: 0, WorkflowID: "wf-1", PendingReason: linkedapi.PendingOutsideWorkingHours, Message: "starts Mon 09:00", Counts: counts},
		{Kind: state.EventFinished, RunID: "r-abc", Index: 1, WorkflowID: "wf-2", State: state.Failed, Error: "linkedinAccountSignedOut", Counts: counts},
	} {
		p.Event(ev)
	}
	p.Close()
	want := `00:00:00 r-abc tracking 2 workflows: 1 planned, 1 pending
00:00:00 r-abc workflow 1/2 (wf-1) submitted (outsideWorkingHours: starts Mon 09:00)
00:00:00 r-abc workflow 2/2 (wf-2) failed: linkedinAccountSignedOut
`
	got := buf.String()
	if len(got) > 0 {
		got = normalizeTimes(got)
	}
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// normalizeTimes replaces each line's clock with 00:00:00.
func normalizeTimes(s string) string {
	var b bytes.Buffer
	for _, l := range bytes.SplitAfter([]byte(s), []byte("\n")) {
		if len(l) > 8 {
			b.WriteString("00:00:00")
			b.Write(l[8:])
		}
	}
	return b.String()
}

func TestProgressLiveView(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, ProgressLive, ProgressOptions{RunID: "r-abc", Name: "demo", Width: func() int { return 60 }})
	p.Event(state.Event{Kind: state.EventStatus, RunID: "r-abc", Index: 1, PendingReason: linkedapi.PendingOutsideWorkingHours, Message: "This workflow is scheduled and will start when the account working hours open",
		Counts: &state.Counts{Total: 3, Finished: 1, Actions: 5, Errors: 1, ByState: map[state.State]int{state.Completed: 1, state.Pending: 2}}})
	p.mu.Lock()
	got := p.view()
	p.mu.Unlock()
	p.Close()
	got[0] = "HEAD"
	want := []string{
		"HEAD",
		"  workflows  1/3 finished · 2 pending, 1 completed",
		"  actions    5 done · 1 errors",
		"  #2         waiting for working hours: This workflow is scheduled and will start when the account working hours open",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("view = %q\nwant   %q", got, want)
	}
	if !bytes.Contains(buf.Bytes(), []byte("\x1b[2K")) {
		t.Error("the live view did not redraw in place")
	}
}

func TestWriteSummaryWithVerdicts(t *testing.T) {
	note := "the request may have reached Linked API: POST /workflows: HTTP 502"
	unknown := func(i int, v state.Verdict, evidence string) *state.Workflow {
		return &state.Workflow{Index: i, State: state.Unknown, Payload: json.RawMessage(`{}`), Error: state.WithVerdict(note, v, evidence)}
	}
	done := &state.Workflow{Index: 0, State: state.Completed, WorkflowID: "wf-1", Payload: json.RawMessage(`{}`), Actions: 1}
	ran := unknown(1, state.VerdictAccepted, "1 action matching its payload (checkConnectionStatus) ran at 10:02:30, between those of #1 and #4, sent before and after it")
	notRan := unknown(2, state.VerdictNotAccepted, "#4, sent after it, finished at 10:03:10, and nothing of its kinds (checkConnectionStatus) ran from its sending at 10:01:02 on that the run's completed workflows do not account for")
	queued := unknown(4, state.VerdictUnknown, "no workflow sent after it has finished, so it may still be waiting in the account's queue")
	after := &state.Workflow{Index: 3, State: state.Completed, WorkflowID: "wf-4", Payload: json.RawMessage(`{}`), Actions: 1}
	s := Summary{Run: &state.Run{ID: "r-abc", Name: "demo"}, ResubmitCommand: "lwf wait r-abc --resubmit-unknown", RecheckCommand: "lwf wait r-abc"}
	tests := []struct {
		name string
		ws   []*state.Workflow
		want string
	}{{
		name: "mixed",
		ws:   []*state.Workflow{done, ran, notRan, after, queued},
		want: `run r-abc (demo): 5 workflows: 2 completed, 3 unknown; 2 actions, 0 action errors
unknown submissions (3): lwf does not know whether Linked API runs them, so it has not sent them again.
  #2: the request may have reached Linked API: POST /workflows: HTTP 502
      almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:02:30, between those of #1 and #4, sent before and after it
  #3: the request may have reached Linked API: POST /workflows: HTTP 502
      not accepted: #4, sent after it, finished at 10:03:10, and nothing of its kinds (checkConnectionStatus) ran from its sending at 10:01:02 on that the run's completed workflows do not account for
  #5: the request may have reached Linked API: POST /workflows: HTTP 502
      still unknown: no workflow sent after it has finished, so it may still be waiting in the account's queue
  The account's activity says: 1 almost certainly accepted (#2); 1 not accepted (#3); 1 still unknown (#5). Nothing is sent again on its own.
  Check the ones still unknown in the account's recent activity (lwf stats --since 1d, or the Linked API dashboard), or judge them again later with: lwf wait r-abc.
  lwf wait r-abc --resubmit-unknown sends all 3 again: #2 almost certainly ran already and would run twice; judged not accepted: #3.
`,
	}, {
		name: "none ran",
		ws:   []*state.Workflow{done, notRan, after},
		want: `run r-abc (demo): 3 workflows: 2 completed, 1 unknown; 2 actions, 0 action errors
unknown submissions (1): lwf does not know whether Linked API runs them, so it has not sent them again.
  #3: the request may have reached Linked API: POST /workflows: HTTP 502
      not accepted: #4, sent after it, finished at 10:03:10, and nothing of its kinds (checkConnectionStatus) ran from its sending at 10:01:02 on that the run's completed workflows do not account for
  The account's activity says: 1 not accepted (#3). Nothing is sent again on its own.
  None of them ran: send them again with: lwf wait r-abc --resubmit-unknown
`,
	}, {
		name: "all ran",
		ws:   []*state.Workflow{done, ran, after},
		want: `run r-abc (demo): 3 workflows: 2 completed, 1 unknown; 2 actions, 0 action errors
unknown submissions (1): lwf does not know whether Linked API runs them, so it has not sent them again.
  #2: the request may have reached Linked API: POST /workflows: HTTP 502
      almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:02:30, between those of #1 and #4, sent before and after it
  The account's activity says: 1 almost certainly accepted (#2). Nothing is sent again on its own.
  Sending them again (lwf wait r-abc --resubmit-unknown) would run them twice.
`,
	}, {
		name: "activity unread",
		ws:   []*state.Workflow{done, {Index: 1, State: state.Unknown, Payload: json.RawMessage(`{}`), Error: note}},
		want: `run r-abc (demo): 2 workflows: 1 completed, 1 unknown; 1 actions, 0 action errors
unknown submissions (1): lwf does not know whether Linked API runs them, so it has not sent them again.
  #2: the request may have reached Linked API: POST /workflows: HTTP 502
  lwf could not judge them from the account's activity: GET /stats/actions: HTTP 502
  Check the account's recent activity (lwf stats --since 1d, or the Linked API dashboard).
  If they did not run, send them again with: lwf wait r-abc --resubmit-unknown
`,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := s
			s.Workflows = tc.ws
			if tc.name == "activity unread" {
				s.ActivityError = "GET /stats/actions: HTTP 502"
			}
			var buf bytes.Buffer
			WriteSummary(&buf, s)
			if buf.String() != tc.want {
				t.Errorf("got\n%s\nwant\n%s", buf.String(), tc.want)
			}
		})
	}
}
