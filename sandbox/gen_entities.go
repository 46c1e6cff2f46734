package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The slots of the person codec, in order.
const (
	pFirst = iota
	pLast
	pTitle
	pCompany
	pLocation
	pKind
	pNonce
)

// Kinds of generated people: the account's existing connections are
// connected and may be messaged, inviters have invited the account.
const (
	kindOther = iota
	kindConnection
	kindInviter
)

// The slots of the company codec, in order.
const (
	cFirst = iota
	cSecond
	cLocation
	cIndustry
	cSize
	cNonce
)

// person is one synthetic LinkedIn member, derived from its key alone.
type person struct {
	key, first, last     string
	publicURL, hashedURL string
	title, location, cc  string
	about                string
	company              company
	followers            int
	responsive           bool // accepts requests and answers (AcceptAfter, ReplyAfter)
	kind                 int
	initialStatus        string
}

func (p person) name() string     { return p.first + " " + p.last }
func (p person) headline() string { return p.title + " at " + p.company.name }

// industry is the person's industry: their company's.
func (p person) industry() string { return p.company.industry }

// company is one synthetic company page, derived from its key alone.
type company struct {
	key, name, publicURL, hashedURL, nvURL string
	industry, location, cc, description    string
	specialties, website                   string
	employees, yearFounded, jobs           int
	venture                                bool
}

// person derives a member from a URL or key: a URL the sandbox made
// decodes to what it encodes; any other gets its name from its words
// ("…/in/jane-doe" is Jane Doe) and the rest from a hash.
func (g *generator) person(raw string) person {
	key := personKey(raw)
	if !isSlug(key) {
		// A hashed id the sandbox did not make: the person of a public URL
		// made from its hash, so that either URL gives the same person.
		p := g.person(g.randomPerson(seeded("person", key), kindOther))
		if isID(key) {
			p.hashedURL = "https://www.linkedin.com/in/" + key
		}
		return p
	}
	r := seeded("person", key)
	p := person{key: key}
	var coKey string
	if f, ok := g.decode(g.people, key); ok {
		s := g.people.slots
		p.first, p.last = f[pFirst].value(s[pFirst]), f[pLast].value(s[pLast])
		p.title = f[pTitle].value(s[pTitle])
		coKey = g.coKey(f[pCompany])
		p.location, p.cc = g.place(f[pLocation])
		p.kind = f[pKind].idx
	} else {
		p.first, p.last = pick(r, g.v.first), pick(r, g.v.last)
		if ws := nameWords(key); len(ws) >= 2 {
			p.first, p.last = display(ws[:1]), display(ws[1:])
		} else if len(ws) == 1 {
			p.first = display(ws)
		}
		p.title = pick(r, g.v.title)
		p.location, p.cc = g.place(idxField(r.IntN(len(g.v.city))))
		coKey = pick(r, g.v.coSlug)
	}
	p.publicURL = "https://www.linkedin.com/in/" + key
	p.hashedURL = "https://www.linkedin.com/in/" + token(personTokenPrefix, key)
	p.company = g.company(coKey)
	p.followers = between(r, 40, 25000)
	p.about = fmt.Sprintf("%s with %d years of experience in %s. Based in %s. Currently building at %s.",
		p.title, between(r, 3, 22), strings.ToLower(p.industry()), p.location, p.company.name)
	p.responsive = seeded("responsive", key).IntN(2) == 0
	p.initialStatus = statusNotConnected
	switch {
	case key == "already-connected" || strings.HasSuffix(key, "-already-connected"), p.kind == kindConnection:
		p.initialStatus = statusConnected
	case key == "already-pending" || strings.HasSuffix(key, "-already-pending"):
		p.initialStatus = statusPending
	}
	return p
}

