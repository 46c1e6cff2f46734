package sandbox

import (
	"fmt"
	"strconv"
	"time"
)

// experiences lists a person's positions, the current one first; it
// agrees with the profile's position and company.
func (g *generator) experiences(p person, anchor time.Time) []map[string]any {
	r := seeded("experience", p.key)
	n := between(r, 2, 5)
	items := []map[string]any{}
	end := time.Time{} // the current position has no end
	start := anchor.AddDate(0, -between(r, 4, 60), 0)
	for i := 0; i < n; i++ {
		title, co := p.title, p.company
		if i > 0 {
			title = pick(r, g.v.title)
			co = g.company(pick(r, g.v.coA) + "-" + pick(r, g.v.coB))
		}
		startMonth := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
		to := anchor
		var endTime any
		if !end.IsZero() {
			to = end
			endTime = iso(end)
		}
		months := int(to.Sub(startMonth).Hours()/24/30.4) + 1
		loc := pick(r, g.v.city)
		if i == 0 {
			loc = p.location
		}
		items = append(items, map[string]any{
			"position": title, "companyName": co.name, "companyHashedUrl": co.hashedURL,
			"employmentType": []string{"fullTime", "fullTime", "fullTime", "partTime", "contract", "freelance", "selfEmployed", "internship"}[r.IntN(8)],
			"locationType":   []string{"onSite", "hybrid", "remote"}[r.IntN(3)],
			"description":    fmt.Sprintf("Worked on %s with a team of %d.", pick(r, g.v.topic), between(r, 3, 40)),
			"duration":       months, "startTime": iso(startMonth), "endTime": endTime, "location": loc,
		})
		end = startMonth.AddDate(0, -between(r, 0, 3), 0)
		start = end.AddDate(0, -between(r, 10, 48), 0)
	}
	return items
}

func (g *generator) education(p person) []map[string]any {
	r := seeded("education", p.key)
	items := []map[string]any{}
	year := 2024 - between(r, 3, 25)
	for i := between(r, 1, 3); i > 0; i-- {
		school := pick(r, g.v.school)
		items = append(items, map[string]any{
			"schoolName":      school,
			"schoolHashedUrl": "https://www.linkedin.com/school/" + token(companyTokenPrefix, slugify(school)),
			"details":         fmt.Sprintf("%s, %d - %d", pick(r, g.v.degree), year-between(r, 2, 4), year),
		})
		year -= between(r, 2, 6)
	}
	return items
}

func (g *generator) skills(p person) []map[string]any {
	r := seeded("skills", p.key)
	items := []map[string]any{}
	for _, i := range r.Perm(len(g.v.skill))[:between(r, 5, 12)] {
		items = append(items, map[string]any{"name": g.v.skill[i]})
	}
	return items
}

func (g *generator) languages(p person) []map[string]any {
	r := seeded("languages", p.key)
	levels := []string{"elementary", "limitedWorking", "professionalWorking", "fullProfessional", "nativeOrBilingual"}
	items := []map[string]any{{"name": "English", "proficiency": levels[between(r, 2, 4)]}}
	for _, i := range r.Perm(len(g.v.lang) - 1)[:between(r, 0, 2)] {
		items = append(items, map[string]any{"name": g.v.lang[i+1], "proficiency": levels[r.IntN(len(levels))]})
	}
	return items
}

// profileViewers lists who viewed the account's profile, newest first:
// identified members and anonymous descriptions with a search URL.
func (g *generator) profileViewers(acct string, n int, anchor, since time.Time) []map[string]any {
	items := []map[string]any{}
	for i, at := range timeline("viewers "+acct, n, anchor, since, time.Hour, 3*24*time.Hour) {
		r := seeded("viewers", acct, strconv.Itoa(i))
		if r.IntN(3) > 0 {
			v := g.person(g.randomPerson(r, kindOther))
			items = append(items, map[string]any{"name": v.name(), "publicUrl": v.publicURL, "headline": v.headline(), "viewedAt": iso(at)})
			continue
		}
		var desc string
		switch tmpl := pick(r, g.v.viewer); {
		case r.IntN(2) == 0:
			desc = fmt.Sprintf(tmpl, pick(r, g.v.coA)+" "+pick(r, g.v.coB))
		default:
			desc = fmt.Sprintf(tmpl, pick(r, g.v.industry))
		}
		items = append(items, map[string]any{"description": desc,
			"searchUrl": "https://www.linkedin.com/search/results/people/?viewer=" + hex(r, 10), "viewedAt": iso(at)})
	}
	return items
}
