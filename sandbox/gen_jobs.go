package sandbox

import (
	"fmt"
	"strconv"
	"strings"
)

// The slots of the job codec, in order.
const (
	jTitle = iota
	jCompany
	jLocation
	jWorkplace
	jEmployment
	jEasyApply
	jApplicants
	jPosted
	jPromoted
	jSalary
	jNonce
)

// Job enumerations, in the order the codec numbers them.
const (
	workplaceTypes   = "onSite|remote|hybrid"
	employmentTypes  = "fullTime|partTime|contract|temporary|volunteer|internship|other"
	employmentLabels = "Full-time|Part-time|Contract|Temporary|Volunteer|Internship|Other"
	applicantBuckets = "0-9|10-49|50-199|200-400"
)

func enum(list string) []string { return strings.Split(list, "|") }

// job is one synthetic job posting, derived from its URL.
type job struct {
	id, url, title, workplace, employment string
	company                               company
	location                              string
	salary                                map[string]any
	easyApply, promoted                   bool
	applicants                            int
	posted                                string
	description                           string
}

// jobFromURL derives a job from its URL: one the sandbox made
// (…/jobs/view/[words-]4<code>) decodes to what it encodes; another
// numeric id derives from a hash of the id, any other URL from a hash of
// the URL.
func (g *generator) jobFromURL(raw string) job {
	seg := lastSegment(raw)
	if f, ok := g.decode(g.jobs, seg); ok {
		return g.jobFrom(seg, f)
	}
	if _, err := strconv.ParseUint(seg, 10, 64); err == nil && seg != "" {
		return g.jobFromID(seg)
	}
	return g.jobFromID(digitString(seeded("job-url", strings.ToLower(strings.TrimSpace(raw))), 10))
}

// jobFromID derives a job the sandbox did not encode from its id.
func (g *generator) jobFromID(id string) job {
	r := seeded("job", id)
	f := make([]field, len(g.jobs.slots))
	for i, s := range g.jobs.slots {
		if s.vocab != nil {
			f[i] = idxField(r.IntN(len(s.vocab)))
		} else {
			f[i] = idxField(r.IntN(s.n))
		}
	}
	j := g.jobFrom(id, f)
	return j
}

// jobFrom builds a job from its URL's last segment and its fields.
func (g *generator) jobFrom(seg string, f []field) job {
	toks := strings.Split(seg, "-")
	j := job{id: toks[len(toks)-1], url: "https://www.linkedin.com/jobs/view/" + seg}
	r := seeded("job", j.id)
	s := g.jobs.slots
	j.title = f[jTitle].value(s[jTitle])
	j.company = g.company(g.coKey(f[jCompany]))
	j.location, _ = g.place(f[jLocation])
	j.workplace = enum(workplaceTypes)[f[jWorkplace].idx]
	j.employment = enum(employmentLabels)[f[jEmployment].idx]
	j.easyApply = f[jEasyApply].idx == 1
	lo, hi, _ := strings.Cut(enum(applicantBuckets)[f[jApplicants].idx], "-")
	a, _ := strconv.Atoi(lo)
	b, _ := strconv.Atoi(hi)
	j.applicants = between(r, a, b)
	j.posted = g.v.posted[f[jPosted].idx]
	j.promoted = f[jPromoted].idx == 1
	if f[jSalary].idx == 1 {
		lo := between(r, 50, 180) * 1000
		j.salary = map[string]any{"currency": "usd", "minAmount": lo, "maxAmount": lo + between(r, 10, 60)*1000, "period": "yearly"}
	}
	j.description = fmt.Sprintf("%s is looking for a %s to join its team in %s. You will work with %s and %s.",
		j.company.name, j.title, j.location, pick(r, g.v.skill), pick(r, g.v.skill))
	return j
}

// postedWithin reports whether a job posted this long ago ("3h", "2w",
// "1mo") is within a datePosted period.
func postedWithin(posted, period string) bool {
	n, unit := 0, ""
	for i, c := range posted {
		if c < '0' || c > '9' {
			n, _ = strconv.Atoi(posted[:i])
			unit = posted[i:]
			break
		}
	}
	hours := map[string]int{"h": 1, "d": 24, "w": 24 * 7, "mo": 24 * 30}[unit] * n
	switch period {
	case "past24Hours":
		return hours <= 24 && unit == "h"
	case "pastWeek":
		return hours <= 24*7
	case "pastMonth":
		return hours <= 24*30
	}
	return true
}
