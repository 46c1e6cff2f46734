package sandbox

import (
	"testing"
)

// TestDeterminism: the same workflow on two fresh sandboxes (two runs)
// gives byte-identical completions.
func TestDeterminism(t *testing.T) {
	defs := []string{
		`{"actionType":"st.searchPeople","term":"CTO","limit":5,"filter":{"locations":["Berlin"]},"then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage","basicInfo":true,"then":[{"actionType":"st.retrievePersonExperience"},{"actionType":"st.retrievePersonPosts","limit":3}]}}}`,
		`{"actionType":"st.openCompanyPage","companyUrl":"https://www.linkedin.com/company/acme","basicInfo":true,"then":[{"actionType":"st.retrieveCompanyEmployees","limit":4},{"actionType":"st.retrieveCompanyPosts","limit":2}]}`,
		`{"actionType":"st.searchJobs","term":"golang","limit":3,"then":{"actionType":"st.doForJobs","then":{"actionType":"st.openJob","basicInfo":true}}}`,
		`[{"actionType":"st.retrieveFeed","limit":3},{"actionType":"st.retrieveConnections","limit":3},{"actionType":"st.retrieveInvitations"},{"actionType":"st.retrieveSSI"}]`,
	}
	for _, def := range defs {
		a := mustJSON(t, newHarness(t, Options{}).run(def))
		b := mustJSON(t, newHarness(t, Options{}).run(def))
		if a != b {
			t.Errorf("two runs differ for %s", def)
		}
	}
}

func TestSameEntityWhicheverURL(t *testing.T) {
	h := newHarness(t, Options{})
	pub := h.run(`{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/Jane-Doe/?trk=x","basicInfo":true}`)
	hashedURL := at(t, pub, "data", "hashedUrl").(string)
	hashed := h.run(`{"actionType":"nv.openPersonPage","personHashedUrl":"` + hashedURL + `","basicInfo":true}`)
	for _, k := range []string{"name", "publicUrl", "hashedUrl", "headline", "location", "companyName"} {
		if at(t, pub, "data", k) != at(t, hashed, "data", k) {
			t.Errorf("%s: public %v, hashed %v", k, at(t, pub, "data", k), at(t, hashed, "data", k))
		}
	}
	if at(t, pub, "data", "name") != "Jane Doe" {
		t.Errorf("name %v", at(t, pub, "data", "name"))
	}
	other := h.run(`{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/john-roe","basicInfo":true}`)
	if at(t, other, "data", "headline") == at(t, pub, "data", "headline") && at(t, other, "data", "location") == at(t, pub, "data", "location") {
		t.Error("two people look the same")
	}

	// A listed job, post or company opened by its URL is the same one.
	jobs := h.run(`{"actionType":"st.searchJobs","term":"go","limit":1}`)
	job := h.run(`{"actionType":"st.openJob","jobUrl":"` + at(t, jobs, "data", 0, "jobUrl").(string) + `","basicInfo":true}`)
	if at(t, job, "data", "title") != at(t, jobs, "data", 0, "title") || at(t, job, "data", "companyName") != at(t, jobs, "data", 0, "companyName") {
		t.Error("the opened job differs from the listed one")
	}
	posts := h.run(`{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/jane-doe","then":{"actionType":"st.retrievePersonPosts","limit":1}}`)
	listed := at(t, posts, "data", "then", "data", 0)
	post := h.run(`{"actionType":"st.openPost","postUrl":"` + at(t, listed, "url").(string) + `","basicInfo":true}`)
	if mustJSON(t, at(t, post, "data")) != mustJSON(t, listed) {
		t.Errorf("the opened post differs from the listed one:\n%s\n%s", mustJSON(t, at(t, post, "data")), mustJSON(t, listed))
	}
	if at(t, listed, "author", "name") != "Jane Doe" {
		t.Errorf("a person's post is by %v", at(t, listed, "author", "name"))
	}
	companies := h.run(`{"actionType":"nv.searchCompanies","limit":1}`)
	company := h.run(`{"actionType":"nv.openCompanyPage","companyHashedUrl":"` + at(t, companies, "data", 0, "hashedUrl").(string) + `","basicInfo":true}`)
	if at(t, company, "data", "name") != at(t, companies, "data", 0, "name") {
		t.Error("the opened company differs from the listed one")
	}
}

// TestLongerListsExtendShorterOnes: the limit does not change the items.
func TestLongerListsExtendShorterOnes(t *testing.T) {
	h := newHarness(t, Options{})
	short := at(t, h.run(`{"actionType":"st.searchPeople","term":"CTO","limit":3}`), "data").([]any)
	long := at(t, h.run(`{"actionType":"st.searchPeople","term":"CTO","limit":8}`), "data").([]any)
	for i := range short {
		if mustJSON(t, short[i]) != mustJSON(t, long[i]) {
			t.Fatalf("item %d differs", i)
		}
	}
	other := at(t, h.run(`{"actionType":"st.searchPeople","term":"CFO","limit":3}`), "data").([]any)
	if at(t, other, 0, "publicUrl") == at(t, short, 0, "publicUrl") {
		t.Error("two searches give the same people")
	}
}
