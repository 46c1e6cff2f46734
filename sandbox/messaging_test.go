package sandbox

import (
	"net/http"
	"testing"
	"time"
)

func TestConversationsPoll(t *testing.T) {
	h := newHarness(t, Options{ReplyAfter: time.Hour})
	friend := h.connection(true, 0) // answers, has history
	poll := `[{"personUrl":"` + friend + `","type":"st"}]`
	r := h.do("POST", "/conversations/poll", poll)
	r.wantError(t, http.StatusConflict, "conversationsNotSynced")
	want := "These conversations have not been synced: " + friend + " (st). Run st.syncConversation (or nv.syncConversation) for them first."
	if r.env.Error.Message != want {
		t.Errorf("message %q", r.env.Error.Message)
	}
	// Sending alone does not sync.
	h.run(`{"actionType":"st.sendMessage","personUrl":"` + friend + `","text":"Hello Ada"}`)
	h.do("POST", "/conversations/poll", poll).wantError(t, http.StatusConflict, "conversationsNotSynced")
	h.run(`{"actionType":"st.syncConversation","personUrl":"` + friend + `"}`)
	var convs []convResult
	h.do("POST", "/conversations/poll", poll).result(t, &convs)
	if len(convs) != 1 || convs[0].PersonURL != friend || convs[0].Type != "st" {
		t.Fatalf("%+v", convs)
	}
	last := convs[0].Messages[len(convs[0].Messages)-1]
	if last.Sender != "us" || last.Text != "Hello Ada" || last.Time != iso(h.clock.Now()) {
		t.Fatalf("last message %+v", last)
	}
	// The nv conversation is a different one.
	h.do("POST", "/conversations/poll", `[{"personUrl":"`+friend+`","type":"nv"}]`).wantError(t, http.StatusConflict, "conversationsNotSynced")

	h.clock.Advance(time.Hour)
	h.do("POST", "/conversations/poll", `[{"personUrl":"`+friend+`","type":"st","since":"`+iso(h.clock.Now())+`"}]`).result(t, &convs)
	if len(convs[0].Messages) != 1 || convs[0].Messages[0].Sender != "them" || convs[0].Since != iso(h.clock.Now()) {
		t.Fatalf("since the reply: %+v", convs[0])
	}
	for _, bad := range []string{`{}`, `[{"type":"st"}]`, `[{"personUrl":"x","type":"xx"}]`, `[{"personUrl":"x","type":"st","since":"yesterday"}]`, `[1]`} {
		h.do("POST", "/conversations/poll", bad).wantError(t, http.StatusBadRequest, "invalidRequestPayload")
	}
	var empty []convResult
	h.do("POST", "/conversations/poll", `[]`).result(t, &empty)
	if len(empty) != 0 {
		t.Fatal("an empty poll answered conversations")
	}
}

func TestInboxPoll(t *testing.T) {
	h := newHarness(t, Options{})
	var res struct {
		Messages []map[string]any `json:"messages"`
	}
	bo := h.connection(false, 0)
	h.run(`{"actionType":"st.sendMessage","personUrl":"` + bo + `","text":"before the sync"}`)
	h.do("POST", "/inbox/poll", "").result(t, &res)
	if len(res.Messages) != 0 {
		t.Fatalf("an unsynced inbox has messages: %v", res.Messages)
	}
	h.clock.Advance(time.Minute)
	h.run(`{"actionType":"st.syncInbox"}`)
	h.clock.Advance(time.Minute)
	h.run(`{"actionType":"st.sendMessage","personUrl":"` + bo + `","text":"after the sync"}`)
	h.do("POST", "/inbox/poll", `{}`).result(t, &res)
	if len(res.Messages) != 1 || res.Messages[0]["text"] != "after the sync" || res.Messages[0]["type"] != "st" ||
		res.Messages[0]["personUrl"] != bo || res.Messages[0]["threadId"] == "" {
		t.Fatalf("%v", res.Messages)
	}
	h.do("POST", "/inbox/poll", `{"type":"nv"}`).result(t, &res)
	if len(res.Messages) != 0 {
		t.Fatal("the nv inbox is not synced")
	}
	h.do("POST", "/inbox/poll", `{"type":"xx"}`).wantError(t, http.StatusBadRequest, "invalidRequestPayload")
}

