package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

// newRun stores a run of n one-action workflows and returns its id.
func newRun(t *testing.T, st *MemoryStore, n int) string {
	t.Helper()
	var ps []json.RawMessage
	for i := 0; i < n; i++ {
		ps = append(ps, json.RawMessage(fmt.Sprintf(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/p%d"}`, i)))
	}
	if err := st.AddRun(state.Run{ID: "r-test"}, ps); err != nil {
		t.Fatal(err)
	}
	return "r-test"
}

func drive(t *testing.T, api API, st Store, mod ...func(*Config)) (Outcome, error) {
	t.Helper()
	cfg := Config{API: api, Store: st, Policy: fastPolicy(), Rand: rand.New(rand.NewPCG(1, 2))}
	for _, m := range mod {
		m(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return Drive(ctx, cfg, "r-test")
}

func states(t *testing.T, st *MemoryStore) []state.State {
	t.Helper()
	ws, _ := st.Workflows(context.Background(), "r-test")
	var out []state.State
	for _, w := range ws {
		out = append(out, w.State)
	}
	return out
}

func repeat(s state.State, n int) []state.State {
	var out []state.State
	for i := 0; i < n; i++ {
		out = append(out, s)
	}
	return out
}

func TestDriveCompletesEveryWorkflowOnce(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 20)
	var kinds []state.EventKind
	out, err := drive(t, api, st, func(c *Config) {
		c.Events = func(e state.Event) {
			if e.Index == 3 || e.Index == -1 {
				kinds = append(kinds, e.Kind)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := states(t, st); !reflect.DeepEqual(got, repeat(state.Completed, 20)) {
		t.Errorf("states = %v", got)
	}
	if api.starts != 20 || api.duplicates() != 0 || out.Counts.Actions != 20 || !out.Settled() {
		t.Errorf("starts %d duplicates %d actions %d settled %v", api.starts, api.duplicates(), out.Counts.Actions, out.Settled())
	}
	want := []state.EventKind{state.EventRunStart, state.EventSubmitting, state.EventSubmitted, state.EventStatus, state.EventFinished, state.EventRunEnd}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("events of workflow 3 = %v\nwant %v", kinds, want)
	}
	ws, _ := st.Workflows(context.Background(), "r-test")
	if string(ws[0].Completion) != `{"actionType":"st.checkConnectionStatus","success":true}` {
		t.Errorf("stored completion = %s", ws[0].Completion)
	}
	// Driving it again sends nothing.
	before := api.starts
	if _, err := drive(t, api, st); err != nil || api.starts != before {
		t.Errorf("second drive: err %v, new POSTs %d", err, api.starts-before)
	}
}

func TestDriveRetriesOnlyUnprocessedSubmissions(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 6)
	api.onStart = func(def string, attempt int) (error, bool) {
		switch {
		case strings.Contains(def, "/p0") && attempt == 0: // connection refused: nothing sent
			return &linkedapi.TransportError{Method: "POST", Path: "/workflows", Err: errors.New("connection refused")}, false
		case strings.Contains(def, "/p0") && attempt == 1: // rate limited
			return &linkedapi.APIError{Method: "POST", Path: "/workflows", Status: 429, Type: linkedapi.ErrTypeTooManyRequests, RetryAfter: time.Millisecond}, false
		case strings.Contains(def, "/p0") && attempt == 2: // unavailable
			return &linkedapi.APIError{Method: "POST", Path: "/workflows", Status: 503, Type: linkedapi.ErrTypeHTTP}, false
		case strings.Contains(def, "/p1") && attempt == 0: // the response was lost after the API accepted it
			return &linkedapi.TransportError{Method: "POST", Path: "/workflows", Sent: true, Err: errors.New("connection reset by peer")}, true
		case strings.Contains(def, "/p2") && attempt == 0: // a bad gateway: the API may have seen it
			return &linkedapi.APIError{Method: "POST", Path: "/workflows", Status: 502, Type: linkedapi.ErrTypeHTTP}, false
		}
		return nil, true
	}
	out, err := drive(t, api, st)
	if err != nil {
		t.Fatal(err)
	}
	want := []state.State{state.Completed, state.Unknown, state.Unknown, state.Completed, state.Completed, state.Completed}
	if got := states(t, st); !reflect.DeepEqual(got, want) {
		t.Errorf("states = %v\nwant     %v", got, want)
	}
	if api.duplicates() != 0 || out.Counts.ByState[state.Unknown] != 2 || !out.Settled() {
		t.Errorf("duplicates %d, counts %+v", api.duplicates(), out.Counts)
	}
	ws, _ := st.Workflows(context.Background(), "r-test")
	if want := "the request may have reached Linked API: POST /workflows: connection reset by peer"; ws[1].Error != want {
		t.Errorf("unknown note = %q\nwant %q", ws[1].Error, want)
	}
	// Unknown submissions stay unknown on the next drive …
	before := api.starts
	if _, err := drive(t, api, st); err != nil || api.starts != before {
		t.Fatalf("re-drive sent %d POSTs (err %v)", api.starts-before, err)
	}
	// … and are sent again only when asked, which here runs the one the
	// API had accepted twice: that is why it takes a person's decision.
	if _, err := drive(t, api, st, func(c *Config) { c.ResubmitUnknown = true }); err != nil {
		t.Fatal(err)
	}
	if got := states(t, st); !reflect.DeepEqual(got, repeat(state.Completed, 6)) || api.duplicates() != 1 {
		t.Errorf("after resubmitting: %v, duplicates %d", got, api.duplicates())
	}
}

func TestDriveMarksInterruptedSubmissionUnknown(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 2)
	ws, _ := st.Workflows(context.Background(), "r-test")
	ws[0].State = state.Submitting // a previous process died during the POST
	st.Save(context.Background(), ws[0], state.Event{RunID: "r-test"})
	out, err := drive(t, api, st)
	if err != nil {
		t.Fatal(err)
	}
	if got := states(t, st); !reflect.DeepEqual(got, []state.State{state.Unknown, state.Completed}) || api.starts != 1 {
		t.Errorf("states %v, POSTs %d", got, api.starts)
	}
	if out.Counts.ByState[state.Unknown] != 1 {
		t.Errorf("counts %+v", out.Counts)
	}
}

func TestDriveRejectedAndAuth(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 3)
	api.onStart = func(def string, attempt int) (error, bool) {
		if strings.Contains(def, "/p1") {
			return &linkedapi.APIError{Method: "POST", Path: "/workflows", Status: 400, Type: "invalidWorkflow", Message: "bad"}, false
		}
		return nil, true
	}
	api.onPoll = func(id string, n int) error {
		if id == "wf-2" {
			return &linkedapi.APIError{Method: "GET", Path: "/workflows/" + id, Status: 401, Type: "invalidLinkedApiToken"}
		}
		return nil
	}
	_, err := drive(t, api, st)
	if !linkedapi.IsAuth(err) {
		t.Fatalf("err = %v, want an auth error", err)
	}
	got := states(t, st)
	if got[1] != state.Rejected || got[2].Terminal() {
		t.Errorf("states = %v: want the second rejected, the third still open", got)
	}
}

func TestDriveTransientReadFailuresNeverAbort(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 4)
	api.onPoll = func(id string, n int) error {
		switch n % 4 {
		case 0:
			return &linkedapi.TransportError{Method: "GET", Path: "/workflows/" + id, Sent: true, Err: errors.New("reset")}
		case 1:
			return &linkedapi.ResponseError{Method: "GET", Path: "/workflows/" + id, Status: 200, Err: errors.New("unexpected EOF")}
		case 2:
			return &linkedapi.APIError{Method: "GET", Path: "/workflows/" + id, Status: 429, Type: linkedapi.ErrTypeTooManyRequests, RetryAfter: time.Hour}
		}
		return nil
	}
	retries := 0
	out, err := drive(t, api, st, func(c *Config) {
		c.Events = func(e state.Event) {
			if e.Kind == state.EventRetry {
				retries++
				if e.Delay > 5*time.Millisecond {
					t.Errorf("retry delay %v exceeds the Retry-After cap", e.Delay)
				}
			}
		}
	})
	if err != nil || !reflect.DeepEqual(states(t, st), repeat(state.Completed, 4)) || retries == 0 {
		t.Errorf("err %v states %v retries %d counts %+v", err, states(t, st), retries, out.Counts)
	}
}

func TestDriveStopsAndFinishesTheSubmissionInFlight(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 3)
	api.block = make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan Outcome)
	go func() {
		out, _ := Drive(ctx, Config{API: api, Store: st, Policy: fastPolicy()}, "r-test")
		done <- out
	}()
	for {
		if got := states(t, st); got[0] == state.Submitting {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel() // Ctrl-C while the first POST is on the wire
	close(api.block)
	out := <-done
	if !out.Stopped {
		t.Fatalf("outcome %+v, want stopped", out)
	}
	got := states(t, st)
	if got[0] != state.Pending || got[1] != state.Planned || got[2] != state.Planned {
		t.Errorf("states = %v: want the first recorded as submitted, the rest planned", got)
	}
	if _, err := drive(t, api, st); err != nil || !reflect.DeepEqual(states(t, st), repeat(state.Completed, 3)) || api.duplicates() != 0 {
		t.Errorf("resume: err %v states %v duplicates %d", err, states(t, st), api.duplicates())
	}
}

func TestDriveCancel(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	api.pendingPolls = 1 << 30 // never starts
	newRun(t, st, 5)
	n := 0
	_, err := drive(t, api, st, func(c *Config) {
		c.Events = func(e state.Event) {
			if e.Kind == state.EventSubmitted {
				if n++; n == 2 {
					st.RequestCancel("r-test")
				}
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := states(t, st); !reflect.DeepEqual(got, repeat(state.Cancelled, 5)) {
		t.Errorf("states = %v", got)
	}
	if api.starts > 3 || api.deletes != api.starts {
		t.Errorf("POSTs %d DELETEs %d: want at most 3 sent, each cancelled", api.starts, api.deletes)
	}
}

func TestDriveParksOutsideWorkingHours(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	api.pendingPolls = 2
	api.pendingReason, api.message = linkedapi.PendingOutsideWorkingHours, "starts Mon 09:00"
	newRun(t, st, 1)
	var msgs []string
	_, err := drive(t, api, st, func(c *Config) {
		c.Events = func(e state.Event) {
			if e.PendingReason == linkedapi.PendingOutsideWorkingHours {
				msgs = append(msgs, string(e.Kind)+": "+e.Message)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"workflow.submitted: starts Mon 09:00"}
	if !reflect.DeepEqual(msgs, want) || states(t, st)[0] != state.Completed {
		t.Errorf("messages %q, want %q; state %v", msgs, want, states(t, st))
	}
}

func TestDriveSubmitOnly(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	newRun(t, st, 4)
	out, err := drive(t, api, st, func(c *Config) { c.SubmitOnly = true })
	if err != nil || !out.Detached || api.starts != 4 || len(api.polls) != 0 {
		t.Errorf("err %v outcome %+v POSTs %d polled %d", err, out, api.starts, len(api.polls))
	}
	if got := states(t, st); !reflect.DeepEqual(got, repeat(state.Pending, 4)) {
		t.Errorf("states = %v", got)
	}
}

func TestDriveShapesOutputAndCountsErrors(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	st.AddRun(state.Run{ID: "r-test"}, []json.RawMessage{json.RawMessage(`[{"actionType":"st.a"},{"actionType":"st.b","fail":"personNotFound"}]`)})
	out, err := drive(t, api, st, func(c *Config) {
		c.Shape = func(w *state.Workflow) (json.RawMessage, error) {
			return json.RawMessage(`{"n":` + fmt.Sprint(len(w.Completion)) + `}`), nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := st.Workflows(context.Background(), "r-test")
	if out.Counts.Actions != 2 || out.Counts.Errors != 1 || ws[0].ActionErrors != 1 || string(ws[0].Output) == "" {
		t.Errorf("counts %+v, workflow %+v", out.Counts, ws[0])
	}
}

func TestDriveRefreshPollsOnce(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	api.pendingPolls = 5
	newRun(t, st, 3)
	if _, err := drive(t, api, st, func(c *Config) { c.SubmitOnly = true }); err != nil {
		t.Fatal(err)
	}
	ws, _ := st.Workflows(context.Background(), "r-test")
	ws[2].State = state.Planned // as if never sent
	st.Save(context.Background(), ws[2], state.Event{RunID: "r-test"})
	api.polls = map[string]int{}
	out, err := drive(t, api, st, func(c *Config) { c.Refresh = true })
	if err != nil || out.Stopped || len(api.polls) != 2 || api.polls["wf-1"] != 1 || api.starts != 3 {
		t.Errorf("err %v outcome %+v polls %v POSTs %d", err, out, api.polls, api.starts)
	}
}

// tickClock advances one second at every reading, so that every time the
// runner records is distinct and ordered as the readings were.
type tickClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tickClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// TestDriveRecordsWhenSentAndLastSeenUnfinished checks the two times that
// place a workflow in the account's activity: Submitted is taken before
// the POST leaves (the intent's event comes after it), and Unfinished is
// the sending of the last poll that found it running, not the first.
func TestDriveRecordsWhenSentAndLastSeenUnfinished(t *testing.T) {
	api, st := newFakeAPI(), NewMemoryStore()
	api.runningPolls = 3
	newRun(t, st, 1)
	if _, err := drive(t, api, st, func(c *Config) { c.Clock = &tickClock{t: time.Unix(1e9, 0)} }); err != nil {
		t.Fatal(err)
	}
	ws, _ := st.Workflows(context.Background(), "r-test")
	w := ws[0]
	at := map[state.EventKind]time.Time{}
	for _, ev := range st.Events("r-test") {
		at[ev.Kind] = ev.Time // the last of each kind
	}
	if w.State != state.Completed || w.Submitted.IsZero() || !w.Submitted.Before(at[state.EventSubmitting]) {
		t.Errorf("submitted %v, intent recorded %v: the POST's time must come first", w.Submitted, at[state.EventSubmitting])
	}
	if !at[state.EventStatus].Before(w.Unfinished) || !w.Unfinished.Before(at[state.EventFinished]) {
		t.Errorf("unfinished %v: want it after the last status change (%v) and before the completion (%v)", w.Unfinished, at[state.EventStatus], at[state.EventFinished])
	}
}
