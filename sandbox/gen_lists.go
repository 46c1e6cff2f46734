package sandbox

import (
	"strconv"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

// list makes the items of a list action. Items derive from the action,
// its search parameters (not its limit, so a longer list extends a shorter
// one) and its subject; a parameter value "no-results" gives an empty list.
func (x *execution) list(a *schemas.Action, params map[string]any, subj subject, at time.Time) []map[string]any {
	items := []map[string]any{}
	if triggerTokens(params, subject{})["no-results"] {
		return items
	}
	g := x.s.gen
	seed := a.Name + " " + canonical(searchPart(params))
	filter, _ := params["filter"].(map[string]any)
	term := str(params, "term")
	since := sinceParam(params)
	switch a.Result.Entity {
	case "person", "nvPerson":
		w := wantPeople(filter, term)
		w.senior = strings.Contains(a.Name, "DMs")
		w.someConnected = strings.Contains(a.Name, "search")
		if subj.company != nil && !strings.Contains(a.Name, "search") {
			w.employer = subj.company
			seed += " " + subj.company.key
		}
		items = g.peopleList(seed, x.listSize(a, params, 10), w, a.Result.Entity == "nvPerson")
	case "company", "nvCompany":
		items = g.companyList(seed, x.listSize(a, params, 10), wantCompanies(filter, term), a.Result.Entity == "nvCompany")
	case "job":
		items = g.jobList(seed, x.listSize(a, params, 10), wantJobs(params))
	case "experience":
		items = g.experiences(*x.need(&subj).person, x.anchor)
	case "education":
		items = g.education(*x.need(&subj).person)
	case "skill":
		items = g.skills(*x.need(&subj).person)
	case "language":
		items = g.languages(*x.need(&subj).person)
	case "post":
		owner := postOwner{}
		if subj.company == nil || strings.Contains(a.Name, "Person") {
			owner.person = x.need(&subj).person
			owner.seed = "person " + owner.person.key
		} else {
			owner.company = subj.company
			owner.seed = "company " + owner.company.key
		}
		items = g.posts(owner, x.listSize(a, params, 20), x.anchor, since)
	case "feedPost":
		items = g.posts(postOwner{seed: "feed " + x.acct.token, feed: true}, x.listSize(a, params, 20), x.anchor, since)
	case "personComment":
		items = g.personComments(*x.need(&subj).person, x.listSize(a, params, 20), x.anchor, since)
	case "personReaction":
		items = g.personReactions(*x.need(&subj).person, x.listSize(a, params, 20), x.anchor, since)
	case "postComment":
		items = g.postComments(*x.needPost(&subj).post, x.listSize(a, params, 10), params["replies"] == true, x.anchor)
	case "postReaction":
		items = g.postReactions(*x.needPost(&subj).post, x.listSize(a, params, 10))
	case "connection":
		items = x.connections(params, filter, since, at)
	case "pendingRequest":
		items = x.pendingRequests(at)
	case "invitation":
		items = x.invitations()
	case "profileViewer":
		items = g.profileViewers(x.acct.token, x.listSize(a, params, 20), x.anchor, since)
	}
	if len(items) > x.s.opts.MaxListItems {
		items = items[:x.s.opts.MaxListItems]
	}
	return items
}

// searchPart is what a list's items derive from: the parameters without
// limit and since.
func searchPart(params map[string]any) map[string]any {
	p := make(map[string]any, len(params))
	for k, v := range params {
		if k != "limit" && k != "since" {
			p[k] = v
		}
	}
	return p
}

func strList(filter map[string]any, key string) []string {
	var out []string
	if arr, ok := filter[key].([]any); ok {
		for _, v := range arr {
			if s, ok := v.(string); ok && s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func filterStr(filter map[string]any, key string) string {
	s, _ := filter[key].(string)
	return s
}

// attempts bounds the tries a list makes for n items whose filter some
// tries cannot meet.
func attempts(n int) int { return 3*n + 20 }

// connectedShare: one in this many people a people search finds is a
// connection of the account already (LinkedIn lists 1st-degree
// connections too). Employee and DM lists make none, so that a first
// campaign over them sends every request.
const connectedShare = 10

// peopleList makes the people of a search, an employee list or a DM list,
// each with what w asks for.
func (g *generator) peopleList(seed string, n int, w personWant, nv bool) []map[string]any {
	items := []map[string]any{}
	if w.employer != nil && len(w.industries) > 0 && !hasAny(w.employer.industry, w.industries) {
		return items // everyone there is in the company's industry
	}
	cache := &wantCache{}
	seen := map[string]bool{}
	for i := 0; len(items) < n && i < attempts(n); i++ {
		r := seeded(seed, strconv.Itoa(i))
		w := w
		if w.someConnected && r.IntN(connectedShare) == 0 {
			w.kind = kindConnection // searches find connections too
		}
		slug, ok := g.makePerson(r, w, cache)
		if !ok || seen[slug] {
			continue
		}
		p := g.person(slug)
		if !matchPerson(p, w) {
			continue
		}
		seen[slug] = true
		items = append(items, personItem(p, nv))
	}
	return items
}

// personItem is a person as lists show them.
func personItem(p person, nv bool) map[string]any {
	if nv {
		return map[string]any{"name": p.name(), "hashedUrl": p.hashedURL, "position": p.title,
			"location": p.location, "countryCode": p.cc}
	}
	return map[string]any{"name": p.name(), "publicUrl": p.publicURL, "headline": p.headline(),
		"location": p.location, "countryCode": p.cc}
}

// companyList makes the companies of a search.
func (g *generator) companyList(seed string, n int, w companyWant, nv bool) []map[string]any {
	items := []map[string]any{}
	seen := map[string]bool{}
	for i := 0; len(items) < n && i < attempts(n); i++ {
		slug, ok := g.makeCompany(seeded(seed, strconv.Itoa(i)), w)
		if !ok || seen[slug] {
			continue
		}
		c := g.company(slug)
		if !matchCompany(c, w) || seen[c.name] {
			continue
		}
		seen[slug], seen[c.name] = true, true
		if nv {
			items = append(items, map[string]any{"name": c.name, "hashedUrl": c.nvURL, "industry": c.industry, "employeesCount": c.employees})
		} else {
			items = append(items, map[string]any{"name": c.name, "publicUrl": c.publicURL, "industry": c.industry, "location": c.location})
		}
	}
	return items
}

// jobList makes the jobs of a search; opening a job's URL shows the same
// job.
func (g *generator) jobList(seed string, n int, w jobWant) []map[string]any {
	items := []map[string]any{}
	seen := map[string]bool{}
	for i := 0; len(items) < n && i < attempts(n); i++ {
		seg, ok := g.makeJob(seeded(seed, strconv.Itoa(i)), w)
		if !ok || seen[seg] {
			continue
		}
		j := g.jobFromURL("https://www.linkedin.com/jobs/view/" + seg)
		if !matchJob(j, w) {
			continue
		}
		seen[seg] = true
		var salary any
		if j.salary != nil {
			salary = j.salary
		}
		items = append(items, map[string]any{"jobId": j.id, "jobUrl": j.url, "title": j.title, "companyName": j.company.name,
			"location": j.location, "workplaceType": j.workplace, "salary": salary, "easyApply": j.easyApply,
			"isPromoted": j.promoted})
	}
	return items
}
