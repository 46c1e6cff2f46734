package sequence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// Sender is one account a sequence sends from.
type Sender struct {
	Account  string // the account's hash (linkedapi.Credentials.Account)
	Label    string // its profile's name, for people
	API      API
	Endpoint string
	// Check carries the sender's limits (its profile), the catalog and
	// the suppression lists.
	Check        *campaign.Check
	WorkingHours *compiler.WorkingHours
}

// Team ticks one sequence over several senders. Each new lead is given
// to one sender, once — the one with the most room under its limits —
// and stays with it: a person hears from one sender only, and the
// senders' ledgers keep anyone reached by one from being reached by
// another. A sender that signs out, hits limitExceeded or has no Sales
// Navigator gets no more leads until it works again.
type Team struct {
	Plan    *compiler.Plan
	File    string
	Store   state.Store
	Senders []Sender
	Clock   runner.Clock
	Policy  runner.Policy
	Events  func(state.Event)
	// ChunkSize, Acceptance, CheckEvery and Results are as for Engine.
	ChunkSize  int
	Acceptance string
	CheckEvery time.Duration
	Results    runner.Results
}

// TeamTick is what a team's tick did.
type TeamTick struct {
	// Ticks are each sender's tick, by account; Busy the senders another
	// process was working (left for later).
	Ticks map[string]Tick `json:"ticks"`
	Busy  []string        `json:"busy,omitempty"`
	// Elsewhere are the senders whose credentials the caller has not
	// (Sender.API nil): they take leads, and are ticked where they are.
	Elsewhere []string `json:"elsewhere,omitempty"`
	// Assigned counts the new leads given to each sender, by account;
	// Taken the leads other sequences hold; Unassigned the new leads no
	// sender could take (all stopped).
	Assigned   map[string]int `json:"assigned"`
	Taken      []string       `json:"taken,omitempty"`
	Unassigned int            `json:"unassigned,omitempty"`
	// Moved counts the leads handed over from senders that cannot send
	// (signed out, no Sales Navigator) and never wrote to them.
	Moved int `json:"moved,omitempty"`
	// Stopped says, by account, why a sender gets no work.
	Stopped map[string]string `json:"stopped,omitempty"`
	Next    time.Time         `json:"next,omitzero"`
	Waiting int               `json:"waiting"`
	Ended   bool              `json:"ended"`
}

// probeEvery is how often a sender stopped for a reason other than a
// limit is tried again: a tick that works clears its stop.
const probeEvery = time.Hour

func (tm *Team) now() time.Time {
	if tm.Clock == nil {
		return time.Now()
	}
	return tm.Clock.Now()
}

// TeamLock is the name of the lock a team's assignment takes: one per
// sequence, so that two processes never give one person to two senders.
func TeamLock(sequence string) string {
	sum := sha256.Sum256([]byte("lwf-team-v1\x00" + sequence))
	return "team-" + hex.EncodeToString(sum[:8])
}

