package sequence

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
)

// Marks kept with a lead's events: its wait ran out (the onTimeout action
// is due), its onTimeout action is being sent.
const (
	seenTimeout        = "$timeout"
	seenSendingTimeout = "$sendingTimeout"
)

// The event feeds, by cursor kind.
const (
	feedNetwork = "network"
	feedInbox   = "inbox"
)

// pollEvents reads the account's event feeds once each — O(1) requests
// per account, however many leads wait — after the one-time sync actions
// that start them, and applies what they say to the leads: acceptances,
// replies, and waits that timed out.
func (e *Engine) pollEvents(ctx context.Context, leads map[string]*lead, t *Tick) error {
	network, inbox := e.needs()
	// Leads that ended are still listened to: a reply after the last
	// step belongs in the funnel. Two requests a tick, however many.
	active := len(leads) > 0
	var events []state.LeadEvent
	now := e.now()
	// What a feed said is saved before its cursor moves past it: a tick
	// killed in between reads it again, and events apply once.
	flush := func() error {
		err := e.save(ctx, leads, events)
		events = nil
		return err
	}
	if active && network {
		if err := e.readFeed(ctx, feedNetwork, "st.syncNetwork", t, flush, func(c state.Cursor) (string, error) {
			res, err := e.API.PollNetwork(ctx, linkedapi.NetworkRequest{Since: c.Since, Type: "connectionAccepted"})
			if err != nil {
				return "", err
			}
			e.fullPage(t, "network", len(res.Events))
			newest := c.Since
			for _, ev := range res.Events {
				newest = later(newest, ev.DetectedAt)
				if l, ok := leads[personKey(ev.PersonURL)]; ok {
					e.event(l, lang.EventConnectionAccepted, ev.DetectedAt, now, t, &events)
				}
			}
			return newest, nil
		}); err != nil {
			return err
		}
	}
	if active && inbox {
		if err := e.readFeed(ctx, feedInbox, "st.syncInbox", t, flush, func(c state.Cursor) (string, error) {
			res, err := e.API.PollInbox(ctx, linkedapi.InboxRequest{Since: c.Since})
			if err != nil {
				return "", err
			}
			e.fullPage(t, "inbox", len(res.Messages))
			newest := c.Since
			for _, m := range res.Messages {
				newest = later(newest, m.Time)
				if m.Sender != "them" {
					continue
				}
				for _, u := range []string{m.PersonURL, m.PersonHashedURL, deref(m.PersonPublicURL)} {
					if l, ok := leads[personKey(u)]; ok && u != "" {
						e.event(l, lang.EventReplied, m.Time, now, t, &events)
						break
					}
				}
			}
			return newest, nil
		}); err != nil {
			return err
		}
	}
	// Waits that ran out: the timeout action is due now, then the lead
	// exits (see sendDue).
	for _, l := range leads {
		if l.Status == state.LeadWaiting && !l.Due.IsZero() && !l.Due.After(now) {
			l.Status, l.dirty = state.LeadActive, true
			l.seen[seenTimeout] = now.UTC().Format(time.RFC3339)
			events = append(events, state.LeadEvent{Person: l.Person, Time: now, Kind: "timeout", Step: l.Step})
			t.Events["timeout"]++
		}
	}
	return e.save(ctx, leads, events)
}

// feedPage is the most events one poll of a feed is known to return (the
// sandbox's page; Linked API does not document one). A poll that returns
// that many may have left older events out.
const feedPage = 1000

func (e *Engine) fullPage(t *Tick, feed string, n int) {
	if n >= feedPage {
		t.Warnings = append(t.Warnings, fmt.Sprintf("the %s feed returned %d events, a full page: older ones may be missing; tick more often", feed, n))
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// later returns the later of two feed times (RFC 3339), "" being the
// earliest.
func later(a, b string) string {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	switch {
	case errB != nil:
		return a
	case errA != nil || tb.After(ta):
		return b
	}
	return a
}

// event applies one event to a lead: an exit event stops it; a wait for
// it is done; otherwise it is remembered for a later wait.
func (e *Engine) event(l *lead, kind, at string, now time.Time, t *Tick, events *[]state.LeadEvent) {
	if _, seen := l.seen[kind]; seen {
		return
	}
	l.seen[kind], l.dirty = at, true
	t.Events[kind]++
	*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "event", Step: l.Step, Detail: kind + " at " + at})
	if l.Status.Ended() {
		return // kept for the funnel: a reply after the last step counts
	}
	if e.exitsOn(kind) && l.Status != state.LeadSending {
		l.Status, l.Due = state.LeadExited, time.Time{}
		*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "exited", Step: l.Step, Detail: kind})
		return
	}
	// A lead waiting for it moves on — also one whose wait ran out but
	// whose onTimeout action has not gone yet (working hours, pace).
	if l.Status == state.LeadWaiting || l.Status == state.LeadActive {
		if i := e.stepIndex(l.Step); i >= 0 && e.seq().Steps[i].Wait == kind {
			delete(l.seen, seenTimeout)
			l.results[l.Step] = resultOK(at)
			*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "ok", Step: l.Step, Detail: kind})
			e.advanceTo(l, i+1, now, events)
		}
	}
}

