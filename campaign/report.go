package campaign

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/schemas"
)

// ReportVersion is the version of lwf plan's JSON document.
const ReportVersion = 1

// Report is what lwf plan prints: plain data, rendered as text or
// JSON by the writers below.
type Report struct {
	Version   int    `json:"version"`
	File      string `json:"file"`
	Name      string `json:"name"`
	Workflows int    `json:"workflows"`
	ChunkSize int    `json:"chunkSize"`
	// Actions is the sum of exact counts; WorstCase what server-side
	// iteration may add at most.
	Actions   int `json:"actions"`
	WorstCase int `json:"worstCase"`
	// Account is the account's hash ("" without credentials), and
	// AccountSource where its credentials came from.
	Account       string             `json:"account"`
	AccountSource string             `json:"accountSource,omitempty"`
	Counts        []planCount        `json:"counts"`
	Skipped       []compiler.Skipped `json:"skipped"`
	Samples       []compiler.Sample  `json:"samples"`
	Variants      []VariantSummary   `json:"variants"`
	Limits        []LimitCheck       `json:"limits"`
	Reattach      *ReattachInfo      `json:"reattach,omitempty"`
	// Stages are, for a file with named loops, what each stage may send:
	// stage 1 the file's own workflows, then the steps under each named
	// loop, once per item found.
	Stages []compiler.StageCount `json:"stages,omitempty"`
	// Unfiltered are the write actions under loops that stay on the
	// server: nobody reached before can be left out of them.
	Unfiltered []Unfiltered `json:"unfiltered,omitempty"`
	Fit        *FitInfo     `json:"fit,omitempty"` // what --fit left out
	Refused    bool         `json:"refused"`
	// IgnoreLimits says the plan goes past its limits on purpose
	// (--ignore-limits).
	IgnoreLimits  bool           `json:"ignoreLimits,omitempty"`
	Diagnostics   diag.List      `json:"diagnostics"`
	planned       map[string]int // per limit category: exact and worst case
	later         map[string]int // per limit category: what named loops send, of planned
	variantChoice map[string]*VariantSummary
}

// ReattachInfo says that lwf run would re-attach to an existing run.
type ReattachInfo struct {
	Run       string    `json:"run"`
	Started   time.Time `json:"started"`
	Workflows int       `json:"workflows"`
	Unsent    int       `json:"unsent"` // workflows never sent: all the run would still send
}

// VariantSummary counts the versions a plan's variants: gave out.
type VariantSummary struct {
	ActionType string `json:"actionType"`
	Param      string `json:"param"`
	Versions   []int  `json:"versions"` // actions per version: A, B, …
}

func NewReport(p *compiler.Plan, chunkSize int) *Report {
	if chunkSize <= 0 {
		chunkSize = compiler.DefaultChunkSize
	}
	r := &Report{Version: ReportVersion, File: p.File, Name: p.Name, Workflows: len(p.Payloads), ChunkSize: chunkSize,
		Counts: []planCount{}, Skipped: p.Skipped, Samples: p.Samples, Variants: []VariantSummary{}, Limits: []LimitCheck{},
		Diagnostics: diag.List{}, planned: map[string]int{}, variantChoice: map[string]*VariantSummary{}}
	if r.Skipped == nil {
		r.Skipped = []compiler.Skipped{}
	}
	if r.Samples == nil {
		r.Samples = []compiler.Sample{}
	}
	for _, v := range p.Variants {
		k := v.ActionType + "\x00" + v.Param
		s := r.variantChoice[k]
		if s == nil {
			s = &VariantSummary{ActionType: v.ActionType, Param: v.Param, Versions: make([]int, v.Count)}
			r.variantChoice[k] = s
		}
		if v.Index < len(s.Versions) {
			s.Versions[v.Index]++
		}
	}
	for _, s := range r.variantChoice {
		r.Variants = append(r.Variants, *s)
	}
	sort.Slice(r.Variants, func(i, j int) bool {
		if r.Variants[i].ActionType != r.Variants[j].ActionType {
			return r.Variants[i].ActionType < r.Variants[j].ActionType
		}
		return r.Variants[i].Param < r.Variants[j].Param
	})
	return r
}

func (r *Report) setAccount(p *profile.Profile) {
	if p == nil {
		r.Account, r.AccountSource = "", ""
		return
	}
	r.Account, r.AccountSource = p.Account(), p.Source
}

