package sandbox

import (
	"net/http"
	"testing"
	"time"
)

func TestStateMachineOnTheSandboxClock(t *testing.T) {
	h := newHarness(t, Options{Speed: time.Second})
	// 1 search + 3 × (openPersonPage + checkConnectionStatus) = 7 actions.
	id := h.submit(`{"actionType":"st.searchPeople","limit":3,"then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage","then":{"actionType":"st.checkConnectionStatus"}}}}`)
	steps := []struct {
		after          time.Duration
		status, reason string
		message        string
	}{
		{0, "pending", "queued", ""},
		{999 * time.Millisecond, "pending", "queued", ""},
		{time.Millisecond, "running", "", "0 of 7 actions done"},
		{3 * time.Second, "running", "", "3 of 7 actions done"},
		{3999 * time.Millisecond, "running", "", "6 of 7 actions done"},
		{time.Millisecond, "completed", "", ""},
	}
	for i, s := range steps {
		h.clock.Advance(s.after)
		v := h.get(id)
		if v.WorkflowStatus != s.status || v.PendingReason != s.reason || v.Message != s.message {
			t.Fatalf("step %d: got %s/%s/%q, want %s/%s/%q", i, v.WorkflowStatus, v.PendingReason, v.Message, s.status, s.reason, s.message)
		}
		if (v.Completion != nil) != (s.status == "completed") {
			t.Fatalf("step %d: completion present = %v", i, v.Completion != nil)
		}
	}
	if c := h.sb.Counters(); c.ActionsExecuted != 7 || c.WorkflowsCompleted != 1 {
		t.Fatalf("counters %+v", c)
	}
}

func TestInstantSpeedCompletesOnFirstGet(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.submit(`{"actionType":"st.retrieveSSI"}`)
	if v := h.get(id); v.WorkflowStatus != "completed" {
		t.Fatalf("first GET: %s", v.WorkflowStatus)
	}
}

func TestAccountQueueRunsWorkflowsInTurn(t *testing.T) {
	h := newHarness(t, Options{Speed: time.Second})
	a := h.submit(`[{"actionType":"st.retrieveSSI"},{"actionType":"st.retrieveSSI"}]`) // runs 1s..3s
	b := h.submit(`{"actionType":"st.retrieveSSI"}`)                                   // waits for a: runs 3s..4s
	h.clock.Advance(2 * time.Second)
	if va, vb := h.get(a), h.get(b); va.WorkflowStatus != "running" || vb.WorkflowStatus != "pending" || vb.PendingReason != "queued" {
		t.Fatalf("at 2s: a %s, b %s/%s", va.WorkflowStatus, vb.WorkflowStatus, vb.PendingReason)
	}
	h.clock.Advance(time.Second)
	if va, vb := h.get(a), h.get(b); va.WorkflowStatus != "completed" || vb.WorkflowStatus != "running" {
		t.Fatalf("at 3s: a %s, b %s", va.WorkflowStatus, vb.WorkflowStatus)
	}
	h.clock.Advance(time.Second)
	if vb := h.get(b); vb.WorkflowStatus != "completed" {
		t.Fatalf("at 4s: b %s", vb.WorkflowStatus)
	}
}

func TestCancel(t *testing.T) {
	const (
		p1 = "https://www.linkedin.com/in/first-person"
		p2 = "https://www.linkedin.com/in/second-person"
	)
	h := newHarness(t, Options{Speed: time.Second})
	running := h.submit(`[{"actionType":"st.sendConnectionRequest","personUrl":"` + p1 + `"},{"actionType":"st.sendConnectionRequest","personUrl":"` + p2 + `"}]`)
	pending := h.submit(`{"actionType":"st.retrieveSSI"}`)
	h.clock.Advance(2 * time.Second) // the first request is sent (at 2s), the second is not (3s)
	var res map[string]bool
	for _, id := range []string{pending, running} {
		h.do("DELETE", "/workflows/"+id, "").result(t, &res)
		if !res["cancelled"] {
			t.Fatalf("%s was not cancelled", id)
		}
		v := h.get(id)
		if v.WorkflowStatus != "cancelled" || v.Failure == nil || v.Failure.Reason != "workflowCancelled" || v.Completion != nil {
			t.Fatalf("after cancel: %+v", v)
		}
	}
	h.do("DELETE", "/workflows/"+running, "").result(t, &res)
	if res["cancelled"] {
		t.Fatal("cancelling twice answered true")
	}
	// Only the action executed before the cancel left its mark.
	check := h.submit(`[{"actionType":"st.checkConnectionStatus","personUrl":"` + p1 + `"},{"actionType":"st.checkConnectionStatus","personUrl":"` + p2 + `"}]`)
	h.clock.Advance(time.Minute)
	c := decode(t, h.get(check).Completion)
	for i, want := range []string{"pending", "notConnected"} {
		if got := at(t, c, i, "data", "connectionStatus"); got != want {
			t.Errorf("person %d: %v, want %s", i+1, got, want)
		}
	}
	if n := h.sb.Counters().WorkflowsCancelled; n != 2 {
		t.Errorf("cancelled counter %d", n)
	}
}