// Run does one tick for every sender: the new leads are assigned, then
// each sender's leads are ticked under that sender's lock.
func (tm *Team) Run(ctx context.Context) (TeamTick, error) {
	tt := TeamTick{Ticks: map[string]Tick{}, Assigned: map[string]int{}, Stopped: map[string]string{}}
	if tm.Plan == nil || tm.Plan.Sequence == nil {
		return tt, errors.New("not a sequence")
	}
	now := tm.now()
	sts, err := tm.Store.AccountStates(ctx)
	if err != nil {
		return tt, err
	}
	states := map[string]state.AccountState{}
	for _, st := range sts {
		states[st.Account] = st
	}
	// working: ticked this time; tm.trouble: stopped for the account's
	// trouble (signed out, no Sales Navigator), even if tried again now —
	// such a sender gets no new leads, and hands over those it never
	// wrote to.
	working := map[string]bool{}
	trouble := map[string]bool{}
	for _, s := range tm.Senders {
		st := states[s.Account]
		why, probe := stopped(st, now)
		trouble[s.Account] = strings.HasPrefix(why, StopSignedOut) || why == StopSalesNavigator
		switch {
		case why == "":
			working[s.Account] = true
		case probe:
			working[s.Account] = true // tried again: a tick that works clears it
			tt.Stopped[s.Account] = why + " (trying again)"
		default:
			tt.Stopped[s.Account] = why
		}
	}
	// A sender never seen before is asked about its account (GET
	// /account, no action) before it is given leads: leads given to an
	// account that is signed out would wait for it.
	for _, s := range tm.Senders {
		if !working[s.Account] || !states[s.Account].Updated.IsZero() {
			continue
		}
		ac, ok := s.API.(interface {
			Account(context.Context) (*linkedapi.Account, error)
		})
		if !ok {
			continue
		}
		if _, err := ac.Account(ctx); err != nil {
			if !linkedapi.IsAuth(err) {
				return tt, fmt.Errorf("sender %s: %w", s.Label, err)
			}
			st := state.AccountState{Account: s.Account, Label: s.Label, Stopped: StopSignedOut + ": " + err.Error(), Since: now, Updated: now}
			if err := tm.Store.SetAccountState(ctx, st); err != nil {
				return tt, err
			}
			states[s.Account] = st
			working[s.Account], trouble[s.Account] = false, true
			tt.Stopped[s.Account] = st.Stopped
		}
	}
	owner, err := tm.assign(ctx, working, trouble, &tt, now)
	if err != nil {
		return tt, err
	}
	accounts := make([]string, len(tm.Senders))
	for i, s := range tm.Senders {
		accounts[i] = s.Account
	}
	tt.Ended = true
	for _, s := range tm.Senders {
		if !working[s.Account] {
			tt.Ended = false
			continue
		}
		if s.API == nil {
			// Its credentials are elsewhere: a worker that has them ticks it.
			tt.Elsewhere = append(tt.Elsewhere, s.Account)
			tt.Ended = false
			continue
		}
		lock, err := tm.Store.LockAccount(s.Account)
		var le *state.LockedError
		if errors.As(err, &le) {
			tt.Busy = append(tt.Busy, s.Account)
			tt.Ended = false
			continue
		}
		if err != nil {
			return tt, err
		}
		e := &Engine{Plan: planFor(tm.Plan, owner, s.Account), File: tm.File, Store: tm.Store, API: s.API, Account: s.Account, Endpoint: s.Endpoint,
			Check: s.Check, Clock: tm.Clock, Policy: tm.Policy, Events: tm.Events, ChunkSize: tm.ChunkSize, Acceptance: tm.Acceptance,
			CheckEvery: tm.CheckEvery, WorkingHours: s.WorkingHours, Team: accounts, Results: tm.Results}
		t, err := e.Run(ctx)
		lock.Unlock()
		if ctx.Err() != nil {
			return tt, err
		}
		if err := tm.health(ctx, s, t, err, states[s.Account], &tt); err != nil {
			return tt, err
		}
		tt.Ticks[s.Account] = t
		tt.Waiting += t.Waiting
		tt.Ended = tt.Ended && t.Ended
		if !t.Next.IsZero() && (tt.Next.IsZero() || t.Next.Before(tt.Next)) {
			tt.Next = t.Next
		}
	}
	return tt, nil
}

// stopped says why an account gets no work ("" when it works), and
// whether it is to be tried again now. A limit's stop ends with the day;
// a person's pause only when a person resumes it.
func stopped(st state.AccountState, now time.Time) (why string, probe bool) {
	switch {
	case st.Stopped == "":
		return "", false
	case st.Stopped == StopLimit:
		if !now.Before(campaign.PeriodEnd("daily", st.Since)) {
			return "", false
		}
		return st.Stopped, false
	case strings.HasPrefix(st.Stopped, StopPaused):
		return st.Stopped, false
	}
	return st.Stopped, now.Sub(st.Updated) >= probeEvery
}

// The reasons a sender stops, as AccountState.Stopped says them.
const (
	StopLimit          = "limitExceeded"
	StopSalesNavigator = "noSalesNavigator"
	StopSignedOut      = "account error"
	StopPaused         = "paused"
)

