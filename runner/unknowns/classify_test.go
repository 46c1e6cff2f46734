package unknowns

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

// base is the start of every synthetic run: second s of a test is
// base+s.
var base = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func at(s int) time.Time { return base.Add(time.Duration(s) * time.Second) }

// Action types of the synthetic runs.
const (
	check   = "st.checkConnectionStatus"
	request = "st.sendConnectionRequest"
	open    = "st.openPersonPage"
	message = "st.sendMessage"
	search  = "st.searchCompanies"
)

func payload(kind string, i int) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"actionType":%q,"personUrl":"https://www.linkedin.com/in/p%d"}`, kind, i))
}

// completed is workflow #i+1, one action of kind: sent at second sent,
// found unfinished at unfinished (0: never) and finished when polled at
// seen.
func completed(i int, kind string, sent, unfinished, seen int) *state.Workflow {
	w := &state.Workflow{Index: i, State: state.Completed, WorkflowID: fmt.Sprintf("wf-%d", i), Payload: payload(kind, i),
		Completion: json.RawMessage(fmt.Sprintf(`{"actionType":%q,"success":true,"data":{"status":"notConnected"}}`, kind)),
		Submitted:  at(sent), Updated: at(seen)}
	if unfinished > 0 {
		w.Unfinished = at(unfinished)
	}
	return w
}

// unknown is workflow #i+1, sent at second sent with an unknown outcome.
func unknown(i int, kind string, sent int) *state.Workflow {
	return &state.Workflow{Index: i, State: state.Unknown, Payload: payload(kind, i), Submitted: at(sent),
		Error: "the request may have reached Linked API: POST /workflows: HTTP 502"}
}

// activity is the account's activity: kind@second pairs.
func activity(pairs ...any) []linkedapi.ActionStat {
	var out []linkedapi.ActionStat
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, linkedapi.ActionStat{ActionType: pairs[i].(string), Success: true, Time: at(pairs[i+1].(int)).Format(time.RFC3339)})
	}
	return out
}

func TestClassify(t *testing.T) {
	messageAfterOpen := unknown(1, open, 1)
	messageAfterOpen.Payload = json.RawMessage(`{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/ada","then":[{"actionType":"st.sendMessage","text":"Hello"}]}`)
	answered := unknown(1, check, 1)
	answered.Error = state.AcceptedNote + " (HTTP 200) but its answer was unreadable"
	companies := unknown(1, search, 1)
	companies.Payload = json.RawMessage(`{"actionType":"st.searchCompanies","term":"AI","then":{"actionType":"st.doForCompanies","then":{"actionType":"st.openCompanyPage"}}}`)
	oldLWF := unknown(1, check, 1)
	oldLWF.Submitted = time.Time{}
	failed := &state.Workflow{Index: 2, State: state.Failed, WorkflowID: "wf-2", Payload: payload(check, 2), Submitted: at(2), Updated: at(70),
		Failure: &linkedapi.Failure{Reason: "linkedinAccountSignedOut"}}
	failedSearch := &state.Workflow{Index: 3, State: state.Failed, WorkflowID: "wf-3", Payload: payload(search, 3), Submitted: at(3), Updated: at(70)}

	// A run of the account sent just before, which the activity shows.
	var before []*state.Workflow
	for i := 0; i < 3; i++ {
		w := completed(i, check, -300+i, -200+20*i, -190+20*i)
		w.RunID, w.Actions = "r-before", 1
		before = append(before, w)
	}
	tests := []struct {
		name    string
		ws      []*state.Workflow
		earlier []*state.Workflow
		stats   []linkedapi.ActionStat
		want    []string // "#N verdict: evidence"
	}{{
		name:  "an action where it would have run",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62)},
		stats: activity(check, 30, check, 45, check, 60),
		want:  []string{"#2 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:00:45, between those of #1 and #3, sent before and after it"},
	}, {
		name:  "nothing where it would have run",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62)},
		stats: activity(check, 30, check, 60),
		want:  []string{"#2 not accepted: #3, sent after it, finished at 10:01:00, and nothing of its kinds (checkConnectionStatus) ran from its sending at 10:00:01 on that the run's completed workflows do not account for"},
	}, {
		name:  "other activity of other kinds interleaved",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62), unknown(3, check, 3), completed(4, check, 4, 85, 92)},
		stats: activity(search, 10, check, 30, search, 38, open, 40, check, 45, message, 50, check, 60, search, 70, check, 90, open, 95),
		want: []string{
			"#2 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:00:45, between those of #1 and #3, sent before and after it",
			"#4 not accepted: #5, sent after it, finished at 10:01:30, and nothing of its kinds (checkConnectionStatus) ran from its sending at 10:00:03 on that the run's completed workflows do not account for",
		},
	}, {
		name:  "other activity of the same kind elsewhere in the run",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62), completed(3, check, 3, 95, 102)},
		stats: activity(check, 30, check, 45, check, 60, check, 80, check, 100),
		want:  []string{"#2 still unknown: 1 action that could be its own (checkConnectionStatus) ran at 10:00:45, between those of #1 and #3, sent before and after it, but the account also ran 1 action of these kinds that no workflow of the run accounts for (at 10:01:20), so it may not be its own"},
	}, {
		name:  "other activity of the same kind just before the run",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62)},
		stats: activity(check, -300, check, 30, check, 45, check, 60),
		want:  []string{"#2 still unknown: 1 action that could be its own (checkConnectionStatus) ran at 10:00:45, between those of #1 and #3, sent before and after it, but the account also ran 1 action of these kinds that no workflow of the run accounts for (at 09:55:00), so it may not be its own"},
	}, {
		name:    "a run of the account just before this one",
		ws:      []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62)},
		earlier: before,
		stats:   activity(check, -195, check, -175, check, -155, check, 30, check, 45, check, 60),
		want:    []string{"#2 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:00:45, between those of #1 and #3, sent before and after it"},
	}, {
		name:    "a run of the account just before this one, whose unknown submission may be the first of this one",
		ws:      []*state.Workflow{unknown(0, check, 0), completed(1, check, 1, 55, 62)},
		earlier: append(before[:2:2], &state.Workflow{Index: 2, RunID: "r-before", State: state.Unknown, Payload: payload(check, 2), Submitted: at(-298)}),
		stats:   activity(check, -195, check, -175, check, 30, check, 60),
		want:    []string{"#1 still unknown: 1 action that could be its own (checkConnectionStatus) ran at 10:00:30, before those of #2, sent after it, but the activity fits as well without it: it may belong to #3 of run r-before (unknown)"},
	}, {
		name:  "other activity of another unknown submission's kind",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62), unknown(3, request, 3)},
		stats: activity(request, -300, check, 30, check, 45, check, 60),
		want: []string{
			"#2 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:00:45, between those of #1 and #3, sent before and after it",
			"#4 still unknown: no workflow sent after it has finished, so it may still be waiting in the account's queue",
		},
	}, {
		name:  "two unknown submissions, one action between their neighbours",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), unknown(2, check, 2), completed(3, check, 3, 55, 62)},
		stats: activity(check, 30, check, 45, check, 60),
		want: []string{
			"#2 still unknown: 1 action that could be its own (checkConnectionStatus) ran at 10:00:45, between those of #1 and #4, sent before and after it, but the activity fits as well without it: it may belong to #3 (unknown)",
			"#3 still unknown: 1 action that could be its own (checkConnectionStatus) ran at 10:00:45, between those of #1 and #4, sent before and after it, but the activity fits as well without it: it may belong to #2 (unknown)",
		},
	}, {
		name:  "two unknown submissions told apart by their kinds",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), unknown(2, request, 2), completed(3, check, 3, 55, 62)},
		stats: activity(check, 30, request, 45, check, 60),
		want: []string{
			"#2 not accepted: #4, sent after it, finished at 10:01:00, and nothing of its kinds (checkConnectionStatus) ran from its sending at 10:00:01 on that the run's completed workflows do not account for",
			"#3 almost certainly accepted: 1 action matching its payload (sendConnectionRequest) ran at 10:00:45, between those of #1 and #4, sent before and after it",
		},
	}, {
		name:  "two unknown submissions, both ran",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), unknown(2, check, 2), completed(3, check, 3, 70, 77)},
		stats: activity(check, 30, check, 45, check, 60, check, 75),
		want: []string{
			"#2 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:00:45, between those of #1 and #4, sent before and after it",
			"#3 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:01:00, between those of #1 and #4, sent before and after it",
		},
	}, {
		name:  "a failed workflow may account for the action",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), failed, completed(3, check, 3, 55, 62)},
		stats: activity(check, 30, check, 45, check, 60),
		want:  []string{"#2 still unknown: 1 action that could be its own (checkConnectionStatus) ran at 10:00:45, between those of #1 and #4, sent before and after it, but the activity fits as well without it: it may belong to #3 (failed)"},
	}, {
		name:  "a failed workflow of another kind changes nothing",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62), failedSearch},
		stats: activity(check, 30, check, 45, check, 60, search, 65),
		want:  []string{"#2 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:00:45, between those of #1 and #3, sent before and after it"},
	}, {
		name:  "the last workflow of the run",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1)},
		stats: activity(check, 30),
		want:  []string{"#2 still unknown: no workflow sent after it has finished, so it may still be waiting in the account's queue"},
	}, {
		name:  "the last workflow of the run, which ran",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1)},
		stats: activity(check, 30, check, 45),
		want:  []string{"#2 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:00:45, after those of #1, sent before it"},
	}, {
		name:  "the first workflow of the run",
		ws:    []*state.Workflow{unknown(0, check, 0), completed(1, check, 1, 55, 62)},
		stats: activity(check, 30, check, 60),
		want:  []string{"#1 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:00:30, before those of #2, sent after it"},
	}, {
		name: "known workflows placed by when they were last seen unfinished",
		// #3 was still running at 10:01:10, so its action is the one at
		// 10:01:15 and the one at 10:01:00 ran before it: #2's, not #4's.
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 70, 80), unknown(3, check, 3), completed(4, check, 4, 85, 92)},
		stats: activity(check, 30, check, 60, check, 75, check, 90),
		want: []string{
			"#2 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:01:00, between those of #1 and #3, sent before and after it",
			"#4 not accepted: #5, sent after it, finished at 10:01:30, and nothing of its kinds (checkConnectionStatus) ran from its sending at 10:00:03 on that the run's completed workflows do not account for",
		},
	}, {
		name:  "known workflows not seen unfinished",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 0, 80), unknown(3, check, 3), completed(4, check, 4, 85, 92)},
		stats: activity(check, 30, check, 60, check, 75, check, 90),
		want: []string{
			"#2 still unknown: 1 action that could be its own (checkConnectionStatus) ran at 10:01:00, between those of #1 and #3, sent before and after it, but the activity fits as well without it: the workflows sent around it may account for it",
			"#4 still unknown: 1 action that could be its own (checkConnectionStatus) ran at 10:01:15, between those of #3 and #5, sent before and after it, but the activity fits as well without it: the workflows sent around it may account for it",
		},
	}, {
		name:  "taken in by Linked API only after a later one",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62)},
		stats: activity(check, 30, check, 60, check, 75),
		want:  []string{"#2 still unknown: 1 action of its kinds ran since it was sent that the run's completed workflows may not account for (at 10:01:15), so it may have run"},
	}, {
		name:  "a payload whose actions fan out",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), companies, completed(2, check, 2, 55, 62)},
		stats: activity(check, 30, search, 38, "st.openCompanyPage", 40, "st.openCompanyPage", 42, check, 60),
		want:  []string{"#2 almost certainly accepted: 3 actions matching its payload (searchCompanies, openCompanyPage) ran between 10:00:38 and 10:00:42, between those of #1 and #3, sent before and after it"},
	}, {
		name:  "a payload of several actions",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), messageAfterOpen, completed(2, check, 2, 55, 62)},
		stats: activity(check, 30, open, 40, message, 45, check, 60),
		want:  []string{"#2 almost certainly accepted: 2 actions matching its payload (openPersonPage, sendMessage) ran between 10:00:40 and 10:00:45, between those of #1 and #3, sent before and after it"},
	}, {
		name:  "answered with success, unreadably",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), answered, completed(2, check, 2, 55, 62)},
		stats: activity(check, 30, check, 45, check, 60),
		want:  []string{"#2 almost certainly accepted: Linked API answered its POST with success; only the answer was unreadable; 1 action matching its payload (checkConnectionStatus) ran at 10:00:45, between those of #1 and #3, sent before and after it"},
	}, {
		name:  "activity that contradicts the completions",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62)},
		stats: activity(check, 30),
		want:  []string{"#2 still unknown: the account's activity does not match what lwf knows of the run's workflows (their completions and times), so it tells nothing"},
	}, {
		name:  "sent by an lwf that did not record when",
		ws:    []*state.Workflow{completed(0, check, 0, 20, 32), oldLWF, completed(2, check, 2, 55, 62)},
		stats: activity(check, 30, check, 60),
		want:  []string{"#2 still unknown: lwf did not record when it was sent (an earlier lwf sent it), so its place in the account's activity is unknown"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := render(Classify(tc.ws, tc.stats, Options{Now: at(600), Location: time.UTC, Earlier: tc.earlier}))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func render(vs []Verdict) []string {
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("#%d %s: %s", v.Index+1, v.Verdict, v.Evidence))
	}
	return out
}

