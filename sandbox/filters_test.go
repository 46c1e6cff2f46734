package sandbox

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/schemas"
)

// unhonoured lists, per list action, the filter keys the sandbox cannot
// honour because no result it returns shows them (docs/sandbox.md has the
// same list): schools and previous companies are not part of a person in
// a list or on a page, revenue not part of a company, and so on. Every
// other filter key of every list action must be honoured.
var unhonoured = map[string][]string{
	"st.searchPeople":             {"previousCompanies", "schools"},
	"nv.searchPeople":             {"previousCompanies", "schools", "yearsOfExperience"},
	"nv.searchCompanies":          {"annualRevenue"},
	"st.retrieveCompanyEmployees": {"schools"},
	"nv.retrieveCompanyEmployees": {"schools", "yearsOfExperiences"},
	"st.retrieveConnections":      {"previousCompanies", "schools"},
	"st.searchJobs": {"filter.experienceLevels", "filter.industries", "filter.jobFunctions", "filter.hasVerifications",
		"filter.inYourNetwork", "filter.fairChanceEmployer", "preferences.experienceLevels", "preferences.inYourNetwork"},
}

// listed is one list item with the page its URL opens.
type listed struct {
	item, page map[string]any
}

// filterCase is one honoured filter key: how to make values for it and
// how to check that an item satisfies a value.
type filterCase struct {
	gen   func(r *rand.Rand) any
	check func(l listed, v any) bool
}

func str2(m map[string]any, k string) string { s, _ := m[k].(string); return s }

func strs(v any) []string {
	var out []string
	switch t := v.(type) {
	case string:
		out = append(out, t)
	case []any:
		for _, x := range t {
			out = append(out, x.(string))
		}
	}
	return out
}

// filterValues are what the generated filters draw from: values the
// sandbox's word lists know, and values they do not.
func filterValues(g *generator) map[string][]string {
	return map[string][]string{
		"first":     append(slices.Clone(g.v.first[:12]), "Bob", "Mary Ann", "Zorblat"),
		"last":      append(slices.Clone(g.v.last[:12]), "van der Berg", "Quux"),
		"position":  append(slices.Clone(g.v.title[:15]), "manager", "VP Sales", "Head", "engineer", "Chief Happiness Officer", "Growth Hacker"),
		"location":  {"San Francisco", "Berlin", "Germany", "United States", "California", "London", "São Paulo", "Palo Alto", "Springfield", "Gotham City", "Lagos"},
		"industry":  append(slices.Clone(g.v.industry[:10]), "Artificial Intelligence", "Software", "Space Exploration"),
		"company":   {"Lumen AI", "Northwind Labs", "Stripe", "OpenAI Inc", "Acme Widgets", "Nova Capital"},
		"term":      {"CTO", "AI", "fintech", "sales", "Head of Growth", "golang", "robotics", "machine learning startup"},
		"size":      g.v.sizes,
		"keyword":   {"go", "remote first", "platform"},
		"workplace": enum(workplaceTypes),
	}
}

func someOf(r *rand.Rand, list []string) []any {
	n := 1 + r.IntN(2)
	var out []any
	for _, i := range r.Perm(len(list))[:n] {
		out = append(out, list[i])
	}
	return out
}

// personCases are the honoured keys of person filters.
func personCases(vals map[string][]string, nv bool) map[string]filterCase {
	one := func(kind string) func(r *rand.Rand) any {
		return func(r *rand.Rand) any { return pickOf(r, vals[kind]) }
	}
	some := func(kind string) func(r *rand.Rand) any {
		return func(r *rand.Rand) any { return someOf(r, vals[kind]) }
	}
	position := func(l listed, v any) bool {
		shown := str2(l.item, "headline")
		if nv {
			shown = str2(l.item, "position")
		}
		return hasAny(str2(l.page, "position"), strs(v)) && hasAny(shown, strs(v))
	}
	return map[string]filterCase{
		"firstName": {one("first"), func(l listed, v any) bool { return startsWithWords(str2(l.item, "name"), v.(string)) }},
		"lastName":  {one("last"), func(l listed, v any) bool { return endsWithWords(str2(l.item, "name"), v.(string)) }},
		"position":  {one("position"), position},
		"positions": {some("position"), position},
		"locations": {some("location"), func(l listed, v any) bool { return hasAny(str2(l.item, "location"), strs(v)) }},
		"industries": {some("industry"), func(l listed, v any) bool {
			about := str2(l.page, "about") // "… years of experience in <industry>. …"
			if nv {                        // nv pages have no about: the opened st page in then
				about = str2(l.page["then"].(map[string]any)["data"].(map[string]any), "about")
			}
			return hasAny(about, strs(v))
		}},
		"currentCompanies": {some("company"), func(l listed, v any) bool { return hasAny(str2(l.page, "companyName"), strs(v)) }},
		"term": {one("term"), func(l listed, v any) bool {
			return hasWords(str2(l.item, "name")+" "+str2(l.page, "headline"), v.(string))
		}},
	}
}

