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
		n := x.listSize(a, params, 10)
		var co *company
		if subj.company != nil && !strings.Contains(a.Name, "search") {
			co = subj.company
			seed += " " + co.key
		}
		dms := strings.Contains(a.Name, "DMs")
		for i := 0; i < n; i++ {
			items = append(items, g.personItem(seed, i, filter, term, co, dms, a.Result.Entity == "nvPerson"))
		}
	case "company", "nvCompany":
		n := x.listSize(a, params, 10)
		seen := map[string]bool{}
		for i := 0; i < n; i++ {
			items = append(items, g.companyItem(seed, i, filter, seen, a.Result.Entity == "nvCompany"))
		}
	case "job":
		n := x.listSize(a, params, 10)
		for i := 0; i < n; i++ {
			items = append(items, g.jobItem(seed, i, params))
		}
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

// cityFor finds the country code of a location a filter asked for, or "".
func (g *generator) cityFor(loc string) (string, string) {
	for _, c := range g.v.city {
		name, cc := city(c)
		if strings.HasPrefix(strings.ToLower(name), strings.ToLower(loc)) {
			return name, cc
		}
	}
	return loc, ""
}

// personItem is one person of a search, an employee list or a DM list.
// Its name and URL are the person's own (opening the URL shows the same
// name); its headline and location honour the filter and the term.
func (g *generator) personItem(seed string, i int, filter map[string]any, term string, co *company, dms, nv bool) map[string]any {
	r := seeded(seed, strconv.Itoa(i))
	first, last := pick(r, g.v.first), pick(r, g.v.last)
	if f := filterStr(filter, "firstName"); f != "" {
		first = f
	}
	if l := filterStr(filter, "lastName"); l != "" {
		last = l
	}
	p := g.person(slugify(first) + "-" + slugify(last) + "-" + hex(r, 6))
	titleText := p.title
	switch {
	case filterStr(filter, "position") != "":
		titleText = filterStr(filter, "position")
	case len(strList(filter, "positions")) > 0:
		titleText = pick(r, strList(filter, "positions"))
	case dms:
		titleText = pick(r, g.v.senior)
	case term != "" && len([]rune(term)) <= 40:
		titleText = term
	}
	companyName := p.company.name
	if co != nil {
		companyName = co.name
	} else if cs := strList(filter, "currentCompanies"); len(cs) > 0 {
		companyName = pick(r, cs)
	}
	loc, cc := p.location, p.cc
	if ls := strList(filter, "locations"); len(ls) > 0 {
		if name, code := g.cityFor(pick(r, ls)); code != "" {
			loc, cc = name, code
		} else {
			loc = name
		}
	}
	if nv {
		return map[string]any{"name": p.name(), "hashedUrl": p.hashedURL, "position": titleText + " at " + companyName,
			"location": loc, "countryCode": cc}
	}
	return map[string]any{"name": p.name(), "publicUrl": p.publicURL, "headline": titleText + " at " + companyName,
		"location": loc, "countryCode": cc}
}

// companyItem is one company of a search.
func (g *generator) companyItem(seed string, i int, filter map[string]any, seen map[string]bool, nv bool) map[string]any {
	r := seeded(seed, strconv.Itoa(i))
	slug := slugify(pick(r, g.v.coA) + " " + pick(r, g.v.coB))
	if seen[slug] {
		slug += "-" + strconv.Itoa(i)
	}
	seen[slug] = true
	c := g.company(slug)
	industry, loc, employees := c.industry, c.location, c.employees
	if is := strList(filter, "industries"); len(is) > 0 {
		industry = pick(r, is)
	}
	if ls := strList(filter, "locations"); len(ls) > 0 {
		loc, _ = g.cityFor(pick(r, ls))
	}
	if ss := strList(filter, "sizes"); len(ss) > 0 {
		employees = employeesIn(r, pick(r, ss))
	}
	if nv {
		return map[string]any{"name": c.name, "hashedUrl": c.nvURL, "industry": industry, "employeesCount": employees}
	}
	return map[string]any{"name": c.name, "publicUrl": c.publicURL, "industry": industry, "location": loc}
}

// jobItem is one job of a search; opening its URL shows the same job.
func (g *generator) jobItem(seed string, i int, params map[string]any) map[string]any {
	j := g.jobFromID(digitString(seeded(seed, strconv.Itoa(i)), 10))
	var salary any
	if j.salary != nil {
		salary = j.salary
	}
	loc := j.location
	filter, _ := params["filter"].(map[string]any)
	if l := str(params, "location"); l != "" {
		loc = l
	} else if l := filterStr(filter, "location"); l != "" {
		loc = l
	}
	return map[string]any{"jobId": j.id, "jobUrl": j.url, "title": j.title, "companyName": j.company.name,
		"location": loc, "workplaceType": j.workplace, "salary": salary, "easyApply": j.easyApply,
		"isPromoted": j.promoted}
}
