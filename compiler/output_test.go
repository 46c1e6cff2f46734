package compiler

import (
	"context"
	"encoding/json"
	"testing"
)

// TestOutputApply shapes a completion with fetch-person's output, the
// example of the reference (a child that failed becomes an error, the
// other child's data a property).
func TestOutputApply(t *testing.T) {
	plan, ds := CompileFile(context.Background(), "fetch-person", Options{Inputs: []string{
		"personUrl=https://www.linkedin.com/in/jane-doe", "retrieveExperience=true", "retrievePosts=true"}})
	if len(ds) > 0 || len(plan.Outputs) != 1 || plan.Outputs[0] == nil {
		t.Fatalf("compile: %v, outputs %v", ds, plan.Outputs)
	}
	var completion any
	json.Unmarshal([]byte(`{"actionType":"st.openPersonPage","success":true,"data":{"name":"Jane Doe","then":[
		{"actionType":"st.retrievePersonExperience","success":true,"data":[{"position":"CEO"}]},
		{"actionType":"st.retrievePersonPosts","success":false,"error":{"type":"retrievingNotAllowed","message":"blocked"}}]}}`), &completion)
	got, err := plan.Outputs[0].Apply(completion)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	want := `{"data":{"experiences":[{"position":"CEO"}],"name":"Jane Doe"},"errors":[{"message":"blocked","type":"retrievingNotAllowed"}]}`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

// TestOutputInlined: a reusable workflow inlined in a root array shapes
// its own element of the completion, under "output".
func TestOutputInlined(t *testing.T) {
	src := []byte(`version: 1
name: two
workflow:
  - action: retrieveSSI
  - uses: check-connection-status
    with: {personUrl: "https://www.linkedin.com/in/a"}
`)
	plan, ds := Compile(context.Background(), "two.yaml", src, Options{})
	if len(ds) > 0 || plan.Outputs[0] == nil {
		t.Fatalf("%v %v", ds, plan.Outputs)
	}
	if d := plan.Outputs[0].Describe(); len(d) != 1 || d[0].Pointer != "/1" || d[0].Workflow != "check-connection-status" {
		t.Fatalf("describe: %+v", d)
	}
	var completion any
	json.Unmarshal([]byte(`[{"actionType":"st.retrieveSSI","success":true,"data":{"ssi":50}},
		{"actionType":"st.checkConnectionStatus","success":true,"data":{"connectionStatus":"pending"}}]`), &completion)
	got, err := plan.Outputs[0].Apply(completion)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	want := `[{"actionType":"st.retrieveSSI","data":{"ssi":50},"success":true},{"actionType":"st.checkConnectionStatus","data":{"connectionStatus":"pending"},"output":{"data":{"connectionStatus":"pending"},"errors":[]},"success":true}]`
	if string(b) != want {
		t.Errorf("got  %s\nwant %s", b, want)
	}
}

// TestThenDroppedSingle: a single then step dropped by if: leaves no then;
// a then list whose steps are all dropped stays an empty list (as the
// official SDKs send).
func TestThenDroppedSingle(t *testing.T) {
	src := []byte(`version: 1
name: t
workflow:
  - action: openPersonPage
    personUrl: https://www.linkedin.com/in/a
    then:
      action: retrievePersonSkills
      if: false
  - action: openPersonPage
    personUrl: https://www.linkedin.com/in/b
    then:
      - action: retrievePersonSkills
        if: false
`)
	plan, ds := Compile(context.Background(), "t.yaml", src, Options{})
	if len(ds) > 0 {
		t.Fatal(ds)
	}
	want := `[{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/a"},{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/b","then":[]}]`
	if string(plan.Payloads[0]) != want {
		t.Errorf("got  %s\nwant %s", plan.Payloads[0], want)
	}
}
