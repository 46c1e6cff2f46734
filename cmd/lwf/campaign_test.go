package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
)

// outreach is a CSV campaign: one connection request per lead.
const outreach = `version: 1
name: outreach
inputs:
  leads: {type: array}
workflow:
  - action: sendConnectionRequest
    forEach: ${{ inputs.leads }}
    as: lead
    personUrl: ${{ lead.url }}
    note: Hi ${{ lead.name ?? "there" }}!
`

// leadsCSV writes a lead list of the given URLs (name column empty).
func (tb *testbed) leadsCSV(name string, urls ...string) string {
	tb.t.Helper()
	p := filepath.Join(tb.dir, name)
	write(tb.t, p, "url,name\n"+strings.Join(urls, ",\n")+",\n")
	return p
}

// campaignFile writes a workflow file into the test directory.
func (tb *testbed) campaignFile(name, text string) string {
	tb.t.Helper()
	p := filepath.Join(tb.dir, name)
	write(tb.t, p, text)
	return p
}

// run runs lwf run quickly against the test sandbox.
func (tb *testbed) run(args ...string) (int, string, string) {
	tb.t.Helper()
	return tb.lwf(append([]string{"run", "--poll-start", "5ms", "--poll-max", "20ms", "--rate", "0"}, args...)...)
}

// executed counts the actions the sandbox executed, by type, from its
// GET /stats/actions.
func (tb *testbed) executed() map[string]int {
	tb.t.Helper()
	c, err := linkedapi.New(linkedapi.Options{BaseURL: tb.srv.URL, LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: sandbox.DefaultIdentificationToken, RatePerSecond: -1})
	if err != nil {
		tb.t.Fatal(err)
	}
	now := time.Now()
	stats, err := c.ActionStats(context.Background(), now.Add(-24*time.Hour), now.Add(time.Hour))
	if err != nil {
		tb.t.Fatal(err)
	}
	out := map[string]int{}
	for _, s := range stats {
		out[s.ActionType]++
	}
	return out
}

// planJSON runs lwf plan --format json.
func (tb *testbed) planJSON(args ...string) (int, campaign.Report, string) {
	tb.t.Helper()
	code, stdout, stderr := tb.lwf(append([]string{"plan", "--format", "json"}, args...)...)
	var r campaign.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		tb.t.Fatalf("plan %v: exit %d, %v\n%s\n%s", args, code, err, stdout, stderr)
	}
	return code, r, stderr
}

// ledger returns the ledger's entries.
func (tb *testbed) ledger(args ...string) []state.Contact {
	tb.t.Helper()
	code, stdout, stderr := tb.lwf(append([]string{"ledger", "list", "--format", "json"}, args...)...)
	var doc struct{ Contacts []state.Contact }
	if err := json.Unmarshal([]byte(stdout), &doc); code != 0 || err != nil {
		tb.t.Fatalf("ledger list: exit %d, %v\n%s", code, err, stderr)
	}
	return doc.Contacts
}

func people(cs []state.Contact) []string {
	var out []string
	for _, c := range cs {
		out = append(out, strings.TrimPrefix(c.Person, "https://www.linkedin.com/in/")+" "+c.Outcome)
	}
	sort.Strings(out)
	return out
}

func skippedPeople(r campaign.Report) []string {
	var out []string
	for _, s := range r.Skipped {
		out = append(out, s.Item+" "+s.PersonURL+": "+s.Reason)
	}
	return out
}