func TestClassifyGivesUpPastItsBudget(t *testing.T) {
	ws := []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62)}
	got := render(Classify(ws, activity(check, 30, check, 45, check, 60), Options{Now: at(600), budget: 3}))
	want := "#2 still unknown: the account ran too many actions during the run to compare them all"
	if len(got) != 1 || got[0] != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// reader serves synthetic activity and records the periods asked for.
type reader struct {
	stats   []linkedapi.ActionStat
	periods [][2]time.Time
	fails   int // transient failures before it answers
	err     error
}

func (r *reader) ActionStats(_ context.Context, start, end time.Time) ([]linkedapi.ActionStat, error) {
	r.periods = append(r.periods, [2]time.Time{start, end})
	if r.fails > 0 {
		r.fails--
		return nil, &linkedapi.APIError{Method: "GET", Path: "/stats/actions", Status: 502, Type: linkedapi.ErrTypeHTTP}
	}
	if r.err != nil {
		return nil, r.err
	}
	var out []linkedapi.ActionStat
	for _, s := range r.stats {
		t, _ := time.Parse(time.RFC3339, s.Time)
		if !t.Before(start) && !t.After(end) {
			out = append(out, s)
		}
	}
	return out, nil
}

func TestCheckReadsTheRunsWindowOnce(t *testing.T) {
	ws := []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62), {Index: 3, State: state.Planned}}
	r := &reader{stats: activity(check, 30, check, 45, check, 60)}
	vs, err := Check(context.Background(), r, ws, Options{Now: at(600), Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.periods) != 1 || !r.periods[0][0].Equal(at(0).Add(-Lookback)) || !r.periods[0][1].Equal(at(605)) {
		t.Errorf("periods read: %v", r.periods)
	}
	if len(vs) != 1 || vs[0].Verdict != state.VerdictAccepted {
		t.Errorf("verdicts %+v", vs)
	}
	// A run of 40 days is read 30 days at a time.
	r.periods = nil
	if _, err := Check(context.Background(), r, ws, Options{Now: at(40 * 24 * 3600)}); err != nil || len(r.periods) != 2 {
		t.Errorf("periods read: %v (%v)", r.periods, err)
	}
	// No unknown submission, no request.
	r.periods = nil
	if vs, err := Check(context.Background(), r, ws[:1], Options{}); err != nil || vs != nil || len(r.periods) != 0 {
		t.Errorf("a run without unknown submissions: %v %v, %d requests", vs, err, len(r.periods))
	}
	// A transient failure is read again; seven are the limit.
	r.periods, r.fails = nil, attempts-1
	if vs, err := Check(context.Background(), r, ws, Options{Now: at(600), RetryDelay: time.Millisecond}); err != nil || len(vs) != 1 || len(r.periods) != attempts {
		t.Errorf("after %d failures: %v %v, %d requests", attempts-1, vs, err, len(r.periods))
	}
	r.periods, r.fails = nil, attempts
	if _, err := Check(context.Background(), r, ws, Options{Now: at(600), RetryDelay: time.Millisecond}); err == nil || len(r.periods) != attempts {
		t.Errorf("after %d failures: %v, %d requests", attempts, err, len(r.periods))
	}
	r.err = errors.New("boom")
	if _, err := Check(context.Background(), r, ws, Options{}); err == nil || err.Error() != "reading the account's activity: boom" {
		t.Errorf("err = %v", err)
	}
}

