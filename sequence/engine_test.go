package sequence

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/schemas"
)

// truth is what the sandbox says happened to each lead.
type truth struct {
	invited, withdrawn map[string]time.Time
	accepted, replied  map[string]time.Time // the first of each
	messages           map[string][]sandbox.Write
	writes             []sandbox.Write
}

func (s *sim) truth() truth {
	s.t.Helper()
	tr := truth{invited: map[string]time.Time{}, withdrawn: map[string]time.Time{}, accepted: map[string]time.Time{},
		replied: map[string]time.Time{}, messages: map[string][]sandbox.Write{}}
	for _, w := range s.srv.Sandbox.Writes() {
		at, err := time.Parse(time.RFC3339Nano, w.Time)
		if err != nil {
			s.t.Fatal(err)
		}
		who := schemas.NormalizePersonURL(w.Target)
		switch w.Action {
		case "st.sendConnectionRequest":
			if _, dup := tr.invited[who]; dup {
				s.t.Errorf("%s invited twice", who)
			}
			tr.invited[who] = at
		case "st.withdrawConnectionRequest":
			if _, dup := tr.withdrawn[who]; dup {
				s.t.Errorf("%s withdrawn twice", who)
			}
			tr.withdrawn[who] = at
		case "st.sendMessage":
			tr.messages[who] = append(tr.messages[who], w)
		}
		tr.writes = append(tr.writes, w)
	}
	net, err := s.api.PollNetwork(s.ctx, linkedapi.NetworkRequest{Type: "connectionAccepted"})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, ev := range net.Events {
		at, _ := time.Parse(time.RFC3339Nano, ev.DetectedAt)
		who := schemas.NormalizePersonURL(ev.PersonURL)
		if old, ok := tr.accepted[who]; !ok || at.Before(old) {
			tr.accepted[who] = at
		}
	}
	inbox, err := s.api.PollInbox(s.ctx, linkedapi.InboxRequest{})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, m := range inbox.Messages {
		if m.Sender != "them" {
			continue
		}
		at, _ := time.Parse(time.RFC3339Nano, m.Time)
		who := schemas.NormalizePersonURL(m.PersonURL)
		if old, ok := tr.replied[who]; !ok || at.Before(old) {
			tr.replied[who] = at
		}
	}
	return tr
}