// counts tallies the plan's actions by type and limit category, and the
// actions left out per type.
func (r *Report) counts(cat *schemas.Catalog, p *compiler.Plan) {
	m := map[string]*planCount{}
	for _, c := range p.Counts(cat) {
		pc := &planCount{Count: c}
		if a := cat.Lookup(c.ActionType); a != nil {
			pc.Category = a.Category
		}
		m[c.ActionType] = pc
	}
	for _, s := range r.Skipped {
		if m[s.ActionType] == nil {
			pc := &planCount{Count: compiler.Count{ActionType: s.ActionType}}
			if a := cat.Lookup(s.ActionType); a != nil {
				pc.Category = a.Category
			}
			m[s.ActionType] = pc
		}
		m[s.ActionType].Skipped++
	}
	r.Counts = sortedCounts(m)
	r.Actions, r.WorstCase = 0, 0
	r.planned, r.later = map[string]int{}, map[string]int{}
	if r.Reattach == nil {
		r.Stages = p.StageCounts(cat)
	}
	for _, st := range r.Stages {
		if st.Stage == 1 {
			continue
		}
		for _, c := range st.Counts {
			if a := cat.Lookup(c.ActionType); a != nil && a.Category != "" {
				r.later[a.Category] += c.Total()
			}
		}
	}
	for _, c := range r.Counts {
		if iterates(cat, c.ActionType) {
			continue // control flow, no action of its own
		}
		r.Actions += c.Exact
		r.WorstCase += c.WorstCase
		if c.Category != "" {
			r.planned[c.Category] += c.Total()
		}
	}
	r.Workflows = len(p.Payloads)
}

// ReportWriter renders a plan report; text and JSON implement it.
type ReportWriter interface {
	Write(w io.Writer, r *Report) error
}

var (
	_ ReportWriter = TextReport{}
	_ ReportWriter = JSONReport{}
)

// JSONReport writes the report as one JSON document.
type JSONReport struct{}

