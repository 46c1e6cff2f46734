package sandbox

import (
	"net/http"
	"testing"
)

func TestAuthErrors(t *testing.T) {
	h := newHarness(t, Options{Tokens: map[string][]string{"lt-a": {"id-a"}, "lt-b": {"id-b"}}})
	tests := []struct {
		name    string
		headers map[string]string
		status  int
		typ     string
		message string
	}{
		{"no tokens", nil, 401, "linkedApiTokenRequired", "'linked-api-token' is missing in request headers."},
		{"unknown linked-api-token", map[string]string{"linked-api-token": "nope", "identification-token": "id-a"},
			401, "invalidLinkedApiToken", "The provided 'linked-api-token' is invalid."},
		{"no identification-token", map[string]string{"linked-api-token": "lt-a"},
			401, "identificationTokenRequired", "'identification-token' is missing in request headers."},
		{"unknown identification-token", map[string]string{"linked-api-token": "lt-a", "identification-token": "nope"},
			401, "invalidIdentificationToken", "The provided 'identification-token' is invalid."},
		{"identification-token of another linked-api-token", map[string]string{"linked-api-token": "lt-a", "identification-token": "id-b"},
			401, "invalidIdentificationToken", "The provided 'identification-token' is invalid."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, ep := range []struct{ method, path, body string }{
				{"POST", "/workflows", `{"actionType":"st.retrieveSSI"}`},
				{"GET", "/workflows/wf-x", ""},
				{"DELETE", "/workflows/wf-x", ""},
				{"POST", "/conversations/poll", `[]`},
				{"POST", "/inbox/poll", `{}`},
				{"POST", "/network/poll", `{}`},
				{"GET", "/stats/actions?start=2026-01-01&end=2026-01-02", ""},
				{"GET", "/account", ""},
			} {
				r := h.doWith(ep.method, ep.path, ep.body, tt.headers)
				r.wantError(t, tt.status, tt.typ)
				if r.env.Error.Message != tt.message {
					t.Errorf("%s %s: message %q, want %q", ep.method, ep.path, r.env.Error.Message, tt.message)
				}
			}
		})
	}
	ok := h.doWith("GET", "/account", "", map[string]string{"linked-api-token": "lt-b", "identification-token": "id-b"})
	var acct map[string]string
	ok.result(t, &acct)
	if acct["name"] != DefaultAccountName || acct["url"] != DefaultAccountURL {
		t.Fatalf("GET /account = %v", acct)
	}
}

func TestRouting(t *testing.T) {
	h := newHarness(t, Options{})
	// Unknown paths are 404 before authentication; a known path with the
	// wrong method is 405 after it.
	h.doWith("GET", "/nope", "", nil).wantError(t, http.StatusNotFound, "notFound")
	r := h.do("PUT", "/workflows", "")
	r.wantError(t, http.StatusMethodNotAllowed, "methodNotAllowed")
	if r.header.Get("Allow") == "" {
		t.Error("405 without an Allow header")
	}
	h.doWith("PUT", "/workflows", "", nil).wantError(t, http.StatusUnauthorized, "linkedApiTokenRequired")
	h.do("GET", "/workflows", "").wantError(t, http.StatusMethodNotAllowed, "methodNotAllowed")
	h.do("POST", "/workflows/wf-1", "").wantError(t, http.StatusMethodNotAllowed, "methodNotAllowed")
	h.do("GET", "/workflows/a/b", "").wantError(t, http.StatusNotFound, "notFound")
	if got := h.sb.Counters().Requests[EndpointOther]; got != 6 {
		t.Fatalf("requests to other endpoints = %d, want 6", got)
	}
}

func TestAccountSettingsPerToken(t *testing.T) {
	h := newHarness(t, Options{
		Tokens:   map[string][]string{"lt": {"a", "b"}},
		Accounts: map[string]AccountSettings{"b": {Name: "Bea Bot", URL: "https://www.linkedin.com/in/bea-bot", NoSalesNavigator: true}},
	})
	as := func(id string) map[string]string {
		return map[string]string{"linked-api-token": "lt", "identification-token": id}
	}
	var acct map[string]string
	h.doWith("GET", "/account", "", as("b")).result(t, &acct)
	if acct["name"] != "Bea Bot" || acct["url"] != "https://www.linkedin.com/in/bea-bot" {
		t.Fatalf("GET /account for b = %v", acct)
	}
	def := `{"actionType":"nv.searchPeople","term":"x","limit":1}`
	for id, want := range map[string]string{"a": "", "b": "noSalesNavigator"} {
		var ack started
		h.doWith("POST", "/workflows", def, as(id)).result(t, &ack)
		var v wfView
		h.doWith("GET", "/workflows/"+ack.WorkflowID, "", as(id)).result(t, &v)
		got := errorType(decode(t, v.Completion))
		if got != want {
			t.Errorf("account %s: error %q, want %q", id, got, want)
		}
		// A workflow is invisible to the other account.
		other := map[string]string{"a": "b", "b": "a"}[id]
		h.doWith("GET", "/workflows/"+ack.WorkflowID, "", as(other)).wantError(t, 404, "workflowNotFound")
	}
}

func TestOptionsValidation(t *testing.T) {
	bad := []Options{
		{Speed: -1},
		{Retention: -1},
		{AccountState: "frozen"},
		{Faults: Faults{RateLimit: 0.6, ServerError: 0.6}},
		{Faults: Faults{Drop: 1.5}},
		{Faults: Faults{Latency: -1}},
		{Faults: Faults{Endpoints: []string{"GET /nope"}}},
		{Tokens: map[string][]string{"": {"x"}}},
		{Limits: map[string]int{"stMessages": -1}},
		{WorkingHours: &WorkingHours{Start: 10, End: 5}},
		{Accounts: map[string]AccountSettings{"not-accepted": {}}},
	}
	for i, o := range bad {
		if _, err := New(o); err == nil {
			t.Errorf("case %d: New(%+v) accepted bad options", i, o)
		}
	}
}
