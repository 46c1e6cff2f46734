package results

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

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