func TestCampaignRunTwiceOverOverlappingListsSendsNothingTwice(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	file := tb.campaignFile("outreach.yaml", outreach)
	in := "https://www.linkedin.com/in/"
	week1 := tb.leadsCSV("week1.csv", in+"ada", in+"grace", in+"alan")
	// The same people written differently, and two new ones.
	week2 := tb.leadsCSV("week2.csv", "https://linkedin.com/in/Grace/?trk=x", in+"alan/", in+"edsger", in+"barbara")
	if code, _, stderr := tb.run(file, "--input", "leads=@"+week1); code != exitOK {
		t.Fatalf("week 1: exit %d\n%s", code, stderr)
	}
	code, plan, _ := tb.planJSON(file, "--input", "leads=@"+week2)
	wantSkipped := []string{"week2.csv line 2 https://linkedin.com/in/Grace/?trk=x: contacted today", "week2.csv line 3 https://www.linkedin.com/in/alan/: contacted today"}
	got := skippedPeople(plan)
	for i := range got {
		got[i], _, _ = strings.Cut(got[i], " UTC by run")
		got[i] = got[i][:len(got[i])-6] // the time of day
	}
	if code != exitOK || fmt.Sprint(got) != fmt.Sprint(wantSkipped) || plan.Actions != 2 || plan.Counts[0].Skipped != 2 {
		t.Errorf("plan week 2: exit %d, %d actions, skipped %q; want %q", code, plan.Actions, got, wantSkipped)
	}
	code, _, stderr := tb.run(file, "--input", "leads=@"+week2)
	if code != exitOK || !strings.Contains(stderr, "skipped: 2 actions: 2 contacted before (lwf plan "+file+" --input leads=@"+week2+" --show-skipped lists them)\n") {
		t.Fatalf("week 2: exit %d (an action error would mean a second request)\n%s", code, stderr)
	}
	// Again, and as a new run on purpose: nothing more is sent.
	posts := tb.posts()
	if code, _, stderr := tb.run(file, "--input", "leads=@"+week2); code != exitOK || !strings.Contains(stderr, "re-attaching to run") {
		t.Errorf("week 2 again: exit %d\n%s", code, stderr)
	}
	code, _, stderr = tb.run(file, "--input", "leads=@"+week2, "--new")
	if code != exitOK || !strings.Contains(stderr, "nothing to send: every action of "+file+" was left out\n") || tb.posts() != posts {
		t.Errorf("week 2 --new: exit %d, POSTs %d → %d\n%s", code, posts, tb.posts(), stderr)
	}
	if n := tb.executed()["st.sendConnectionRequest"]; n != 5 {
		t.Errorf("the sandbox executed %d connection requests, want 5 (one per person)", n)
	}
	if c := tb.srv.Sandbox.Counters(); c.DuplicatePayloads != 0 {
		t.Errorf("duplicate payloads: %d", c.DuplicatePayloads)
	}
	want := []string{"ada sent", "alan sent", "barbara sent", "edsger sent", "grace sent"}
	if got := people(tb.ledger()); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ledger %q, want %q", got, want)
	}
	// --allow-recontact is the way to reach them again on purpose.
	if _, plan, _ := tb.planJSON(file, "--input", "leads=@"+week2, "--new", "--allow-recontact"); plan.Actions != 4 || len(plan.Skipped) != 0 {
		t.Errorf("--allow-recontact: %d actions, %d skipped", plan.Actions, len(plan.Skipped))
	}
}

func TestCampaignSkipsPeopleReachedByServerSideIteration(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	search := tb.campaignFile("search.yaml", `version: 1
name: search-and-connect
workflow:
  action: searchPeople
  term: engineer
  limit: 3
  then:
    action: doForPeople
    then:
      action: openPersonPage
      then:
        action: sendConnectionRequest
`)
	// One of them is already a connection of the account: that counts
	// as reached too.
	if code, _, stderr := tb.run(search, "--allow-action-errors"); code != exitOK || !strings.Contains(stderr, "sendConnectionRequest: alreadyConnected") {
		t.Fatalf("run 1: exit %d\n%s", code, stderr)
	}
	reached := tb.ledger()
	if len(reached) != 3 {
		t.Fatalf("ledger after the search: %+v", reached)
	}
	var urls []string
	for _, c := range reached {
		if c.ActionType != "st.sendConnectionRequest" || (c.Outcome != "sent" && c.Outcome != "alreadyConnected") || c.Campaign != "search-and-connect" {
			t.Errorf("entry %+v", c)
		}
		urls = append(urls, strings.ToUpper(c.Person[:8])+c.Person[8:]+"/")
	}
	leads := tb.leadsCSV("leads.csv", append(urls, "https://www.linkedin.com/in/someone-new")...)
	file := tb.campaignFile("outreach.yaml", outreach)
	_, plan, _ := tb.planJSON(file, "--input", "leads=@"+leads)
	if plan.Actions != 1 || len(plan.Skipped) != 3 {
		t.Errorf("plan: %d actions, skipped %q", plan.Actions, skippedPeople(plan))
	}
	code, _, stderr := tb.run(file, "--input", "leads=@"+leads)
	if code != exitOK || !strings.Contains(stderr, "skipped: 3 actions: 3 contacted before") {
		t.Fatalf("run 2: exit %d\n%s", code, stderr)
	}
	if n := tb.executed()["st.sendConnectionRequest"]; n != 4 {
		t.Errorf("the sandbox executed %d connection requests, want 4", n)
	}
}