func TestVerdictNotes(t *testing.T) {
	note := state.WithVerdict("the request may have reached Linked API: boom", state.VerdictNotAccepted, "#3, sent after it, finished at 10:01:00")
	note = state.WithVerdict(note, state.VerdictAccepted, "1 action matching its payload ran at 10:00:45")
	reason, v, ev := state.SplitVerdict(note)
	if reason != "the request may have reached Linked API: boom" || v != state.VerdictAccepted || ev != "1 action matching its payload ran at 10:00:45" {
		t.Errorf("SplitVerdict(%q) = %q, %q, %q", note, reason, v, ev)
	}
	if reason, v, ev := state.SplitVerdict("plain"); reason != "plain" || v != "" || ev != "" {
		t.Errorf("a note without a verdict: %q %q %q", reason, v, ev)
	}
}

type saver struct{ saved []state.Event }

func (s *saver) Save(_ context.Context, w *state.Workflow, ev state.Event) error {
	s.saved = append(s.saved, ev)
	return nil
}

func TestRecordKeepsTheStateAndReplacesTheVerdict(t *testing.T) {
	ws := []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1)}
	s := &saver{}
	for _, v := range []Verdict{{1, state.VerdictUnknown, "no workflow sent after it has finished"}, {1, state.VerdictAccepted, "1 action ran"}} {
		if err := Record(context.Background(), s, ws, []Verdict{v}, at(600)); err != nil {
			t.Fatal(err)
		}
	}
	want := "the request may have reached Linked API: POST /workflows: HTTP 502\nactivity check: almost certainly accepted: 1 action ran"
	if w := ws[1]; w.State != state.Unknown || w.Error != want || len(s.saved) != 2 || s.saved[1].Kind != state.EventUnknown || s.saved[1].Error != want {
		t.Errorf("workflow %+v, events %+v", w, s.saved)
	}
	if err := Record(context.Background(), s, ws, []Verdict{{0, state.VerdictAccepted, "x"}}, at(600)); err == nil {
		t.Error("a verdict on a completed workflow was recorded")
	}
}
