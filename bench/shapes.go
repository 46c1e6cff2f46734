package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Shapes are the corpus shapes the validation benchmark measures, in the
// order BENCHMARKS.md lists them.
var Shapes = []string{"bench", "repo", "expr", "deep", "csv"}

// CSVInput is the input every file of the csv shape takes from a CSV file
// (--input leads=@leads.csv), and CSVFile the name of that file in the
// corpus directory.
const (
	CSVInput = "leads"
	CSVFile  = "leads.csv"
)

// Shaped generates n files of a corpus shape:
//
//   - bench: Corpus, the generated campaigns;
//   - repo: the repository's own examples (examples/sequences included)
//     and standard workflows, repeated to n files; root is the
//     repository's directory;
//   - expr: files heavy in ${{ }} expressions (about 30 each, most of them
//     different from file to file);
//   - deep: iteration four levels deep (forEach over an input, then
//     doForCompanies, doForPeople and doForPosts, some of them named loops)
//     and root arrays;
//   - csv: campaigns and sequences whose forEach and leads: run over a
//     list of leads given as a CSV file (LeadsCSV), one in four a
//     sequence.
//
// The same arguments give the same files.
func Shaped(shape string, n int, seed uint64, root string) ([]File, error) {
	r := rand.New(rand.NewPCG(seed, 2))
	var gen func(r *rand.Rand, i int) string
	switch shape {
	case "bench":
		return Corpus(n, seed), nil
	case "repo":
		return repoCorpus(n, root)
	case "expr":
		gen = exprFile
	case "deep":
		gen = deepFile
	case "csv":
		gen = csvFile
	default:
		return nil, fmt.Errorf("unknown corpus shape %q (known: %s)", shape, strings.Join(Shapes, ", "))
	}
	files := make([]File, n)
	for i := range files {
		files[i] = File{Name: fmt.Sprintf("%s-%04d.yaml", shape, i), Src: []byte(gen(r, i))}
	}
	return files, nil
}

// repoCorpus repeats the repository's workflow files to n files, each
// copy under its own name.
func repoCorpus(n int, root string) ([]File, error) {
	var paths []string
	for _, dir := range []string{"examples", "examples/sequences", "workflows"} {
		m, err := filepath.Glob(filepath.Join(root, dir, "*.yaml"))
		if err != nil {
			return nil, err
		}
		paths = append(paths, m...)
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		return nil, fmt.Errorf("no workflow files below %s/examples or %s/workflows", root, root)
	}
	srcs := make([][]byte, len(paths))
	for i, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		srcs[i] = b
	}
	files := make([]File, n)
	for i := range files {
		k := i % len(paths)
		files[i] = File{Name: fmt.Sprintf("%04d-%s", i, filepath.Base(paths[k])), Src: srcs[k]}
	}
	return files, nil
}

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tim"}
	companies  = []string{"Analytical Engines", "Compilers Inc", "Hypertext Labs", "Low Power Chips", "Example Robotics", "Information Theory Co"}
	schools    = []string{"MIT", "Stanford University", "ETH Zurich", "University of Cambridge", "TU Munich"}
)