func TestCampaignLimitsAddUpAndReset(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	file := tb.campaignFile("capped.yaml", strings.Replace(outreach, "inputs:", "limits:\n  stConnectionRequests: {daily: 3, weekly: 6}\ninputs:", 1))
	batch := func(name string, from int) string {
		var us []string
		for i := from; i < from+3; i++ {
			us = append(us, fmt.Sprintf("https://www.linkedin.com/in/lead-%d", i))
		}
		return "leads=@" + tb.leadsCSV(name, us...)
	}
	a, b, c := batch("a.csv", 0), batch("b.csv", 3), batch("c.csv", 6)
	const monday = "2026-03-02T10:00:00Z"
	steps := []struct {
		name, input, now string
		code             int
		stderr           string
		sent             int // connection requests the sandbox executed so far
	}{
		{"monday morning", a, monday, exitOK, "", 3},
		{"monday afternoon: the day's 3 are spent", b, "2026-03-02T15:00:00Z", exitFindings,
			"  stConnectionRequests  daily      3        3      3  exceeded by 3  file\n  stConnectionRequests  weekly     3        3      6              0  file\n" +
				"refused: nothing was sent; lwf plan " + file + " --input " + b + " --now 2026-03-02T15:00:00Z shows the plan; --fit sends what fits the limits now and leaves the rest for a later run; --ignore-limits sends everything anyway\n", 3},
		{"tuesday: a new day", b, "2026-03-03T10:00:00Z", exitOK, "", 6},
		{"wednesday: the week's 6 are spent", c, "2026-03-04T10:00:00Z", exitFindings, "  stConnectionRequests  weekly     6        3      6  exceeded by 3  file\n", 6},
		{"next monday: a new week", c, "2026-03-09T10:00:00Z", exitOK, "", 9},
	}
	for _, s := range steps {
		code, _, stderr := tb.run(file, "--input", s.input, "--now", s.now)
		if code != s.code || !strings.Contains(stderr, s.stderr) {
			t.Errorf("%s: exit %d, want %d; stderr:\n%s\nwant it to contain:\n%s", s.name, code, s.code, stderr, s.stderr)
		}
		if n := tb.executed()["st.sendConnectionRequest"]; n != s.sent {
			t.Errorf("%s: %d connection requests sent, want %d", s.name, n, s.sent)
		}
	}
	// plan says the same, with what is left.
	code, plan, _ := tb.planJSON(file, "--input", batch("d.csv", 9), "--now", "2026-03-09T16:00:00Z")
	var lines []string
	for _, l := range plan.Limits {
		lines = append(lines, l.String())
	}
	want := []string{
		"stConnectionRequests daily: 3 sent today + 3 planned = 6 > 3 (file)",
		"stConnectionRequests weekly: 3 sent this week + 3 planned = 6 ≤ 6 (file), 0 left",
	}
	if code != exitFindings || !plan.Refused || fmt.Sprint(lines) != fmt.Sprint(want) {
		t.Errorf("plan: exit %d, refused %v\n%s", code, plan.Refused, strings.Join(lines, "\n"))
	}
	if code, _, stderr := tb.run(file, "--input", batch("d.csv", 9), "--now", "2026-03-09T16:00:00Z", "--ignore-limits"); code != exitOK ||
		!strings.Contains(stderr, "going on past the limits, as --ignore-limits asks") || tb.executed()["st.sendConnectionRequest"] != 12 {
		t.Errorf("--ignore-limits: exit %d\n%s", code, stderr)
	}
}

func TestCampaignProfileLimitsAndDefaults(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	cfg := filepath.Join(tb.dir, "config.yaml")
	write(t, cfg, fmt.Sprintf(`profiles:
  capped:
    linked-api-token: %s
    identification-token: %s
    endpoint: %s
    limits:
      stConnectionRequests: {daily: 2}
`, sandbox.DefaultLinkedAPIToken, sandbox.DefaultIdentificationToken, tb.srv.URL))
	tb.env["LWF_CONFIG"] = cfg
	file := tb.campaignFile("capped.yaml", strings.Replace(outreach, "inputs:", "limits:\n  stConnectionRequests: {daily: 5}\ninputs:", 1))
	var us []string
	for i := 0; i < 30; i++ {
		us = append(us, fmt.Sprintf("https://www.linkedin.com/in/lead-%d", i))
	}
	three := "leads=@" + tb.leadsCSV("three.csv", us[:3]...)
	// The profile's cap is lower than the file's: it wins.
	code, _, stderr := tb.run(file, "--input", three, "--profile", "capped")
	if code != exitFindings || !strings.Contains(stderr, `  stConnectionRequests  daily      0        3      2  exceeded by 1  profile "capped"`) || tb.posts() != 0 {
		t.Errorf("profile limit: exit %d, POSTs %d\n%s", code, tb.posts(), stderr)
	}
	// Without limits of its own, 30 requests exceed the daily default.
	thirty := "leads=@" + tb.leadsCSV("thirty.csv", us...)
	code, stdout, _ := tb.lwf("plan", tb.campaignFile("plain.yaml", outreach), "--input", thirty)
	if code != exitFindings || !strings.Contains(stdout, "  stConnectionRequests  daily      0       30     25  exceeded by 5  default\n") {
		t.Errorf("default limit: exit %d\n%s", code, stdout)
	}
}

