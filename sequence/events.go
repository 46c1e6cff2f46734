package sequence

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/compiler"
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
	active := false
	for _, o := range e.owners {
		active = active || o.Sequence == e.name()
	}
	var events []state.LeadEvent
	now := e.now()
	// What a feed said is saved before its cursor moves past it: a tick
	// killed in between reads it again, and events apply once.
	flush := func() error {
		err := e.save(ctx, leads, events)
		events = nil
		return err
	}
	if active && network && e.Acceptance == AcceptanceCheck {
		if err := e.checkAccepted(ctx, leads, t, &events); err != nil {
			return err
		}
	} else if active && network {
		if err := e.readFeed(ctx, feedNetwork, []string{"st.syncNetwork"}, t, flush, func(c state.Cursor) (string, error) {
			res, err := e.API.PollNetwork(ctx, linkedapi.NetworkRequest{Since: c.Since, Type: "connectionAccepted"})
			if err != nil {
				return "", err
			}
			e.fullPage(t, "network", len(res.Events))
			newest := c.Since
			for _, ev := range res.Events {
				newest = later(newest, ev.DetectedAt)
				l, err := e.get(ctx, leads, personKey(ev.PersonURL))
				if err != nil {
					return "", err
				}
				if l != nil {
					e.event(l, lang.EventConnectionAccepted, ev.DetectedAt, now, t, &events)
				}
			}
			return newest, nil
		}); err != nil {
			return err
		}
	}
	if active && inbox {
		if err := e.readFeed(ctx, feedInbox, e.inboxSyncs(), t, flush, func(c state.Cursor) (string, error) {
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
					if u == "" {
						continue
					}
					l, err := e.get(ctx, leads, personKey(u))
					if err != nil {
						return "", err
					}
					if l != nil {
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
			l.ready()
			l.Status, l.dirty = state.LeadActive, true
			l.seen[seenTimeout] = now.UTC().Format(time.RFC3339)
			events = append(events, state.LeadEvent{Person: l.Person, Time: now, Kind: "timeout", Step: l.Step})
			t.Events["timeout"]++
		}
	}
	return e.save(ctx, leads, events)
}

// inboxSyncs are the sync actions the inbox feed needs: st.syncInbox,
// and nv.syncInbox when a step writes Sales Navigator messages.
func (e *Engine) inboxSyncs() []string {
	out := []string{"st.syncInbox"}
	for _, s := range e.seq().Steps {
		if strings.HasPrefix(s.ActionType, "nv.") || strings.HasPrefix(s.OnTimeout, "nv.") {
			return append(out, "nv.syncInbox")
		}
	}
	return out
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
	l.ready()
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
func (e *Engine) readFeed(ctx context.Context, kind string, syncs []string, t *Tick, flush func() error, poll func(state.Cursor) (string, error)) error {
	c, err := e.Store.Cursor(ctx, e.Account, kind)
	if err != nil {
		return err
	}
	for _, action := range syncs {
		sc, err := e.Store.Cursor(ctx, e.Account, "synced "+action)
		if err != nil {
			return err
		}
		if !sc.Synced.IsZero() {
			continue
		}
		synced, err := e.runOnce(ctx, action, t)
		if err != nil {
			return fmt.Errorf("starting the %s feed (%s): %w", kind, action, err)
		}
		if synced.IsZero() {
			return nil // parked: a later tick
		}
		if err := e.Store.SetCursor(ctx, e.Account, state.Cursor{Kind: "synced " + action, Synced: synced}); err != nil {
			return err
		}
		if c.Synced.IsZero() {
			// From when the first sync was made: a tick killed before this
			// line finds the sync done and loses nothing since.
			c = state.Cursor{Kind: kind, Synced: synced, Since: synced.UTC().Format(time.RFC3339Nano)}
			if err := e.Store.SetCursor(ctx, e.Account, c); err != nil {
				return err
			}
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
		why := ""
		if ws, err := e.Store.Workflows(ctx, run.ID); err == nil && len(ws) == 1 && ws[0].Failure != nil {
			f := ws[0].Failure
			if ae := (&linkedapi.APIError{Type: f.Reason, Message: f.Message}); ae.Auth() {
				return time.Time{}, ae // the account's trouble, not the sync's
			}
			why = ": " + f.Reason
			if f.Message != "" {
				why += " (" + f.Message + ")"
			}
		}
		return time.Time{}, fmt.Errorf("run %s did not complete: %s%s", run.ID, countsText(out.Counts), why)
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
	out, err := runner.Drive(ctx, runner.Config{API: e.API, Store: e.Store, Policy: e.Policy, Events: e.Events, Clock: e.Clock,
		LeaveParked: true, ParkedBefore: e.parked, ResubmitUnknown: resubmit, Results: e.Results}, runID)
	if err != nil {
		return out, err
	}
	if out.Stopped {
		return out, context.Cause(ctx)
	}
	e.parked = e.parked || out.Parked
	return out, nil
}

// seenChecked marks when a lead's connection status was last checked
// (AcceptanceCheck).
const seenChecked = "$checked"

// checkAccepted asks Linked API for the connection status of each lead
// waiting for an acceptance that was not checked within CheckEvery:
// st.checkConnectionStatus in root arrays, an action per lead.
func (e *Engine) checkAccepted(ctx context.Context, leads map[string]*lead, t *Tick, events *[]state.LeadEvent) error {
	now := e.now()
	every := e.CheckEvery
	if every <= 0 {
		every = 24 * time.Hour
	}
	var due []*lead
	for _, k := range sortedKeys(leads) {
		l := leads[k]
		i := e.stepIndex(l.Step)
		if i < 0 || e.seq().Steps[i].Wait != lang.EventConnectionAccepted || l.Status != state.LeadWaiting && l.Status != state.LeadActive {
			continue
		}
		l.ready()
		if last, err := time.Parse(time.RFC3339Nano, l.seen[seenChecked]); err == nil && now.Sub(last) < every {
			continue
		}
		due = append(due, l)
	}
	if len(due) == 0 {
		return nil
	}
	size := e.ChunkSize
	if size <= 0 {
		size = compiler.DefaultChunkSize
	}
	raw := map[string]string{}
	for _, sl := range e.seq().Leads {
		raw[sl.Key] = sl.URL
	}
	var payloads []json.RawMessage
	for i := 0; i < len(due); i += size {
		var arr []map[string]string
		for _, l := range due[i:min(i+size, len(due))] {
			u := raw[l.Person]
			if u == "" {
				u = l.Person
			}
			arr = append(arr, map[string]string{"actionType": "st.checkConnectionStatus", "personUrl": u})
		}
		b, _ := json.Marshal(arr)
		payloads = append(payloads, b)
	}
	key, err := state.RunKey(e.Account, append(payloads, json.RawMessage(strconv.Quote(now.UTC().Format(time.RFC3339Nano)))))
	if err != nil {
		return err
	}
	run, _, err := e.Store.Attach(ctx, state.Run{Key: key, Name: e.name() + "-checkConnectionStatus", File: e.File, Account: e.Account,
		Endpoint: e.Endpoint, Created: now}, payloads, true)
	if err != nil {
		return err
	}
	t.Runs = append(t.Runs, run.ID)
	if _, err := e.drive(ctx, run.ID, false); err != nil {
		return err
	}
	ws, err := e.Store.WorkflowsFull(ctx, run.ID)
	if err != nil {
		return err
	}
	stamp := now.UTC().Format(time.RFC3339Nano)
	for wi, w := range ws {
		var els []map[string]any
		_ = json.Unmarshal(w.Completion, &els)
		for j, el := range els {
			idx := wi*size + j
			if idx >= len(due) {
				break
			}
			l := due[idx]
			l.seen[seenChecked], l.dirty = stamp, true
			t.Checks++
			data, _ := el["data"].(map[string]any)
			if el["success"] == true && data != nil && data["connectionStatus"] == "connected" {
				e.event(l, lang.EventConnectionAccepted, stamp, now, t, events)
			}
		}
	}
	return nil
}
