package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// person is one synthetic LinkedIn member, derived from its key alone.
type person struct {
	key, first, last     string
	publicURL, hashedURL string
	title, location, cc  string
	industry, about      string
	company              company
	followers            int
	responsive           bool // accepts requests and answers (AcceptAfter, ReplyAfter)
	initialStatus        string
}

func (p person) name() string     { return p.first + " " + p.last }
func (p person) headline() string { return p.title + " at " + p.company.name }

// company is one synthetic company page, derived from its key alone.
type company struct {
	key, name, publicURL, hashedURL, nvURL string
	industry, location, cc, description    string
	specialties, website                   string
	employees, yearFounded, jobs           int
	venture                                bool
}

// Person slugs the sandbox generates end in a 6-hex-digit suffix; those of
// the account's existing connections start it with "c", and the people of
// its incoming invitations with "e", so that such a person is connected (or
// invited) whichever way the client reaches them.
func (g *generator) personSlug(r *rand.Rand, kind byte) string {
	first, last := pick(r, g.v.first), pick(r, g.v.last)
	suffix := hex(r, 6)
	if kind != 0 {
		suffix = string(kind) + suffix[1:]
	}
	return slugify(first) + "-" + slugify(last) + "-" + suffix
}

// person derives a member from a URL or key.
func (g *generator) person(raw string) person {
	key := personKey(raw)
	r := seeded("person", key)
	p := person{key: key}
	words := nameWords(key)
	p.first, p.last = pick(r, g.v.first), pick(r, g.v.last)
	if len(words) >= 1 {
		p.first = words[0]
	}
	if len(words) >= 2 {
		p.last = strings.Join(words[1:], " ")
	}
	if isSlug(key) {
		p.publicURL = "https://www.linkedin.com/in/" + key
		p.hashedURL = "https://www.linkedin.com/in/" + token(personTokenPrefix, key)
	} else { // a hashed id we did not make: no public slug known
		p.hashedURL = "https://www.linkedin.com/in/" + key
		p.publicURL = "https://www.linkedin.com/in/" + slugify(p.first+" "+p.last) + "-" + hex(r, 6)
	}
	p.title = pick(r, g.v.title)
	p.location, p.cc = city(pick(r, g.v.city))
	p.industry = pick(r, g.v.industry)
	p.company = g.company(pick(r, g.v.coA) + "-" + pick(r, g.v.coB))
	p.followers = between(r, 40, 25000)
	p.about = fmt.Sprintf("%s with %d years of experience in %s. Based in %s. Currently building at %s.",
		p.title, between(r, 3, 22), strings.ToLower(p.industry), p.location, p.company.name)
	p.responsive = r.IntN(2) == 0
	p.initialStatus = statusNotConnected
	switch {
	case key == "already-connected" || strings.HasSuffix(key, "-already-connected"):
		p.initialStatus = statusConnected
	case key == "already-pending" || strings.HasSuffix(key, "-already-pending"):
		p.initialStatus = statusPending
	case generatedWith(key, 'c'):
		p.initialStatus = statusConnected
	}
	return p
}

// generatedWith reports whether key is a generated slug of the given kind.
func generatedWith(key string, kind byte) bool {
	i := strings.LastIndexByte(key, '-')
	return i >= 0 && len(key)-i == 7 && key[i+1] == kind
}

// company derives a company page from a URL or key.
func (g *generator) company(raw string) company {
	key := companyKey(raw)
	r := seeded("company", key)
	c := company{key: key}
	if words := nameWords(key); len(words) > 0 {
		c.name = strings.Join(words, " ")
		if len(words) == 2 && (words[1] == "Ai" || words[1] == "Bio") {
			c.name = words[0] + " " + strings.ToUpper(words[1][:1]) + words[1][1:]
		}
	} else {
		c.name = pick(r, g.v.coA) + " " + pick(r, g.v.coB)
	}
	slug := key
	if !isSlug(key) {
		slug = slugify(c.name)
	}
	c.publicURL = "https://www.linkedin.com/company/" + slug
	c.hashedURL = "https://www.linkedin.com/company/" + token(companyTokenPrefix, slug)
	c.nvURL = "https://www.linkedin.com/sales/company/" + token(companyTokenPrefix, slug)
	c.industry = pick(r, g.v.industry)
	c.location, c.cc = city(pick(r, g.v.city))
	sizes := []int{8, 35, 140, 380, 760, 2400, 7200, 24000}
	c.employees = sizes[r.IntN(len(sizes))] + r.IntN(40)
	c.yearFounded = between(r, 1985, 2024)
	c.venture = r.IntN(3) > 0
	c.jobs = r.IntN(60)
	c.website = "https://www." + strings.ReplaceAll(slug, "-", "") + ".example"
	c.description = fmt.Sprintf("%s builds %s products for teams around the world. Founded in %d, headquartered in %s.",
		c.name, strings.ToLower(c.industry), c.yearFounded, c.location)
	c.specialties = strings.Join([]string{pick(r, g.v.skill), pick(r, g.v.skill), pick(r, g.v.skill)}, ", ")
	return c
}

