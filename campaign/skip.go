package campaign

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// Skipper answers compiler.Options.Skip: it leaves out actions for
// people on a suppression list, people the ledger says the same action
// reached before, and people a workflow still open may reach.
type Skipper struct {
	cat      *schemas.Catalog
	suppress map[string]string          // URL → the list's file name
	ledger   map[string][]state.Contact // URL (public and hashed) → entries
	open     map[string][]openTarget    // URL → open workflows that name them
	now      time.Time
	own      string // a campaign whose own contacts do not count (Check.Own)
	// lookup, when set, reads the ledger of one person as Skip asks
	// (Check.LazyLedger); looked says whose was read, err the first
	// failure.
	lookup func(string) ([]state.Contact, error)
	looked map[string]bool
	err    error
}

// Err is the first failure to read the ledger of a LazyLedger skipper;
// what it answered after one is not to be trusted.
func (s *Skipper) Err() error { return s.err }

// openTarget is a person an open workflow addresses.
type openTarget struct {
	run, campaign, action string
	state                 state.State
	thisRun               bool // rendered in the run being staged
}

// Remember records that run (being staged) now reaches person with
// actionType, so that no later item of the run reaches them again, by
// whichever list they are found.
func (s *Skipper) Remember(actionType, person, run string) {
	u := schemas.NormalizePersonURL(person)
	s.open[u] = append(s.open[u], openTarget{run: run, action: actionType, state: state.Planned, thisRun: true})
}

// Empty reports whether the skipper would leave nobody out.
func (s *Skipper) Empty() bool {
	return s.lookup == nil && len(s.suppress) == 0 && len(s.ledger) == 0 && len(s.open) == 0
}

// Skipper gathers the suppression lists and, unless AllowRecontact, the
// account's ledger and open workflows.
func (c *Check) Skipper(ctx context.Context) (*Skipper, error) {
	s := &Skipper{cat: c.Catalog, suppress: map[string]string{}, ledger: map[string][]state.Contact{}, open: map[string][]openTarget{}, now: c.Now, own: c.Own}
	for _, f := range c.Suppress {
		urls, err := ReadURLList(f)
		if err != nil {
			return nil, inputErr("--suppress: %v", err)
		}
		for _, u := range urls {
			s.suppress[schemas.NormalizePersonURL(u)] = filepath.Base(f)
		}
	}
	account := c.Account()
	if c.AllowRecontact || c.Store == nil || account == "" {
		return s, nil
	}
	accounts := []string{account}
	for _, a := range c.Team {
		if a != account && a != "" {
			accounts = append(accounts, a)
		}
	}
	if c.LazyLedger {
		s.looked = map[string]bool{}
		s.lookup = func(u string) ([]state.Contact, error) {
			return c.Store.Contacts(ctx, account, state.ContactFilter{Person: u, Accounts: accounts})
		}
	} else {
		for _, a := range accounts {
			entries, err := c.Store.Contacts(ctx, a, state.ContactFilter{})
			if err != nil {
				return nil, err
			}
			for _, e := range entries {
				for _, u := range e.URLs() {
					s.ledger[u] = append(s.ledger[u], e)
				}
			}
		}
	}
	var open []state.OpenWorkflow
	for _, a := range accounts {
		ws, err := c.Store.OpenWorkflows(ctx, a)
		if err != nil {
			return nil, err
		}
		open = append(open, ws...)
	}
	for _, w := range open {
		ts, err := TargetsIn(c.Catalog, w.Payload)
		if err != nil {
			continue // a payload lwf cannot read names nobody it can match
		}
		for _, t := range ts {
			s.open[t.Person] = append(s.open[t.Person], openTarget{run: w.RunID, campaign: w.Campaign, action: t.ActionType, state: w.State})
		}
	}
	return s, nil
}

// Skip implements compiler.Options.Skip.
func (s *Skipper) Skip(actionType, personURL string) (compiler.Skip, bool) {
	u := schemas.NormalizePersonURL(personURL)
	if f, ok := s.suppress[u]; ok {
		return compiler.Skip{Kind: compiler.SkipSuppressed, Detail: "suppressed (" + f + ")"}, true
	}
	if !reaches(s.cat, actionType) {
		return compiler.Skip{}, false
	}
	if s.lookup != nil && !s.looked[u] {
		s.looked[u] = true
		entries, err := s.lookup(u)
		if err != nil && s.err == nil {
			s.err = err
		}
		s.ledger[u] = entries
	}
	for _, e := range s.ledger[u] {
		if s.own != "" && e.Campaign == s.own && e.RunID != "" {
			continue // the campaign's own follow-up
		}
		if e.ActionType == actionType || e.ActionType == "" {
			return compiler.Skip{Kind: compiler.SkipContacted, Detail: contactReason(e, s.now)}, true
		}
	}
	for _, o := range s.open[u] {
		if s.own != "" && o.campaign == s.own {
			continue
		}
		if o.action == actionType {
			return compiler.Skip{Kind: compiler.SkipInFlight, Detail: openReason(o)}, true
		}
	}
	return compiler.Skip{}, false
}

// contactReason says why a ledger entry skips a person.
func contactReason(e state.Contact, now time.Time) string {
	if e.RunID == "" {
		what := "contacted outside lwf"
		if e.Source != "" {
			what += " (imported from " + e.Source + ")"
		}
		return what
	}
	s := fmt.Sprintf("contacted %s by run %s", ledgerDate(e.Time, now), e.RunID)
	if e.Campaign != "" {
		s += " (" + e.Campaign + ")"
	}
	return s + ": " + e.Outcome
}

// openReason says why an open workflow skips a person.
func openReason(o openTarget) string {
	if o.thisRun {
		return "already reached in this run (found in another list)"
	}
	run := o.run
	if o.campaign != "" {
		run += " (" + o.campaign + ")"
	}
	switch o.state {
	case state.Planned:
		return "planned in run " + run + ", not sent yet (lwf wait " + o.run + " sends it, lwf cancel " + o.run + " drops it)"
	case state.Unknown:
		return "in run " + run + ", whose submission is unknown"
	case state.Cancelled:
		return "in run " + run + ", cancelled after it was sent: it may have reached them"
	}
	return "in run " + run + ", still " + string(o.state)
}

// ledgerDate is a date for messages, with the time when it is today.
func ledgerDate(t, now time.Time) string {
	t, now = t.UTC(), now.UTC()
	if t.Format("2006-01-02") == now.Format("2006-01-02") {
		return "today " + t.Format("15:04") + " UTC"
	}
	return t.Format("2006-01-02")
}
