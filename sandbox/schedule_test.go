package sandbox

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestScheduleControlPath(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	sb, err := New(Options{Speed: time.Second, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb)
	defer srv.Close()
	req, _ := http.NewRequest("POST", srv.URL+"/workflows", strings.NewReader(`{"actionType":"st.retrieveSSI"}`))
	req.Header.Set("linked-api-token", DefaultLinkedAPIToken)
	req.Header.Set("identification-token", DefaultIdentificationToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var started struct{ Result struct{ WorkflowID string } }
	json.NewDecoder(resp.Body).Decode(&started)
	resp.Body.Close()
	get := func() Schedule {
		r, err := http.Get(srv.URL + "/_sandbox/workflows/" + started.Result.WorkflowID)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var s Schedule
		json.NewDecoder(r.Body).Decode(&s)
		return s
	}
	if s := get(); s.Status != "pending" || s.FinishedAt != "" || s.AcceptedAt != "2026-01-01T09:00:00Z" {
		t.Errorf("pending: %+v", s)
	}
	now = now.Add(10 * time.Second)
	if s := get(); s.Status != "completed" || s.StartedAt != "2026-01-01T09:00:01Z" || s.FinishedAt != "2026-01-01T09:00:02Z" {
		t.Errorf("completed: %+v", s)
	}
}