// TestThirtyDays plays the sequence of the issue for 200 leads over 30
// simulated days, a tick every hour, and checks what the sandbox executed
// against the rules and against the funnel lwf reports.
func TestThirtyDays(t *testing.T) {
	if testing.Short() {
		t.Skip("30 simulated days: not in -short")
	}
	s := newSim(t, sandbox.Options{AcceptAfter: 24 * time.Hour, ReplyAfter: 36 * time.Hour, Spread: 20 * 24 * time.Hour}, connectFollowUp, people(200))
	var ticks int
	maxPolls := 0
	for h := 0; h < 30*24; h++ {
		tk := s.tick()
		ticks++
		maxPolls = max(maxPolls, tk.Polls)
		s.advance(time.Hour)
	}
	s.tick() // what happened in the last hour
	if maxPolls > 2 {
		t.Errorf("a tick polled the feeds %d times: event detection must be O(1) per account", maxPolls)
	}
	tr := s.truth()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	cat, _ := schemas.Default()

	// Nobody is messaged before accepting, or after replying, or after
	// their request was withdrawn.
	for who, ms := range tr.messages {
		acc, ok := tr.accepted[who]
		for _, m := range ms {
			at, _ := time.Parse(time.RFC3339Nano, m.Time)
			if !ok || at.Before(acc) {
				t.Errorf("%s messaged at %s before accepting (%v)", who, m.Time, acc)
			}
			if r, ok := tr.replied[who]; ok && at.After(r) {
				t.Errorf("%s messaged at %s after replying at %s", who, m.Time, r)
			}
			if w, ok := tr.withdrawn[who]; ok && at.After(w) {
				t.Errorf("%s messaged after the withdrawal", who)
			}
		}
		if len(ms) > 2 {
			t.Errorf("%s got %d messages", who, len(ms))
		}
	}
	// A request not accepted within 14 days is withdrawn at the next
	// working slot; an accepted one never is.
	for who, inv := range tr.invited {
		acc, accepted := tr.accepted[who]
		w, withdrawn := tr.withdrawn[who]
		switch {
		case accepted && withdrawn && acc.Before(w):
			t.Errorf("%s accepted at %s, then withdrawn at %s", who, acc, w)
		case withdrawn && w.Sub(inv) < 14*24*time.Hour:
			t.Errorf("%s withdrawn %s after the invitation", who, w.Sub(inv))
		case withdrawn && w.Sub(inv) > 17*24*time.Hour:
			t.Errorf("%s withdrawn %s after the invitation: past the 14 days", who, w.Sub(inv))
		case !accepted && !withdrawn && s.now().Sub(inv) > 17*24*time.Hour:
			t.Errorf("%s still pending %s after the invitation", who, s.now().Sub(inv))
		}
	}
	// Writes: inside the working hours, at the pace, within the limits.
	perDay, perWeek, perHour := map[string]int{}, map[string]int{}, map[string]int{}
	for _, w := range tr.writes {
		at, _ := time.Parse(time.RFC3339Nano, w.Time)
		local := at.In(berlin)
		if wd := local.Weekday(); wd == time.Saturday || wd == time.Sunday || local.Hour() < 9 || local.Hour() >= 18 {
			t.Errorf("%s to %s at %s, outside the working hours", w.Action, w.Target, local)
		}
		a := cat.Lookup(w.Action)
		if a == nil || a.Category == "" {
			continue
		}
		y, wk := at.UTC().ISOWeek()
		perDay[a.Category+at.UTC().Format(" 2006-01-02")]++
		perWeek[fmt.Sprintf("%s %d-W%02d", a.Category, y, wk)]++
		perHour[at.UTC().Format("2006-01-02T15")]++
	}
	limits := map[string][2]int{"stConnectionRequests": {25, 100}, "stMessages": {50, 250}}
	for k, n := range perDay {
		cat := strings.Fields(k)[0]
		if l, ok := limits[cat]; ok && n > l[0] {
			t.Errorf("%s: %d, over the daily limit %d", k, n, l[0])
		}
	}
	for k, n := range perWeek {
		cat := strings.Fields(k)[0]
		if l, ok := limits[cat]; ok && n > l[1] {
			t.Errorf("%s: %d, over the weekly limit %d", k, n, l[1])
		}
	}
	busiest := 0
	for h, n := range perHour {
		busiest = max(busiest, n)
		if n > 6 {
			t.Errorf("%d writes in the hour %s: the pace of 10m allows 6", n, h)
		}
	}
	// The rules above were binding, not idle.
	maxWeek := 0
	for k, n := range perWeek {
		if strings.HasPrefix(k, "stConnectionRequests") {
			maxWeek = max(maxWeek, n)
		}
	}
	if busiest != 6 || maxWeek != 100 {
		t.Errorf("the busiest hour had %d writes, the busiest week %d invitations: the pace and the weekly limit should have held writes back", busiest, maxWeek)
	}

	// The funnel lwf reports is what the sandbox did.
	f := s.funnel()
	hello, follow := 0, 0
	for _, ms := range tr.messages {
		for _, m := range ms {
			if strings.HasPrefix(m.Text, "Thanks for connecting") {
				hello++
			} else {
				follow++
			}
		}
	}
	acceptedInTime := 0
	for who := range tr.accepted {
		if _, ok := tr.invited[who]; ok {
			acceptedInTime++
		}
	}
	checks := []struct {
		what      string
		got, want int
	}{
		{"invited", f.step("invite").Done, len(tr.invited)},
		{"accepted", f.step("accepted").Done, acceptedInTime - withdrawnThenAccepted(tr)},
		{"withdrawn", f.step("accepted").TimedOut, len(tr.withdrawn)},
		{"hello", f.step("hello").Done, hello},
		{"follow-up", f.step("follow-up").Done, follow},
		{"replied", f.Events["replied"], len(tr.replied)},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: lwf says %d, the sandbox %d", c.what, c.got, c.want)
		}
	}
	// The run did something of everything.
	if len(tr.invited) < 150 || len(tr.withdrawn) == 0 || hello == 0 || follow == 0 || len(tr.replied) == 0 {
		t.Errorf("too little happened: %d invited, %d withdrawn, %d hello, %d follow-ups, %d replied",
			len(tr.invited), len(tr.withdrawn), hello, follow, len(tr.replied))
	}
	t.Logf("%d ticks; %d invited, %d accepted, %d withdrawn, %d hello, %d follow-ups, %d replied; status %v",
		ticks, len(tr.invited), acceptedInTime, len(tr.withdrawn), hello, follow, len(tr.replied), f.Status)
}

// withdrawnThenAccepted counts leads the feed reports as accepted after
// lwf withdrew their request (none should be).
func withdrawnThenAccepted(tr truth) int {
	n := 0
	for who, w := range tr.withdrawn {
		if a, ok := tr.accepted[who]; ok && a.After(w) {
			n++
		}
	}
	return n
}