func TestNetworkPollAndAcceptance(t *testing.T) {
	h := newHarness(t, Options{AcceptAfter: time.Hour})
	// Find one person who accepts and one who does not.
	var yes, no string
	for _, slug := range []string{"a-one", "b-two", "c-three", "d-four", "e-five", "f-six", "g-seven", "h-eight"} {
		if h.sb.gen.person(in + slug).responsive {
			yes = in + slug
		} else {
			no = in + slug
		}
	}
	if yes == "" || no == "" {
		t.Fatal("no mix of responsive people")
	}
	h.run(`{"actionType":"st.syncNetwork"}`)
	h.run(`[{"actionType":"st.sendConnectionRequest","personUrl":"` + yes + `"},{"actionType":"st.sendConnectionRequest","personUrl":"` + no + `"}]`)
	var res struct {
		Events []map[string]any `json:"events"`
	}
	h.clock.Advance(time.Hour - time.Second)
	h.do("POST", "/network/poll", "").result(t, &res)
	if len(res.Events) != 0 {
		t.Fatalf("too early: %v", res.Events)
	}
	h.clock.Advance(time.Second)
	h.do("POST", "/network/poll", `{"type":"connectionAccepted"}`).result(t, &res)
	if len(res.Events) != 1 || res.Events[0]["personUrl"] != yes || res.Events[0]["type"] != "connectionAccepted" {
		t.Fatalf("%v", res.Events)
	}
	c := h.run(`[{"actionType":"st.checkConnectionStatus","personUrl":"` + yes + `"},{"actionType":"st.checkConnectionStatus","personUrl":"` + no + `"}]`)
	if at(t, c, 0, "data", "connectionStatus") != "connected" || at(t, c, 1, "data", "connectionStatus") != "pending" {
		t.Fatalf("%s", mustJSON(t, c))
	}
	// Accepting an invitation adds a connection.
	inv := h.run(`{"actionType":"st.retrieveInvitations"}`)
	first := at(t, inv, "data", 0)
	h.run(`{"actionType":"st.acceptInvitation","invitationType":"connect","personUrl":"` + at(t, first, "publicUrl").(string) + `"}`)
	h.do("POST", "/network/poll", `{"type":"connectionAdded"}`).result(t, &res)
	if len(res.Events) != 1 || res.Events[0]["personUrl"] != at(t, first, "publicUrl") {
		t.Fatalf("%v", res.Events)
	}
	after := at(t, h.run(`{"actionType":"st.retrieveInvitations"}`), "data").([]any)
	if len(after) != len(at(t, inv, "data").([]any))-1 {
		t.Fatal("an accepted invitation is still listed")
	}
	h.do("POST", "/network/poll", `{"type":"nope"}`).wantError(t, http.StatusBadRequest, "invalidRequestPayload")
}

