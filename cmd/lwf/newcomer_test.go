package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/sandbox"
)

// newcomer is the campaign a new user writes first: AI companies in San
// Francisco, up to 5 people with position "VP Sales" at each, and a
// connection request to each whose note greets them by first name.
const newcomer = `version: 1
name: vp-sales-sf
workflow:
  action: searchCompanies
  term: AI
  limit: 10
  filter: {locations: [San Francisco]}
  then:
    action: doForCompanies
    then:
      action: openCompanyPage
      then:
        action: retrieveCompanyEmployees
        limit: 5
        filter: {position: VP Sales}
        then:
          action: doForPeople
          as: person
          then:
            action: openPersonPage
            then:
              action: sendConnectionRequest
              note: "Hi ${{ split(person.name, ' ')[0] }}, I work with sales teams at AI companies and would be glad to connect."
`

// newcomerNote is the note the campaign must send to a person named name.
func newcomerNote(name string) string {
	return "Hi " + strings.Split(name, " ")[0] + ", I work with sales teams at AI companies and would be glad to connect."
}

// TestNewcomerCampaignSendsEachPersonTheirOwnNote compiles, plans and runs
// the newcomer's campaign on the sandbox, then reads what the sandbox
// executed: every note sent equals the note rendered from the sandbox's
// own record of the person it went to (opened independently of the run),
// one note per person reached, nobody twice — not even by a second run.
func TestNewcomerCampaignSendsEachPersonTheirOwnNote(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	f := tb.campaignFile("vp-sales.yaml", newcomer)

	if code, out, _ := tb.lwf("validate", f); code != exitOK {
		t.Fatalf("validate: exit %d\n%s", code, out)
	}
	// The file's own workflow only retrieves: the notes are rendered per
	// person found, at run time.
	code, out, stderr := tb.lwf("compile", f, "--compact")
	if code != exitOK || !strings.Contains(out, `"st.retrieveCompanyEmployees"`) || strings.Contains(out, "sendConnectionRequest") ||
		!strings.HasPrefix(stderr, "note: stage 1 of 2 only: ") {
		t.Fatalf("compile: exit %d\n%s%s", code, out, stderr)
	}

	code, plan, _ := tb.planJSON(f)
	if code != exitOK || len(plan.Stages) != 2 || plan.Stages[1].As != "person" || plan.Stages[1].Items != 50 {
		t.Fatalf("plan: exit %d, stages %+v", code, plan.Stages)
	}
	if len(plan.Samples) != 1 || plan.Samples[0].Text != newcomerNote("Ada Lovelace") {
		t.Errorf("plan samples: %+v", plan.Samples)
	}
	daily := 0
	for _, l := range plan.Limits {
		if l.Category == "stConnectionRequests" && l.Period == "daily" {
			daily = l.Max
		}
	}
	if daily == 0 {
		t.Fatalf("plan counts no daily limit of connection requests: %+v", plan.Limits)
	}

	code, _, stderr = tb.run(f)
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	notes := map[string]string{} // person URL → the note the sandbox received
	var targets []string
	for _, w := range tb.srv.Sandbox.Writes() {
		if w.Action != "st.sendConnectionRequest" {
			t.Errorf("the sandbox executed %s for %s: the campaign sends connection requests only", w.Action, w.Target)
			continue
		}
		if _, twice := notes[w.Target]; twice {
			t.Errorf("%s received two connection requests", w.Target)
		}
		notes[w.Target] = w.Text
		targets = append(targets, w.Target)
	}

	// Who the campaign should reach, found apart from the run: the same
	// search and lists, in one server-side workflow.
	found := vpSalesFound(t, tb)
	if len(found) <= daily {
		t.Fatalf("the sandbox finds %d people, not more than the daily limit of %d: the test would not see the limit applied", len(found), daily)
	}
	// Items are decided in the order found; the limit leaves the rest for
	// a later run.
	if want := found[:daily]; !slices.Equal(targets, want) {
		t.Errorf("notes went to\n  %s\nwant the first %d people found\n  %s", strings.Join(targets, "\n  "), daily, strings.Join(want, "\n  "))
	}
	m := regexp.MustCompile(`who was reached: (\d+) connection requests to (\d+) people, (\d+) sent`).FindStringSubmatch(stderr)
	if m == nil || m[1] != fmt.Sprint(len(notes)) || m[2] != m[1] || m[3] != m[1] {
		t.Errorf("lwf run reports %q; the sandbox received %d notes\n%s", m, len(notes), stderr)
	}
	if n := len(tb.ledger("--action", "sendConnectionRequest")); n != len(notes) {
		t.Errorf("the ledger holds %d people, the sandbox received %d notes", n, len(notes))
	}

	// Each note is the one rendered from the sandbox's record of the
	// person it went to: their own page, opened now.
	names := personNames(t, tb, targets)
	firsts := map[string]bool{}
	for _, url := range targets {
		name := names[url]
		if name == "" {
			t.Errorf("%s: the sandbox has no name for the person", url)
			continue
		}
		firsts[strings.Split(name, " ")[0]] = true
		if want := newcomerNote(name); notes[url] != want {
			t.Errorf("%s (%s) received %q, want %q", url, name, notes[url], want)
		}
	}
	// lwf run's table of who was reached names each person.
	for _, url := range targets[:min(20, len(targets))] {
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(names[url]) + ` +\S.* ` + regexp.QuoteMeta(url) + ` `).MatchString(stderr) {
			t.Errorf("lwf run shows no row naming %s (%s)\n%s", names[url], url, stderr)
			break
		}
	}
	// Notes rendered from the wrong person would go unseen if everyone
	// had one first name.
	if len(firsts) < 5 {
		t.Errorf("the people reached have only %d first names", len(firsts))
	}

	// Running it again, even as a new run, reaches nobody twice.
	if code, _, stderr := tb.run(f, "--new"); code != exitOK {
		t.Fatalf("second run: exit %d\n%s", code, stderr)
	}
	again := map[string]int{}
	for _, w := range tb.srv.Sandbox.Writes() {
		again[w.Target]++
	}
	for url, n := range again {
		if n > 1 {
			t.Errorf("%s received %d connection requests after --new", url, n)
		}
	}
}

