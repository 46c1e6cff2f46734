package sandbox

import (
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

const jane = "https://www.linkedin.com/in/jane-doe"

func TestThenMirrorsTheRequest(t *testing.T) {
	h := newHarness(t, Options{})
	obj := h.run(`{"actionType":"st.openPersonPage","personUrl":"` + jane + `","basicInfo":true,"then":{"actionType":"st.retrievePersonSkills","label":"skills"}}`)
	then, ok := at(t, obj, "data", "then").(map[string]any)
	if !ok || then["actionType"] != "st.retrievePersonSkills" || then["label"] != "skills" || then["success"] != true {
		t.Fatalf("object then: %s", mustJSON(t, obj))
	}
	arr := h.run(`{"actionType":"st.openPersonPage","personUrl":"` + jane + `","then":[{"actionType":"st.retrievePersonSkills"},{"actionType":"st.retrievePersonLanguages"}]}`)
	list, ok := at(t, arr, "data", "then").([]any)
	if !ok || len(list) != 2 || at(t, list, 1, "actionType") != "st.retrievePersonLanguages" {
		t.Fatalf("array then: %s", mustJSON(t, arr))
	}
	empty := h.run(`{"actionType":"st.openPersonPage","personUrl":"` + jane + `","basicInfo":true,"then":[]}`)
	if l, ok := at(t, empty, "data", "then").([]any); !ok || len(l) != 0 {
		t.Fatalf("empty then: %s", mustJSON(t, empty))
	}
	// An action without data of its own still reports its children.
	msg := h.run(`{"actionType":"st.sendMessage","personUrl":"` + h.connection(false, 0) + `","text":"hi","then":{"actionType":"st.manageConversation","operation":"archive"}}`)
	if at(t, msg, "data", "then", "actionType") != "st.manageConversation" {
		t.Fatalf("void action with then: %s", mustJSON(t, msg))
	}
	// Without basicInfo a page gives only what identifies it.
	bare := h.run(`{"actionType":"st.openPersonPage","personUrl":"` + jane + `"}`)
	if d := at(t, bare, "data").(map[string]any); len(d) != 2 || d["publicUrl"] != jane {
		t.Fatalf("without basicInfo: %s", mustJSON(t, bare))
	}
}

// TestDoForNesting pins the decision on the unknown doFor* nesting: each
// list item's then holds the doFor*'s children results, mirroring the
// doFor*'s then; the doFor* itself leaves no result object.
func TestDoForNesting(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.run(`{"actionType":"st.searchPeople","term":"CTO","limit":3,"then":{"actionType":"st.doForPeople","label":"loop",
		"then":{"actionType":"st.openPersonPage","label":"page","basicInfo":true,"then":{"actionType":"st.retrievePersonSkills"}}}}`)
	items := at(t, c, "data").([]any)
	if len(items) != 3 {
		t.Fatalf("%d items", len(items))
	}
	for i, item := range items {
		then := at(t, item, "then").(map[string]any)
		if then["actionType"] != "st.openPersonPage" || then["label"] != "page" {
			t.Fatalf("item %d then: %s", i, mustJSON(t, then))
		}
		if at(t, then, "data", "publicUrl") != at(t, item, "publicUrl") || at(t, then, "data", "name") != at(t, item, "name") {
			t.Errorf("item %d: the page is not the listed person", i)
		}
		if at(t, then, "data", "then", "actionType") != "st.retrievePersonSkills" {
			t.Errorf("item %d: grandchild missing", i)
		}
	}
	arr := h.run(`{"actionType":"st.searchPeople","limit":2,"then":[{"actionType":"st.doForPeople","then":[{"actionType":"st.openPersonPage"}]}]}`)
	for i := range 2 {
		if l, ok := at(t, arr, "data", i, "then").([]any); !ok || len(l) != 1 {
			t.Fatalf("array doFor then, item %d: %s", i, mustJSON(t, arr))
		}
	}
}

func TestNestedIterationAllTheWayDown(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.run(`{"actionType":"st.searchCompanies","term":"AI","limit":2,"then":{"actionType":"st.doForCompanies","then":{"actionType":"st.openCompanyPage","basicInfo":true,
		"then":{"actionType":"st.retrieveCompanyEmployees","limit":3,"filter":{"position":"manager"},"then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage",
		"then":{"actionType":"st.sendConnectionRequest","note":"Hi!"}}}}}}}`)
	for i := range 2 {
		company := at(t, c, "data", i)
		page := at(t, company, "then", "data")
		if at(t, page, "name") != at(t, company, "name") {
			t.Errorf("company %d: page name differs", i)
		}
		employees := at(t, page, "then", "data").([]any)
		if len(employees) != 3 {
			t.Fatalf("company %d: %d employees", i, len(employees))
		}
		for j, e := range employees {
			if h := at(t, e, "headline").(string); !hasWords(h, "manager") || !strings.HasSuffix(h, " at "+at(t, company, "name").(string)) {
				t.Errorf("employee %d/%d headline %q", i, j, h)
			}
			if at(t, e, "then", "data", "then", "success") != true {
				t.Errorf("employee %d/%d: request failed: %s", i, j, mustJSON(t, e))
			}
		}
	}
	if n := h.sb.Counters().ActionsExecuted; n != 1+2*(2+3*2) {
		t.Errorf("%d actions executed", n)
	}
}

func TestListSizes(t *testing.T) {
	h := newHarness(t, Options{MaxListItems: 30})
	for _, tt := range []struct {
		def  string
		want int
	}{
		{`{"actionType":"st.searchPeople","limit":7}`, 7},
		{`{"actionType":"st.searchPeople"}`, 10},              // the catalog default
		{`{"actionType":"nv.searchPeople"}`, 25},              // the catalog default
		{`{"actionType":"st.searchPeople","limit":1000}`, 30}, // capped
		{`{"actionType":"st.searchPeople","term":"no-results","limit":5}`, 0},
		{`{"actionType":"st.retrieveConnections"}`, 30}, // "all" (57), capped
		{`{"actionType":"st.retrieveFeed","limit":4}`, 4},
		{`{"actionType":"st.retrieveProfileViewers","limit":6}`, 6},
		{`{"actionType":"st.searchJobs","term":"go","limit":3}`, 3},
	} {
		c := h.run(tt.def)
		if items, _ := at(t, c, "data").([]any); len(items) != tt.want {
			t.Errorf("%s: %d items, want %d", tt.def, len(items), tt.want)
		}
	}
}

// TestEveryEntityHasData runs the data generator of every action of the
// catalog that returns data, so an entity added to the catalog without a
// generator fails here.
func TestEveryEntityHasData(t *testing.T) {
	h := newHarness(t, Options{})
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	acct := newAccount("tok", h.sb.opts.settings("tok"), 100)
	start := h.clock.Now()
	for _, a := range cat.Actions() {
		if a.Result.Kind == schemas.ResultNone {
			continue
		}
		x := h.sb.newExecution(acct, start)
		p := x.s.gen.person(jane)
		c := x.s.gen.company("https://www.linkedin.com/company/acme-robotics")
		post := x.s.gen.postFromURL("https://www.linkedin.com/feed/update/urn:li:activity:7300000000000000000", x.anchor)
		j := x.s.gen.jobFromID("4012345678")
		subj := subject{person: &p, company: &c, post: &post, job: &j, url: jane}
		if a.Name == "st.retrieveCompanyPosts" || a.Name == "st.retrieveCompanyEmployees" || a.Name == "st.retrieveCompanyDMs" {
			subj.person = nil
		}
		data, _ := x.produce(a, map[string]any{"basicInfo": true, "limit": 2}, subj, start)
		switch d := data.(type) {
		case map[string]any:
			if len(d) == 0 {
				t.Errorf("%s (%s): empty data", a.Name, a.Result.Entity)
			}
		case []map[string]any:
			if a.Result.Entity == "pendingRequest" {
				continue // lists what the account sent; empty here
			}
			if len(d) == 0 || len(d[0]) == 0 {
				t.Errorf("%s (%s): empty list", a.Name, a.Result.Entity)
			}
		default:
			t.Errorf("%s (%s): data %T", a.Name, a.Result.Entity, data)
		}
	}
}

func TestSinceFiltersLists(t *testing.T) {
	h := newHarness(t, Options{})
	since := h.clock.Now().Add(-10 * 24 * time.Hour).Format("2006-01-02")
	c := h.run(`{"actionType":"st.openPersonPage","personUrl":"` + jane + `","then":{"actionType":"st.retrievePersonPosts","limit":20,"since":"` + since + `"}}`)
	posts := at(t, c, "data", "then", "data").([]any)
	all := at(t, h.run(`{"actionType":"st.openPersonPage","personUrl":"`+jane+`","then":{"actionType":"st.retrievePersonPosts","limit":20}}`), "data", "then", "data").([]any)
	if len(posts) == 0 || len(posts) >= len(all) {
		t.Fatalf("since kept %d of %d posts", len(posts), len(all))
	}
	for i, p := range posts {
		if at(t, p, "time").(string) < since {
			t.Errorf("post %d is older than since", i)
		}
		if mustJSON(t, p) != mustJSON(t, all[i]) {
			t.Errorf("post %d differs from the unfiltered list", i)
		}
	}
}