// health records what a sender's tick says of it: an account error or a
// refusal for lack of Sales Navigator stops it, as does Linked API's
// limitExceeded; a tick that works clears an earlier stop.
func (tm *Team) health(ctx context.Context, s Sender, t Tick, tickErr error, prev state.AccountState, tt *TeamTick) error {
	now := tm.now()
	st := state.AccountState{Account: s.Account, Label: s.Label, Updated: now, Since: now}
	switch {
	case tickErr != nil && linkedapi.IsAuth(tickErr):
		st.Stopped = StopSignedOut + ": " + tickErr.Error()
		var ae *linkedapi.APIError
		if errors.As(tickErr, &ae) {
			st.Stopped = StopSignedOut + ": " + ae.Type
		}
	case tickErr != nil:
		return fmt.Errorf("sender %s: %w", s.Label, tickErr)
	case authFailure(t.Failures) != "":
		st.Stopped = StopSignedOut + ": " + authFailure(t.Failures)
	case t.Failures[StopLimit] > 0:
		st.Stopped = StopLimit
	case t.Failures[StopSalesNavigator] > 0:
		st.Stopped = StopSalesNavigator
	case prev.Stopped == "" && prev.Label == s.Label:
		return nil // working, and known so
	}
	if st.Stopped == prev.Stopped && st.Stopped != "" {
		st.Since = prev.Since
	}
	if st.Stopped != "" {
		tt.Stopped[s.Account] = st.Stopped
	} else {
		delete(tt.Stopped, s.Account)
	}
	return tm.Store.SetAccountState(ctx, st)
}

func (tm *Team) catalogOf() *schemas.Catalog {
	for _, s := range tm.Senders {
		if s.Check != nil && s.Check.Catalog != nil {
			return s.Check.Catalog
		}
	}
	cat, _ := schemas.Default()
	return cat
}

// authFailure is the first of a tick's failures that is the account's
// trouble (signed out, subscription), "" when none is.
func authFailure(failures map[string]int) string {
	for _, k := range sortedKeys(failures) {
		if (&linkedapi.APIError{Type: k}).Auth() {
			return k
		}
	}
	return ""
}

// assign gives each lead of the list that no sender has yet to the
// working sender with the most room, under the sequence's lock, and
// returns who has whom.
func (tm *Team) assign(ctx context.Context, working, trouble map[string]bool, tt *TeamTick, now time.Time) (map[string]string, error) {
	seq := tm.Plan.Sequence
	lock, err := tm.Store.LockAccount(TeamLock(tm.Plan.Name))
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	owner := map[string]string{} // person → account, of this sequence
	other := map[string]string{} // person → another sequence holding them
	open := map[string]int{}     // account → its leads not past the first write
	first := firstWrite(seq)
	type handover struct{ person, from string }
	var handovers []handover
	for _, s := range tm.Senders {
		ls, err := tm.Store.OpenLeads(ctx, s.Account, tm.Plan.Name)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			if trouble[s.Account] && l.Status != state.LeadSending && neverWrote(seq, l) {
				// Its sender cannot send: another one takes it.
				handovers = append(handovers, handover{l.Person, s.Account})
				continue
			}
			if i := stepIndexOf(seq, l.Step); i >= 0 && i <= first {
				open[s.Account]++
			}
		}
		owners, err := tm.Store.LeadOwners(ctx, s.Account)
		if err != nil {
			return nil, err
		}
		for p, o := range owners {
			if o.Sequence == tm.Plan.Name {
				owner[p] = s.Account
			} else {
				other[p] = o.Sequence
			}
		}
	}
	var fresh []compiler.SeqLead
	for _, sl := range seq.Leads {
		switch {
		case owner[sl.Key] != "":
		case other[sl.Key] != "":
			tt.Taken = append(tt.Taken, sl.Key+" ("+other[sl.Key]+")")
		default:
			fresh = append(fresh, sl)
		}
	}
	if len(fresh) == 0 && len(handovers) == 0 {
		return owner, nil
	}
	// Room: what each working sender's limits leave today for the first
	// write, less its leads waiting to make it.
	room := map[string]int{}
	var candidates []Sender
	for _, s := range tm.Senders {
		if !working[s.Account] || trouble[s.Account] {
			continue
		}
		candidates = append(candidates, s)
		left := 1 << 20
		if s.Check == nil {
			// Its limits are in a profile elsewhere: the defaults' room.
			s.Check = &campaign.Check{Catalog: tm.catalogOf(), Store: tm.Store, AccountHash: s.Account}
		}
		if first >= 0 && s.Check.Store != nil {
			c := *s.Check
			c.Now = now
			budget, _, err := c.Remaining(ctx, tm.Plan.Limits, nil)
			if err != nil {
				return nil, err
			}
			if b, ok := budget[seq.Steps[first].Category]; ok {
				left = b
			}
		}
		room[s.Account] = left - open[s.Account]
	}
	if len(candidates) == 0 {
		tt.Unassigned = len(fresh)
		return owner, nil
	}
	pick := func() Sender {
		sort.SliceStable(candidates, func(i, j int) bool {
			a, b := candidates[i], candidates[j]
			if room[a.Account] != room[b.Account] {
				return room[a.Account] > room[b.Account]
			}
			return a.Label < b.Label
		})
		s := candidates[0]
		room[s.Account]--
		return s
	}
	label := map[string]string{}
	for _, s := range tm.Senders {
		label[s.Account] = s.Label
	}
	for _, h := range handovers {
		s := pick()
		ev := state.LeadEvent{Person: h.person, Time: now, Kind: "moved", Detail: fmt.Sprintf("from %s (%s) to %s", label[h.from], tt.Stopped[h.from], s.Label)}
		if err := tm.Store.MoveLead(ctx, h.person, h.from, s.Account, ev); err != nil {
			return nil, err
		}
		owner[h.person] = s.Account
		tt.Assigned[s.Account]++
		tt.Moved++
	}
	byAccount := map[string][]*state.Lead{}
	var events = map[string][]state.LeadEvent{}
	byAcc := map[string]Sender{}
	for _, s := range candidates {
		byAcc[s.Account] = s
		// What its runs reached, in its ledger before anyone is placed.
		if err := tm.Store.SyncLedger(ctx, s.Account, campaign.ReadCompletion(tm.catalogOf())); err != nil {
			return nil, err
		}
	}
	for _, sl := range fresh {
		// Someone a sender reached before stays with that sender.
		s, err := tm.reachedBy(ctx, sl.Key, byAcc)
		if err != nil {
			return nil, err
		}
		if s.Account == "" {
			s = pick()
		} else {
			room[s.Account]--
		}
		data, _ := json.Marshal(sl.Data)
		l := &state.Lead{Account: s.Account, Person: sl.Key, Sequence: tm.Plan.Name, Data: data, Step: seq.Steps[0].ID,
			Status: state.LeadActive, Due: now.Add(seq.Steps[0].After), Since: now, Workflow: -1, Slot: -1, Updated: now}
		if st := seq.Steps[0]; st.Wait != "" {
			l.Status, l.Due = state.LeadWaiting, time.Time{}
			if st.Within > 0 {
				l.Due = now.Add(st.Within)
			}
		}
		byAccount[s.Account] = append(byAccount[s.Account], l)
		events[s.Account] = append(events[s.Account], state.LeadEvent{Person: sl.Key, Time: now, Kind: "entered", Step: l.Step, Detail: "sent by " + s.Label})
		owner[sl.Key] = s.Account
		tt.Assigned[s.Account]++
	}
	for _, s := range tm.Senders {
		if ls := byAccount[s.Account]; len(ls) > 0 {
			if err := tm.Store.SaveLeads(ctx, s.Account, ls, events[s.Account]); err != nil {
				return nil, err
			}
		}
	}
	return owner, nil
}