// readFeed polls one feed from its cursor, after running the account's
// sync action once (a feed reports only what happened after it). A sync
// parked until the account's working hours leaves the feed for a later
// tick.
func (e *Engine) readFeed(ctx context.Context, kind, syncAction string, t *Tick, flush func() error, poll func(state.Cursor) (string, error)) error {
	c, err := e.Store.Cursor(ctx, e.Account, kind)
	if err != nil {
		return err
	}
	if c.Synced.IsZero() {
		synced, err := e.runOnce(ctx, syncAction, t)
		if err != nil {
			return fmt.Errorf("starting the %s feed (%s): %w", kind, syncAction, err)
		}
		if synced.IsZero() {
			return nil
		}
		// From when the sync was made: a tick killed before this line
		// finds the sync done and loses nothing since.
		c = state.Cursor{Kind: kind, Synced: synced, Since: synced.UTC().Format(time.RFC3339Nano)}
		if err := e.Store.SetCursor(ctx, e.Account, c); err != nil {
			return err
		}
	}
	t.Polls++
	newest, err := poll(c)
	if err != nil {
		return fmt.Errorf("reading the %s feed: %w", kind, err)
	}
	if err := flush(); err != nil {
		return err
	}
	if newest != c.Since {
		c.Since = newest
		return e.Store.SetCursor(ctx, e.Account, c)
	}
	return nil
}

// runOnce sends one action as a run of its own, once per account,
// address and store (its key has no time in it), and drives it to its
// end. It returns when the run was made, or zero while Linked API parks
// it until the account's working hours.
func (e *Engine) runOnce(ctx context.Context, actionType string, t *Tick) (created time.Time, err error) {
	payload := json.RawMessage(`{"actionType":"` + actionType + `"}`)
	// Once per account and address: a new sandbox has not synced.
	key, err := state.RunKey(e.Account, []json.RawMessage{payload, json.RawMessage(strconv.Quote("once " + e.Endpoint))})
	if err != nil {
		return time.Time{}, err
	}
	run, _, err := e.Store.Attach(ctx, state.Run{Key: key, Name: e.name() + "-" + strings.TrimPrefix(actionType, "st."), File: e.File,
		Account: e.Account, Endpoint: e.Endpoint, Created: e.now()}, []json.RawMessage{payload}, false)
	if err != nil {
		return time.Time{}, err
	}
	t.Runs = append(t.Runs, run.ID)
	out, err := e.drive(ctx, run.ID, false)
	if err != nil {
		return time.Time{}, err
	}
	if out.Counts.ByState[state.Unknown] > 0 {
		// Whether an earlier attempt reached Linked API is unknown (its
		// answer was lost, or lwf stopped while sending it). A sync done
		// twice does no harm; a sync never done leaves the feed empty for
		// good, and this run would fail every tick: send it again.
		t.Warnings = append(t.Warnings, fmt.Sprintf("whether the %s of an earlier attempt reached Linked API is unknown: sent again (a second sync does no harm)", actionType))
		if out, err = e.drive(ctx, run.ID, true); err != nil {
			return time.Time{}, err
		}
	}
	if out.Parked {
		t.Parked++
		return time.Time{}, nil
	}
	if out.Counts.ByState[state.Completed] != 1 {
		return time.Time{}, fmt.Errorf("run %s did not complete: %s", run.ID, countsText(out.Counts))
	}
	return run.Created, nil
}

// countsText says how a run's workflows ended.
func countsText(c state.Counts) string {
	var parts []string
	for _, s := range state.AllStates() {
		if n := c.ByState[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return strings.Join(parts, ", ")
}

// drive drives one of the tick's runs to its end, or until what is left
// of it is parked until the account's working hours; with resubmit it
// sends again the workflows whose submission is unknown.
func (e *Engine) drive(ctx context.Context, runID string, resubmit bool) (runner.Outcome, error) {
	lock, err := e.Store.Lock(runID)
	if err != nil {
		return runner.Outcome{}, err
	}
	defer lock.Unlock()
	out, err := runner.Drive(ctx, runner.Config{API: e.API, Store: e.Store, Policy: e.Policy, Events: e.Events, Clock: e.Clock, LeaveParked: true, ResubmitUnknown: resubmit}, runID)
	if err != nil {
		return out, err
	}
	if out.Stopped {
		return out, context.Cause(ctx)
	}
	return out, nil
}