func TestCampaignSuppressImportForget(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	file := tb.campaignFile("outreach.yaml", outreach)
	in := "https://www.linkedin.com/in/"
	leads := "leads=@" + tb.leadsCSV("leads.csv", in+"ada", in+"grace", in+"alan", in+"linus")
	supp := tb.campaignFile("unsubscribed.txt", "# asked not to be contacted\n"+in+"Alan/\n")
	imp := tb.campaignFile("crm.csv", "name,profile,action,date\nGrace,"+in+"grace,sendConnectionRequest,2026-01-15\nLinus,"+in+"linus,sendMessage,2026-01-16\n")
	code, _, stderr := tb.lwf("ledger", "import", imp)
	if code != 0 || stderr != "imported 2 entries from "+imp+" (0 already in the ledger)\n" {
		t.Errorf("import: exit %d %q", code, stderr)
	}
	if code, _, stderr := tb.lwf("ledger", "import", imp); code != 0 || stderr != "imported 0 entries from "+imp+" (2 already in the ledger)\n" {
		t.Errorf("import again: exit %d %q", code, stderr)
	}
	code, stdout, _ := tb.lwf("plan", file, "--input", leads, "--suppress", supp, "--show-skipped")
	want := "skipped: 2 actions: 1 contacted before, 1 suppressed\n" +
		"  leads.csv line 3  st.sendConnectionRequest  https://www.linkedin.com/in/grace: contacted outside lwf (imported from crm.csv)\n" +
		"  leads.csv line 4  st.sendConnectionRequest  https://www.linkedin.com/in/alan: suppressed (unsubscribed.txt)\n"
	if code != exitOK || !strings.Contains(stdout, want) || !strings.Contains(stdout, "  st.sendConnectionRequest     2  (4 − 2 skipped)\n") {
		t.Errorf("plan: exit %d\n%s\nwant it to contain:\n%s", code, stdout, want)
	}
	// Linus got a message, not a request: he may still be asked to connect.
	if got := tb.ledger("--person", in+"linus/"); len(got) != 1 || got[0].ActionType != "st.sendMessage" || got[0].Time.Format("2006-01-02") != "2026-01-16" {
		t.Errorf("ledger --person: %+v", got)
	}
	code, _, stderr = tb.lwf("ledger", "forget", in+"Grace", in+"nobody")
	if code != exitFindings || stderr != "forgot https://www.linkedin.com/in/grace: 1 entry\nnot in the ledger: https://www.linkedin.com/in/nobody\n" {
		t.Errorf("forget: exit %d %q", code, stderr)
	}
	_, plan, _ := tb.planJSON(file, "--input", leads, "--suppress", supp)
	if plan.Actions != 3 || len(plan.Skipped) != 1 {
		t.Errorf("after forget: %d actions, skipped %q", plan.Actions, skippedPeople(plan))
	}
	// A ledger carried to another state directory (a CI job's next run)
	// as CSV.
	_, export, _ := tb.lwf("ledger", "list", "--format", "csv")
	if want := "url,alias,action,outcome,date,campaign,run\n" + in + "linus,,st.sendMessage,imported,2026-01-16T00:00:00Z,,import:crm.csv\n"; export != want {
		t.Errorf("export:\n%s\nwant:\n%s", export, want)
	}
	tb.env["LWF_STATE"] = filepath.Join(tb.dir, "elsewhere")
	if code, _, stderr := tb.lwf("ledger", "import", tb.campaignFile("ledger.csv", export)); code != 0 {
		t.Fatalf("import the export: exit %d\n%s", code, stderr)
	}
	if got := tb.ledger(); len(got) != 1 || got[0].Person != in+"linus" || got[0].ActionType != "st.sendMessage" || !got[0].Time.Equal(time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("carried ledger: %+v", got)
	}
}

