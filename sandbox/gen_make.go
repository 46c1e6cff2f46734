package sandbox

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// Searches and lists make the people, companies and jobs they return: the
// filter picks each attribute — a list value that matches it, else the
// filter's own words as text — and the codec writes them into the URL, so
// that the entity's own page, derived from the URL alone, says the same.

// maxSlug is the longest URL slug the sandbox makes, as LinkedIn's.
const maxSlug = 100

// maxTermWords is the longest term (in words) the sandbox honours.
const maxTermWords = 8

// personWant is what a list asks of the people it makes.
type personWant struct {
	first, last string
	positions   []string // any of
	senior      bool     // decision makers (DM lists)
	term        string
	employer    *company // everyone works there (employee lists)
	companies   []string // any of these company names
	industries  []string // any of
	locations   []string // any of
	kind        int
	// someConnected makes one person in connectedShare a connection.
	someConnected bool
}

// wantPeople reads a person filter and a term.
func wantPeople(filter map[string]any, term string) personWant {
	w := personWant{first: filterStr(filter, "firstName"), last: filterStr(filter, "lastName"),
		companies: strList(filter, "currentCompanies"), industries: strList(filter, "industries"),
		locations: strList(filter, "locations"), positions: strList(filter, "positions")}
	if p := filterStr(filter, "position"); p != "" {
		w.positions = []string{p}
	}
	if n := len(words(term)); n > 0 && n <= maxTermWords {
		w.term = term
	}
	return w
}

// matchPerson reports whether p has what w asks for.
func matchPerson(p person, w personWant) bool {
	switch {
	case w.first != "" && !startsWithWords(p.name(), w.first),
		w.last != "" && !endsWithWords(p.name(), w.last),
		len(w.positions) > 0 && !hasAny(p.title, w.positions),
		w.term != "" && !hasWords(p.name()+" "+p.headline(), w.term),
		len(w.companies) > 0 && !hasAny(p.company.name, w.companies),
		len(w.industries) > 0 && !hasAny(p.industry(), w.industries),
		len(w.locations) > 0 && !hasAny(p.location, w.locations):
		return false
	case w.employer != nil:
		return p.company.key == w.employer.key || !isSlug(w.employer.key) && p.company.name == w.employer.name
	}
	return true
}