func companyCases(vals map[string][]string) map[string]filterCase {
	return map[string]filterCase{
		"sizes": {func(r *rand.Rand) any { return someOf(r, vals["size"]) }, func(l listed, v any) bool {
			n := int(l.page["employeesCount"].(float64))
			return slices.ContainsFunc(strs(v), func(b string) bool { return inBucket(n, b) })
		}},
		"locations": {func(r *rand.Rand) any { return someOf(r, vals["location"]) }, func(l listed, v any) bool {
			return hasAny(str2(l.page, "location"), strs(v))
		}},
		"industries": {func(r *rand.Rand) any { return someOf(r, vals["industry"]) }, func(l listed, v any) bool {
			return hasAny(str2(l.item, "industry"), strs(v))
		}},
		"term": {func(r *rand.Rand) any { return pickOf(r, vals["term"]) }, func(l listed, v any) bool {
			return hasWords(str2(l.item, "name")+" "+str2(l.item, "industry"), v.(string))
		}},
	}
}

func jobCases(vals map[string][]string) map[string]filterCase {
	employment := func(l listed, v any) bool {
		return slices.ContainsFunc(strs(v), func(e string) bool {
			return enum(employmentLabels)[slices.Index(enum(employmentTypes), e)] == str2(l.page, "employmentType")
		})
	}
	location := filterCase{func(r *rand.Rand) any { return pickOf(r, vals["location"]) }, func(l listed, v any) bool {
		return hasWords(str2(l.item, "location"), v.(string))
	}}
	companies := filterCase{func(r *rand.Rand) any { return someOf(r, vals["company"]) }, func(l listed, v any) bool {
		return hasAny(str2(l.item, "companyName"), strs(v))
	}}
	datePosted := filterCase{func(r *rand.Rand) any { return pickOf(r, []string{"anyTime", "past24Hours", "pastWeek", "pastMonth"}) },
		func(l listed, v any) bool { return postedWithin(str2(l.page, "postedDate"), v.(string)) }}
	easyApply := filterCase{func(r *rand.Rand) any { return r.IntN(3) > 0 }, func(l listed, v any) bool {
		return v == false || l.item["easyApply"] == true
	}}
	under10 := filterCase{func(r *rand.Rand) any { return r.IntN(3) > 0 }, func(l listed, v any) bool {
		return v == false || l.page["applicantsCount"].(float64) < 10
	}}
	return map[string]filterCase{
		"term": {func(r *rand.Rand) any { return pickOf(r, vals["term"]) }, func(l listed, v any) bool {
			return hasWords(str2(l.item, "title")+" "+str2(l.item, "companyName"), v.(string))
		}},
		"location":                      location,
		"filter.location":               location,
		"filter.datePosted":             datePosted,
		"preferences.datePosted":        datePosted,
		"filter.companies":              companies,
		"preferences.companies":         companies,
		"filter.easyApply":              easyApply,
		"preferences.easyApply":         easyApply,
		"filter.under10Applicants":      under10,
		"preferences.under10Applicants": under10,
		"filter.workplaceTypes": {func(r *rand.Rand) any { return someOf(r, vals["workplace"]) }, func(l listed, v any) bool {
			return slices.Contains(strs(v), str2(l.item, "workplaceType"))
		}},
		"filter.employmentTypes": {func(r *rand.Rand) any { return someOf(r, enum(employmentTypes)) }, employment},
		"preferences.employmentTypes": {func(r *rand.Rand) any {
			return someOf(r, []string{"fullTime", "partTime", "contract", "internship", "volunteer"})
		}, employment},
		"preferences.remote": {func(r *rand.Rand) any { return true }, func(l listed, v any) bool { return str2(l.item, "workplaceType") == "remote" }},
		"preferences.keywords": {func(r *rand.Rand) any { return someOf(r, vals["keyword"]) }, func(l listed, v any) bool {
			return hasAny(str2(l.item, "title")+" "+str2(l.item, "companyName"), strs(v))
		}},
	}
}