func TestPlanNamesTheRowOfATemplateError(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	file := tb.campaignFile("notes.yaml", `version: 1
name: notes
inputs:
  leads: {type: array}
workflow:
  - action: sendConnectionRequest
    forEach: ${{ inputs.leads }}
    as: lead
    personUrl: ${{ lead.url }}
    note: Hi ${{ lead.name }}, ${{ lead.pitch }}
`)
	csv := tb.campaignFile("rows.csv", "url,name,pitch\nhttps://www.linkedin.com/in/a,Ada,short\nhttps://www.linkedin.com/in/b,,short\nhttps://www.linkedin.com/in/c,Cy,"+strings.Repeat("x", 300)+"\n")
	code, stdout, stderr := tb.lwf("plan", file, "--input", "leads=@"+csv)
	want := file + ":10:11: note is 307 characters long, at most 300 allowed (rows.csv line 4) [param-value]\n" +
		file + ":10:18: lead.name is empty (rows.csv line 3) [input-value]\n" +
		"  hint: fill it in, or give a default: ${{ lead.name ?? \"…\" }}\n"
	if code != exitFindings || stdout != "" || stderr != want {
		t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant:\n%s", code, stdout, stderr, want)
	}
	// The same problems, the same exit code as plan's, and nothing sent.
	if code, _, _ := tb.run(file, "--input", "leads=@"+csv); code != exitFindings || tb.posts() != 0 {
		t.Errorf("run: exit %d, POSTs %d", code, tb.posts())
	}
}

func TestResultByVariant(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	file := "../../examples/weekly-outreach.yaml"
	leads := tb.campaignFile("leads.csv", "url,firstName,company,topic\n"+
		"https://www.linkedin.com/in/ada-lovelace,Ada,Engines,compilers\n"+
		"https://www.linkedin.com/in/grace-hopper,Grace,Compilers Inc,tooling\n"+
		"https://www.linkedin.com/in/already-connected,Al,Connected Ltd,networks\n"+
		"https://www.linkedin.com/in/alan-turing,Alan,Bletchley,codes\n"+
		"https://www.linkedin.com/in/person-not-found,Nobody,Nowhere,nothing\n")
	_, plan, _ := tb.planJSON(file, "--input", "leads=@"+leads)
	if len(plan.Variants) != 1 || len(plan.Variants[0].Versions) != 2 {
		t.Fatalf("plan variants: %+v", plan.Variants)
	}
	code, _, stderr := tb.run(file, "--input", "leads=@"+leads, "-q", "--allow-action-errors")
	if code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	_, stdout, _ := tb.lwf("runs", "--json")
	var runs []struct{ ID string }
	if err := json.Unmarshal([]byte(stdout), &runs); err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v\n%s", err, stdout)
	}
	code, stdout, stderr = tb.lwf("result", runs[0].ID, "--by-variant", "--format", "json")
	var doc struct{ Variants []campaign.VariantOutcome }
	if err := json.Unmarshal([]byte(stdout), &doc); code != 0 || err != nil || len(doc.Variants) != 2 {
		t.Fatalf("by-variant: exit %d %v\n%s%s", code, err, stdout, stderr)
	}
	// Each lead's variant is the same in plan and results; the failures
	// are where those people's variants say.
	errs := map[string]int{}
	for i, g := range doc.Variants {
		if g.Actions != plan.Variants[0].Versions[i] || g.Succeeded+g.Failed != g.Actions || g.NotRun != 0 {
			t.Errorf("variant %s: %+v; plan gave it %d", g.Variant, g, plan.Variants[0].Versions[i])
		}
		for k, n := range g.Errors {
			errs[k] += n
		}
	}
	if fmt.Sprint(errs) != "map[alreadyConnected:1 personNotFound:1]" {
		t.Errorf("errors %v", errs)
	}
	// alreadyConnected counts as contacted; personNotFound reached nobody.
	if got := people(tb.ledger()); fmt.Sprint(got) != "[ada-lovelace sent alan-turing sent already-connected alreadyConnected grace-hopper sent]" {
		t.Errorf("ledger %q", got)
	}
	code, stdout, _ = tb.lwf("result", runs[0].ID, "--by-variant")
	if code != 0 || !strings.HasPrefix(stdout, "run "+runs[0].ID+" (weekly-outreach): outcomes by variant\nACTION                 PARAM  VARIANT  ACTIONS  SUCCEEDED  FAILED  NOT RUN  ERRORS\n") {
		t.Errorf("by-variant text: exit %d\n%s", code, stdout)
	}
}

