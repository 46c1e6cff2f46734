package sandbox

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// moveClock posts to /_sandbox/clock and returns the new sandbox time.
func (h *harness) moveClock(body string) time.Time {
	h.t.Helper()
	r := h.control("POST", "/_sandbox/clock", body)
	var st clockState
	if err := json.Unmarshal([]byte(r.raw), &st); r.status != http.StatusOK || err != nil {
		h.t.Fatalf("POST /_sandbox/clock %s: HTTP %d %s", body, r.status, r.raw)
	}
	t, _ := time.Parse(time.RFC3339Nano, st.Time)
	return t
}

// TestClockRunsTwoWeeks: on a controllable clock, two simulated weeks pass
// in six-hour steps; the people who accept do so AcceptAfter after the
// request and answer ReplyAfter after a message, and /network/poll and
// /inbox/poll report each acceptance and each reply exactly once per
// cursor — whether the cursor is the time of the last poll or the newest
// event seen.
func TestClockRunsTwoWeeks(t *testing.T) {
	const accept, reply = 3 * 24 * time.Hour, 2 * 24 * time.Hour
	h := newHarness(t, Options{ControllableClock: true, AcceptAfter: accept, ReplyAfter: reply})
	h.run(`[{"actionType":"st.syncNetwork"},{"actionType":"st.syncInbox"}]`)
	start := h.moveClock(`{"advance":"1h"}`)
	var people []string
	for _, it := range at(t, h.run(`{"actionType":"st.searchPeople","term":"founder","limit":30}`), "data").([]any) {
		if u := at(t, it, "publicUrl").(string); h.sb.gen.person(u).initialStatus == statusNotConnected && len(people) < 20 {
			people = append(people, u)
		}
	}
	var requests []any
	responsive := map[string]bool{}
	for _, u := range people {
		requests = append(requests, map[string]any{"actionType": "st.sendConnectionRequest", "personUrl": u})
		responsive[u] = h.sb.gen.person(u).responsive
	}
	h.run(mustJSON(t, requests))

	type event struct {
		ID, Type, PersonURL, DetectedAt string
	}
	type msg struct {
		ID, PersonURL, Sender, Time string
	}
	accepted := map[string][]string{} // person → detectedAt of each event seen, by poll-time cursor
	byNewest := map[string]int{}      // person → events seen, by newest-event cursor
	replies := map[string][]string{}  // person → time of each reply seen
	messaged := map[string]time.Time{}
	netCursor, newest, inboxCursor := start, time.Time{}, start
	for now := start; now.Sub(start) < 14*24*time.Hour; {
		now = h.moveClock(`{"advance":"6h"}`)
		var net struct{ Events []event }
		h.do("POST", "/network/poll", `{"type":"connectionAccepted","since":"`+netCursor.Format(time.RFC3339Nano)+`"}`).result(t, &net)
		netCursor = now
		var send []any
		for _, e := range net.Events {
			accepted[e.PersonURL] = append(accepted[e.PersonURL], e.DetectedAt)
			send = append(send, map[string]any{"actionType": "st.sendMessage", "personUrl": e.PersonURL, "text": "Thanks for connecting!"})
			messaged[e.PersonURL] = now
		}
		since := ""
		if !newest.IsZero() {
			since = `,"since":"` + iso(newest) + `"`
		}
		h.do("POST", "/network/poll", `{"type":"connectionAccepted"`+since+`}`).result(t, &net)
		for _, e := range net.Events {
			byNewest[e.PersonURL]++
			if at, _ := time.Parse(time.RFC3339, e.DetectedAt); at.After(newest) {
				newest = at
			}
		}
		if len(send) > 0 {
			h.run(mustJSON(t, send))
		}
		var inbox struct{ Messages []msg }
		h.do("POST", "/inbox/poll", `{"since":"`+inboxCursor.Format(time.RFC3339Nano)+`"}`).result(t, &inbox)
		inboxCursor = now
		for _, m := range inbox.Messages {
			if m.Sender == "them" {
				replies[m.PersonURL] = append(replies[m.PersonURL], m.Time)
			}
		}
	}
	n := 0
	for _, u := range people {
		if !responsive[u] {
			if len(accepted[u]) != 0 || byNewest[u] != 0 || len(replies[u]) != 0 {
				t.Errorf("%s does not accept, yet: %v %d %v", u, accepted[u], byNewest[u], replies[u])
			}
			continue
		}
		n++
		if len(accepted[u]) != 1 || accepted[u][0] != iso(start.Add(accept)) || byNewest[u] != 1 {
			t.Errorf("%s: acceptances %v (want one at %s), %d by the newest-event cursor", u, accepted[u], iso(start.Add(accept)), byNewest[u])
		}
		if len(replies[u]) != 1 || replies[u][0] != iso(messaged[u].Add(reply)) {
			t.Errorf("%s: replies %v, want one at %s", u, replies[u], iso(messaged[u].Add(reply)))
		}
	}
	if n < 5 || n == len(people) {
		t.Fatalf("%d of %d people accept: no mix", n, len(people))
	}
	// Polls without a cursor see the same, at once.
	var all struct{ Events []event }
	h.do("POST", "/network/poll", "").result(t, &all)
	if len(all.Events) != n {
		t.Errorf("%d acceptances in all, want %d", len(all.Events), n)
	}
}