// exprFile is a campaign where nearly every value is an expression:
// vars built from inputs and other vars, string functions, arithmetic,
// map and filter over a list input, conditions and templated texts.
func exprFile(r *rand.Rand, i int) string {
	var b strings.Builder
	w := 2 + r.IntN(10)
	fmt.Fprintf(&b, `# Outreach %d: every value computed from the inputs.
version: 1
name: outreach-%04d
description: Find %ss at %s and write to the best-scored people of a list.
inputs:
  fullName: {type: string, default: "  %s %s  "}
  company: {type: string, default: %q}
  cities: {type: array, items: {type: string}, default: [%q, %q]}
  minScore: {type: integer, default: %d, minimum: 0, maximum: 10}
  weeks: {type: integer, default: %d, minimum: 1, maximum: 52}
  tone: {type: string, enum: [formal, casual], default: %s}
  people:
    type: array
    items:
      type: object
      properties: {url: {type: string}, name: {type: string}, score: {type: integer}}
    default:
      - {url: "https://www.linkedin.com/in/%s-%d", name: %q, score: %d}
      - {url: "https://www.linkedin.com/in/%s-%d", name: %q, score: %d}
vars:
  since: ${{ daysAgo(inputs.weeks * %d) }}
  greeting: '${{ inputs.tone == "formal" ? "Dear" : "Hi" }}'
  first: ${{ trim(split(trim(inputs.fullName), " ")[0]) }}
  where: '${{ join(map(inputs.cities, upper(#)), " / ") }}'
  best: "${{ filter(inputs.people, #.score >= inputs.minScore + %d) }}"
  tag: campaign-${{ %d + inputs.weeks }}-${{ lower(inputs.tone) }}
workflow:
`, i, i, pick(r, positions), pick(r, companies), pick(r, firstNames), pick(r, firstNames), pick(r, companies),
		pick(r, cities), pick(r, cities), r.IntN(8), w, pick(r, []string{"formal", "casual"}),
		strings.ToLower(pick(r, firstNames)), r.IntN(1000), pick(r, firstNames), r.IntN(11),
		strings.ToLower(pick(r, firstNames)), r.IntN(1000), pick(r, firstNames), r.IntN(11),
		1+r.IntN(7), r.IntN(3)-1, r.IntN(100))
	fmt.Fprintf(&b, `  - action: searchPeople
    label: ${{ vars.tag + "-search" }}
    term: ${{ inputs.company + " " + %q }}
    limit: ${{ min(inputs.weeks * %d, 100) }}
    filter:
      locations: ${{ inputs.cities }}
      currentCompanies: ["${{ inputs.company }}"]
      position: ${{ lower(%q) }}
    then:
      action: doForPeople
      then:
        action: openPersonPage
        basicInfo: ${{ inputs.weeks > %d }}
        then:
          - action: sendConnectionRequest
            if: ${{ len(vars.best) > %d || inputs.tone != "formal" }}
            note: ${{ vars.greeting }} there, I work with ${{ len(inputs.cities) }} teams in ${{ vars.where }}.
          - action: retrievePersonPosts
            limit: ${{ inputs.minScore + %d }}
            since: ${{ vars.since }}
  - action: sendMessage
    forEach: ${{ vars.best }}
    as: p
    label: ${{ vars.tag }}-msg-${{ index }}
    personUrl: ${{ p.url }}
    text: |
      ${{ vars.greeting }} ${{ split(p.name, " ")[0] ?? "there" }},
      your score of ${{ p.score * %d }} puts you in our top ${{ max(len(vars.best), 1) }}.
      Since ${{ vars.since }} we have talked to ${{ inputs.weeks * %d }} people at ${{ upper(inputs.company) }}.
  - action: openPersonPage
    personUrl: ${{ inputs.people[0].url }}
    basicInfo: true
    then:
      action: retrievePersonPosts
      limit: ${{ inputs.people[0].score + %d }}
      since: ${{ vars.since }}
`, pick(r, positions), 1+r.IntN(9), pick(r, positions), r.IntN(20), r.IntN(3), 1+r.IntN(5),
		1+r.IntN(10), 2+r.IntN(20), 1+r.IntN(5))
	return b.String()
}

// deepFile is iteration four levels deep — a forEach over the search
// terms, then companies, their people and their posts — with named
// loops at some levels, beside further root steps.
func deepFile(r *rand.Rand, i int) string {
	var b strings.Builder
	company, person, post := "", "", ""
	if r.IntN(2) == 0 {
		company = "\n      as: company"
	}
	if r.IntN(2) == 0 {
		person = "\n              as: person"
	}
	if r.IntN(2) == 0 {
		post = "\n                      as: post"
	}
	fmt.Fprintf(&b, `# Market map %d: companies per term, their people, their posts.
version: 1
name: market-map-%04d
inputs:
  terms: {type: array, items: {type: string}, default: [%q, %q]}
  employees: {type: integer, default: %d, minimum: 1, maximum: 50}
  reaction: {type: string, default: %s}
workflow:
  - action: searchCompanies
    forEach: ${{ inputs.terms }}
    as: term
    label: companies-${{ index }}
    term: ${{ term }}
    limit: %d
    filter: {locations: [%q], sizes: [%q]}
    then:
      action: doForCompanies%s
      then:
        action: openCompanyPage
        basicInfo: true
        then:
          - action: retrieveCompanyEmployees
            limit: ${{ inputs.employees }}
            filter: {position: %q}
            then:
              action: doForPeople%s
              then:
                action: openPersonPage
                then:
                  - action: retrievePersonPosts
                    limit: %d
                    then:
                      action: doForPosts%s
                      then:
                        action: openPost
                        then:
                          - action: reactToPost
                            type: ${{ inputs.reaction }}
                          - action: retrievePostReactions
                            limit: %d
                  - action: retrievePersonSkills
          - action: retrieveCompanyPosts
            limit: %d
            then:
              action: doForPosts
              then:
                action: openPost
                basicInfo: true
`, i, i, pick(r, industries), pick(r, industries), 1+r.IntN(20), pick(r, reactions), 1+r.IntN(10),
		pick(r, cities), pick(r, sizes), company, pick(r, positions), person, 1+r.IntN(5), post, 1+r.IntN(50), 1+r.IntN(5))
	fmt.Fprintf(&b, `  - action: searchJobs
    term: %s
    limit: %d
    then:
      action: doForJobs
      then:
        action: openJob
  - action: retrieveFeed
    limit: %d
    then:
      action: doForPosts
      then:
        action: openPost
        then:
          action: reactToPost
          type: %s
  - action: retrieveSSI
`, pick(r, positions), 1+r.IntN(20), 1+r.IntN(20), pick(r, reactions))
	return b.String()
}