// TestEditMidSequence edits a running sequence: a changed text applies to
// the steps not sent yet, a removed step's leads move on, new leads in the
// list join, and leads taken out of the list stop.
func TestEditMidSequence(t *testing.T) {
	leads := people(24)
	s := newSim(t, sandbox.Options{AcceptAfter: 24 * time.Hour, ReplyAfter: 10 * 24 * time.Hour, Spread: 3 * 24 * time.Hour}, connectFollowUp, leads)
	run := func(hours int) {
		for h := 0; h < hours; h++ {
			s.tick()
			s.advance(time.Hour)
		}
	}
	run(7 * 24)
	before := s.funnel()
	atFollowUp := before.step("follow-up").Here
	if before.step("hello").Done == 0 || atFollowUp == 0 {
		t.Fatalf("the edit should find leads thanked and leads due a follow-up: %+v", before.Steps)
	}
	edited := s.srv.Sandbox.Now()
	// The edit: a new thank-you text, no follow-up, four more leads, two
	// leads (one waiting, one not yet invited or waiting) out of the list.
	e := s.engine()
	var gone []string
	for _, l := range mustLeads(t, s) {
		if l.Status == "waiting" && len(gone) == 0 {
			gone = append(gone, l.Person)
		}
	}
	s.src = strings.Replace(connectFollowUp, "Thanks for connecting, ${{ lead.first }}!", "Great to be connected, ${{ lead.first }}!", 1)
	s.src = s.src[:strings.Index(s.src, "    - id: follow-up")] + s.src[strings.Index(s.src, "  exitWhen:"):]
	more := people(28)
	var kept []any
	for _, l := range more {
		if schemas.NormalizePersonURL(l.(map[string]any)["url"].(string)) != gone[0] {
			kept = append(kept, l)
		}
	}
	s.leads = kept
	tk := s.tick()
	if tk.Added != 4 || tk.Removed != 1 {
		t.Errorf("the edit's tick added %d and removed %d leads, want 4 and 1", tk.Added, tk.Removed)
	}
	run(14 * 24)

	tr := s.truth()
	for who, ms := range tr.messages {
		for _, m := range ms {
			at, _ := time.Parse(time.RFC3339Nano, m.Time)
			switch {
			case at.Before(edited) && !strings.HasPrefix(m.Text, "Thanks for connecting") && !strings.HasPrefix(m.Text, "Any thoughts") && !strings.HasPrefix(m.Text, "Shall we"):
				t.Errorf("%s got %q before the edit", who, m.Text)
			case at.After(edited) && !strings.HasPrefix(m.Text, "Great to be connected"):
				t.Errorf("%s got %q after the edit: the new text or nothing", who, m.Text)
			}
		}
	}
	if _, ok := tr.invited[gone[0]]; !ok {
		t.Errorf("%s was invited before leaving the list", gone[0])
	}
	l, err := s.db.Lead(s.ctx, e.Account, gone[0])
	if err != nil || l.Status != "removed" {
		t.Errorf("the lead taken out of the list: %+v %v", l, err)
	}
	for _, p := range people(28)[24:] {
		u := schemas.NormalizePersonURL(p.(map[string]any)["url"].(string))
		if _, ok := tr.invited[u]; !ok {
			t.Errorf("the new lead %s was not invited", u)
		}
	}
	after := s.funnel()
	moved := 0
	for _, l := range mustLeads(t, s) {
		tl, _ := s.db.Timeline(s.ctx, e.Account, l.Person)
		for _, ev := range tl {
			if ev.Kind == "moved" && ev.Step == "follow-up" {
				moved++
			}
		}
	}
	t.Logf("edit at %s: %d at the follow-up moved on (%d), %v gone; funnel after %v", edited.Format(time.RFC3339), atFollowUp, moved, gone, after.Status)
	if moved != atFollowUp {
		t.Errorf("%d leads moved on from the removed step, want the %d that were at it", moved, atFollowUp)
	}
	if n := after.Status["active"] + after.Status["sending"]; n != 0 {
		t.Errorf("%d leads still active after 14 more days: %v", n, after.Status)
	}
}

func mustLeads(t *testing.T, s *sim) []state.Lead {
	t.Helper()
	ls, err := s.db.Leads(s.ctx, s.creds.Account(), "connect-and-follow-up")
	if err != nil {
		t.Fatal(err)
	}
	return ls
}