// TestPlanCountsEqualWhatRunSends runs every example as its header shows
// and compares lwf plan's counts with the actions the sandbox executed:
// exact counts exactly, worst cases as upper bounds.
func TestPlanCountsEqualWhatRunSends(t *testing.T) {
	ran := eachExample(t, func(t *testing.T, f string, args []string) {
		tb := newTestbed(t, sandbox.Options{})
		code, plan, stderr := tb.planJSON(append([]string{f}, args...)...)
		if code != exitOK {
			t.Fatalf("plan: exit %d\n%s", code, stderr)
		}
		if code, _, stderr := tb.run(append([]string{f, "-q", "--allow-action-errors"}, args...)...); code != exitOK {
			t.Fatalf("run: exit %d\n%s", code, stderr)
		}
		got := tb.executed()
		for _, c := range plan.Counts {
			n := got[c.ActionType]
			delete(got, c.ActionType)
			switch {
			case strings.Contains(c.ActionType, ".doFor"):
				if n != 0 {
					t.Errorf("%s: the sandbox records iterators: %d", c.ActionType, n)
				}
			case c.WorstCase == 0 && n != c.Exact:
				t.Errorf("%s: plan says exactly %d, run sent %d", c.ActionType, c.Exact, n)
			case c.WorstCase > 0 && (n < c.Exact || n > c.Total()):
				t.Errorf("%s: plan says %d to %d, run sent %d", c.ActionType, c.Exact, c.Total(), n)
			}
		}
		if len(got) > 0 {
			t.Errorf("run sent actions plan does not count: %v", got)
		}
	})
	if ran < 6 {
		t.Errorf("only %d examples show a lwf run --sandbox command", ran)
	}
}

// TestCampaignCommandsKeepTokensOut runs plan, run with its checks, the
// ledger commands and result --by-variant with distinctive tokens, and
// checks that no token appears in their output or the state directory.
func TestCampaignCommandsKeepTokensOut(t *testing.T) {
	const (
		lat   = "lat-CANARY-campaign-4b1d"
		ident = "idt-CANARY-campaign-9e2f"
	)
	tb := newTestbed(t, sandbox.Options{Tokens: map[string][]string{lat: {ident}}})
	tb.env["LINKED_API_TOKEN"], tb.env["IDENTIFICATION_TOKEN"] = lat, ident
	in := "https://www.linkedin.com/in/"
	leads := "leads=@" + tb.leadsCSV("leads.csv", in+"ada", in+"grace")
	file := "../../examples/weekly-outreach.yaml"
	write(t, filepath.Join(tb.dir, "w.csv"), "url,firstName,company,topic\n"+in+"ada,Ada,A,b\n"+in+"grace,Grace,C,d\n")
	var all strings.Builder
	step := func(args ...string) int {
		code, out, errOut := tb.lwf(args...)
		all.WriteString(out + errOut)
		return code
	}
	step("run", "--poll-start", "5ms", file, "--input", "leads=@"+filepath.Join(tb.dir, "w.csv"), "--debug")
	step("plan", tb.campaignFile("o.yaml", outreach), "--input", leads, "--show-skipped")
	step("plan", tb.campaignFile("o.yaml", outreach), "--input", leads, "--format", "json")
	step("ledger", "list")
	step("ledger", "list", "--format", "json")
	step("ledger", "import", tb.leadsCSV("more.csv", in+"linus"))
	step("ledger", "forget", in+"linus")
	_, out, _ := tb.lwf("runs", "--json")
	var runs []struct{ ID string }
	if err := json.Unmarshal([]byte(out), &runs); err != nil || len(runs) != 1 {
		t.Fatalf("runs: %v %s", err, out)
	}
	step("result", runs[0].ID, "--by-variant", "--format", "json")
	cfg := filepath.Join(tb.dir, "config.yaml")
	tb.env["LWF_CONFIG"] = cfg
	write(t, cfg, "profiles:\n  canary:\n    linked-api-token: "+lat+"\n    identification-token: "+ident+"\n    limits: {stMessages: {hourly: 1}}\n")
	if code := step("plan", tb.campaignFile("o.yaml", outreach), "--input", leads, "--profile", "canary"); code != exitUsage {
		t.Errorf("a profile with a bad limit: exit %d", code)
	}
	if !strings.Contains(all.String(), `"contacts": [`) || !strings.Contains(all.String(), `limits.stMessages: unknown period "hourly"`) {
		t.Fatalf("the commands did not run as expected:\n%s", all.String())
	}
	for _, tok := range []string{lat, ident} {
		if strings.Contains(all.String(), tok) {
			t.Errorf("the output contains the token %s", tok)
		}
		filepath.WalkDir(tb.state, func(path string, d os.DirEntry, err error) error {
			if b, _ := os.ReadFile(path); err == nil && !d.IsDir() && strings.Contains(string(b), tok) {
				t.Errorf("%s contains the token %s", path, tok)
			}
			return nil
		})
	}
}