// isID reports whether a key can be a LinkedIn hashed id (letters,
// digits, - and _), which then stays the entity's hashed URL.
func isID(key string) bool {
	if key == "" || len(key) > 200 {
		return false
	}
	for _, r := range key {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// decode reads a key the codec made, or reports false.
func (g *generator) decode(c *codec, key string) ([]field, bool) {
	if !isSlug(key) {
		return nil, false
	}
	return c.decode(strings.Split(key, "-"))
}

// coKey is the key of the company a company field names.
func (g *generator) coKey(f field) string {
	if f.isText() {
		return strings.Join(f.text, "-")
	}
	return g.v.coSlug[f.idx]
}

// place is the location and country code a location field names; text
// gets the country code of the country it names, if any.
func (g *generator) place(f field) (string, string) {
	if !f.isText() {
		return g.v.city[f.idx], g.v.cc[f.idx]
	}
	loc := display(f.text)
	for i, c := range g.v.city {
		if country := c[strings.LastIndex(c, ",")+1:]; hasWords(loc, country) {
			return loc, g.v.cc[i]
		}
	}
	return loc, ""
}

// randomPerson makes the URL of a person with random attributes.
func (g *generator) randomPerson(r *rand.Rand, kind int) string {
	slug, _ := g.makePerson(r, personWant{kind: kind}, nil)
	return slug
}

// company derives a company page from a URL or key, like person.
func (g *generator) company(raw string) company {
	key := companyKey(raw)
	if !isSlug(key) {
		// A hashed id the sandbox did not make: the company of a public URL
		// made from its hash, as for people.
		slug, _ := g.makeCompany(seeded("company", key), companyWant{})
		c := g.company(slug)
		if isID(key) {
			c.hashedURL = "https://www.linkedin.com/company/" + key
			c.nvURL = "https://www.linkedin.com/sales/company/" + key
		}
		return c
	}
	r := seeded("company", key)
	c := company{key: key}
	bucket := 0
	if f, ok := g.decode(g.companies, key); ok {
		s := g.companies.slots
		c.name = f[cFirst].value(s[cFirst]) + " " + f[cSecond].value(s[cSecond])
		c.location, c.cc = g.place(f[cLocation])
		c.industry = f[cIndustry].value(s[cIndustry])
		bucket = f[cSize].idx
	} else {
		c.name = display(words(key))
		c.industry = g.industryOf(key, c.name)
		c.location, c.cc = g.place(idxField(r.IntN(len(g.v.city))))
	}
	if bucket == 0 {
		bucket = 1 + r.IntN(len(g.v.sizes))
	}
	c.employees = employeesIn(r, g.v.sizes[bucket-1])
	slug := key
	c.publicURL = "https://www.linkedin.com/company/" + slug
	c.hashedURL = "https://www.linkedin.com/company/" + token(companyTokenPrefix, slug)
	c.nvURL = "https://www.linkedin.com/sales/company/" + token(companyTokenPrefix, slug)
	c.yearFounded = between(r, 1985, 2024)
	c.venture = r.IntN(3) > 0
	c.jobs = r.IntN(60)
	c.website = "https://www." + strings.ReplaceAll(slugify(c.name), "-", "") + ".example"
	c.description = fmt.Sprintf("%s builds %s products for teams around the world. Founded in %d, headquartered in %s.",
		c.name, strings.ToLower(c.industry), c.yearFounded, c.location)
	c.specialties = strings.Join([]string{pick(r, g.v.skill), pick(r, g.v.skill), pick(r, g.v.skill)}, ", ")
	return c
}

// industryOf is the industry of a company the sandbox did not encode: one
// its name's last word stands for ("… Robotics": Robotics Engineering),
// else any.
func (g *generator) industryOf(key, name string) string {
	r := seeded("industry", key)
	ws := words(name)
	if len(ws) > 0 {
		for i, b := range g.v.coB {
			if words(b)[0] == ws[len(ws)-1] {
				return pick(r, g.v.coIndustry[i])
			}
		}
	}
	return pick(r, g.v.industry)
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

// inBucket reports whether a head count falls in a LinkedIn size bucket.
func inBucket(n int, bucket string) bool {
	if lo, ok := strings.CutSuffix(bucket, "+"); ok {
		a, err := strconv.Atoi(lo)
		return err == nil && n >= a
	}
	lo, hi, ok := strings.Cut(bucket, "-")
	a, err1 := strconv.Atoi(lo)
	b, err2 := strconv.Atoi(hi)
	return ok && err1 == nil && err2 == nil && n >= a && n <= b
}