// TestAcceptanceByCheck detects acceptances with st.checkConnectionStatus
// per waiting lead instead of the network feed: the same leads move on,
// at the price of an action per lead and check.
func TestAcceptanceByCheck(t *testing.T) {
	s := newSim(t, sandbox.Options{AcceptAfter: 24 * time.Hour, ReplyAfter: 20 * 24 * time.Hour, Spread: 5 * 24 * time.Hour}, connectFollowUp, people(30))
	s.acceptance, s.checkEvery = AcceptanceCheck, 6*time.Hour
	s.syncNetwork()
	checks, polls := 0, 0
	for h := 0; h < 12*24; h++ {
		tk := s.tick()
		checks += tk.Checks
		polls = max(polls, tk.Polls)
		s.advance(time.Hour)
	}
	tr := s.truth()
	f := s.funnel()
	if polls > 1 {
		t.Errorf("%d feed reads in a tick: only the inbox is read", polls)
	}
	accepted := 0
	for who := range tr.accepted {
		if _, ok := tr.invited[who]; ok {
			accepted++
		}
	}
	if accepted == 0 || f.step("accepted").Done != accepted {
		t.Errorf("lwf saw %d acceptances, the sandbox made %d", f.step("accepted").Done, accepted)
	}
	for who, ms := range tr.messages {
		for _, m := range ms {
			at, _ := time.Parse(time.RFC3339Nano, m.Time)
			if acc, ok := tr.accepted[who]; !ok || at.Before(acc) {
				t.Errorf("%s messaged before accepting", who)
			}
		}
	}
	// Each waiting lead is checked at most every 6 hours.
	if checks == 0 || checks > 30*12*4 {
		t.Errorf("%d checks", checks)
	}
	t.Logf("%d checkConnectionStatus actions for %d acceptances over 12 days", checks, accepted)
}

// TestCacheMatchesStore plays the same sequence twice, reading the leads
// from the store each tick and keeping them in a Cache: the same writes,
// the same funnel.
func TestCacheMatchesStore(t *testing.T) {
	opts := sandbox.Options{AcceptAfter: 24 * time.Hour, ReplyAfter: 36 * time.Hour, Spread: 10 * 24 * time.Hour}
	var funnels []string
	var writes []int
	for _, cached := range []bool{false, true} {
		s := newSim(t, opts, connectFollowUp, people(60))
		if cached {
			s.cache = &Cache{}
		}
		for h := 0; h < 20*24; h++ {
			s.tick()
			s.advance(time.Hour)
		}
		f := s.funnel()
		f.Next = time.Time{}
		b, _ := json.Marshal(f)
		funnels = append(funnels, string(b))
		writes = append(writes, len(s.srv.Sandbox.Writes()))
	}
	if funnels[0] != funnels[1] || writes[0] != writes[1] || writes[0] == 0 {
		t.Errorf("from the store: %d writes, %s\ncached: %d writes, %s", writes[0], funnels[0], writes[1], funnels[1])
	}
}

// TestParkedUntilWorkingHours: Linked API parks the tick's workflow until
// the account's working hours; the tick does not wait for them, its leads
// stay "sending", and a tick within the hours finishes the run — sending
// nothing twice.
func TestParkedUntilWorkingHours(t *testing.T) {
	wh, err := sandbox.ParseWorkingHours("Mon-Fri 10:00-12:00 UTC")
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(connectFollowUp, "    workingHours: Mon-Fri 09:00-18:00 Europe/Berlin\n", "", 1)
	s := newSim(t, sandbox.Options{WorkingHours: wh, Retention: 24 * time.Hour}, src, people(3))
	// Monday 06:00: outside the account's hours.
	tk := s.tick()
	if tk.Parked != 3 || tk.Sent["invite"] != 3 { // the two feeds' syncs, and the invitations
		t.Fatalf("the first tick: %+v", tk)
	}
	if f := s.funnel(); f.Status["sending"] != 3 || len(s.srv.Sandbox.Writes()) != 0 {
		t.Fatalf("parked: %v, %d writes", f.Status, len(s.srv.Sandbox.Writes()))
	}
	s.advance(5 * time.Hour) // 11:00
	tk = s.tick()
	if tk.Parked != 0 || len(tk.Runs) == 0 {
		t.Fatalf("the tick in the hours: %+v", tk)
	}
	f := s.funnel()
	if f.step("invite").Done != 3 || f.Status["waiting"] != 3 {
		t.Errorf("after the park: %+v %v", f.step("invite"), f.Status)
	}
	if n := len(s.srv.Sandbox.Writes()); n != 3 || s.srv.Sandbox.Counters().DuplicatePayloads != 0 {
		t.Errorf("%d writes, %d duplicate payloads", n, s.srv.Sandbox.Counters().DuplicatePayloads)
	}
}
