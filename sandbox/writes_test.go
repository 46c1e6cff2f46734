package sandbox

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestWriteLog: GET /_sandbox/actions lists every write the sandbox
// executed — who, what, to whom, with which text, when — and nothing
// else: no reads, no failed writes, no writes a cancel stopped, no token.
func TestWriteLog(t *testing.T) {
	const other = "second-identification-token"
	h := newHarness(t, Options{Tokens: map[string][]string{DefaultLinkedAPIToken: {DefaultIdentificationToken, other}}})
	friend := h.connection(false, 0)
	stranger := "https://www.linkedin.com/in/grace-hopper"
	hashed := at(t, h.run(`{"actionType":"st.openPersonPage","personUrl":"`+stranger+`","basicInfo":true}`), "data", "hashedUrl").(string)
	post := "https://www.linkedin.com/feed/update/urn:li:activity:7300000000000000000"
	h.run(`[{"actionType":"st.sendConnectionRequest","personUrl":"` + hashed + `","note":"Hi Grace, let's connect"},
		{"actionType":"st.sendMessage","personUrl":"` + friend + `","text":"Hello friend"},
		{"actionType":"st.sendMessage","personUrl":"` + stranger + `","text":"never sent"},
		{"actionType":"st.openPost","postUrl":"` + post + `","then":[{"actionType":"st.reactToPost","type":"like"},{"actionType":"st.commentOnPost","text":"Great post"}]},
		{"actionType":"st.searchPeople","term":"CTO","limit":2}]`)
	h.clock.Advance(time.Minute)
	h.doWith("POST", "/workflows", `{"actionType":"st.createPost","text":"Our news"}`,
		map[string]string{"linked-api-token": DefaultLinkedAPIToken, "identification-token": other})

	r := h.control("GET", "/_sandbox/actions", "")
	if r.status != 200 {
		t.Fatalf("HTTP %d: %s", r.status, r.raw)
	}
	if strings.Contains(r.raw, DefaultIdentificationToken) || strings.Contains(r.raw, other) || strings.Contains(r.raw, DefaultLinkedAPIToken) {
		t.Fatalf("a token in the log: %s", r.raw)
	}
	var writes []Write
	if err := json.Unmarshal([]byte(r.raw), &writes); err != nil {
		t.Fatal(err)
	}
	a, b := AccountLabel(DefaultIdentificationToken), AccountLabel(other)
	t0 := h.clock.Now().Add(-time.Minute)
	want := []Write{
		{Account: a, Action: "st.sendConnectionRequest", Target: stranger, Text: "Hi Grace, let's connect", Time: iso(t0)},
		{Account: a, Action: "st.sendMessage", Target: friend, Text: "Hello friend", Time: iso(t0)},
		{Account: a, Action: "st.reactToPost", Target: post, Time: iso(t0)},
		{Account: a, Action: "st.commentOnPost", Target: post, Text: "Great post", Time: iso(t0)},
	}
	if len(writes) != 5 || mustJSON(t, writes[:4]) != mustJSON(t, want) {
		t.Fatalf("log:\n%s\nwant first:\n%s", mustJSON(t, writes), mustJSON(t, want))
	}
	if w := writes[4]; w.Account != b || w.Action != "st.createPost" || w.Text != "Our news" ||
		!strings.HasPrefix(w.Target, "https://www.linkedin.com/feed/update/urn:li:activity:") {
		t.Errorf("the other account's post: %+v", w)
	}
	if a == b || !strings.HasPrefix(a, "acct-") || len(a) != len("acct-")+8 {
		t.Errorf("labels %q %q", a, b)
	}
}

// TestWriteLogKeepsWhatRan: a cancelled workflow's writes are logged only
// up to the cancel, and the log keeps its newest entries once full.
func TestWriteLogKeepsWhatRan(t *testing.T) {
	h := newHarness(t, Options{Speed: time.Minute})
	id := h.submit(`[{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `a-one"},{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `b-two"}]`)
	h.clock.Advance(2*time.Minute + 30*time.Second) // pending 1 min, first action done at 2 min
	h.do("DELETE", "/workflows/"+id, "")
	h.clock.Advance(time.Hour)
	if w := h.sb.Writes(); len(w) != 1 || w[0].Target != in+"a-one" {
		t.Fatalf("after the cancel: %+v", w)
	}

	h = newHarness(t, Options{})
	h.sb.writes.cap = 3
	for _, p := range []string{"a-one", "b-two", "c-three", "d-four", "e-five"} {
		h.run(`{"actionType":"st.sendConnectionRequest","personUrl":"` + in + p + `"}`)
		h.clock.Advance(time.Second)
	}
	var targets []string
	for _, w := range h.sb.Writes() {
		targets = append(targets, strings.TrimPrefix(w.Target, in))
	}
	if strings.Join(targets, " ") != "c-three d-four e-five" {
		t.Fatalf("kept %v", targets)
	}
}