// TestCampaignSkipsPeopleInOpenWorkflows: a workflow sent but not yet
// completed has no completion for the ledger, yet its people are taken.
func TestCampaignSkipsPeopleInOpenWorkflows(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{Speed: time.Hour})
	file := tb.campaignFile("outreach.yaml", outreach)
	in := "https://www.linkedin.com/in/"
	if code, _, stderr := tb.run(file, "--input", "leads=@"+tb.leadsCSV("a.csv", in+"ada", in+"grace"), "--detach"); code != exitPending {
		t.Fatalf("detach: exit %d\n%s", code, stderr)
	}
	_, plan, _ := tb.planJSON(file, "--input", "leads=@"+tb.leadsCSV("b.csv", in+"grace/", in+"alan"), "--show-skipped")
	got := skippedPeople(plan)
	if len(got) != 1 || !strings.HasPrefix(got[0], "b.csv line 2 "+in+"grace/: in run r-") || !strings.HasSuffix(got[0], " (outreach), still pending") || plan.Actions != 1 {
		t.Errorf("%d actions, skipped %q", plan.Actions, got)
	}
	// What is in flight counts against the limits too: 2 requests, at most.
	if len(plan.Limits) == 0 || plan.Limits[0].Used != 2 {
		t.Errorf("limits %+v", plan.Limits)
	}
}

// TestLedgerGuardsEveryStep: the ledger is asked about every step that
// reaches a known person — a root step, a step in a root array, a
// reusable workflow's — not only those forEach makes: a message whose
// text changes from run to run (now()) is not sent twice, nor is a
// connection request run again with --new.
func TestLedgerGuardsEveryStep(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	msg := tb.campaignFile("hello.yaml", `version: 1
name: hello
workflow:
  action: sendMessage
  personUrl: https://www.linkedin.com/in/ada-lovelace-already-connected # a connection: may be messaged
  text: "Hello at ${{ now() }}"
`)
	req := tb.campaignFile("connect.yaml", `version: 1
name: connect
workflow:
  - action: sendConnectionRequest
    personUrl: https://www.linkedin.com/in/grace-hopper
  - uses: send-connection-request
    with: {personUrl: "https://www.linkedin.com/in/alan-turing"}
`)
	for _, f := range []string{msg, req} {
		if code, _, stderr := tb.run(f, "-q", "--allow-action-errors"); code != exitOK {
			t.Fatalf("%s: exit %d\n%s", f, code, stderr)
		}
	}
	posts := tb.posts()
	time.Sleep(1100 * time.Millisecond) // now() moves on: another payload, another run key
	code, _, stderr := tb.run(msg)
	if code != exitOK || !strings.Contains(stderr, "skipped: 1 action: 1 contacted before") || !strings.Contains(stderr, "nothing to send: every action of "+msg+" was left out") {
		t.Errorf("the message again: exit %d\n%s", code, stderr)
	}
	code, _, stderr = tb.run(req, "--new", "--show-skipped")
	if code != exitOK || !strings.Contains(stderr, "skipped: 2 actions: 2 contacted before") {
		t.Errorf("the requests again with --new: exit %d\n%s", code, stderr)
	}
	if tb.posts() != posts {
		t.Errorf("%d more POSTs: sent twice", tb.posts()-posts)
	}
	code, stdout, _ := tb.lwf("ledger", "list", "--format", "json")
	var doc struct{ Contacts []state.Contact }
	if err := json.Unmarshal([]byte(stdout), &doc); code != 0 || err != nil || len(doc.Contacts) != 3 {
		t.Errorf("ledger: exit %d, %v\n%s", code, err, stdout)
	}
	// A follow-up on purpose still goes.
	if code, _, stderr := tb.run(msg, "-q", "--allow-recontact", "--allow-action-errors"); code != exitOK || tb.posts() != posts+1 {
		t.Errorf("--allow-recontact: exit %d, %d POSTs\n%s", code, tb.posts()-posts, stderr)
	}
}

