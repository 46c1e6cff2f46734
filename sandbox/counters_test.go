package sandbox

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

func TestCounters(t *testing.T) {
	h := newHarness(t, Options{})
	h.submit(ssi)
	h.submit(ssi)
	h.submit(`{"label":"x","actionType":"st.retrieveSSI"}`) // another payload
	h.submit(` {"actionType" : "st.retrieveSSI"}`)          // the same payload, other bytes
	h.do("POST", "/workflows", `{`)
	h.do("GET", "/account", "")
	c := h.sb.Counters()
	if c.Requests[EndpointPostWorkflows] != 5 || c.Requests[EndpointAccount] != 1 || c.WorkflowsAccepted != 4 ||
		c.WorkflowsRejected != 1 || c.DuplicatePayloads != 2 || c.Responses["200"] != 5 || c.Responses["400"] != 1 {
		t.Fatalf("counters %+v", c)
	}
	rec := httptest.NewRecorder()
	h.sb.ServeHTTP(rec, httptest.NewRequest("GET", "/_sandbox/counters", nil))
	var got Counters
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || rec.Code != 200 {
		t.Fatalf("GET /_sandbox/counters: %d %s", rec.Code, rec.Body)
	}
	if mustJSON(t, got) != mustJSON(t, h.sb.Counters()) {
		t.Fatalf("HTTP counters differ:\n%s\n%s", mustJSON(t, got), mustJSON(t, h.sb.Counters()))
	}
	if h.sb.Counters().Requests[EndpointOther] != 0 {
		t.Fatal("the counters path counted as an API request")
	}
	rec = httptest.NewRecorder()
	h.sb.ServeHTTP(rec, httptest.NewRequest("POST", "/_sandbox/counters", nil))
	if rec.Code != 405 {
		t.Fatalf("POST /_sandbox/counters: %d", rec.Code)
	}
}