// employeesIn returns a deterministic head count inside a size bucket.
func employeesIn(r *rand.Rand, bucket string) int {
	lo, hi, ok := strings.Cut(bucket, "-")
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	if !ok || err1 != nil || err2 != nil {
		return between(r, 10001, 60000)
	}
	return between(r, a, b)
}

// post is one synthetic post. Its activity id carries its time (as
// LinkedIn's do), so a listed post and the same post opened by URL agree.
type post struct {
	id      uint64
	url     string
	at      time.Time
	text    string
	topic   string
	author  person
	repost  bool
	images  int
	video   bool
	poll    bool
	reacts  int
	comms   int
	reposts int
}

func postID(at time.Time, r *rand.Rand) uint64 {
	return uint64(at.UnixMilli())<<22 | uint64(r.IntN(1<<22))
}

func (g *generator) postFromID(id uint64) post {
	r := seeded("post", strconv.FormatUint(id, 10))
	p := post{id: id, url: fmt.Sprintf("https://www.linkedin.com/feed/update/urn:li:activity:%d", id)}
	p.at = time.UnixMilli(int64(id >> 22)).UTC()
	p.topic = pick(r, g.v.topic)
	p.text = fmt.Sprintf(pick(r, g.v.post), p.topic)
	p.author = g.person(g.personSlug(r, 0))
	p.repost = r.IntN(6) == 0
	p.images = []int{0, 0, 1, 1, 2, 3}[r.IntN(6)]
	p.video = p.images == 0 && r.IntN(5) == 0
	p.poll = !p.video && p.images == 0 && r.IntN(8) == 0
	p.reacts = between(r, 0, 900)
	p.comms = between(r, 0, p.reacts/8+2)
	p.reposts = between(r, 0, p.reacts/20+1)
	return p
}

// postFromURL derives a post from its URL: a sandbox activity id (in
// urn:li:activity:<id> or a /posts/<author>_…-activity-<id>-… URL) gives
// that post, with the author the URL names; any other URL gets a post from
// its hash, dated within the last month.
func (g *generator) postFromURL(raw string, anchor time.Time) post {
	raw = strings.TrimSpace(raw)
	var p post
	if id, ok := activityID(raw); ok {
		p = g.postFromID(id)
	} else {
		r := seeded("post-url", strings.ToLower(raw))
		at := anchor.Add(-time.Duration(between(r, 1, 30*24)) * time.Hour)
		p = g.postFromID(postID(at, r))
	}
	p.url = raw
	segs := urlSegments(raw)
	for i, s := range segs {
		if s == "posts" && i+1 < len(segs) {
			if slug, _, ok := strings.Cut(segs[i+1], "_"); ok && slug != "" {
				p.author = g.person(slug)
			}
		}
	}
	return p
}

// activityID finds the sandbox activity id in a post URL.
func activityID(raw string) (uint64, bool) {
	for _, marker := range []string{"activity:", "activity-"} {
		i := strings.LastIndex(raw, marker)
		if i < 0 {
			continue
		}
		rest := raw[i+len(marker):]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if id, err := strconv.ParseUint(rest[:j], 10, 64); err == nil && id>>22 > 0 {
			return id, true
		}
	}
	return 0, false
}

// job is one synthetic job posting, derived from its id.
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

func (g *generator) jobFromID(id string) job {
	r := seeded("job", id)
	j := job{id: id, url: "https://www.linkedin.com/jobs/view/" + id}
	j.title = pick(r, g.v.title)
	j.company = g.company(pick(r, g.v.coA) + "-" + pick(r, g.v.coB))
	j.location, _ = city(pick(r, g.v.city))
	j.workplace = []string{"onSite", "remote", "hybrid"}[r.IntN(3)]
	j.employment = []string{"Full-time", "Full-time", "Full-time", "Part-time", "Contract"}[r.IntN(5)]
	if r.IntN(2) == 0 {
		lo := between(r, 50, 180) * 1000
		j.salary = map[string]any{"currency": "usd", "minAmount": lo, "maxAmount": lo + between(r, 10, 60)*1000, "period": "yearly"}
	}
	j.easyApply = r.IntN(2) == 0
	j.promoted = r.IntN(5) == 0
	j.applicants = between(r, 0, 400)
	j.posted = []string{"1d", "3d", "5d", "1w", "2w", "3w", "1mo"}[r.IntN(7)]
	j.description = fmt.Sprintf("%s is looking for a %s to join its team in %s. You will work with %s and %s.",
		j.company.name, j.title, j.location, pick(r, g.v.skill), pick(r, g.v.skill))
	return j
}

func (g *generator) jobFromURL(raw string) job {
	seg := lastSegment(raw)
	if _, err := strconv.ParseUint(seg, 10, 64); err == nil && seg != "" {
		return g.jobFromID(seg)
	}
	return g.jobFromID(digitString(seeded("job-url", strings.ToLower(strings.TrimSpace(raw))), 10))
}