// TestRunFitSendsWhatFits: 10 companies × 5 people = 50 requests against
// the default daily limit of 25. Without --fit the run is refused saying
// what each option does; with it, the first run sends 25, a second the
// same day sends nothing and says why, and the next day's sends the rest:
// everyone is reached once.
func TestRunFitSendsWhatFits(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	var rows []string
	for c := range 10 {
		for p := range 5 {
			rows = append(rows, fmt.Sprintf("https://www.linkedin.com/in/lead-%d-%d", c, p))
		}
	}
	csv := tb.leadsCSV("leads.csv", rows...)
	file := tb.campaignFile("campaign.yaml", outreach)
	day1, later, day2 := "2026-03-03T09:00:00Z", "2026-03-03T15:00:00Z", "2026-03-04T09:00:00Z"

	code, _, stderr := tb.run(file, "--input", "leads=@"+csv, "--now", day1)
	want := "refused: nothing was sent; lwf plan " + file + " --input leads=@" + csv + " --now " + day1 + " shows the plan; --fit sends what fits the limits now and leaves the rest for a later run; --ignore-limits sends everything anyway\n"
	if code != exitFindings || !strings.HasSuffix(stderr, want) || tb.posts() != 0 {
		t.Fatalf("without --fit: exit %d, POSTs %d\n%s", code, tb.posts(), stderr)
	}

	code, stdout, _ := tb.lwf("plan", file, "--input", "leads=@"+csv, "--now", day1, "--fit")
	if code != exitOK || !strings.Contains(stdout, "  st.sendConnectionRequest    25  (50 − 25 skipped: see --show-skipped)\n") ||
		!strings.Contains(stdout, "fit: 25 actions left for a later run (the next budget starts 2026-03-04 00:00 UTC)") {
		t.Errorf("plan --fit: exit %d\n%s", code, stdout)
	}

	code, _, stderr = tb.run(file, "--input", "leads=@"+csv, "--now", day1, "--fit")
	if code != exitOK || tb.executed()["st.sendConnectionRequest"] != 25 {
		t.Fatalf("first run: exit %d, sent %d\n%s", code, tb.executed()["st.sendConnectionRequest"], stderr)
	}
	if got := people(tb.ledger()); len(got) != 25 || got[0] != "lead-0-0 sent" || got[24] != "lead-4-4 sent" {
		t.Errorf("ledger after the first run: %v", got)
	}

	code, _, stderr = tb.run(file, "--input", "leads=@"+csv, "--now", later, "--fit")
	want = "skipped: 50 actions: 25 contacted before, 25 over a limit (left for a later run) (lwf plan " + file + " --fit --input leads=@" + csv + " --now " + later + " --show-skipped lists them)\n" +
		"fit: 25 actions left for a later run (the next budget starts 2026-03-04 00:00 UTC); the ledger keeps anyone from being reached twice\n" +
		"nothing to send: every action of " + file + " was left out; what is left fits after 2026-03-04 00:00 UTC: run it again then\n"
	if code != exitOK || stderr != want || tb.executed()["st.sendConnectionRequest"] != 25 {
		t.Errorf("the same day: exit %d, sent %d\n%s\nwant:\n%s", code, tb.executed()["st.sendConnectionRequest"], stderr, want)
	}

	code, _, stderr = tb.run(file, "--input", "leads=@"+csv, "--now", day2, "--fit")
	if code != exitOK || !strings.Contains(stderr, "skipped: 25 actions: 25 contacted before") {
		t.Errorf("the next day: exit %d\n%s", code, stderr)
	}
	// Everyone once: a second request to someone would have failed with
	// alreadyPending, and the ledger holds each of the 50.
	if n, s := tb.executed()["st.sendConnectionRequest"], tb.srv.Sandbox.Counters(); n != 50 || s.DuplicatePayloads != 0 {
		t.Errorf("sent %d, counters %+v", n, s)
	}
	got := people(tb.ledger())
	seen := map[string]bool{}
	for _, p := range got {
		if !strings.HasSuffix(p, " sent") || seen[p] {
			t.Errorf("ledger entry %q", p)
		}
		seen[p] = true
	}
	if len(seen) != 50 {
		t.Errorf("%d people in the ledger, want 50", len(seen))
	}
	code, _, stderr = tb.run(file, "--input", "leads=@"+csv, "--now", day2, "--fit", "--ignore-limits")
	if code != exitUsage || !strings.Contains(stderr, "give one") {
		t.Errorf("--fit with --ignore-limits: exit %d\n%s", code, stderr)
	}
}