// Write implements ReportWriter.
func (JSONReport) Write(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// TextReport writes the report for people.
type TextReport struct {
	ShowSkipped bool
	// Catalog tells iterators from actions; nil means schemas.Default.
	Catalog *schemas.Catalog
}

// Write implements ReportWriter.
func (t TextReport) Write(w io.Writer, r *Report) error {
	b := &strings.Builder{}
	t.header(b, r)
	if len(r.Stages) > 0 {
		t.stageLines(b, r)
	} else {
		t.countLines(b, r)
	}
	t.SkipLines(b, r, "--show-skipped lists them")
	LimitLines(b, r)
	FitLines(b, r)
	for _, s := range r.Samples {
		where := ""
		if s.Item != "" {
			where = " for " + s.Item
		}
		fmt.Fprintf(b, "sample: %s of %s%s: %s\n", s.Param, strings.TrimPrefix(s.ActionType, "st."), where, quoteShort(s.Text, 72))
	}
	for _, v := range r.Variants {
		var parts []string
		for i, n := range v.Versions {
			parts = append(parts, fmt.Sprintf("%s %d", VariantName(i), n))
		}
		fmt.Fprintf(b, "variants: %s of %s: %s\n", v.Param, strings.TrimPrefix(v.ActionType, "st."), strings.Join(parts, ", "))
	}
	UnfilteredLines(b, r)
	if r.Refused && RefusedByLimits(r) {
		n := 0
		for _, l := range r.Limits {
			if l.Refuses() {
				n++
			}
		}
		if r.IgnoreLimits {
			fmt.Fprintf(b, "over the limits: the plan exceeds %s; lwf run --ignore-limits sends it anyway\n", results.Plural(n, "limit"))
		} else {
			fmt.Fprintf(b, "refused: the plan exceeds %s; lwf run refuses it: %s\n", results.Plural(n, "limit"), RefusalOptions(r))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (TextReport) header(b *strings.Builder, r *Report) {
	name := r.File
	if r.Name != "" {
		name += " (" + r.Name + ")"
	}
	if r.Reattach != nil {
		fmt.Fprintf(b, "plan: %s: lwf run re-attaches to run %s (started %s): %d of %d workflows not sent yet\n",
			name, r.Reattach.Run, r.Reattach.Started.UTC().Format("2006-01-02 15:04 UTC"), r.Reattach.Unsent, r.Reattach.Workflows)
	} else if r.Workflows == 0 {
		fmt.Fprintf(b, "plan: %s: nothing to send\n", name)
	} else {
		wf := results.Plural(r.Workflows, "workflow")
		if r.Workflows > 1 {
			wf += fmt.Sprintf(" (chunks of %d)", r.ChunkSize)
		}
		if len(r.Stages) > 0 {
			var names []string
			for _, st := range r.Stages[1:] {
				names = append(names, st.As)
			}
			fmt.Fprintf(b, "plan: %s: %d stages: lwf runs the loops named with as: (%s) itself\n", name, len(r.Stages), strings.Join(names, ", "))
			return
		}
		fmt.Fprintf(b, "plan: %s: %s, %s", name, wf, results.Plural(r.Actions, "action"))
		if r.WorstCase > 0 {
			fmt.Fprintf(b, " + up to %d from server-side iteration", r.WorstCase)
		}
		b.WriteString("\n")
	}
}

// stageLines writes what each stage of a file with named loops may send.
func (t TextReport) stageLines(b *strings.Builder, r *Report) {
	cat := t.catalog()
	for _, st := range r.Stages {
		var parts []string
		retrieval := true
		for _, c := range st.Counts {
			a := cat.Lookup(c.ActionType)
			if iterates(cat, c.ActionType) || c.Total() == 0 {
				continue
			}
			if a != nil && a.Write {
				retrieval = false
			}
			n := fmt.Sprint(c.Exact)
			if c.WorstCase > 0 {
				n = fmt.Sprintf("≤ %d", c.Total())
			}
			parts = append(parts, n+" "+strings.TrimPrefix(c.ActionType, "st."))
		}
		what := strings.Join(parts, ", ")
		if retrieval {
			what += " — retrieval only"
		}
		if st.Stage == 1 {
			fmt.Fprintf(b, "  stage 1, %s (%s): %s\n", results.Plural(r.Workflows, "workflow"), "the file's own", what)
			continue
		}
		after := ""
		if !retrieval {
			after = ", after the ledger and the limits"
		}
		fmt.Fprintf(b, "  stage %d, per %s found (≤ %d from %s)%s: %s\n",
			st.Stage, st.As, st.Items, strings.TrimPrefix(st.List, "st."), after, what)
	}
	for _, c := range r.Counts {
		if c.Skipped > 0 {
			fmt.Fprintf(b, "  %s: %d skipped (see --show-skipped)\n", c.ActionType, c.Skipped)
		}
	}
}

func (t TextReport) countLines(b *strings.Builder, r *Report) {
	width := 0
	for _, c := range r.Counts {
		width = max(width, len(c.ActionType))
	}
	for _, c := range r.Counts {
		if c.Exact == 0 && c.Skipped == 0 {
			continue
		}
		fmt.Fprintf(b, "  %-*s %5d", width, c.ActionType, c.Exact)
		switch {
		case c.Skipped > 0 && t.ShowSkipped:
			fmt.Fprintf(b, "  (%d − %d skipped)", c.Exact+c.Skipped, c.Skipped)
		case c.Skipped > 0:
			fmt.Fprintf(b, "  (%d − %d skipped: see --show-skipped)", c.Exact+c.Skipped, c.Skipped)
		}
		b.WriteString("\n")
	}
	// One line per way server-side iteration multiplies actions.
	var vias []string
	byVia := map[string][]string{}
	for _, c := range r.Counts {
		if c.WorstCase == 0 || iterates(t.catalog(), c.ActionType) {
			continue
		}
		v := strings.Join(c.Via, "; ")
		if byVia[v] == nil {
			vias = append(vias, v)
		}
		byVia[v] = append(byVia[v], fmt.Sprintf("%d %s", c.WorstCase, c.ActionType))
	}
	for _, v := range vias {
		fmt.Fprintf(b, "  worst case from server-side iteration: %s → %s\n", v, strings.Join(byVia[v], ", "))
	}
}

func (t TextReport) catalog() *schemas.Catalog {
	if t.Catalog != nil {
		return t.Catalog
	}
	cat, _ := schemas.Default()
	return cat
}

// SkipLines writes the summary of the actions left out, and with
// ShowSkipped every one of them; hint tells how to list them.
func (t TextReport) SkipLines(b *strings.Builder, r *Report, hint string) {
	if len(r.Skipped) == 0 {
		return
	}
	reasons := map[string]int{}
	var order []string
	for _, s := range r.Skipped {
		k := skipKindText(s.Kind)
		if reasons[k] == 0 {
			order = append(order, k)
		}
		reasons[k]++
	}
	var parts []string
	for _, k := range order {
		parts = append(parts, fmt.Sprintf("%d %s", reasons[k], k))
	}
	fmt.Fprintf(b, "skipped: %s: %s", results.Plural(len(r.Skipped), "action"), strings.Join(parts, ", "))
	if !t.ShowSkipped {
		b.WriteString(" (" + hint + ")\n")
		return
	}
	b.WriteString("\n")
	for _, s := range r.Skipped {
		item := s.Item
		if item == "" {
			item = "-"
		}
		fmt.Fprintf(b, "  %s  %s  %s: %s\n", item, s.ActionType, s.PersonURL, s.Reason)
	}
}

// skipKindText names a kind of skip in the summary line.
func skipKindText(k compiler.SkipKind) string {
	switch k {
	case compiler.SkipSuppressed:
		return "suppressed"
	case compiler.SkipContacted:
		return "contacted before"
	case compiler.SkipOverLimit:
		return "over a limit (left for a later run)"
	}
	return "in another run"
}

// RefusalOptions says what the options of a refused plan do.
func RefusalOptions(r *Report) string {
	if r.Fit != nil {
		return "--ignore-limits sends everything anyway"
	}
	return "--fit sends what fits the limits now and leaves the rest for a later run; --ignore-limits sends everything anyway"
}

// LimitLines writes the limits table.
func LimitLines(b *strings.Builder, r *Report) {
	if len(r.Limits) == 0 {
		return
	}
	acct := "no account: what was sent before is not counted"
	if r.Account != "" {
		acct = "account " + r.Account[:12] + ", " + strings.TrimPrefix(r.AccountSource, "credentials from ")
	}
	fmt.Fprintf(b, "limits (%s):\n", acct)
	rows := [][]string{{"CATEGORY", "PERIOD", "SENT", "PLANNED", "LIMIT", "LEFT", "SOURCE"}}
	for _, l := range r.Limits {
		left := fmt.Sprint(l.Left)
		switch {
		case l.Refuses():
			left = fmt.Sprintf("exceeded by %d", l.Used+l.Planned-l.Max)
		case l.Exceeded:
			left = fmt.Sprintf("%d; the items past it wait for a later run", max(0, l.Max-l.Used-(l.Planned-l.Later)))
		}
		rows = append(rows, []string{l.Category, l.Period, fmt.Sprint(l.Used), fmt.Sprint(l.Planned), fmt.Sprint(l.Max), left, l.Source})
	}
	results.WriteTable(b, rows, []bool{false, false, true, true, true, true, false})
}

// VariantName is A, B, … Z, then 27, 28, …
func VariantName(i int) string {
	if i < 26 {
		return string(rune('A' + i))
	}
	return fmt.Sprint(i + 1)
}

// quoteShort quotes s, cut to n characters.
func quoteShort(s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		rs := []rune(s)
		s = string(rs[:n-1]) + "…"
	}
	return fmt.Sprintf("%q", s)
}

// planCount is one action type of a plan, with its limit category.
type planCount struct {
	compiler.Count
	Category string `json:"category,omitempty"`
	// Skipped counts the actions of this type left out for people
	// reached before or suppressed.
	Skipped int `json:"skipped,omitempty"`
}

// sortedCounts orders counts by type.
func sortedCounts(m map[string]*planCount) []planCount {
	out := make([]planCount, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ActionType < out[j].ActionType })
	return out
}

// UnfilteredLines writes what the plan's write actions under loops that
// stay on the server mean: a refusal, or a note.
func UnfilteredLines(b *strings.Builder, r *Report) {
	for _, u := range r.Unfiltered {
		what := strings.TrimPrefix(u.ActionType, "st.")
		switch {
		case u.Refuses:
			fmt.Fprintf(b, "refused: %s runs under a loop that stays on the server (%s), and the ledger holds %s it reached: "+
				"they would get it again. Name the loop's item (as: person) so that lwf runs the loop and leaves them out, "+
				"or pass --allow-recontact to send it to everyone found\n", what, u.Via, results.Plural(u.Contacts, "person"))
		default:
			fmt.Fprintf(b, "note: %s runs under a loop that stays on the server (%s): lwf cannot leave out people reached before; "+
				"name the loop's item (as: person) to have it do so\n", what, u.Via)
		}
	}
}

// RefusedByLimits reports whether a limit (not only a loop that stays on
// the server) makes the plan refused.
func RefusedByLimits(r *Report) bool {
	for _, l := range r.Limits {
		if l.Refuses() {
			return true
		}
	}
	return false
}
