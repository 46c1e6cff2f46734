package sandbox

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/schemas"
)

func TestPostWorkflowAck(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.do("POST", "/workflows", `{"actionType":"st.retrieveSSI"}`)
	var ack map[string]any
	r.result(t, &ack)
	id, _ := ack["workflowId"].(string)
	if !regexp.MustCompile(`^wf-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Errorf("workflow id %q is not wf-<uuid>", id)
	}
	if ack["workflowStatus"] != "pending" || len(ack) != 2 {
		t.Errorf("ack = %v, want {workflowId, workflowStatus: pending}", ack)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if other := h.submit(`{"actionType":"st.retrieveSSI"}`); other == id {
		t.Error("two workflows got the same id")
	}
}

func TestGetWorkflowCompletedShapes(t *testing.T) {
	h := newHarness(t, Options{})
	single := h.run(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/person1","label":"p1"}`)
	want := map[string]any{"actionType": "st.checkConnectionStatus", "label": "p1", "success": true,
		"data": map[string]any{"connectionStatus": "notConnected"}}
	if mustJSON(t, single) != mustJSON(t, want) {
		t.Errorf("single action completion:\n%s\nwant\n%s", mustJSON(t, single), mustJSON(t, want))
	}
	arr := h.run(`[{"actionType":"st.syncConversation","personUrl":"https://www.linkedin.com/in/person1"},
		{"actionType":"st.syncConversation","personUrl":"https://www.linkedin.com/in/person2"}]`)
	wantArr := []any{map[string]any{"actionType": "st.syncConversation", "success": true},
		map[string]any{"actionType": "st.syncConversation", "success": true}}
	if mustJSON(t, arr) != mustJSON(t, wantArr) {
		t.Errorf("root array completion:\n%s", mustJSON(t, arr))
	}
	failed := h.run(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/not-found","label":"person1"}`)
	wantFailed := map[string]any{"actionType": "st.checkConnectionStatus", "label": "person1", "success": false,
		"error": map[string]any{"type": "personNotFound", "message": "The provided URL is not an existing LinkedIn person."}}
	if mustJSON(t, failed) != mustJSON(t, wantFailed) {
		t.Errorf("failed action:\n%s", mustJSON(t, failed))
	}
}

func TestInvalidRequestPayload(t *testing.T) {
	h := newHarness(t, Options{MaxBodyBytes: 64})
	for _, tt := range []struct{ name, body, message string }{
		{"empty", "", "Invalid request body: the body is empty."},
		{"malformed", `{"actionType":`, "Invalid request body: unexpected EOF."},
		{"trailing data", `{"actionType":"st.retrieveSSI"} {}`, "Invalid request body: unexpected data after the JSON value."},
		{"not JSON", `actionType=st.retrieveSSI`, "Invalid request body: invalid character 'a' looking for beginning of value."},
	} {
		r := h.do("POST", "/workflows", tt.body)
		r.wantError(t, http.StatusBadRequest, "invalidRequestPayload")
		if r.env.Error.Message != tt.message {
			t.Errorf("%s: message %q, want %q", tt.name, r.env.Error.Message, tt.message)
		}
	}
	big := `{"actionType":"st.retrieveSSI","label":"` + strings.Repeat("x", 64) + `"}`
	r := h.do("POST", "/workflows", big)
	r.wantError(t, http.StatusRequestEntityTooLarge, "invalidRequestPayload")
	if r.env.Error.Message != "Invalid request body: it is larger than 64 bytes." {
		t.Errorf("message %q", r.env.Error.Message)
	}
	if c := h.sb.Counters(); c.WorkflowsRejected != 5 || c.WorkflowsAccepted != 0 {
		t.Errorf("counters %+v", c)
	}
}

// TestInvalidWorkflowUsesTheCatalog checks that the sandbox rejects
// exactly what the catalog's checker rejects, with its details.
func TestInvalidWorkflowUsesTheCatalog(t *testing.T) {
	h := newHarness(t, Options{})
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		`{"actionType":"st.searchPeopl"}`,
		`{"actionType":"st.searchPeople","limit":0,"colour":"red"}`,
		`{"actionType":"st.sendConnectionRequest"}`,
		`{"actionType":"st.doForPeople"}`,
		`{"actionType":"st.searchPeople","then":{"actionType":"st.sendConnectionRequest"}}`,
		`{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/x","note":"` + strings.Repeat("n", 301) + `"}`,
		`[]`, `42`, `[{"actionType":"st.retrieveSSI"}, "x"]`,
	} {
		var doc any
		json.Unmarshal([]byte(body), &doc)
		problems := cat.CheckWorkflow(doc)
		if len(problems) == 0 {
			t.Fatalf("the catalog accepts %s; pick an invalid example", body)
		}
		r := h.do("POST", "/workflows", body)
		r.wantError(t, http.StatusBadRequest, "invalidWorkflow")
		var e struct {
			Error apiError `json:"error"`
		}
		json.Unmarshal([]byte(r.raw), &e)
		if len(e.Error.Details) != len(problems) {
			t.Fatalf("%s: %d details, the catalog found %d problems", body, len(e.Error.Details), len(problems))
		}
		for i, p := range problems {
			d := e.Error.Details[i]
			if d.Pointer != p.Pointer || d.Code != p.Code || d.Message != p.Message || d.Hint != p.Hint {
				t.Errorf("%s: detail %d = %+v, catalog problem %+v", body, i, d, p)
			}
			if !strings.Contains(e.Error.Message, p.String()) {
				t.Errorf("%s: message %q lacks %q", body, e.Error.Message, p.String())
			}
		}
	}
}

func TestActionBudget(t *testing.T) {
	h := newHarness(t, Options{MaxActions: 50, MaxListItems: 10})
	ok := `{"actionType":"st.searchPeople","limit":10,"then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage","then":[{"actionType":"st.retrievePersonSkills"}]}}}`
	h.submit(ok) // 1 + 10 × 2 = 21 actions
	tooBig := `{"actionType":"st.searchCompanies","limit":10,"then":{"actionType":"st.doForCompanies","then":{"actionType":"st.openCompanyPage","then":{"actionType":"st.retrieveCompanyEmployees","then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage"}}}}}}`
	r := h.do("POST", "/workflows", tooBig) // 1 + 10 × (2 + 10) = 121
	r.wantError(t, http.StatusBadRequest, "invalidWorkflow")
	want := "Workflow configuration is not valid: it could execute more than 50 actions, the sandbox's limit per workflow (every list counted at up to 10 items)."
	if r.env.Error.Message != want {
		t.Errorf("message %q", r.env.Error.Message)
	}
}

func TestWorkflowNotFound(t *testing.T) {
	h := newHarness(t, Options{})
	r := h.do("GET", "/workflows/wf-nope", "")
	r.wantError(t, http.StatusNotFound, "workflowNotFound")
	h.do("DELETE", "/workflows/wf-nope", "").wantError(t, http.StatusNotFound, "workflowNotFound")
}

func TestDeleteFinishedWorkflow(t *testing.T) {
	h := newHarness(t, Options{})
	id := h.submit(`{"actionType":"st.retrieveSSI"}`)
	if v := h.get(id); v.WorkflowStatus != "completed" {
		t.Fatalf("status %s", v.WorkflowStatus)
	}
	var res map[string]bool
	h.do("DELETE", "/workflows/"+id, "").result(t, &res)
	if res["cancelled"] {
		t.Error("a completed workflow was cancelled")
	}
	if v := h.get(id); v.WorkflowStatus != "completed" {
		t.Errorf("after DELETE: %s", v.WorkflowStatus)
	}
}
