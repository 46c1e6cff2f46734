package sandbox

import (
	"testing"
)

// seenPerson is how a list showed a person: the URL it gave and the
// fields it showed.
type seenPerson struct {
	from   string
	url    string // publicUrl, or hashedUrl for nv lists
	fields map[string]any
}

// TestOnePersonEverywhere: a person looks the same in every list that
// shows them — searches, employee and DM lists, connections, pending
// requests, invitations, post authors and engagers — and on their own
// st and nv pages, whose public and hashed URLs pair up.
func TestOnePersonEverywhere(t *testing.T) {
	h := newHarness(t, Options{})
	var seen []seenPerson
	add := func(from string, items any, url string, fields ...string) {
		t.Helper()
		list, _ := items.([]any)
		if len(list) == 0 {
			t.Fatalf("%s: no items", from)
		}
		for _, it := range list {
			m := it.(map[string]any)
			f := map[string]any{}
			for _, k := range fields {
				f[k] = m[k]
			}
			seen = append(seen, seenPerson{from: from, url: m[url].(string), fields: f})
		}
	}
	person := []string{"name", "headline", "location", "countryCode"}
	nvPerson := []string{"name", "position", "location", "countryCode"}
	add("st.searchPeople", at(t, h.run(`{"actionType":"st.searchPeople","term":"AI","limit":4,"filter":{"position":"VP Sales","locations":["Berlin","Austin"]}}`), "data"), "publicUrl", person...)
	add("nv.searchPeople", at(t, h.run(`{"actionType":"nv.searchPeople","limit":4,"filter":{"industries":["Software Development"],"locations":["Germany"]}}`), "data"), "hashedUrl", nvPerson...)
	emp := h.run(`{"actionType":"st.openCompanyPage","companyUrl":"https://www.linkedin.com/company/lumen-ai","then":[{"actionType":"st.retrieveCompanyEmployees","limit":4,"filter":{"position":"engineer"}},{"actionType":"st.retrieveCompanyDMs","limit":3}]}`)
	add("st.retrieveCompanyEmployees", at(t, emp, "data", "then", 0, "data"), "publicUrl", person...)
	add("st.retrieveCompanyDMs", at(t, emp, "data", "then", 1, "data"), "publicUrl", person...)
	add("nv.retrieveCompanyEmployees", at(t, h.run(`{"actionType":"nv.openCompanyPage","companyHashedUrl":"https://www.linkedin.com/sales/company/1035","then":{"actionType":"nv.retrieveCompanyEmployees","limit":3}}`), "data", "then", "data"), "hashedUrl", nvPerson...)
	add("st.searchPeople, a company", at(t, h.run(`{"actionType":"st.searchPeople","limit":2,"filter":{"currentCompanies":["Stripe"]}}`), "data"), "publicUrl", person...)
	add("st.retrieveConnections", at(t, h.run(`{"actionType":"st.retrieveConnections","limit":4}`), "data"), "publicUrl", "name", "headline", "location")
	add("st.retrieveInvitations", at(t, h.run(`{"actionType":"st.retrieveInvitations"}`), "data"), "publicUrl", "name")
	stranger := at(t, h.run(`{"actionType":"st.searchPeople","term":"CFO","limit":1}`), "data", 0, "publicUrl").(string)
	h.run(`{"actionType":"st.sendConnectionRequest","personUrl":"` + stranger + `"}`)
	add("st.retrievePendingRequests", at(t, h.run(`{"actionType":"st.retrievePendingRequests"}`), "data"), "publicUrl", "name", "headline")
	post := h.run(`{"actionType":"st.openPost","postUrl":"https://www.linkedin.com/feed/update/urn:li:activity:7300000000000000000","basicInfo":true,"then":[{"actionType":"st.retrievePostReactions","limit":3},{"actionType":"st.retrievePostComments","limit":3}]}`)
	author := at(t, post, "data", "author").(map[string]any)
	seen = append(seen, seenPerson{from: "post author", url: author["profileUrl"].(string), fields: map[string]any{"name": author["name"], "headline": author["headline"]}})
	for i, list := range []string{"reactions", "comments"} {
		for _, it := range at(t, post, "data", "then", i, "data").([]any) {
			m := it.(map[string]any)
			for _, k := range []string{"engager", "commenter"} {
				if u, ok := m[k+"Url"].(string); ok {
					seen = append(seen, seenPerson{from: "post " + list, url: u, fields: map[string]any{"name": m[k+"Name"], "headline": m[k+"Headline"]}})
				}
			}
		}
	}

	for _, s := range seen {
		var st, nv map[string]any
		if s.from[:3] == "nv." {
			nv = at(t, h.run(`{"actionType":"nv.openPersonPage","personHashedUrl":"`+s.url+`","basicInfo":true}`), "data").(map[string]any)
			st = at(t, h.run(`{"actionType":"st.openPersonPage","personUrl":"`+nv["publicUrl"].(string)+`","basicInfo":true}`), "data").(map[string]any)
		} else {
			st = at(t, h.run(`{"actionType":"st.openPersonPage","personUrl":"`+s.url+`","basicInfo":true}`), "data").(map[string]any)
			nv = at(t, h.run(`{"actionType":"nv.openPersonPage","personHashedUrl":"`+st["hashedUrl"].(string)+`","basicInfo":true}`), "data").(map[string]any)
			if st["publicUrl"] != s.url {
				t.Errorf("%s: %s opens as %s", s.from, s.url, st["publicUrl"])
			}
		}
		for _, k := range []string{"name", "publicUrl", "hashedUrl", "headline", "location", "countryCode", "position", "companyName"} {
			if st[k] != nv[k] {
				t.Errorf("%s %s: %s is %q on the st page, %q on the nv page", s.from, s.url, k, st[k], nv[k])
			}
		}
		for k, v := range s.fields {
			if st[k] != v {
				t.Errorf("%s %s: %s is %q in the list, %q on the page", s.from, s.url, k, v, st[k])
			}
		}
		if st["headline"] != st["position"].(string)+" at "+st["companyName"].(string) {
			t.Errorf("%s: headline %q, position %q, company %q", s.url, st["headline"], st["position"], st["companyName"])
		}
		// The page's company is the company the person works at.
		co := at(t, h.run(`{"actionType":"st.openCompanyPage","companyUrl":"`+st["companyHashedUrl"].(string)+`","basicInfo":true}`), "data").(map[string]any)
		if co["name"] != st["companyName"] || !hasWords(st["about"].(string), co["industry"].(string)) {
			t.Errorf("%s works at %q in %q; the company page says %q in %q", s.url, st["companyName"], st["about"], co["name"], co["industry"])
		}
	}
	if len(seen) < 30 {
		t.Fatalf("only %d people seen", len(seen))
	}

	// Employees of a company are employees of that company.
	for _, e := range at(t, emp, "data", "then", 0, "data").([]any) {
		page := at(t, h.run(`{"actionType":"st.openPersonPage","personUrl":"`+e.(map[string]any)["publicUrl"].(string)+`","basicInfo":true}`), "data", "companyName")
		if page != "Lumen AI" {
			t.Errorf("an employee of Lumen AI works at %v", page)
		}
	}
}

