package bench

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// File is one generated workflow file.
type File struct {
	Name string
	Src  []byte
}

// Corpus generates n realistic workflow files of about 2 KB each, with
// inputs, vars, nested actions and several expressions. The same n and
// seed give the same files.
func Corpus(n int, seed uint64) []File {
	r := rand.New(rand.NewPCG(seed, 1))
	files := make([]File, n)
	for i := range files {
		files[i] = File{Name: fmt.Sprintf("campaign-%04d.yaml", i), Src: []byte(one(r, i))}
	}
	return files
}

var (
	cities     = []string{"San Francisco", "Berlin", "Paris", "London", "Austin", "Toronto", "Amsterdam", "Singapore"}
	industries = []string{"Software Development", "Financial Services", "Hospital & Health Care", "Retail", "Education"}
	positions  = []string{"manager", "director", "head of engineering", "cto", "vp sales", "founder"}
	sizes      = []string{"1-10", "11-50", "51-200", "201-500", "501-1000"}
	reactions  = []string{"like", "celebrate", "support", "insightful"}
)

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

func one(r *rand.Rand, i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `# Campaign %d: reach %s people at %s companies in %s.
# Generated for benchmarks; every file is valid.
version: 1
name: campaign-%04d
description: Connect with %ss at %s companies and follow up with a message.
inputs:
  note:
    type: string
    description: The note sent with each connection request.
    default: "Hi! I came across your profile and would love to connect."
    maxLength: 300
  companies: {type: integer, default: %d, minimum: 1, maximum: 100}
  people: {type: integer, default: %d, minimum: 1, maximum: 20}
  city: {type: string, default: %q}
  dryRun: {type: boolean, default: false}
vars:
  since: ${{ daysAgo(%d) }}
  greeting: Hello from ${{ inputs.city }}
workflow:
`, i, pick(r, positions), pick(r, industries), pick(r, cities), i, pick(r, positions), pick(r, industries),
		1+r.IntN(50), 1+r.IntN(10), pick(r, cities), 7+r.IntN(60))
	fmt.Fprintf(&b, `  - action: searchCompanies
    label: companies-${{ inputs.city }}
    term: %s
    limit: ${{ inputs.companies }}
    filter:
      locations: ["${{ inputs.city }}", %q]
      sizes: [%q, %q]
      industries: [%q]
    then:
      action: doForCompanies
      then:
        action: openCompanyPage
        basicInfo: true
        then:
          - action: retrieveCompanyEmployees
            limit: ${{ inputs.people }}
            filter: {position: %q, locations: ["${{ inputs.city }}"]}
            then:
              action: doForPeople
              then:
                action: openPersonPage
                basicInfo: true
                then:
                  - action: sendConnectionRequest
                    if: ${{ !inputs.dryRun }}
                    note: ${{ inputs.note }}
                  - action: retrievePersonPosts
                    limit: %d
                    since: ${{ vars.since }}
          - action: retrieveCompanyPosts
            limit: %d
            then:
              action: doForPosts
              then:
                action: openPost
                then:
                  action: reactToPost
                  type: %s
`, pick(r, industries), pick(r, cities), pick(r, sizes), pick(r, sizes), pick(r, industries), pick(r, positions),
		1+r.IntN(20), 1+r.IntN(5), pick(r, reactions))
	fmt.Fprintf(&b, `  - action: retrieveSSI
    label: ssi
  - action: sendMessage
    personUrl: https://www.linkedin.com/in/owner-%d
    text: |
      ${{ vars.greeting }}! Campaign %d started on ${{ daysAgo(0) }}
      for ${{ inputs.companies * inputs.people }} people at most.
`, i, i)
	return b.String()
}