// sandboxClient is a Linked API client of the testbed's sandbox.
func sandboxClient(t *testing.T, tb *testbed) *linkedapi.Client {
	t.Helper()
	c, err := linkedapi.New(linkedapi.Options{BaseURL: tb.srv.URL, LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: sandbox.DefaultIdentificationToken, RatePerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// complete runs one workflow on the testbed's sandbox and returns its
// completion, decoded.
func complete(t *testing.T, tb *testbed, definition string) any {
	t.Helper()
	ctx := context.Background()
	c := sandboxClient(t, tb)
	wf, err := c.StartWorkflow(ctx, json.RawMessage(definition))
	if err != nil {
		t.Fatal(err)
	}
	for range 2000 {
		res, err := c.Workflow(ctx, wf.WorkflowID)
		if err != nil {
			t.Fatal(err)
		}
		if res.WorkflowStatus == linkedapi.StatusCompleted {
			var v any
			if err := json.Unmarshal(res.Completion, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		if res.WorkflowStatus.Terminal() {
			t.Fatalf("workflow %s: %s %s", wf.WorkflowID, res.WorkflowStatus, res.Message)
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("workflow %s did not complete", wf.WorkflowID)
	return nil
}

// vpSalesFound lists, in order, the profile URLs of the people the
// newcomer's search and lists return, read from one server-side workflow.
func vpSalesFound(t *testing.T, tb *testbed) []string {
	t.Helper()
	v := complete(t, tb, `{"actionType":"st.searchCompanies","term":"AI","limit":10,"filter":{"locations":["San Francisco"]},
		"then":{"actionType":"st.doForCompanies","then":{"actionType":"st.openCompanyPage",
		"then":{"actionType":"st.retrieveCompanyEmployees","limit":5,"filter":{"position":"VP Sales"}}}}}`)
	var out []string
	eachResult(v, func(r map[string]any) {
		if r["actionType"] != "st.retrieveCompanyEmployees" {
			return
		}
		list, _ := r["data"].([]any)
		for _, e := range list {
			p, _ := e.(map[string]any)
			if url, _ := p["publicUrl"].(string); url != "" {
				out = append(out, url)
			}
			if pos, _ := p["position"].(string); pos != "" && !strings.Contains(pos, "VP Sales") {
				t.Errorf("%v: position %q, asked for VP Sales", p["publicUrl"], pos)
			}
		}
	})
	return out
}

// personNames opens each person's page on the sandbox (one root array)
// and returns their names by the URL asked for.
func personNames(t *testing.T, tb *testbed, urls []string) map[string]string {
	t.Helper()
	var steps []map[string]any
	for _, u := range urls {
		steps = append(steps, map[string]any{"actionType": "st.openPersonPage", "personUrl": u, "basicInfo": true})
	}
	def, _ := json.Marshal(steps)
	v := complete(t, tb, string(def))
	list, _ := v.([]any)
	if len(list) != len(urls) {
		t.Fatalf("%d person pages for %d people", len(list), len(urls))
	}
	out := map[string]string{}
	for i, e := range list {
		r, _ := e.(map[string]any)
		d, _ := r["data"].(map[string]any)
		if r["success"] != true || d == nil {
			t.Errorf("%s: %v", urls[i], r["error"])
			continue
		}
		if pub, _ := d["publicUrl"].(string); pub != urls[i] {
			t.Errorf("%s: the page opened is %s's", urls[i], pub)
		}
		out[urls[i]], _ = d["name"].(string)
	}
	return out
}

// eachResult calls fn with every action result object of a completion,
// however doFor* results nest.
func eachResult(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			eachResult(e, fn)
		}
	case map[string]any:
		if _, ok := x["actionType"]; ok {
			fn(x)
		}
		keys := slices.Sorted(maps.Keys(x))
		for _, k := range keys {
			eachResult(x[k], fn)
		}
	}
}
