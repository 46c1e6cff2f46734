package compiler

import (
	"context"
	"strings"
	"testing"
	"time"
)

const connectFollowUp = `version: 1
name: connect-and-follow-up
inputs:
  leads:
    type: array
    items: {type: object, properties: {url: {type: string}, first: {type: string}}}
sequence:
  leads: ${{ inputs.leads }}
  key: ${{ lead.url }}
  steps:
    - id: invite
      action: sendConnectionRequest
      personUrl: ${{ lead.url }}
      note: Hi ${{ lead.first }}!
    - id: accepted
      wait: connectionAccepted
      within: 14d
      onTimeout:
        action: withdrawConnectionRequest
        personUrl: ${{ lead.url }}
    - id: hello
      after: 1d
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Thanks for connecting, ${{ lead.first }}!
    - id: follow-up
      after: 3d
      if: ${{ steps.hello.ok }}
      action: sendMessage
      personUrl: ${{ lead.url }}
      variants:
        text: ["Any thoughts, ${{ lead.first }}?", "Shall we talk, ${{ lead.first }}?"]
  exitWhen: [replied]
  schedule:
    workingHours: Mon-Fri 09:00-18:00 Europe/Berlin
    pace: 10m
`

func TestSequenceCompilesAndRenders(t *testing.T) {
	ctx := context.Background()
	plan, ds := Compile(ctx, "seq.yaml", []byte(connectFollowUp), Options{Inputs: []string{
		`leads=[{url: "https://www.linkedin.com/in/Ada/", first: Ada}, {url: "https://www.linkedin.com/in/grace", first: Grace}]`}})
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	seq := plan.Sequence
	if seq == nil || len(seq.Leads) != 2 || seq.Leads[0].Key != "https://www.linkedin.com/in/ada" || len(plan.Payloads) != 0 {
		t.Fatalf("sequence %+v, %d payloads", seq, len(plan.Payloads))
	}
	want := []SeqStep{
		{ID: "invite", ActionType: "st.sendConnectionRequest", Write: true, Category: "stConnectionRequests", Line: 11},
		{ID: "accepted", Wait: "connectionAccepted", Within: 14 * 24 * time.Hour, OnTimeout: "st.withdrawConnectionRequest", Line: 15},
		{ID: "hello", After: 24 * time.Hour, ActionType: "st.sendMessage", Write: true, Category: "stMessages", Line: 21},
		{ID: "follow-up", After: 72 * time.Hour, ActionType: "st.sendMessage", Write: true, Category: "stMessages", Line: 26},
	}
	for i, s := range seq.Steps {
		s.node = nil
		if s != want[i] {
			t.Errorf("step %d: %+v\nwant %+v", i, s, want[i])
		}
	}
	if seq.Schedule.Pace != 10*time.Minute || seq.Schedule.WorkingHours.String() != "Mon-Fri 09:00-18:00 Europe/Berlin" || len(seq.ExitWhen) != 1 {
		t.Errorf("schedule %+v, exitWhen %v", seq.Schedule, seq.ExitWhen)
	}
	ada := seq.Leads[0]
	r, err := plan.RenderStep(ctx, 0, ada, nil, nil)
	if err != nil || len(r.Problems) > 0 || len(r.Steps) != 1 ||
		string(r.Steps[0]) != `{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/Ada/","note":"Hi Ada!"}` {
		t.Fatalf("invite: %s %v %v", r.Steps, r.Problems, err)
	}
	r, _ = plan.RenderStep(ctx, 1, ada, nil, nil)
	if len(r.Steps) != 1 || string(r.Steps[0]) != `{"actionType":"st.withdrawConnectionRequest","personUrl":"https://www.linkedin.com/in/Ada/"}` {
		t.Errorf("the wait's timeout action: %s %v", r.Steps, r.Problems)
	}
	// if: false leaves the step out; the variant follows the person.
	r, _ = plan.RenderStep(ctx, 3, ada, map[string]StepResult{"hello": {OK: false, Error: "messagingNotAllowed"}}, nil)
	if r.Kept() || len(r.Problems) > 0 {
		t.Errorf("if: false kept %s", r.Steps)
	}
	r, _ = plan.RenderStep(ctx, 3, ada, map[string]StepResult{"hello": {OK: true}}, nil)
	again, _ := plan.RenderStep(ctx, 3, ada, map[string]StepResult{"hello": {OK: true}}, nil)
	if !r.Kept() || len(r.Variants) != 1 || string(r.Steps[0]) != string(again.Steps[0]) {
		t.Errorf("follow-up: %s %+v", r.Steps, r.Variants)
	}
	// Working hours.
	wh := seq.Schedule.WorkingHours
	berlin, _ := time.LoadLocation("Europe/Berlin")
	sat := time.Date(2026, 3, 7, 12, 0, 0, 0, berlin)
	if wh.Open(sat) || !wh.Next(sat).Equal(time.Date(2026, 3, 9, 9, 0, 0, 0, berlin)) {
		t.Errorf("Saturday noon: open %v, next %v", wh.Open(sat), wh.Next(sat))
	}
	tue := time.Date(2026, 3, 10, 10, 30, 0, 0, berlin)
	if !wh.Open(tue) || !wh.Next(tue).Equal(tue) {
		t.Errorf("Tuesday 10:30: open %v, next %v", wh.Open(tue), wh.Next(tue))
	}
	late := time.Date(2026, 3, 10, 19, 0, 0, 0, berlin)
	if !wh.Next(late).Equal(time.Date(2026, 3, 11, 9, 0, 0, 0, berlin)) {
		t.Errorf("Tuesday 19:00: next %v", wh.Next(late))
	}
}

// TestSequenceUsesStep: a step may use a standard workflow, with the
// sequence's keywords beside uses:, and later steps read its result.
func TestSequenceUsesStep(t *testing.T) {
	src := `version: 1
name: use-seq
inputs:
  leads: {type: array, items: {type: object, properties: {url: {type: string}}}}
sequence:
  leads: ${{ inputs.leads }}
  key: ${{ lead.url }}
  steps:
    - id: profile
      uses: fetch-person
      with:
        personUrl: ${{ lead.url }}
    - id: invite
      after: 1d
      if: ${{ steps.profile.ok }}
      uses: send-connection-request
      with:
        personUrl: ${{ lead.url }}
        note: Hi ${{ steps.profile.result.name ?? "there" }}!
`
	ctx := context.Background()
	plan, ds := Compile(ctx, "seq.yaml", []byte(src), Options{Inputs: []string{`leads=[{url: "https://www.linkedin.com/in/ada"}]`}})
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	steps := plan.Sequence.Steps
	if len(steps) != 2 || steps[0].ActionType != "st.openPersonPage" || steps[1].ActionType != "st.sendConnectionRequest" || steps[1].After != 24*time.Hour {
		t.Fatalf("steps %+v", steps)
	}
	r, err := plan.RenderStep(ctx, 1, plan.Sequence.Leads[0], map[string]StepResult{"profile": {OK: true, Result: map[string]any{"name": "Ada Lovelace"}}}, nil)
	if err != nil || len(r.Steps) != 1 || !strings.Contains(string(r.Steps[0]), `"note":"Hi Ada Lovelace!"`) {
		t.Fatalf("invite: %s %v %v", r.Steps, r.Problems, err)
	}
}
