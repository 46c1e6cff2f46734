package compiler

import (
	"context"
	"encoding/json"
	"testing"
)

// TestSkipUnderOpenPersonPage: a write action that takes its person from
// openPersonPage is asked about that person, and a page opened only for
// actions that were all skipped goes too.
func TestSkipUnderOpenPersonPage(t *testing.T) {
	src := []byte(`version: 1
name: nested
inputs:
  leads: {type: array}
workflow:
  - action: openPersonPage
    forEach: ${{ inputs.leads }}
    as: lead
    personUrl: ${{ lead }}
    then:
      action: sendMessage
      text: Hi
  - action: openPersonPage
    forEach: ${{ inputs.leads }}
    as: lead
    personUrl: ${{ lead }}
    then:
      - action: retrievePersonSkills
      - action: sendConnectionRequest
  - action: searchPeople
    forEach: ${{ inputs.leads }}
    as: lead
    term: ${{ lead }}
    then:
      action: doForPeople
      then:
        action: openPersonPage
        then:
          action: sendMessage
          text: Hi
`)
	var asked []string
	plan, ds := Compile(context.Background(), "nested.yaml", src, Options{
		Inputs: []string{`leads=["https://www.linkedin.com/in/ada", "https://www.linkedin.com/in/bob"]`},
		Skip: func(at, person string) (Skip, bool) {
			asked = append(asked, at+" "+person)
			return Skip{Kind: SkipContacted, Detail: "contacted before"}, person == "https://www.linkedin.com/in/bob"
		},
	})
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	wantAsked := `["st.sendMessage https://www.linkedin.com/in/ada","st.sendMessage https://www.linkedin.com/in/bob",` +
		`"st.sendConnectionRequest https://www.linkedin.com/in/ada","st.sendConnectionRequest https://www.linkedin.com/in/bob"]`
	if b, _ := json.Marshal(asked); string(b) != wantAsked {
		t.Errorf("asked %s\nwant  %s", b, wantAsked)
	}
	// Bob's page for the message goes (nothing is left under it); his page
	// for the skills stays, without the connection request.
	want := `[{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/ada","then":{"actionType":"st.sendMessage","text":"Hi"}},` +
		`{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/ada","then":[{"actionType":"st.retrievePersonSkills"},{"actionType":"st.sendConnectionRequest"}]},` +
		`{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/bob","then":[{"actionType":"st.retrievePersonSkills"}]},` +
		`{"actionType":"st.searchPeople","term":"https://www.linkedin.com/in/ada","then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage","then":{"actionType":"st.sendMessage","text":"Hi"}}}},` +
		`{"actionType":"st.searchPeople","term":"https://www.linkedin.com/in/bob","then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage","then":{"actionType":"st.sendMessage","text":"Hi"}}}}]`
	if len(plan.Payloads) != 1 || string(plan.Payloads[0]) != want {
		t.Errorf("payload\n%s\nwant\n%s", plan.Payloads, want)
	}
	if len(plan.Skipped) != 2 || plan.Skipped[0].Item != "lead #2" {
		t.Errorf("skipped %+v", plan.Skipped)
	}
}

// TestSamplesComeFromWhatIsSent: a skipped row gives no sample; the next
// one sent does.
func TestSamplesComeFromWhatIsSent(t *testing.T) {
	src := []byte(`version: 1
name: samples
inputs:
  leads: {type: array}
workflow:
  - action: sendConnectionRequest
    forEach: ${{ inputs.leads }}
    as: lead
    personUrl: ${{ lead.url }}
    note: Hi ${{ lead.name }}!
`)
	plan, ds := Compile(context.Background(), "samples.yaml", src, Options{
		Inputs: []string{`leads=[{url: "https://www.linkedin.com/in/ada", name: Ada}, {url: "https://www.linkedin.com/in/bob", name: Bob}]`},
		Skip: func(_, person string) (Skip, bool) {
			return Skip{Kind: SkipContacted, Detail: "contacted before"}, person == "https://www.linkedin.com/in/ada"
		},
	})
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	if len(plan.Samples) != 1 || plan.Samples[0] != (Sample{ActionType: "st.sendConnectionRequest", Param: "note", Item: "lead #2", Text: "Hi Bob!"}) {
		t.Errorf("samples %+v", plan.Samples)
	}
}