// TestClockWorkingHours: a workflow parked outside the working hours runs
// once the controllable clock reaches them.
func TestClockWorkingHours(t *testing.T) {
	wh, err := ParseWorkingHours("Mon-Fri 09:00-18:00 Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{ControllableClock: true, WorkingHours: wh})
	h.moveClock(`{"set":"2026-03-07T12:00:00Z"}`) // a Saturday
	id := h.submit(`{"actionType":"st.retrieveSSI"}`)
	if v := h.get(id); v.WorkflowStatus != "pending" || v.PendingReason != "outsideWorkingHours" {
		t.Fatalf("on Saturday: %+v", v)
	}
	h.moveClock(`{"advance":"1d19h"}`) // Monday 07:00 UTC, 08:00 in Berlin
	if v := h.get(id); v.WorkflowStatus != "pending" {
		t.Fatalf("before the hours open: %+v", v)
	}
	h.moveClock(`{"advance":"1h"}`)
	if v := h.get(id); v.WorkflowStatus != "completed" {
		t.Fatalf("once they open: %+v", v)
	}
}

// TestClockControl: the clock moves only forward, only on a sandbox that
// allows it, and says where it is.
func TestClockControl(t *testing.T) {
	fixed := newHarness(t, Options{})
	r := fixed.control("POST", "/_sandbox/clock", `{"advance":"1h"}`)
	if r.status != http.StatusForbidden || !json.Valid([]byte(r.raw)) {
		t.Fatalf("not controllable: HTTP %d %s", r.status, r.raw)
	}
	if _, err := fixed.sb.AdvanceClock(time.Hour); err != ErrClockNotControllable {
		t.Fatalf("AdvanceClock: %v", err)
	}
	var st clockState
	if err := json.Unmarshal([]byte(fixed.control("GET", "/_sandbox/clock", "").raw), &st); err != nil ||
		st.Controllable || st.Time != fixed.clock.Now().Format(time.RFC3339Nano) {
		t.Fatalf("GET: %+v %v", st, err)
	}

	h := newHarness(t, Options{ControllableClock: true})
	base := h.clock.Now()
	if got := h.moveClock(`{"advance":"14d"}`); !got.Equal(base.Add(14 * 24 * time.Hour)) {
		t.Fatalf("14d: %s", got)
	}
	if got := h.moveClock(`{"advance":"1d12h30m"}`); !got.Equal(base.Add(15*24*time.Hour + 12*time.Hour + 30*time.Minute)) {
		t.Fatalf("1d12h30m: %s", got)
	}
	if got := h.moveClock(`{"set":"2026-06-01T09:00:00Z"}`); got.Format(time.RFC3339) != "2026-06-01T09:00:00Z" || !h.sb.Now().Equal(got) {
		t.Fatalf("set: %s", got)
	}
	h.clock.Advance(time.Minute) // the underlying clock runs on
	if got := h.sb.Now().Format(time.RFC3339); got != "2026-06-01T09:01:00Z" {
		t.Fatalf("after a minute: %s", got)
	}
	for _, bad := range []string{`{"advance":"-1h"}`, `{"advance":"soon"}`, `{"advance":""}`, `{"set":"2026-01-01T00:00:00Z"}`,
		`{"set":"tomorrow"}`, `{"advance":"1h","set":"2027-01-01T00:00:00Z"}`, `{}`, `[]`, ``, `{"advance":3600}`} {
		if r := h.control("POST", "/_sandbox/clock", bad); r.status != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d %s", bad, r.status, r.raw)
		}
	}
	if got := h.sb.Now().Format(time.RFC3339); got != "2026-06-01T09:01:00Z" {
		t.Fatalf("a refused move moved the clock: %s", got)
	}
	if r := h.control("PUT", "/_sandbox/clock", `{}`); r.status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: HTTP %d", r.status)
	}
}