// neverWrote reports whether no write step was tried for a lead.
func neverWrote(seq *compiler.Sequence, l state.Lead) bool {
	v := View(l)
	for _, s := range seq.Steps {
		if _, done := v.Steps[s.ID]; done && (s.Write || s.Wait != "") {
			return false
		}
	}
	return true
}

// reachedBy is the working sender whose ledger holds a person, if any.
func (tm *Team) reachedBy(ctx context.Context, person string, working map[string]Sender) (Sender, error) {
	accounts := make([]string, 0, len(working))
	for _, s := range tm.Senders {
		if _, ok := working[s.Account]; ok {
			accounts = append(accounts, s.Account)
		}
	}
	if len(accounts) == 0 {
		return Sender{}, nil
	}
	cs, err := tm.Store.Contacts(ctx, "", state.ContactFilter{Person: person, Accounts: accounts})
	if err != nil || len(cs) == 0 {
		return Sender{}, err
	}
	return working[cs[0].Account], nil
}

// firstWrite is the index of the sequence's first write step, -1 when
// none writes.
func firstWrite(seq *compiler.Sequence) int {
	for i, s := range seq.Steps {
		if s.Write {
			return i
		}
	}
	return -1
}

func stepIndexOf(seq *compiler.Sequence, id string) int {
	for i, s := range seq.Steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// planFor is the plan with the leads of one sender alone.
func planFor(p *compiler.Plan, owner map[string]string, account string) *compiler.Plan {
	cp := *p
	seq := *p.Sequence
	seq.Leads = nil
	for _, sl := range p.Sequence.Leads {
		if owner[sl.Key] == account {
			seq.Leads = append(seq.Leads, sl)
		}
	}
	cp.Sequence = &seq
	return &cp
}