// csvFile is a campaign (three in four) or a sequence (one in four) over
// the leads of a CSV file given as --input leads=@leads.csv.
func csvFile(r *rand.Rand, i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `# Leads %d: a list of leads from a CSV file (url, firstName, company,
# score, school), given as --input leads=@leads.csv.
#
# Every row is one lead; a lead scoring below minScore is left out. The
# columns are declared, so a misspelt column is caught before anything
# is sent, and every URL of the file is checked with its line.
#
#   lwf run leads-%04d.yaml --input leads=@leads.csv
version: 1
name: leads-%04d
description: Reach the leads of a CSV file who score at least minScore, one action per lead.
inputs:
  leads:
    type: array
    description: The leads, one row each.
    items:
      type: object
      properties:
        url: {type: string}
        firstName: {type: string}
        company: {type: string}
        score: {type: integer}
        school: {type: string}
  minScore: {type: integer, default: %d, minimum: 0, maximum: 10}
`, i, i, i, r.IntN(10))
	if i%4 == 3 {
		fmt.Fprintf(&b, `sequence:
  leads: ${{ inputs.leads }}
  key: ${{ lead.url }}
  steps:
    - id: invite
      if: ${{ lead.score >= inputs.minScore }}
      action: sendConnectionRequest
      personUrl: ${{ lead.url }}
      note: Hi ${{ lead.firstName }}, I enjoyed reading about what ${{ lead.company }} is building.
    - id: accepted
      wait: connectionAccepted
      within: %dd
      onTimeout:
        action: withdrawConnectionRequest
        personUrl: ${{ lead.url }}
    - id: thanks
      after: %dd
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Thanks for connecting, ${{ lead.firstName }}! How is %s at ${{ lead.company }}?
  exitWhen: [replied]
  schedule:
    workingHours: Mon-Fri 09:00-18:00 Europe/Berlin
    pace: %dm
`, 7+r.IntN(14), 1+r.IntN(3), pick(r, []string{"life", "work", "the new team", "the launch"}), 5+r.IntN(20))
		return b.String()
	}
	fmt.Fprintf(&b, `workflow:
  - action: sendConnectionRequest
    forEach: ${{ inputs.leads }}
    as: lead
    if: ${{ lead.score >= inputs.minScore }}
    label: invite-${{ index }}
    personUrl: ${{ lead.url }}
    note: |-
      Hi ${{ lead.firstName }}, I enjoyed reading about what ${{ lead.company }} is building.
      %s
  - action: openPersonPage
    forEach: ${{ inputs.leads }}
    as: lead
    if: ${{ lead.school == %q }}
    personUrl: ${{ lead.url }}
    basicInfo: true
    then:
      action: retrievePersonPosts
      limit: %d
  - action: sendMessage
    forEach: ${{ inputs.leads }}
    as: lead
    if: ${{ lead.company != "" && lead.score > %d }}
    label: message-${{ index }}
    personUrl: ${{ lead.url }}
    text: |-
      Hi ${{ lead.firstName }}, congratulations on the news at ${{ lead.company }}!
      %s
  - action: retrieveSSI
`, pick(r, []string{"Would be glad to connect!", "Fellow alumni here, let's connect.", "We met at the meetup, glad to stay in touch."}),
		pick(r, schools), 1+r.IntN(5), 5+r.IntN(5), pick(r, []string{"Would you have 15 minutes next week?", "Happy to share what we learned.", "Let me know if I can help."}))
	return b.String()
}

// LeadsCSV is the list of leads the csv shape's files take: a header row
// and rows lines of url, firstName, company, score and school.
func LeadsCSV(rows int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	var b strings.Builder
	b.WriteString("url,firstName,company,score,school\n")
	for i := range rows {
		first := pick(r, firstNames)
		fmt.Fprintf(&b, "https://www.linkedin.com/in/%s-%d,%s,%s,%d,%s\n", strings.ToLower(first), i, first, pick(r, companies), r.IntN(11), pick(r, schools))
	}
	return []byte(b.String())
}