// TestOneCompanyEverywhere: a company looks the same in a search, on its
// st and nv pages and as a job's employer.
func TestOneCompanyEverywhere(t *testing.T) {
	h := newHarness(t, Options{})
	st := at(t, h.run(`{"actionType":"st.searchCompanies","term":"AI","limit":5,"filter":{"locations":["San Francisco"],"sizes":["11-50"]},
		"then":{"actionType":"st.doForCompanies","then":{"actionType":"st.openCompanyPage","basicInfo":true,"then":{"actionType":"nv.openCompanyPage","basicInfo":true}}}}`), "data").([]any)
	nv := at(t, h.run(`{"actionType":"nv.searchCompanies","limit":5,"filter":{"industries":["Financial Services"],"sizes":["1001-5000"]},
		"then":{"actionType":"nv.doForCompanies","then":{"actionType":"nv.openCompanyPage","basicInfo":true,"then":{"actionType":"st.openCompanyPage","basicInfo":true}}}}`), "data").([]any)
	for _, list := range [][]any{st, nv} {
		for _, it := range list {
			item := it.(map[string]any)
			page := at(t, item, "then", "data").(map[string]any)
			other := at(t, page, "then", "data").(map[string]any)
			for k, v := range item {
				if k != "then" && k != "hashedUrl" && page[k] != v {
					t.Errorf("%s: %s is %v in the search, %v on the page", item["name"], k, v, page[k])
				}
			}
			for _, k := range []string{"name", "publicUrl", "industry", "location", "headquarters", "employeesCount", "website", "description", "yearFounded"} {
				if page[k] != other[k] {
					t.Errorf("%s: %s is %v on one page, %v on the other", item["name"], k, page[k], other[k])
				}
			}
		}
	}
	if n := int(at(t, st, 0, "then", "data", "employeesCount").(float64)); n < 11 || n > 50 {
		t.Errorf("a company of 11-50 has %d employees", n)
	}
	jobs := at(t, h.run(`{"actionType":"st.searchJobs","term":"engineer","limit":3,"filter":{"companies":["Acme Widgets"]},"then":{"actionType":"st.doForJobs","then":{"actionType":"st.openJob","basicInfo":true}}}`), "data").([]any)
	for _, it := range jobs {
		item := it.(map[string]any)
		job := at(t, item, "then", "data").(map[string]any)
		for k, v := range item {
			if k != "then" && job[k] != nil && mustJSON(t, job[k]) != mustJSON(t, v) {
				t.Errorf("job %s: %s is %v in the search, %v when opened", item["jobId"], k, v, job[k])
			}
		}
		co := at(t, h.run(`{"actionType":"st.openCompanyPage","companyUrl":"`+job["companyUrl"].(string)+`","basicInfo":true}`), "data", "name")
		if co != item["companyName"] || co != "Acme Widgets" {
			t.Errorf("job at %v, company page %v", item["companyName"], co)
		}
	}
}
