package campaign

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

func TestBudgets(t *testing.T) {
	resets := time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)
	lim := func(period string, max, used, planned int) LimitCheck {
		return LimitCheck{Limit: schemas.Limit{Category: "stConnectionRequests", Period: period, Max: max, Source: "file"},
			Used: used, Planned: planned, Exceeded: used+planned > max, Resets: resets}
	}
	tests := []struct {
		name                   string
		limits                 []LimitCheck
		worst                  int
		left, overrun          int
		bindingPeriod, message string
	}{
		{"the day binds", []LimitCheck{lim("daily", 25, 0, 50), lim("weekly", 100, 0, 50)}, 0, 25, 0, "daily",
			"over the daily limit of stConnectionRequests (25): left for a run after 2026-03-05 00:00 UTC"},
		{"the week binds", []LimitCheck{lim("daily", 25, 0, 50), lim("weekly", 100, 90, 50)}, 0, 10, 0, "weekly",
			"over the weekly limit of stConnectionRequests (100): left for a run after 2026-03-05 00:00 UTC"},
		{"server-side iteration first", []LimitCheck{lim("daily", 25, 5, 50)}, 6, 14, 0, "daily", ""},
		{"worst case alone exceeds", []LimitCheck{lim("daily", 25, 5, 50)}, 30, 0, 10, "daily", ""},
		{"spent more than the limit", []LimitCheck{lim("daily", 25, 40, 5)}, 0, 0, 0, "daily", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{Limits: tt.limits, Counts: []planCount{
				{Count: compiler.Count{ActionType: "st.sendConnectionRequest", Exact: 10, WorstCase: tt.worst}, Category: "stConnectionRequests"}}}
			b := Budgets(r)["stConnectionRequests"]
			if b == nil {
				t.Fatal("no budget")
			}
			if b.Left != tt.left || b.Overrun != tt.overrun || b.Binding.Period != tt.bindingPeriod || b.WorstCase != tt.worst {
				t.Errorf("budget: left %d, overrun %d, binding %s, worst %d; want %d, %d, %s, %d", b.Left, b.Overrun, b.Binding.Period, b.WorstCase,
					tt.left, tt.overrun, tt.bindingPeriod, tt.worst)
			}
			if tt.message != "" && b.Reason() != tt.message {
				t.Errorf("reason %q, want %q", b.Reason(), tt.message)
			}
		})
	}
}

// fitCampaign writes a campaign of one connection request per lead of a
// CSV of n leads, with a daily limit, and returns its path and inputs.
func fitCampaign(t *testing.T, n, daily int) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "campaign.yaml")
	src := fmt.Sprintf(`version: 1
name: fit
limits:
  stConnectionRequests: {daily: %d}
inputs:
  leads:
    type: array
    items: {type: object, properties: {url: {type: string}}}
workflow:
  - action: sendConnectionRequest
    forEach: ${{ inputs.leads }}
    as: lead
    personUrl: ${{ lead.url }}
`, daily)
	var csv strings.Builder
	csv.WriteString("url\n")
	for i := range n {
		fmt.Fprintf(&csv, "https://www.linkedin.com/in/lead-%d\n", i)
	}
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	leads := filepath.Join(dir, "leads.csv")
	if err := os.WriteFile(leads, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return file, []string{"leads=@" + leads}
}

func prepare(t *testing.T, c *Check, file string, inputs []string) (*Prepared, *compiler.Plan) {
	t.Helper()
	opts := compiler.Options{Inputs: inputs}
	raw, ds := compiler.CompileFile(context.Background(), file, opts)
	if raw == nil || ds.HasErrors() {
		t.Fatalf("compile: %v", ds)
	}
	p, err := c.Prepare(context.Background(), file, opts, raw, false)
	if err != nil {
		t.Fatal(err)
	}
	return p, raw
}