func pickOf(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// choose returns a field for query q: a random entry of list that match
// accepts, else q's words as text (at most max of them), else false.
func choose(r *rand.Rand, list []string, q string, max int, match func(entry, q string) bool) (field, bool) {
	var cands []int
	for i, e := range list {
		if match(e, q) {
			cands = append(cands, i)
		}
	}
	if len(cands) > 0 {
		return idxField(cands[r.IntN(len(cands))]), true
	}
	ws := words(q)
	if len(ws) == 0 || len(ws) > max {
		return field{}, false
	}
	return textField(ws), true
}

// termTitle is a title with the words of a term: a list title that has
// them, else the term before a list title ("Fintech Product Manager").
func (g *generator) termTitle(r *rand.Rand, term string) (field, bool) {
	if v, ok := choose(r, g.v.title, term, 0, hasWords); ok {
		return v, true
	}
	return prefixed(term, pickOf(r, g.v.title))
}

// prefixed is a title text: the words of term that title lacks, then
// title; false when that is longer than a title may be.
func prefixed(term, title string) (field, bool) {
	tw := words(title)
	var ws []string
	for _, t := range words(term) {
		if !slices.Contains(tw, t) && !slices.Contains(ws, t) {
			ws = append(ws, t)
		}
	}
	ws = append(ws, tw...)
	return textField(ws), len(ws) <= 8
}

// sameWords reports whether two texts have the same words in order.
func sameWords(a, b string) bool { return slices.Equal(words(a), words(b)) }

// wantCache holds what a list computes once for all its items.
type wantCache struct {
	industryCos []int // list companies in the asked industries
	done        bool
}

// makePerson makes the URL slug of a person who has what w asks for, or
// reports false when that cannot be written into a URL.
func (g *generator) makePerson(r *rand.Rand, w personWant, cache *wantCache) (string, bool) {
	f := make([]field, len(g.people.slots))
	ok := true
	set := func(i int, v field, good bool) { f[i] = v; ok = ok && good }
	random := func(list []string) field { return idxField(r.IntN(len(list))) }

	set(pFirst, random(g.v.first), true)
	if w.first != "" {
		v, good := choose(r, g.v.first, w.first, 3, sameWords)
		set(pFirst, v, good)
	}
	set(pLast, random(g.v.last), true)
	if w.last != "" {
		v, good := choose(r, g.v.last, w.last, 3, sameWords)
		set(pLast, v, good)
	}
	set(pLocation, random(g.v.city), true)
	switch {
	case len(w.locations) > 0:
		v, good := choose(r, g.v.city, pickOf(r, w.locations), 6, hasWords)
		set(pLocation, v, good)
	case w.employer != nil && r.IntN(3) > 0: // most people work where their company is
		if v, good := choose(r, g.v.city, w.employer.location, 6, sameWords); good {
			set(pLocation, v, true)
		}
	}
	switch {
	case w.employer != nil:
		v, good := g.companyField(w.employer)
		set(pCompany, v, good)
	case len(w.companies) > 0:
		names := make([]string, len(g.v.coSlug))
		for i, s := range g.v.coSlug {
			names[i] = strings.ReplaceAll(s, "-", " ")
		}
		v, good := choose(r, names, pickOf(r, w.companies), 12, sameWords)
		set(pCompany, v, good)
	case len(w.industries) > 0:
		v, good := g.industryCompany(r, w.industries, cache)
		set(pCompany, v, good)
	default:
		set(pCompany, random(g.v.coSlug), true)
	}
	titled := false
	switch {
	case len(w.positions) > 0:
		v, good := choose(r, g.v.title, pickOf(r, w.positions), 8, hasWords)
		set(pTitle, v, good)
		titled = true
	case w.senior:
		set(pTitle, idxField(slices.Index(g.v.title, pickOf(r, g.v.senior))), true)
	case w.term != "":
		v, good := g.termTitle(r, w.term)
		set(pTitle, v, good)
	default:
		set(pTitle, random(g.v.title), true)
	}
	if !ok {
		return "", false
	}
	if w.term != "" && titled {
		// The term must show in the name or the headline: a position's
		// title takes the term's missing words.
		title := f[pTitle].value(g.people.slots[pTitle])
		name := f[pFirst].value(g.people.slots[pFirst]) + " " + f[pLast].value(g.people.slots[pLast])
		if co := g.company(g.coKey(f[pCompany])); !hasWords(name+" "+title+" at "+co.name, w.term) {
			v, good := prefixed(w.term, title)
			if !good {
				return "", false
			}
			f[pTitle] = v
		}
	}
	f[pKind], f[pNonce] = idxField(w.kind), idxField(r.IntN(g.people.slots[pNonce].n))
	toks, good := g.people.encode(f)
	slug := strings.Join(toks, "-")
	return slug, good && len(slug) <= maxSlug
}

// companyField names a given company in a person's URL: its list index,
// or its key's words; a key that is no slug (a hashed id the sandbox did
// not make) is named by its name instead.
func (g *generator) companyField(c *company) (field, bool) {
	if i := slices.Index(g.v.coSlug, c.key); i >= 0 {
		return idxField(i), true
	}
	key := c.key
	if !isSlug(key) {
		key = slugify(c.name)
	}
	ws := strings.Split(key, "-")
	return textField(ws), len(ws) <= g.people.slots[pCompany].words && len(words(key)) == len(ws)
}

// industryCompany picks a company in one of the industries: a list
// company, else a company made for it.
func (g *generator) industryCompany(r *rand.Rand, industries []string, cache *wantCache) (field, bool) {
	if cache == nil {
		cache = &wantCache{}
	}
	if !cache.done {
		cache.done = true
		for i, s := range g.v.coSlug {
			if hasAny(g.industryOf(s, strings.ReplaceAll(s, "-", " ")), industries) {
				cache.industryCos = append(cache.industryCos, i)
			}
		}
	}
	if len(cache.industryCos) > 0 {
		return idxField(cache.industryCos[r.IntN(len(cache.industryCos))]), true
	}
	slug, ok := g.makeCompany(r, companyWant{industries: industries})
	ws := strings.Split(slug, "-")
	return textField(ws), ok && len(ws) <= g.people.slots[pCompany].words
}

// companyWant is what a list asks of the companies it makes.
type companyWant struct {
	term                         string
	sizes, locations, industries []string // any of
}

func wantCompanies(filter map[string]any, term string) companyWant {
	w := companyWant{sizes: strList(filter, "sizes"), locations: strList(filter, "locations"), industries: strList(filter, "industries")}
	if n := len(words(term)); n > 0 && n <= maxTermWords {
		w.term = term
	}
	return w
}

// matchCompany reports whether c has what w asks for.
func matchCompany(c company, w companyWant) bool {
	sized := len(w.sizes) == 0
	for _, b := range w.sizes {
		sized = sized || inBucket(c.employees, b)
	}
	return sized &&
		(w.term == "" || hasWords(c.name+" "+c.industry, w.term)) &&
		(len(w.locations) == 0 || hasAny(c.location, w.locations)) &&
		(len(w.industries) == 0 || hasAny(c.industry, w.industries))
}

// makeCompany makes the URL slug of a company that has what w asks for.
func (g *generator) makeCompany(r *rand.Rand, w companyWant) (string, bool) {
	f := make([]field, len(g.companies.slots))
	ok := true
	f[cFirst] = idxField(r.IntN(len(g.v.coA)))
	second := r.IntN(len(g.v.coB))
	f[cSecond] = idxField(second)
	industry := -1 // from the second word
	if len(w.industries) > 0 {
		v, good := choose(r, g.v.industry, pickOf(r, w.industries), 8, hasWords)
		f[cIndustry], ok = v, good
		if good && !v.isText() {
			industry = v.idx
			var fits []int
			for i, inds := range g.v.coIndustry {
				if slices.Contains(inds, g.v.industry[v.idx]) {
					fits = append(fits, i)
				}
			}
			if len(fits) > 0 {
				second = fits[r.IntN(len(fits))]
				f[cSecond] = idxField(second)
			}
		}
	}
	if w.term != "" && !hasWords(valueOf(g.companies.slots[cFirst], f[cFirst])+" "+g.v.coB[second], w.term) {
		v, good := choose(r, g.v.coB, w.term, 4, hasWords)
		switch {
		case good && !v.isText():
			f[cSecond] = v
			second = v.idx
		case len(w.industries) == 0 && anyIndex(g.v.industry, w.term) >= 0:
			industry = anyIndex(g.v.industry, w.term)
			f[cIndustry] = idxField(industry)
		default:
			f[cSecond], ok = v, ok && good
			second = -1
		}
	}
	if len(w.industries) == 0 && industry < 0 {
		kind := second
		if kind < 0 { // a name made of the term: the kind of company a word of it names ("AI startup": AI)
			for i, b := range g.v.coB {
				if hasWords(w.term, b) {
					kind = i
				}
			}
		}
		if kind >= 0 {
			industry = slices.Index(g.v.industry, pickOf(r, g.v.coIndustry[kind]))
		} else {
			industry = r.IntN(len(g.v.industry))
		}
		f[cIndustry] = idxField(industry)
	}
	f[cLocation] = idxField(r.IntN(len(g.v.city)))
	if len(w.locations) > 0 {
		v, good := choose(r, g.v.city, pickOf(r, w.locations), 6, hasWords)
		f[cLocation], ok = v, ok && good
	}
	f[cSize] = idxField(0)
	if len(w.sizes) > 0 {
		b := slices.Index(g.v.sizes, pickOf(r, w.sizes))
		f[cSize], ok = idxField(b+1), ok && b >= 0
	}
	f[cNonce] = idxField(r.IntN(g.companies.slots[cNonce].n))
	if !ok {
		return "", false
	}
	toks, good := g.companies.encode(f)
	slug := strings.Join(toks, "-")
	return slug, good && len(slug) <= maxSlug
}

// anyIndex is the index of the first entry of list that has the words of
// q, or -1.
func anyIndex(list []string, q string) int {
	for i, e := range list {
		if hasWords(e, q) {
			return i
		}
	}
	return -1
}

// jobWant is what a job search asks of the jobs it makes.
type jobWant struct {
	query       string   // the term's and keywords' words, all in the title
	location    string   // a location
	companies   []string // any of these company names
	workplaces  []string // any of
	employments []string // any of
	easyApply   bool
	under10     bool
	datePosted  string
}

// wantJobs reads a job search's term, location, filter and preferences.
func wantJobs(params map[string]any) jobWant {
	filter, _ := params["filter"].(map[string]any)
	prefs, _ := params["preferences"].(map[string]any)
	w := jobWant{location: str(params, "location")}
	if w.location == "" {
		w.location = filterStr(filter, "location")
	}
	q := words(str(params, "term"))
	for _, m := range []map[string]any{filter, prefs} {
		w.companies = append(w.companies, strList(m, "companies")...)
		w.workplaces = append(w.workplaces, strList(m, "workplaceTypes")...)
		w.employments = append(w.employments, strList(m, "employmentTypes")...)
		w.easyApply = w.easyApply || m["easyApply"] == true
		w.under10 = w.under10 || m["under10Applicants"] == true
		if d := filterStr(m, "datePosted"); d != "" {
			w.datePosted = d
		}
	}
	if prefs["remote"] == true {
		w.workplaces = []string{"remote"}
	}
	for _, k := range strList(prefs, "keywords") {
		q = append(q, words(k)...)
	}
	if len(q) > 0 && len(q) <= maxTermWords {
		w.query = strings.Join(q, " ")
	}
	return w
}

// matchJob reports whether j has what w asks for.
func matchJob(j job, w jobWant) bool {
	return (w.query == "" || hasWords(j.title+" "+j.company.name, w.query)) &&
		(w.location == "" || hasWords(j.location, w.location)) &&
		(len(w.companies) == 0 || hasAny(j.company.name, w.companies)) &&
		(len(w.workplaces) == 0 || slices.Contains(w.workplaces, j.workplace)) &&
		(len(w.employments) == 0 || slices.ContainsFunc(w.employments, func(e string) bool {
			i := slices.Index(enum(employmentTypes), e)
			return i >= 0 && enum(employmentLabels)[i] == j.employment
		})) &&
		(!w.easyApply || j.easyApply) &&
		(!w.under10 || j.applicants < 10) &&
		(w.datePosted == "" || postedWithin(j.posted, w.datePosted))
}

// makeJob makes the last URL segment of a job that has what w asks for.
func (g *generator) makeJob(r *rand.Rand, w jobWant) (string, bool) {
	s := g.jobs.slots
	f := make([]field, len(s))
	for i := range s {
		if s[i].vocab != nil {
			f[i] = idxField(r.IntN(len(s[i].vocab)))
		} else {
			f[i] = idxField(r.IntN(s[i].n))
		}
	}
	ok := true
	if w.query != "" {
		f[jTitle], ok = g.termTitle(r, w.query)
	}
	if w.location != "" {
		v, good := choose(r, g.v.city, w.location, 6, hasWords)
		f[jLocation], ok = v, ok && good
	}
	if len(w.companies) > 0 {
		names := make([]string, len(g.v.coSlug))
		for i, c := range g.v.coSlug {
			names[i] = strings.ReplaceAll(c, "-", " ")
		}
		v, good := choose(r, names, pickOf(r, w.companies), 12, sameWords)
		f[jCompany], ok = v, ok && good
	}
	if len(w.workplaces) > 0 {
		f[jWorkplace] = idxField(slices.Index(enum(workplaceTypes), pickOf(r, w.workplaces)))
	}
	if len(w.employments) > 0 {
		f[jEmployment] = idxField(slices.Index(enum(employmentTypes), pickOf(r, w.employments)))
	}
	if w.easyApply {
		f[jEasyApply] = idxField(1)
	}
	if w.under10 {
		f[jApplicants] = idxField(0)
	}
	if w.datePosted != "" {
		var fits []int
		for i, p := range g.v.posted {
			if postedWithin(p, w.datePosted) {
				fits = append(fits, i)
			}
		}
		f[jPosted] = idxField(fits[r.IntN(len(fits))])
	}
	for _, v := range f {
		ok = ok && (v.isText() || v.idx >= 0)
	}
	if !ok {
		return "", false
	}
	toks, good := g.jobs.encode(f)
	seg := strings.Join(toks, "-")
	return seg, good && len(seg) <= maxSlug
}
