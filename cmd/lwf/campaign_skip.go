package main

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
)

// skipper answers compiler.Options.Skip: it leaves out actions for
// people on a suppression list, people the ledger says the same action
// reached before, and people a workflow still open may reach.
type skipper struct {
	contact  func(string) bool
	suppress map[string]string           // URL → the list's file name
	ledger   map[string][]runner.Contact // URL (public and hashed) → entries
	open     map[string][]openTarget     // URL → open workflows that name them
	now      time.Time
}

// openTarget is a person an open workflow addresses.
type openTarget struct {
	run, campaign, action string
	state                 runner.State
}

func (s *skipper) empty() bool {
	return len(s.suppress) == 0 && len(s.ledger) == 0 && len(s.open) == 0
}

// skipper gathers the suppression lists and, unless --allow-recontact,
// the account's ledger and open workflows.
func (c *campaignCheck) skipper(ctx context.Context, contact func(string) bool) (*skipper, error) {
	s := &skipper{contact: contact, suppress: map[string]string{}, ledger: map[string][]runner.Contact{}, open: map[string][]openTarget{}, now: c.now}
	for _, f := range c.flags.suppress {
		urls, err := readURLList(f)
		if err != nil {
			return nil, usageErr("--suppress: %v", err)
		}
		for _, u := range urls {
			s.suppress[runner.NormalizePersonURL(u)] = filepath.Base(f)
		}
	}
	account := c.account()
	if c.flags.allowRecontact || c.db == nil || account == "" {
		return s, nil
	}
	entries, err := c.db.Contacts(ctx, account, state.ContactFilter{})
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		for _, u := range e.URLs() {
			s.ledger[u] = append(s.ledger[u], e)
		}
	}
	open, err := c.db.OpenWorkflows(ctx, account)
	if err != nil {
		return nil, err
	}
	for _, w := range open {
		ts, err := runner.TargetsIn(w.Payload, contact)
		if err != nil {
			continue // a payload lwf cannot read names nobody it can match
		}
		for _, t := range ts {
			s.open[t.Person] = append(s.open[t.Person], openTarget{run: w.RunID, campaign: w.Campaign, action: t.ActionType, state: w.State})
		}
	}
	return s, nil
}

// skip implements compiler.Options.Skip.
func (s *skipper) skip(actionType, personURL string) (bool, string) {
	u := runner.NormalizePersonURL(personURL)
	if f, ok := s.suppress[u]; ok {
		return true, "suppressed (" + f + ")"
	}
	if !s.contact(actionType) {
		return false, ""
	}
	for _, e := range s.ledger[u] {
		if e.ActionType == actionType || e.ActionType == "" {
			return true, contactReason(e, s.now)
		}
	}
	for _, o := range s.open[u] {
		if o.action == actionType {
			return true, openReason(o)
		}
	}
	return false, ""
}

// contactReason says why a ledger entry skips a person.
func contactReason(e runner.Contact, now time.Time) string {
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
	run := o.run
	if o.campaign != "" {
		run += " (" + o.campaign + ")"
	}
	switch o.state {
	case runner.StatePlanned:
		return "planned in run " + run + ", not sent yet (lwf wait " + o.run + " sends it, lwf cancel " + o.run + " drops it)"
	case runner.StateUnknown:
		return "in run " + run + ", whose submission is unknown"
	case runner.StateCancelled:
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

// readURLList reads the LinkedIn URLs of a file: a CSV file (any column;
// the header is ignored) or a plain list with one URL a line. Lines
// starting with # are comments.
func readURLList(path string) ([]string, error) {
	recs, err := readRecords(path)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rec := range recs {
		if u := firstLinkedInURL(rec); u != "" {
			out = append(out, u)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no LinkedIn URL", path)
	}
	return out, nil
}

// readRecords reads a CSV file or a plain list (one field a line).
func readRecords(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment, r.FieldsPerRecord, r.LazyQuotes, r.TrimLeadingSpace = '#', -1, true, true
	var out [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, rec)
	}
}

// firstLinkedInURL returns the record's first field that is a LinkedIn
// person URL.
func firstLinkedInURL(rec []string) string {
	for _, f := range rec {
		f = strings.TrimSpace(f)
		l := strings.ToLower(f)
		if strings.Contains(l, "linkedin.com/in/") || strings.Contains(l, "linkedin.com/sales/lead/") || strings.Contains(l, "linkedin.com/sales/people/") {
			return f
		}
	}
	return ""
}
