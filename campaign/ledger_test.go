package campaign

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

func catalog(t *testing.T) *schemas.Catalog {
	t.Helper()
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestContactsInClientSideSteps(t *testing.T) {
	payload := `[
		{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/Ada/","note":"Hi"},
		{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/alan"},
		{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/nobody"},
		{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/grace","then":{"actionType":"st.sendMessage","text":"Hi"}},
		{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/ada"}]`
	completion := `[
		{"actionType":"st.sendConnectionRequest","success":true},
		{"actionType":"st.sendConnectionRequest","success":false,"error":{"type":"alreadyConnected","message":"x"}},
		{"actionType":"st.sendConnectionRequest","success":false,"error":{"type":"personNotFound"}},
		{"actionType":"st.openPersonPage","success":true,"data":{"publicUrl":"https://www.linkedin.com/in/grace","then":{"actionType":"st.sendMessage","success":true}}},
		{"actionType":"st.checkConnectionStatus","success":true,"data":{"connectionStatus":"pending"}}]`
	got, err := ContactsIn(catalog(t), json.RawMessage(payload), json.RawMessage(completion))
	if err != nil {
		t.Fatal(err)
	}
	want := []state.Contact{
		{Person: "https://www.linkedin.com/in/ada", ActionType: "st.sendConnectionRequest", Outcome: "sent", Path: "/0"},
		{Person: "https://www.linkedin.com/in/alan", ActionType: "st.sendConnectionRequest", Outcome: "alreadyConnected", Path: "/1"},
		{Person: "https://www.linkedin.com/in/grace", ActionType: "st.sendMessage", Outcome: "sent", Path: "/3/then"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestContactsInServerSideIteration(t *testing.T) {
	payload := `{"actionType":"st.searchPeople","term":"CTO","limit":3,"then":{"actionType":"st.doForPeople","then":
		{"actionType":"st.openPersonPage","then":[{"actionType":"st.retrievePersonSkills"},{"actionType":"st.sendConnectionRequest"}]}}}`
	// The second item carries the doFor* result around its children; the
	// third failed to open, so nothing under it ran.
	completion := `{"actionType":"st.searchPeople","success":true,"data":[
		{"name":"Grace Sato","publicUrl":"https://www.linkedin.com/in/grace-sato","then":{"actionType":"st.openPersonPage","success":true,
			"data":{"publicUrl":"https://www.linkedin.com/in/grace-sato","then":[{"actionType":"st.retrievePersonSkills","success":true,"data":[]},
			{"actionType":"st.sendConnectionRequest","success":true}]}}},
		{"name":"Aisha Hernandez","publicUrl":"https://www.linkedin.com/in/aisha-hernandez","then":{"actionType":"st.doForPeople","then":
			{"actionType":"st.openPersonPage","success":true,"data":{"publicUrl":"https://www.linkedin.com/in/aisha-hernandez","then":[
			{"actionType":"st.retrievePersonSkills","success":true,"data":[]},
			{"actionType":"st.sendConnectionRequest","success":false,"error":{"type":"alreadyPending"}}]}}}},
		{"name":"Victor","publicUrl":"https://www.linkedin.com/in/victor","then":{"actionType":"st.openPersonPage","success":false,"error":{"type":"personNotFound"}}}]}`
	got, err := ContactsIn(catalog(t), json.RawMessage(payload), json.RawMessage(completion))
	if err != nil {
		t.Fatal(err)
	}
	want := []state.Contact{
		{Person: "https://www.linkedin.com/in/grace-sato", ActionType: "st.sendConnectionRequest", Outcome: "sent", Path: "/data/0/then/then/1"},
		{Person: "https://www.linkedin.com/in/aisha-hernandez", ActionType: "st.sendConnectionRequest", Outcome: "alreadyPending", Path: "/data/1/then/then/then/1"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	acts, err := ActionsIn(catalog(t), json.RawMessage(completion))
	if err != nil {
		t.Fatal(err)
	}
	wantActs := map[string]int{"st.searchPeople": 1, "st.openPersonPage": 2, "st.retrievePersonSkills": 2, "st.sendConnectionRequest": 1}
	if !reflect.DeepEqual(acts, wantActs) {
		t.Errorf("ActionsIn = %v, want %v", acts, wantActs)
	}
	outs, err := StepOutcomes(json.RawMessage(payload), json.RawMessage(completion), "/then/then/then/1")
	if err != nil {
		t.Fatal(err)
	}
	wantOuts := []StepOutcome{{Success: true, Person: "https://www.linkedin.com/in/grace-sato"}, {Error: "alreadyPending", Person: "https://www.linkedin.com/in/aisha-hernandez"}}
	if !reflect.DeepEqual(outs, wantOuts) {
		t.Errorf("StepOutcomes = %+v, want %+v", outs, wantOuts)
	}
}

func TestContactsInSalesNavigator(t *testing.T) {
	// A Sales Navigator search lists hashed URLs; the opened profile gives
	// the public one too: the ledger keeps both.
	payload := `{"actionType":"nv.searchPeople","then":{"actionType":"nv.doForPeople","then":{"actionType":"nv.openPersonPage","then":{"actionType":"nv.sendMessage","subject":"s","text":"t"}}}}`
	completion := `{"actionType":"nv.searchPeople","success":true,"data":[{"hashedUrl":"https://www.linkedin.com/in/ACoAAa2Vu","then":
		{"actionType":"nv.openPersonPage","success":true,"data":{"hashedUrl":"https://www.linkedin.com/in/ACoAAa2Vu","publicUrl":"https://www.linkedin.com/in/kenji-ivanova",
		"then":{"actionType":"nv.sendMessage","success":true}}}}]}`
	got, err := ContactsIn(catalog(t), json.RawMessage(payload), json.RawMessage(completion))
	if err != nil {
		t.Fatal(err)
	}
	want := []state.Contact{{Person: "https://www.linkedin.com/in/kenji-ivanova", Alias: "https://www.linkedin.com/in/acoaaa2vu", ActionType: "nv.sendMessage", Outcome: "sent", Path: "/data/0/then/then"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestTargetsIn(t *testing.T) {
	payload := `[{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/Ada/"},
		{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/grace","then":{"actionType":"st.sendMessage","text":"x"}},
		{"actionType":"st.searchPeople","then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage","then":{"actionType":"st.sendMessage","text":"x"}}}},
		{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/alan"}]`
	got, err := TargetsIn(catalog(t), json.RawMessage(payload))
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{{"https://www.linkedin.com/in/ada", "st.sendConnectionRequest"}, {"https://www.linkedin.com/in/grace", "st.sendMessage"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
