package compiler

import (
	"context"
	"testing"

	"github.com/lwf-dev/lwf/schemas"
)

func TestCountsAndCampaign(t *testing.T) {
	src := []byte(`version: 1
name: campaign
limits:
  stConnectionRequests: {daily: 2, weekly: 100}
inputs:
  leads: {type: array}
workflow:
  - action: sendConnectionRequest
    forEach: ${{ inputs.leads }}
    as: lead
    personUrl: ${{ lead.url }}
    variants:
      note:
        - Hi ${{ lead.name }}, version A
        - Hello ${{ lead.name }}, version B
  - action: searchPeople
    limit: 50
    then:
      action: doForPeople
      then:
        action: openPersonPage
        then:
          action: sendMessage
          text: Hi
`)
	skipped := map[string]bool{"https://www.linkedin.com/in/b": true}
	plan, ds := Compile(context.Background(), "c.yaml", src, Options{
		Inputs: []string{`leads=[{url: "https://www.linkedin.com/in/a", name: Ada}, {url: "https://www.linkedin.com/in/b", name: Bob}, {url: "https://www.linkedin.com/in/c", name: Cy}]`},
		Skip: func(at, person string) (Skip, bool) {
			return Skip{Kind: SkipContacted, Detail: "contacted before"}, skipped[person]
		},
	})
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	cat, _ := schemas.Default()
	got := map[string]Count{}
	for _, c := range plan.Counts(cat) {
		got[c.ActionType] = c
	}
	if c := got["st.sendConnectionRequest"]; c.Exact != 2 || c.WorstCase != 0 {
		t.Errorf("sendConnectionRequest: %+v", c)
	}
	if c := got["st.sendMessage"]; c.Exact != 0 || c.WorstCase != 50 || len(c.Via) != 1 || c.Via[0] != "searchPeople(limit 50) × doForPeople" {
		t.Errorf("sendMessage: %+v", c)
	}
	if c := got["st.searchPeople"]; c.Exact != 1 {
		t.Errorf("searchPeople: %+v", c)
	}
	if len(plan.Skipped) != 1 || plan.Skipped[0].PersonURL != "https://www.linkedin.com/in/b" || plan.Skipped[0].Item != "lead #2" {
		t.Errorf("skipped: %+v", plan.Skipped)
	}
	if len(plan.Limits) != 2 || plan.Limits[0] != (schemas.Limit{Category: "stConnectionRequests", Period: "daily", Max: 2, Source: "file"}) {
		t.Errorf("limits: %+v", plan.Limits)
	}
	if len(plan.Variants) != 2 || plan.Variants[0].Param != "note" || plan.Variants[0].Pointer != "/0" || plan.Variants[1].Pointer != "/1" {
		t.Fatalf("variants: %+v", plan.Variants)
	}
	// The same person always gets the same version, in any run.
	again, _ := Compile(context.Background(), "c.yaml", src, Options{Inputs: []string{`leads=[{url: "https://www.linkedin.com/in/c", name: Cy}]`}})
	if again.Variants[0].Index != plan.Variants[1].Index {
		t.Errorf("variant of the same person changed: %d vs %d", again.Variants[0].Index, plan.Variants[1].Index)
	}
	if len(plan.Samples) == 0 || plan.Samples[0].Param != "note" || plan.Samples[0].Item != "lead #1" {
		t.Errorf("samples: %+v", plan.Samples)
	}
}
