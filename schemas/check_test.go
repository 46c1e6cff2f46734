package schemas

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCheckWorkflow compares the whole rendered problems for workflows
// that break each kind of rule.
func TestCheckWorkflow(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"valid nested", `{"actionType":"st.searchCompanies","term":"AI","limit":3,"then":{"actionType":"st.doForCompanies","then":{"actionType":"st.openCompanyPage","then":{"actionType":"st.retrieveCompanyEmployees","limit":5,"filter":{"position":"manager"}}}}}`, nil},
		{"unknown action", `{"actionType":"st.retriveCompanyEmployees"}`,
			[]string{`/: unknown action "st.retriveCompanyEmployees" (did you mean "st.retrieveCompanyEmployees"?)`}},
		{"invalid parent with hint", `{"actionType":"st.searchPeople","then":{"actionType":"st.doForPeople","then":{"actionType":"st.sendConnectionRequest"}}}`,
			[]string{"/then/then: st.sendConnectionRequest cannot run under st.doForPeople (insert `action: openPersonPage` between doForPeople and sendConnectionRequest)"}},
		{"invalid root", `{"actionType":"st.doForPeople"}`,
			[]string{"/: st.doForPeople cannot start a workflow (it must run under st.searchPeople, st.retrieveCompanyEmployees, st.retrieveCompanyDMs or st.retrieveConnections)"}},
		{"root needs url", `{"actionType":"st.openPersonPage"}`,
			[]string{"/: st.openPersonPage needs personUrl to start a workflow"}},
		{"forbidden under parent", `{"actionType":"st.openPersonPage","personUrl":"u","then":{"actionType":"st.sendConnectionRequest","personUrl":"u"}}`,
			[]string{"/then/personUrl: personUrl must not be given under st.openPersonPage, which supplies it (remove it, or start a workflow with sendConnectionRequest at its root)"}},
		{"param type", `{"actionType":"st.searchPeople","limit":"ten"}`,
			[]string{"/limit: limit must be an integer, got a string"}},
		{"param range", `{"actionType":"st.searchPeople","limit":0}`,
			[]string{"/limit: limit must be at least 1, got 0"}},
		{"enum", `{"actionType":"st.searchCompanies","filter":{"sizes":["2001-500"]}}`,
			[]string{`/filter/sizes/0: filter.sizes[0]: "2001-500" is not one of "1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001-10000", "10001+" (did you mean "201-500"?)`}},
		{"unknown param", `{"actionType":"st.sendConnectionRequest","personUrl":"u","message":"hi"}`,
			[]string{`/message: unknown parameter "message" for st.sendConnectionRequest (known: email, note, personUrl)`}},
		{"nested position array", `{"actionType":"st.openCompanyPage","companyUrl":"u","then":{"actionType":"st.retrieveCompanyEmployees","filter":{"position":["manager"]}}}`,
			[]string{"/then/filter/position: filter.position must be a string, got an array"}},
		{"note too long", `{"actionType":"st.sendConnectionRequest","personUrl":"u","note":"` + strings.Repeat("x", 301) + `"}`,
			[]string{"/note: note is 301 characters long, at most 300 allowed"}},
		{"no children", `{"actionType":"st.retrieveSSI","then":{"actionType":"st.retrieveSSI"}}`,
			[]string{"/then: st.retrieveSSI takes no child actions", "/then: st.retrieveSSI cannot run under st.retrieveSSI (it can only start a workflow)"}},
		{"root array", `[{"actionType":"st.retrieveSSI"},{"actionType":"st.retrievePersonSkills"}]`,
			[]string{"/1: st.retrievePersonSkills cannot start a workflow (it must run under st.openPersonPage)"}},
		{"empty root array", `[]`, []string{"/: the workflow is an empty list of actions"}},
		{"not an object", `"x"`, []string{"/: a workflow must be an action object or a list of action objects"}},
		{"missing actionType", `{"term":"x"}`, []string{"/: the action has no actionType"}},
		{"placeholder type", ``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc any
			if tt.doc == "" {
				doc = map[string]any{"actionType": "st.searchPeople", "limit": Unknown{Type: "integer"}, "term": Unknown{Type: "string"}}
			} else if err := json.Unmarshal([]byte(tt.doc), &doc); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range c.CheckWorkflow(doc) {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestUnknownWrongType(t *testing.T) {
	c, _ := Load()
	ps := c.CheckWorkflow(map[string]any{"actionType": "st.searchPeople", "limit": Unknown{Type: "string"}})
	if len(ps) != 1 || ps[0].String() != "/limit: limit must be an integer, got a string" {
		t.Errorf("got %v", ps)
	}
}