func TestWorkingHoursParking(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone data")
	}
	wh := &WorkingHours{Start: 9 * time.Hour, End: 18 * time.Hour, Location: berlin}
	h := newHarness(t, Options{WorkingHours: wh})
	h.clock.Advance(9 * time.Hour) // Wednesday 19:00 UTC = 20:00 in Berlin: closed
	var ack started
	h.do("POST", "/workflows", `{"actionType":"st.retrieveSSI"}`).result(t, &ack)
	msg := "This workflow is scheduled and will start when the account working hours open at Thu, Mar 5, 09:00 (Europe/Berlin)."
	if ack.PendingReason != "outsideWorkingHours" || ack.Message != msg {
		t.Fatalf("ack %+v", ack)
	}
	v := h.get(ack.WorkflowID)
	if v.WorkflowStatus != "pending" || v.PendingReason != "outsideWorkingHours" || v.Message != msg {
		t.Fatalf("parked: %+v", v)
	}
	h.clock.Advance(13*time.Hour - time.Second) // Thursday 07:59:59 UTC = 08:59:59 Berlin
	if v := h.get(ack.WorkflowID); v.WorkflowStatus != "pending" {
		t.Fatalf("before opening: %s", v.WorkflowStatus)
	}
	h.clock.Advance(time.Second)
	if v := h.get(ack.WorkflowID); v.WorkflowStatus != "completed" {
		t.Fatalf("at opening: %s", v.WorkflowStatus)
	}
}

func TestWorkingHoursWaitExpiredAndReject(t *testing.T) {
	wh := &WorkingHours{Start: 9 * time.Hour, End: 10 * time.Hour, MaxWait: time.Hour}
	h := newHarness(t, Options{WorkingHours: wh})
	h.clock.Advance(time.Hour) // 11:00 UTC: closed until tomorrow 09:00
	id := h.submit(`{"actionType":"st.retrieveSSI"}`)
	h.clock.Advance(59 * time.Minute)
	if v := h.get(id); v.WorkflowStatus != "pending" {
		t.Fatalf("within the wait: %s", v.WorkflowStatus)
	}
	h.clock.Advance(time.Minute)
	v := h.get(id)
	if v.WorkflowStatus != "failed" || v.Failure == nil || v.Failure.Reason != "workingHoursWaitExpired" {
		t.Fatalf("after the wait: %+v", v)
	}

	reject := newHarness(t, Options{WorkingHours: &WorkingHours{Start: 9 * time.Hour, End: 10 * time.Hour, Reject: true}})
	reject.clock.Advance(time.Hour)
	r := reject.do("POST", "/workflows", `{"actionType":"st.retrieveSSI"}`)
	r.wantError(t, http.StatusConflict, "outsideWorkingHours")
	if want := "The account is outside its working hours; retry once they reopen at Thu, Mar 5, 09:00 (UTC)."; r.env.Error.Message != want {
		t.Errorf("message %q", r.env.Error.Message)
	}
}

func TestAccountStates(t *testing.T) {
	for _, st := range []AccountState{AccountSignedOut, AccountLanguageNotSupported} {
		h := newHarness(t, Options{AccountState: st})
		v := h.get(h.submit(`{"actionType":"st.retrieveSSI"}`))
		if v.WorkflowStatus != "failed" || v.Failure == nil || v.Failure.Reason != string(st) || v.Completion != nil {
			t.Errorf("%s: %+v", st, v)
		}
	}
	for _, st := range []AccountState{AccountSubscriptionRequired, AccountTrialLimitReached, AccountPlusPlanRequired} {
		h := newHarness(t, Options{AccountState: st})
		h.do("POST", "/workflows", `{"actionType":"st.retrieveSSI"}`).wantError(t, http.StatusForbidden, string(st))
	}
}