func TestPrepareFit(t *testing.T) {
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	file, inputs := fitCampaign(t, 30, 25)
	suppress := filepath.Join(t.TempDir(), "suppress.txt")
	if err := os.WriteFile(suppress, []byte("https://www.linkedin.com/in/lead-3\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// Without --fit the plan is refused.
	p, raw := prepare(t, &Check{Catalog: cat, Now: now}, file, inputs)
	if !p.Report.Refused || p.Report.Fit != nil || len(p.Plan.Payloads) != 1 {
		t.Fatalf("without fit: refused %v, fit %+v", p.Report.Refused, p.Report.Fit)
	}
	rawKey := p.Key

	// With it, the first 25 leads not suppressed go; the rest is left for
	// a later run, in the order of the list, and the run is keyed by what
	// it sends.
	p, _ = prepare(t, &Check{Catalog: cat, Now: now, Fit: true, Suppress: []string{suppress}}, file, inputs)
	if p.Report.Refused || p.Report.Fit == nil || p.Report.Fit.LeftOut != 4 || len(p.Report.Fit.Problems) != 0 {
		t.Fatalf("with fit: refused %v, fit %+v", p.Report.Refused, p.Report.Fit)
	}
	if !p.Report.Fit.Next.Equal(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("next budget %s", p.Report.Fit.Next)
	}
	targets, err := TargetsIn(cat, p.Plan.Payloads[0])
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range targets {
		got = append(got, strings.TrimPrefix(tg.Person, "https://www.linkedin.com/in/lead-"))
	}
	want := "0 1 2 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25"
	if strings.Join(got, " ") != want {
		t.Errorf("sent to %s\nwant    %s", strings.Join(got, " "), want)
	}
	var kinds []string
	for _, s := range p.Report.Skipped {
		kinds = append(kinds, string(s.Kind)+" "+strings.TrimPrefix(s.PersonURL, "https://www.linkedin.com/in/"))
	}
	wantKinds := "suppressed lead-3, over-limit lead-26, over-limit lead-27, over-limit lead-28, over-limit lead-29"
	if strings.Join(kinds, ", ") != wantKinds {
		t.Errorf("skipped %s\nwant    %s", strings.Join(kinds, ", "), wantKinds)
	}
	if p.Key == rawKey {
		t.Error("a fitted run has the key of the whole plan: the next run would re-attach to it instead of sending the rest")
	}
	if k, _ := state.RunKey("", raw.Payloads); k != rawKey {
		t.Errorf("the whole plan's key changed: %s, %s", k, rawKey)
	}
	for _, l := range p.Report.Limits {
		if l.Exceeded || l.Planned != 25 {
			t.Errorf("limit after fitting: %s", l)
		}
	}

	// A plan within its limits is not touched.
	file, inputs = fitCampaign(t, 10, 25)
	p, raw = prepare(t, &Check{Catalog: cat, Now: now, Fit: true}, file, inputs)
	if k, _ := state.RunKey("", raw.Payloads); p.Report.Fit != nil || p.Report.Refused || len(p.Report.Skipped) != 0 || p.Key != k {
		t.Errorf("a plan that fits: refused %v, fit %+v, skipped %d, key of the whole plan %v", p.Report.Refused, p.Report.Fit, len(p.Report.Skipped), p.Key == k)
	}
}

// TestPrepareFitServerSide: what server-side iteration may send cannot be
// left out, so a worst case above the limit stays refused, saying why.
func TestPrepareFitServerSide(t *testing.T) {
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "search.yaml")
	src := `version: 1
name: search
workflow:
  action: searchPeople
  term: CTO
  limit: 40
  then:
    action: doForPeople
    then:
      action: openPersonPage
      then:
        action: sendConnectionRequest
`
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	p, _ := prepare(t, &Check{Catalog: cat, Now: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), Fit: true}, file, nil)
	if !p.Report.Refused || p.Report.Fit == nil {
		t.Fatalf("refused %v, fit %+v", p.Report.Refused, p.Report.Fit)
	}
	want := "stConnectionRequests daily: server-side iteration may send 40, more than the 25 left; lower the limit: of the searches and lists"
	if len(p.Report.Fit.Problems) != 1 || p.Report.Fit.Problems[0] != want {
		t.Errorf("problems %q\nwant %q", p.Report.Fit.Problems, want)
	}
	var b strings.Builder
	if err := (TextReport{Catalog: cat}).Write(&b, p.Report); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "fit: cannot fit "+want+"\n") || !strings.Contains(b.String(), "refused: the plan exceeds 1 limit; lwf run refuses it: --ignore-limits sends everything anyway\n") {
		t.Errorf("report:\n%s", b.String())
	}
}
