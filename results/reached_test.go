package results

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// TestReached: the people a run's connection requests and messages
// addressed, named from the entities above each action, and the table
// lwf run ends with.
func TestReached(t *testing.T) {
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/export/companies-employees.input.json")
	if err != nil {
		t.Fatal(err)
	}
	var c exportCase
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	// A root request to a lead of a CSV file, named by its label only.
	var lead exportCase
	if err := json.Unmarshal([]byte(`{"workflows": [{"state": "completed",
		"payload": [{"actionType": "st.sendConnectionRequest", "label": "Alan", "personUrl": "https://www.linkedin.com/in/alan", "note": "Hello Alan, shall we talk about machines that think, and what they might one day do?"}],
		"completion": [{"actionType": "st.sendConnectionRequest", "label": "Alan", "success": false, "error": {"type": "alreadyConnected", "message": "m"}}]}]}`), &lead); err != nil {
		t.Fatal(err)
	}
	res := &Results{Workflows: append(c.Workflows, lead.Workflows...)}
	for i, w := range res.Workflows {
		w.Index = i
	}
	got := res.Reached(cat)
	want := []Reach{
		{Workflow: 0, ActionType: "st.sendConnectionRequest", Name: "Ada Lovelace", Profile: "https://www.linkedin.com/in/ada", Company: "Acme AI"},
		{Workflow: 0, ActionType: "st.sendConnectionRequest", Name: "Grace Hopper", Profile: "https://www.linkedin.com/in/grace", Company: "Acme AI", Error: "alreadyPending"},
		{Workflow: 1, ActionType: "st.sendConnectionRequest", Label: "Alan", Profile: "https://www.linkedin.com/in/alan", Error: "alreadyConnected",
			Text: "Hello Alan, shall we talk about machines that think, and what they might one day do?"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d reaches: %+v", len(got), got)
	}
	for i := range want {
		got[i].Path = ""
		if got[i] != want[i] {
			t.Errorf("reach %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	var b strings.Builder
	WriteReached(&b, got, ReachedOptions{Catalog: cat, Max: 2, More: "every row in results.csv"})
	wantTable := `who was reached: 3 connection requests to 3 people, 1 sent, 2 failed:
  NAME          COMPANY  PROFILE                            NOTE  RESULT
  Ada Lovelace  Acme AI  https://www.linkedin.com/in/ada    -     sent
  Grace Hopper  Acme AI  https://www.linkedin.com/in/grace  -     alreadyPending
  … and 1 more: every row in results.csv
`
	if b.String() != wantTable {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), wantTable)
	}
	b.Reset()
	WriteReached(&b, got[2:], ReachedOptions{Catalog: cat})
	if !strings.Contains(b.String(), "  LABEL  NAME  COMPANY  PROFILE                           NOTE                                    RESULT\n"+
		`  Alan   -     -        https://www.linkedin.com/in/alan  "Hello Alan, shall we talk about mac…"  alreadyConnected`) {
		t.Errorf("table:\n%s", b.String())
	}
}

// TestReachedStaged: in a staged run, the pages opened for an item say
// nothing of the person (no basicInfo), so the name comes from the item
// and the company from the list entry above the list it was found in.
func TestReachedStaged(t *testing.T) {
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	ethan := `{"name": "Ethan Patel", "headline": "Head of Engineering", "publicUrl": "https://www.linkedin.com/in/ethan"}`
	clara := `{"name": "Clara Kowalski", "headline": "DevOps Engineer", "publicUrl": "https://www.linkedin.com/in/clara"}`
	stage1 := &state.Workflow{Index: 0, State: state.Completed,
		Payload: json.RawMessage(`{"actionType": "st.searchCompanies", "term": "AI", "limit": 1, "then": {"actionType": "st.doForCompanies",
			"then": {"actionType": "st.openCompanyPage", "then": {"actionType": "st.retrieveCompanyEmployees", "limit": 2}}}}`),
		Completion: json.RawMessage(`{"actionType": "st.searchCompanies", "success": true, "data": [{"name": "Lumen AI", "publicUrl": "https://www.linkedin.com/company/lumen",
			"then": {"actionType": "st.openCompanyPage", "success": true, "data": {"publicUrl": "https://www.linkedin.com/company/lumen",
			"then": {"actionType": "st.retrieveCompanyEmployees", "success": true, "data": [` + ethan + `, ` + clara + `]}}}}]}`)}
	stage2 := &state.Workflow{Index: 1, State: state.Completed,
		Payload: json.RawMessage(`[{"actionType": "st.openPersonPage", "personUrl": "https://www.linkedin.com/in/ethan", "then": {"actionType": "st.sendConnectionRequest", "note": "Hi Ethan!"}},
			{"actionType": "st.openPersonPage", "personUrl": "https://www.linkedin.com/in/clara", "then": {"actionType": "st.sendConnectionRequest", "note": "Hi Clara!"}}]`),
		Completion: json.RawMessage(`[{"actionType": "st.openPersonPage", "success": true, "data": {"publicUrl": "https://www.linkedin.com/in/ethan", "then": {"actionType": "st.sendConnectionRequest", "success": true}}},
			{"actionType": "st.openPersonPage", "success": true, "data": {"publicUrl": "https://www.linkedin.com/in/clara", "then": {"actionType": "st.sendConnectionRequest", "success": false, "error": {"type": "alreadyPending"}}}}]`)}
	res := &Results{Workflows: []*state.Workflow{stage1, stage2}, Loops: []string{"person"}, Items: []state.Item{
		{ID: 0, Loop: 0, Parent: -1, Source: 0, Path: "/data/0/then/then/data/0", Data: json.RawMessage(ethan), Status: state.ItemSent, Workflow: 1, Slot: 0, Steps: 1},
		{ID: 1, Loop: 0, Parent: -1, Source: 0, Index: 1, Path: "/data/0/then/then/data/1", Data: json.RawMessage(clara), Status: state.ItemSent, Workflow: 1, Slot: 1, Steps: 1},
	}}
	got := res.Reached(cat)
	want := []Reach{
		{Workflow: 1, ActionType: "st.sendConnectionRequest", Name: "Ethan Patel", Profile: "https://www.linkedin.com/in/ethan", Company: "Lumen AI", Text: "Hi Ethan!"},
		{Workflow: 1, ActionType: "st.sendConnectionRequest", Name: "Clara Kowalski", Profile: "https://www.linkedin.com/in/clara", Company: "Lumen AI", Text: "Hi Clara!", Error: "alreadyPending"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d reaches: %+v", len(got), got)
	}
	for i := range want {
		got[i].Path = ""
		if got[i] != want[i] {
			t.Errorf("reach %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}