// filterKeys are the filter properties of an action in the catalog:
// filter's keys, and for job searches preferences' keys and the top-level
// location, prefixed with their object.
func filterKeys(a *schemas.Action) []string {
	var keys []string
	props, _ := a.Schema()["properties"].(map[string]any)
	for _, obj := range []string{"filter", "preferences"} {
		o, _ := props[obj].(map[string]any)
		ps, _ := o["properties"].(map[string]any)
		for k := range ps {
			if a.Name == "st.searchJobs" {
				keys = append(keys, obj+"."+k)
			} else {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// TestListsHonourTheirFilters is a property test over the catalog: for
// every list action with a filter, generated filters (values the word
// lists know and values they do not, alone and combined, with and without
// a term) give items that satisfy every honoured key — in the list and
// on the page each item's URL opens.
func TestListsHonourTheirFilters(t *testing.T) {
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{})
	vals := filterValues(h.sb.gen)
	actions := 0
	for _, a := range cat.Actions() {
		if a.Result.Kind != schemas.ResultList || len(filterKeys(a)) == 0 {
			continue
		}
		actions++
		var cases map[string]filterCase
		switch a.Result.Entity {
		case "person", "nvPerson", "connection":
			cases = personCases(vals, a.Result.Entity == "nvPerson")
		case "company", "nvCompany":
			cases = companyCases(vals)
		case "job":
			cases = jobCases(vals)
		default:
			t.Fatalf("%s: no checks for %s lists", a.Name, a.Result.Entity)
		}
		var keys []string
		for _, k := range filterKeys(a) {
			_, ok := cases[k]
			switch {
			case slices.Contains(unhonoured[a.Name], k):
				if ok {
					t.Errorf("%s: %s is both honoured and unhonoured", a.Name, k)
				}
			case ok:
				keys = append(keys, k)
			default:
				t.Errorf("%s: filter key %s is neither checked nor listed as unhonoured", a.Name, k)
			}
		}
		if _, ok := a.Param("term"); ok {
			keys = append(keys, "term")
		}
		if _, ok := a.Param("location"); ok {
			keys = append(keys, "location")
		}
		t.Run(a.Name, func(t *testing.T) { checkFilters(t, h, a, keys, cases) })
	}
	if actions < 8 {
		t.Fatalf("only %d list actions with filters", actions)
	}
}

func checkFilters(t *testing.T, h *harness, a *schemas.Action, keys []string, cases map[string]filterCase) {
	r := rand.New(rand.NewPCG(1, uint64(len(a.Name))))
	const trials = 60
	nonEmpty, items := 0, 0
	for trial := 0; trial < trials; trial++ {
		chosen := map[string]any{}
		for _, i := range r.Perm(len(keys))[:1+r.IntN(min(3, len(keys)))] {
			chosen[keys[i]] = cases[keys[i]].gen(r)
		}
		if hasFilterKey(chosen) { // filter and preferences do not mix
			for k := range chosen {
				if strings.HasPrefix(k, "preferences.") {
					delete(chosen, k)
				}
			}
		}
		got := runFiltered(t, h, a, chosen)
		if len(got) > 0 {
			nonEmpty++
		}
		for _, l := range got {
			items++
			for k, v := range chosen {
				if !cases[k].check(l, v) {
					t.Errorf("%s %v: %s %v not honoured by\n%s\npage %s", a.Name, mustJSON(t, chosen), k, v, mustJSON(t, l.item), mustJSON(t, l.page))
				}
			}
		}
	}
	// Most filters find people; some combinations cannot (employees of one
	// company in an industry it is not in, a company list whose network
	// holds nobody in Gotham City).
	if a.Name != "st.retrieveConnections" && a.Name != "st.retrieveCompanyEmployees" && a.Name != "nv.retrieveCompanyEmployees" && nonEmpty < trials*3/4 {
		t.Errorf("%s: only %d of %d filters returned items", a.Name, nonEmpty, trials)
	}
	if items == 0 {
		t.Errorf("%s: no item checked", a.Name)
	}
	t.Logf("%d filters, %d returned items, %d items checked", trials, nonEmpty, items)
}

func hasFilterKey(m map[string]any) bool {
	for k := range m {
		if strings.HasPrefix(k, "filter.") {
			return true
		}
	}
	return false
}

// runFiltered runs the action with the chosen filter keys and opens the
// page of every item it returns.
func runFiltered(t *testing.T, h *harness, a *schemas.Action, chosen map[string]any) []listed {
	t.Helper()
	def := map[string]any{"actionType": a.Name, "limit": 5}
	filter, prefs := map[string]any{}, map[string]any{}
	for k, v := range chosen {
		switch {
		case k == "term" || k == "location":
			def[k] = v
		case strings.HasPrefix(k, "filter."):
			filter[strings.TrimPrefix(k, "filter.")] = v
		case strings.HasPrefix(k, "preferences."):
			prefs[strings.TrimPrefix(k, "preferences.")] = v
		default:
			filter[k] = v
		}
	}
	if len(filter) > 0 {
		def["filter"] = filter
	}
	if len(prefs) > 0 {
		def["preferences"] = prefs
	}
	open := map[string]map[string]any{
		"person":     {"actionType": "st.doForPeople", "then": map[string]any{"actionType": "st.openPersonPage", "basicInfo": true}},
		"connection": {"actionType": "st.doForPeople", "then": map[string]any{"actionType": "st.openPersonPage", "basicInfo": true}},
		"nvPerson": {"actionType": "nv.doForPeople", "then": map[string]any{"actionType": "nv.openPersonPage", "basicInfo": true,
			"then": map[string]any{"actionType": "st.openPersonPage", "basicInfo": true}}},
		"company":   {"actionType": "st.doForCompanies", "then": map[string]any{"actionType": "st.openCompanyPage", "basicInfo": true}},
		"nvCompany": {"actionType": "nv.doForCompanies", "then": map[string]any{"actionType": "nv.openCompanyPage", "basicInfo": true}},
		"job":       {"actionType": "st.doForJobs", "then": map[string]any{"actionType": "st.openJob", "basicInfo": true}},
	}[a.Result.Entity]
	def["then"] = open
	root := any(def)
	path := []any{"data"}
	switch a.Name {
	case "st.retrieveCompanyEmployees":
		root = map[string]any{"actionType": "st.openCompanyPage", "companyUrl": "https://www.linkedin.com/company/lumen-ai", "then": def}
		path = []any{"data", "then", "data"}
	case "nv.retrieveCompanyEmployees":
		root = map[string]any{"actionType": "nv.openCompanyPage", "companyHashedUrl": "https://www.linkedin.com/company/openai", "then": def}
		path = []any{"data", "then", "data"}
	}
	c := h.run(mustJSON(t, root))
	if e := errorType(c); e != "" {
		t.Fatalf("%s: %s", mustJSON(t, root), e)
	}
	list, _ := at(t, c, path...).([]any)
	var out []listed
	for _, it := range list {
		item := it.(map[string]any)
		page, _ := at(t, item, "then", "data").(map[string]any)
		if page == nil {
			t.Fatalf("no page for %s", mustJSON(t, item))
		}
		out = append(out, listed{item: item, page: page})
	}
	return out
}

// TestFilterValuesTheListsCannotWrite: a value with no Latin letters or
// digits cannot be written into a URL, so such a filter finds nobody
// rather than people who do not match it.
func TestFilterValuesTheListsCannotWrite(t *testing.T) {
	h := newHarness(t, Options{})
	for _, f := range []string{`{"firstName":"李"}`, `{"locations":["Москва"]}`, `{"position":"` + strings.Repeat("very ", 9) + `senior"}`} {
		c := h.run(`{"actionType":"st.searchPeople","limit":3,"filter":` + f + `}`)
		if l := at(t, c, "data").([]any); len(l) != 0 {
			t.Errorf("%s: %s", f, mustJSON(t, l))
		}
	}
	// A term too long to honour is ignored, as documented.
	c := h.run(`{"actionType":"st.searchPeople","limit":3,"term":"` + strings.Repeat("word ", maxTermWords+1) + `"}`)
	if l := at(t, c, "data").([]any); len(l) != 3 {
		t.Errorf("long term: %s", mustJSON(t, l))
	}
}
