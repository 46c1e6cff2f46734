package main

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
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/schemas"
)

// planReportVersion is the version of lwf plan's JSON document.
const planReportVersion = 1

// planReport is what lwf plan prints: plain data, rendered as text or
// JSON by the writers below.
type planReport struct {
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
	Account       string              `json:"account"`
	AccountSource string              `json:"accountSource,omitempty"`
	Counts        []planCount         `json:"counts"`
	Skipped       []compiler.Skipped  `json:"skipped"`
	Samples       []compiler.Sample   `json:"samples"`
	Variants      []variantSummary    `json:"variants"`
	Limits        []runner.LimitCheck `json:"limits"`
	Reattach      *reattachInfo       `json:"reattach,omitempty"`
	Refused       bool                `json:"refused"`
	Diagnostics   diag.List           `json:"diagnostics"`
	planned       map[string]int      // per limit category: exact and worst case
	variantChoice map[string]*variantSummary
}

// reattachInfo says that lwf run would re-attach to an existing run.
type reattachInfo struct {
	Run       string    `json:"run"`
	Started   time.Time `json:"started"`
	Workflows int       `json:"workflows"`
	Unsent    int       `json:"unsent"` // workflows never sent: all the run would still send
}

// variantSummary counts the versions a plan's variants: gave out.
type variantSummary struct {
	ActionType string `json:"actionType"`
	Param      string `json:"param"`
	Versions   []int  `json:"versions"` // actions per version: A, B, …
}

func newPlanReport(p *compiler.Plan, chunkSize int) *planReport {
	if chunkSize <= 0 {
		chunkSize = compiler.DefaultChunkSize
	}
	r := &planReport{Version: planReportVersion, File: p.File, Name: p.Name, Workflows: len(p.Payloads), ChunkSize: chunkSize,
		Counts: []planCount{}, Skipped: p.Skipped, Samples: p.Samples, Variants: []variantSummary{}, Limits: []runner.LimitCheck{},
		Diagnostics: diag.List{}, planned: map[string]int{}, variantChoice: map[string]*variantSummary{}}
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
			s = &variantSummary{ActionType: v.ActionType, Param: v.Param, Versions: make([]int, v.Count)}
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

func (r *planReport) setAccount(c *runner.Credentials) {
	if c == nil {
		r.Account, r.AccountSource = "", ""
		return
	}
	r.Account, r.AccountSource = c.Account(), c.Source
}

// counts tallies the plan's actions by type and limit category, and the
// actions left out per type.
func (r *planReport) counts(cat *schemas.Catalog, p *compiler.Plan) {
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
	r.planned = map[string]int{}
	for _, c := range r.Counts {
		if strings.Contains(c.ActionType, ".doFor") {
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

// reportWriter renders a plan report; text and JSON implement it.
type reportWriter interface {
	write(w io.Writer, r *planReport) error
}

var (
	_ reportWriter = textReport{}
	_ reportWriter = jsonReport{}
)

// jsonReport writes the report as one JSON document.
type jsonReport struct{}

func (jsonReport) write(w io.Writer, r *planReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// textReport writes the report for people.
type textReport struct {
	showSkipped bool
}

func (t textReport) write(w io.Writer, r *planReport) error {
	b := &strings.Builder{}
	t.header(b, r)
	t.countLines(b, r)
	t.skipLines(b, r)
	t.limitLines(b, r)
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
			parts = append(parts, fmt.Sprintf("%s %d", variantName(i), n))
		}
		fmt.Fprintf(b, "variants: %s of %s: %s\n", v.Param, strings.TrimPrefix(v.ActionType, "st."), strings.Join(parts, ", "))
	}
	if r.Refused {
		n := 0
		for _, l := range r.Limits {
			if l.Exceeded {
				n++
			}
		}
		fmt.Fprintf(b, "refused: the plan exceeds %s; lwf run refuses it unless given --ignore-limits\n", runner.Plural(n, "limit"))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (textReport) header(b *strings.Builder, r *planReport) {
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
		wf := runner.Plural(r.Workflows, "workflow")
		if r.Workflows > 1 {
			wf += fmt.Sprintf(" (chunks of %d)", r.ChunkSize)
		}
		fmt.Fprintf(b, "plan: %s: %s, %s", name, wf, runner.Plural(r.Actions, "action"))
		if r.WorstCase > 0 {
			fmt.Fprintf(b, " + up to %d from server-side iteration", r.WorstCase)
		}
		b.WriteString("\n")
	}
}

func (t textReport) countLines(b *strings.Builder, r *planReport) {
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
		case c.Skipped > 0 && t.showSkipped:
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
		if c.WorstCase == 0 || strings.Contains(c.ActionType, ".doFor") {
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

func (t textReport) skipLines(b *strings.Builder, r *planReport) {
	if len(r.Skipped) == 0 {
		return
	}
	reasons := map[string]int{}
	var order []string
	for _, s := range r.Skipped {
		k := skipKind(s.Reason)
		if reasons[k] == 0 {
			order = append(order, k)
		}
		reasons[k]++
	}
	var parts []string
	for _, k := range order {
		parts = append(parts, fmt.Sprintf("%d %s", reasons[k], k))
	}
	fmt.Fprintf(b, "skipped: %s: %s", runner.Plural(len(r.Skipped), "action"), strings.Join(parts, ", "))
	if !t.showSkipped {
		b.WriteString(" (--show-skipped lists them)\n")
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

// skipKind groups skip reasons for the summary line.
func skipKind(reason string) string {
	switch {
	case strings.HasPrefix(reason, "suppressed"):
		return "suppressed"
	case strings.HasPrefix(reason, "contacted"):
		return "contacted before"
	}
	return "in another run"
}

func (textReport) limitLines(b *strings.Builder, r *planReport) {
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
		if l.Exceeded {
			left = fmt.Sprintf("exceeded by %d", l.Used+l.Planned-l.Max)
		}
		rows = append(rows, []string{l.Category, l.Period, fmt.Sprint(l.Used), fmt.Sprint(l.Planned), fmt.Sprint(l.Max), left, l.Source})
	}
	writeTable(b, rows, []bool{false, false, true, true, true, true, false})
}

// writeTable writes rows in columns two spaces apart, indented by two;
// right[i] aligns column i to the right.
func writeTable(b *strings.Builder, rows [][]string, right []bool) {
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range rows {
		line := " "
		for i, c := range row {
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			switch {
			case right[i]:
				line += " " + pad + c
			case i == len(row)-1:
				line += " " + c
			default:
				line += " " + c + pad
			}
			line += " "
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}

// variantName is A, B, … Z, then 27, 28, …
func variantName(i int) string {
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
