package sequence

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/schemas"
)

// teamSim is a sequence ticked over several senders of one sandbox.
type teamSim struct {
	*sim
	senders []Sender
	idents  []string
}

// newTeamSim makes n sender accounts; settings gives some of them
// sandbox settings of their own (by index).
func newTeamSim(t *testing.T, o sandbox.Options, src string, leads []any, n int, settings map[int]sandbox.AccountSettings) *teamSim {
	t.Helper()
	var idents []string
	for i := 0; i < n; i++ {
		idents = append(idents, fmt.Sprintf("sender-%02d", i+1))
	}
	o.Tokens = map[string][]string{sandbox.DefaultLinkedAPIToken: idents}
	o.Accounts = map[string]sandbox.AccountSettings{}
	for i, st := range settings {
		o.Accounts[idents[i]] = st
	}
	s := newSim(t, o, src, leads)
	ts := &teamSim{sim: s, idents: idents}
	cat, _ := schemas.Default()
	for i, id := range idents {
		creds := linkedapi.Credentials{LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: id, Endpoint: s.srv.URL}
		api, err := linkedapi.New(linkedapi.Options{BaseURL: s.srv.URL, LinkedAPIToken: creds.LinkedAPIToken, IdentificationToken: id, RatePerSecond: -1})
		if err != nil {
			t.Fatal(err)
		}
		p := &profile.Profile{Credentials: creds, Name: fmt.Sprintf("s%02d", i+1)}
		ts.senders = append(ts.senders, Sender{Account: creds.Account(), Label: p.Name, API: api, Endpoint: s.srv.URL,
			Check: &campaign.Check{Catalog: cat, Store: s.db, Profile: p}})
	}
	return ts
}

func (ts *teamSim) team() *Team {
	ts.t.Helper()
	plan, ds := compiler.Compile(ts.ctx, "seq.yaml", []byte(ts.src), compiler.Options{InputValues: map[string]any{"leads": ts.leads}})
	if plan == nil || ds.HasErrors() {
		ts.t.Fatalf("compile: %v", ds)
	}
	return &Team{Plan: plan, File: "seq.yaml", Store: ts.db, Senders: ts.senders, Clock: ts.srv.Sandbox,
		Policy: runner.Policy{PollStart: time.Millisecond, PollMax: 2 * time.Millisecond, CancelCheck: 50 * time.Millisecond}}
}

func (ts *teamSim) tick() TeamTick {
	ts.t.Helper()
	tt, err := ts.team().Run(ts.ctx)
	if err != nil {
		ts.t.Fatalf("team tick at %s: %v", ts.now().Format(time.RFC3339), err)
	}
	return tt
}

// TestTeamSpreadsLeadsAndNobodyHearsTwice: 90 leads over four senders —
// one signed out, one whose account refuses after five requests a day —
// for ten simulated days. Every lead goes to one sender and stays; the
// signed-out sender gets none; the one at its limit stops getting leads
// that day; nobody is written to by two senders, or twice.
func TestTeamSpreadsLeadsAndNobodyHearsTwice(t *testing.T) {
	ts := newTeamSim(t, sandbox.Options{AcceptAfter: 24 * time.Hour, ReplyAfter: 72 * time.Hour, Spread: 3 * 24 * time.Hour},
		connectFollowUp, people(90), 4, map[int]sandbox.AccountSettings{
			2: {State: sandbox.AccountSignedOut},
			3: {Limits: map[string]int{"stConnectionRequests": 5}},
		})
	signedOut, limited := ts.senders[2].Account, ts.senders[3].Account
	// The signed-out sender reached lead 7 before, outside the sequence:
	// whoever gets it, the team's ledger keeps it from a second request.
	contacted := "https://www.linkedin.com/in/lead-0007"
	if _, err := ts.db.ImportContacts(ts.ctx, ts.senders[2].Account, []state.Contact{{Person: contacted, ActionType: "st.sendConnectionRequest",
		Outcome: "sent", Time: ts.now().Add(-48 * time.Hour), Source: "crm.csv"}}); err != nil {
		t.Fatal(err)
	}
	var first TeamTick
	sawLimit, moved := false, 0
	for h := 0; h < 10*24; h++ {
		tt := ts.tick()
		moved += tt.Moved
		if h == 0 {
			first = tt
		}
		if strings.HasPrefix(tt.Stopped[limited], StopLimit) {
			sawLimit = true
		}
		ts.advance(time.Hour)
	}
	if first.Stopped[signedOut] != StopSignedOut+": linkedinAccountSignedOut" {
		t.Errorf("the signed-out sender is stopped %q", first.Stopped[signedOut])
	}
	// What the first tick gave it before its account showed its trouble
	// went to the others, untouched.
	if ls, _ := ts.db.Leads(ts.ctx, signedOut, ""); len(ls) != 0 || moved != first.Assigned[signedOut] || moved == 0 {
		t.Errorf("the signed-out sender holds %d leads; %d moved of the %d it was given", len(ls), moved, first.Assigned[signedOut])
	}
	total := 0
	for _, n := range first.Assigned {
		total += n
	}
	if total != 90 || first.Assigned[ts.senders[0].Account] < 20 || first.Assigned[ts.senders[1].Account] < 20 || first.Assigned[limited] < 20 {
		t.Errorf("the first tick assigned %v", first.Assigned)
	}
	if !sawLimit {
		t.Error("the sender whose account refuses after five requests was never stopped for limitExceeded")
	}
	// Who wrote to whom.
	labels := map[string]string{}
	for _, id := range ts.idents {
		labels[sandbox.AccountLabel(id)] = id
	}
	by := map[string]map[string]bool{} // person → senders
	invites := map[string]int{}
	for _, w := range ts.srv.Sandbox.Writes() {
		who := schemas.NormalizePersonURL(w.Target)
		if by[who] == nil {
			by[who] = map[string]bool{}
		}
		by[who][labels[w.Account]] = true
		if w.Action == "st.sendConnectionRequest" {
			invites[who]++
		}
	}
	if invites[contacted] != 0 {
		t.Errorf("%s, in a sender's ledger, got %d requests from the team", contacted, invites[contacted])
	}
	for who, s := range by {
		if len(s) > 1 {
			t.Errorf("%s heard from %d senders: %v", who, len(s), s)
		}
		if invites[who] > 1 {
			t.Errorf("%s got %d connection requests", who, invites[who])
		}
	}
	// Each lead is with one sender, for good.
	seen := map[string]string{}
	for _, s := range ts.senders {
		ls, err := ts.db.Leads(ts.ctx, s.Account, "connect-and-follow-up")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range ls {
			if prev, dup := seen[l.Person]; dup {
				t.Errorf("%s is a lead of %s and of %s", l.Person, prev, s.Label)
			}
			seen[l.Person] = s.Label
		}
	}
	if len(seen) != 90 {
		t.Errorf("%d leads in the store, want 90", len(seen))
	}
	sts, _ := ts.db.AccountStates(context.Background())
	t.Logf("assigned %v; %d people written to; states %+v", first.Assigned, len(by), sts)
}
