package compiler

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/schemas"
)

// aiVPs is the newcomer's campaign: AI companies in San Francisco, up to
// five VPs of sales each, a connection request with a personal note.
const aiVPs = `version: 1
name: ai-vp-sales
workflow:
  action: searchCompanies
  term: AI
  limit: 10
  filter: {locations: [San Francisco]}
  then:
    action: doForCompanies
    as: company
    then:
      action: openCompanyPage
      then:
        action: retrieveCompanyEmployees
        limit: 5
        filter: {position: VP Sales}
        then:
          action: doForPeople
          as: person
          then:
            action: openPersonPage
            if: ${{ person.headline != "" }}
            then:
              action: sendConnectionRequest
              note: "Hi ${{ split(person.name, ' ')[0] }}, I saw ${{ company.name }} is hiring."
`

func TestNamedLoopsStageAndRender(t *testing.T) {
	ctx := context.Background()
	plan, ds := Compile(ctx, "ai.yaml", []byte(aiVPs), Options{})
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	if got := string(plan.Payloads[0]); got != `{"actionType":"st.searchCompanies","term":"AI","limit":10,"filter":{"locations":["San Francisco"]}}` {
		t.Errorf("stage 1 payload %s", got)
	}
	want := []Loop{
		{ID: 0, As: "company", Iterator: "st.doForCompanies", List: "st.searchCompanies", Parent: -1, Stage: 2, Line: 10, Param: "companyUrl", URLFields: []string{"publicUrl"}},
		{ID: 1, As: "person", Iterator: "st.doForPeople", List: "st.retrieveCompanyEmployees", Parent: 0, Stage: 3, Line: 19, Param: "personUrl", URLFields: []string{"publicUrl", "hashedUrl"}},
	}
	got := append([]Loop(nil), plan.Loops...)
	for i := range got {
		got[i].node, got[i].item = nil, nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("loops\n%+v\nwant\n%+v", got, want)
	}
	if !reflect.DeepEqual(plan.Points, [][]Point{{{Pointer: "", Loop: 0, Instance: 0, Item: -1}}}) {
		t.Errorf("points %+v", plan.Points)
	}
	company := Item{ID: 7, Loop: 0, Instance: 0, Index: 2, Data: map[string]any{"name": "Acme AI", "publicUrl": "https://www.linkedin.com/company/acme-ai"}}
	r, err := plan.Render(ctx, company, nil)
	if err != nil || len(r.Problems) > 0 {
		t.Fatal(err, r.Problems)
	}
	if len(r.Steps) != 1 || string(r.Steps[0]) != `{"actionType":"st.openCompanyPage","companyUrl":"https://www.linkedin.com/company/acme-ai","then":{"actionType":"st.retrieveCompanyEmployees","limit":5,"filter":{"position":"VP Sales"}}}` {
		t.Errorf("company steps %s", r.Steps)
	}
	if !reflect.DeepEqual(r.Points, [][]Point{{{Pointer: "/then", Loop: 1, Instance: -1, Item: 7}}}) {
		t.Errorf("company points %+v", r.Points)
	}
	ada := Item{ID: 9, Loop: 1, Instance: -1, Data: map[string]any{"name": "Ada Lovelace", "publicUrl": "https://www.linkedin.com/in/ada", "headline": "VP Sales at Acme AI"}, Parents: []Item{company}}
	r, err = plan.Render(ctx, ada, nil)
	if err != nil || len(r.Problems) > 0 {
		t.Fatal(err, r.Problems)
	}
	if len(r.Steps) != 1 || string(r.Steps[0]) != `{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/ada","then":{"actionType":"st.sendConnectionRequest","note":"Hi Ada, I saw Acme AI is hiring."}}` {
		t.Errorf("person steps %s", r.Steps)
	}
	if len(r.Samples) != 1 || r.Samples[0].Text != "Hi Ada, I saw Acme AI is hiring." {
		t.Errorf("samples %+v", r.Samples)
	}
	// if: drops an item; skip leaves out its write action and the page.
	r, _ = plan.Render(ctx, Item{ID: 10, Loop: 1, Instance: -1, Data: map[string]any{"name": "Bo", "publicUrl": "https://www.linkedin.com/in/bo", "headline": ""}, Parents: []Item{company}}, nil)
	if r.Kept() || len(r.Problems) > 0 {
		t.Errorf("if: false kept %s %v", r.Steps, r.Problems)
	}
	skip := func(at, person string) (Skip, bool) {
		return Skip{Kind: SkipContacted, Detail: "contacted before"}, person == "https://www.linkedin.com/in/ada"
	}
	r, _ = plan.Render(ctx, ada, skip)
	if r.Kept() || len(r.Skipped) != 1 || r.Skipped[0].PersonURL != "https://www.linkedin.com/in/ada" {
		t.Errorf("skipped: %s %+v", r.Steps, r.Skipped)
	}
	// A note that breaks a rule on this item's data is the item's problem.
	long := Item{ID: 11, Loop: 1, Instance: -1, Data: map[string]any{"name": strings.Repeat("x", 400), "publicUrl": "https://www.linkedin.com/in/x", "headline": "VP"}, Parents: []Item{company}}
	r, _ = plan.Render(ctx, long, nil)
	if r.Kept() || len(r.Problems) != 1 || r.Problems[0].Code != "param-range" && r.Problems[0].Code != "param-value" {
		b, _ := json.Marshal(r.Problems)
		t.Errorf("a 400-character note: %s", b)
	}
}

func TestStageCounts(t *testing.T) {
	plan, ds := Compile(context.Background(), "ai.yaml", []byte(aiVPs), Options{})
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	cat := testCatalog(t)
	got, _ := json.Marshal(plan.StageCounts(cat))
	want := `[{"stage":1,"items":0,"counts":[{"actionType":"st.searchCompanies","exact":1,"worstCase":0}]},` +
		`{"stage":2,"as":"company","list":"st.searchCompanies","items":10,"counts":[{"actionType":"st.doForCompanies","exact":0,"worstCase":10,"via":["searchCompanies(limit 10) × doForCompanies"]},{"actionType":"st.openCompanyPage","exact":0,"worstCase":10,"via":["searchCompanies(limit 10) × doForCompanies"]},{"actionType":"st.retrieveCompanyEmployees","exact":0,"worstCase":10,"via":["searchCompanies(limit 10) × doForCompanies"]}]},` +
		`{"stage":3,"as":"person","list":"st.retrieveCompanyEmployees","items":50,"counts":[{"actionType":"st.doForPeople","exact":0,"worstCase":50,"via":["searchCompanies(limit 10) × doForCompanies › retrieveCompanyEmployees(limit 5) × doForPeople"]},{"actionType":"st.openPersonPage","exact":0,"worstCase":50,"via":["searchCompanies(limit 10) × doForCompanies › retrieveCompanyEmployees(limit 5) × doForPeople"]},{"actionType":"st.sendConnectionRequest","exact":0,"worstCase":50,"via":["searchCompanies(limit 10) × doForCompanies › retrieveCompanyEmployees(limit 5) × doForPeople"]}]}]`
	if string(got) != want {
		t.Errorf("stage counts\n%s\nwant\n%s", got, want)
	}
}

func testCatalog(t *testing.T) *schemas.Catalog {
	t.Helper()
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}