func TestStatsActions(t *testing.T) {
	h := newHarness(t, Options{Speed: time.Minute})
	h.submit(`[{"actionType":"st.retrieveSSI"},{"actionType":"st.openPersonPage","personUrl":"` + in + `not-found"}]`)
	h.clock.Advance(10 * time.Minute)
	start := h.clock.Now().Add(-24 * time.Hour).Format(time.RFC3339)
	end := h.clock.Now().Format(time.RFC3339)
	var stats []map[string]any
	h.do("GET", "/stats/actions?start="+start+"&end="+end, "").result(t, &stats)
	t0 := h.clock.Now().Add(-10 * time.Minute)
	want := []map[string]any{
		{"actionType": "st.retrieveSSI", "success": true, "time": iso(t0.Add(2 * time.Minute))},
		{"actionType": "st.openPersonPage", "success": false, "time": iso(t0.Add(3 * time.Minute))},
	}
	if mustJSON(t, stats) != mustJSON(t, want) {
		t.Fatalf("stats %s", mustJSON(t, stats))
	}
	h.do("GET", "/stats/actions?start=2026-01-01&end=2026-01-02", "").result(t, &stats)
	if len(stats) != 0 {
		t.Fatal("records outside the window")
	}
	for _, q := range []string{"", "?start=2026-01-01", "?start=x&end=2026-01-02", "?start=2026-02-01&end=2026-01-01",
		"?start=2026-01-01T00:00:00Z&end=2026-01-31T00:00:01Z"} {
		h.do("GET", "/stats/actions"+q, "").wantError(t, http.StatusBadRequest, "invalidRequestPayload")
	}
	h.do("GET", "/stats/actions?start=2026-01-01T00:00:00Z&end=2026-01-31T00:00:00Z", "").result(t, &stats)
}

// TestMessagingNeedsAConnection: st.sendMessage reaches connections only
// — the account's network, people who accepted its request, people whose
// invitation it accepted — and fails with messagingNotAllowed for anyone
// else; nv.sendMessage (an InMail) reaches anyone.
func TestMessagingNeedsAConnection(t *testing.T) {
	h := newHarness(t, Options{AcceptAfter: time.Hour})
	send := func(url string) string {
		t.Helper()
		return errorType(h.run(`{"actionType":"st.sendMessage","personUrl":"` + url + `","text":"hi"}`))
	}
	stranger := at(t, h.run(`{"actionType":"st.searchPeople","term":"CFO","limit":1}`), "data", 0, "publicUrl").(string)
	if h.sb.gen.person(stranger).initialStatus != statusNotConnected {
		t.Fatal("the stranger is a connection")
	}
	if e := send(stranger); e != "messagingNotAllowed" {
		t.Fatalf("to a stranger: %q", e)
	}
	if e := errorType(h.run(`{"actionType":"nv.sendMessage","personUrl":"` + stranger + `","subject":"Hi","text":"hi"}`)); e != "" {
		t.Fatalf("an InMail to a stranger: %q", e)
	}
	network := at(t, h.run(`{"actionType":"st.retrieveConnections","limit":2}`), "data").([]any)
	for _, c := range network {
		if e := send(at(t, c, "publicUrl").(string)); e != "" {
			t.Fatalf("to a connection: %q", e)
		}
	}
	// A request someone accepts makes them a connection.
	var accepter string
	for i := 0; accepter == ""; i++ {
		u := at(t, h.run(`{"actionType":"st.searchPeople","term":"CTO","limit":20}`), "data", i, "publicUrl").(string)
		if p := h.sb.gen.person(u); p.responsive && p.initialStatus == statusNotConnected {
			accepter = u
		}
	}
	h.run(`{"actionType":"st.sendConnectionRequest","personUrl":"` + accepter + `"}`)
	if e := send(accepter); e != "messagingNotAllowed" {
		t.Fatalf("before the acceptance: %q", e)
	}
	h.clock.Advance(time.Hour)
	if e := send(accepter); e != "" {
		t.Fatalf("after the acceptance: %q", e)
	}
	// So does accepting their invitation.
	inviter := at(t, h.run(`{"actionType":"st.retrieveInvitations"}`), "data", 0, "publicUrl").(string)
	if e := send(inviter); e != "messagingNotAllowed" {
		t.Fatalf("to an inviter: %q", e)
	}
	h.run(`{"actionType":"st.acceptInvitation","invitationType":"connect","personUrl":"` + inviter + `"}`)
	if e := send(inviter); e != "" {
		t.Fatalf("to an accepted inviter: %q", e)
	}
	// And removing a connection ends it.
	gone := at(t, network[0], "publicUrl").(string)
	h.run(`{"actionType":"st.removeConnection","personUrl":"` + gone + `"}`)
	if e := send(gone); e != "messagingNotAllowed" {
		t.Fatalf("to a removed connection: %q", e)
	}
}
