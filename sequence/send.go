package sequence

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/results"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

func resultOK(at string) compiler.StepResult { return compiler.StepResult{OK: true, At: at} }

// VariantName names a variant by its index: A, B, …
func VariantName(i int) string {
	if i >= 0 && i < 26 {
		return string(rune('A' + i))
	}
	return strconv.Itoa(i + 1)
}

// due is one lead's step to send this tick.
type due struct {
	l     *lead
	step  int  // the step's index
	wait  bool // a wait's onTimeout action
	steps []json.RawMessage
	at    string // the action type, for batching
	// variant is the version variants: gave the step ("A", "B", …); ""
	// without variants.
	variant string
}

// sendDue renders the steps that are due — in order of due time, within
// working hours, the account's pace and its limits — batches them per
// action into root-array workflows, records the leads as being sent in
// the same transaction as the run, and drives the run to its end.
func (e *Engine) sendDue(ctx context.Context, leads map[string]*lead, t *Tick) error {
	now := e.now()
	var ready []*lead
	for _, l := range leads {
		if l.Status == state.LeadActive && !l.Due.After(now) {
			ready = append(ready, l)
		}
	}
	sort.Slice(ready, func(i, j int) bool {
		if !ready[i].Due.Equal(ready[j].Due) {
			return ready[i].Due.Before(ready[j].Due)
		}
		return ready[i].Person < ready[j].Person
	})
	if len(ready) == 0 {
		return nil
	}
	sched, err := e.newSchedule(ctx, now)
	if err != nil {
		return err
	}
	sk, err := e.skipper(ctx)
	if err != nil {
		return err
	}
	var skip func(string, string) (compiler.Skip, bool)
	if sk != nil {
		skip = sk.Skip
	}
	var (
		batch  []*due
		events []state.LeadEvent
	)
	for _, l := range ready {
		// Admitted before it is rendered: the leads the schedule holds
		// back cost nothing.
		planned := e.planned(l)
		if wait := sched.admit(planned, now); !wait.IsZero() {
			l.Due, l.dirty = wait, true
			continue
		}
		d, err := e.render(ctx, l, skip, now, &events)
		if err != nil {
			return err
		}
		if d == nil || d.at != planned {
			sched.refund(planned)
		}
		if d == nil {
			continue // moved on without sending (if: false), or failed
		}
		if d.at != planned {
			// if: false moved it on to a step of another action.
			if wait := sched.admit(d.at, now); !wait.IsZero() {
				l.Due, l.dirty = wait, true
				continue
			}
		}
		batch = append(batch, d)
	}
	if sk != nil && sk.Err() != nil {
		return fmt.Errorf("reading the contact ledger: %w", sk.Err())
	}
	if err := e.save(ctx, leads, events); err != nil {
		return err
	}
	if len(batch) == 0 {
		return nil
	}
	runID, err := e.start(ctx, batch, now)
	if err != nil {
		return err
	}
	// The pace counts these writes once they are recorded: a tick
	// stopped before sent nothing, one stopped after has its run
	// finished by the next tick, which counts them (finishSending).
	if err := sched.commit(ctx, now); err != nil {
		return err
	}
	t.Runs = append(t.Runs, runID)
	for _, d := range batch {
		if d.wait {
			t.Sent[d.l.Step+" onTimeout"]++
		} else {
			t.Sent[d.l.Step]++
		}
	}
	return e.finish(ctx, leads, runID, t)
}

// render renders a lead's due step. It returns nil when nothing is to be
// sent: if: was false (the lead moved on), the step failed to render (the
// lead failed), or a wait timed out without an onTimeout action (the
// lead exited).
func (e *Engine) render(ctx context.Context, l *lead, skip func(string, string) (compiler.Skip, bool), now time.Time, events *[]state.LeadEvent) (*due, error) {
	l.ready()
	steps := e.seq().Steps
	for hops := 0; hops <= len(steps); hops++ {
		i := e.stepIndex(l.Step)
		if i < 0 {
			return nil, nil
		}
		s := steps[i]
		timedOut := s.Wait != ""
		sl := compiler.SeqLead{Key: l.Person, Data: l.data}
		r, err := e.Plan.RenderStep(ctx, i, sl, l.results, skip)
		if err != nil {
			return nil, err
		}
		switch {
		case len(r.Problems) > 0:
			l.Status, l.Error, l.dirty = state.LeadFailed, r.Problems[0].String(), true
			*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "error", Step: s.ID, Detail: l.Error})
			return nil, nil
		case timedOut && !r.Kept():
			l.Status, l.Due, l.dirty = state.LeadExited, time.Time{}, true
			*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "exited", Step: s.ID, Detail: s.Wait + " did not come within " + s.Within.String()})
			return nil, nil
		case !r.Kept() && len(r.Skipped) > 0:
			// Another campaign reached them with this action, or a list
			// suppresses them: the step counts as done without sending.
			l.results[s.ID] = compiler.StepResult{OK: false, Error: "skipped: " + r.Skipped[0].Reason, At: now.UTC().Format(time.RFC3339)}
			*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "skipped", Step: s.ID, Detail: r.Skipped[0].Reason})
			e.advanceTo(l, i+1, now, events)
		case !r.Kept():
			// if: was false: on to the next step, which may be due now.
			l.results[s.ID] = compiler.StepResult{OK: false, Error: "if: false", At: now.UTC().Format(time.RFC3339)}
			*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "skipped", Step: s.ID, Detail: "if: false"})
			e.advanceTo(l, i+1, now, events)
		default:
			at := ""
			var m map[string]any
			if json.Unmarshal(r.Steps[0], &m) == nil {
				at, _ = m["actionType"].(string)
			}
			d := &due{l: l, step: i, wait: timedOut, steps: r.Steps, at: at}
			if len(r.Variants) > 0 {
				d.variant = VariantName(r.Variants[0].Index)
			}
			return d, nil
		}
		if l.Status != state.LeadActive || l.Due.After(now) {
			return nil, nil
		}
	}
	return nil, nil
}

// skipper is the skip hook of a tick: suppression lists, and other
// campaigns' contacts (the sequence's own are its follow-ups).
func (e *Engine) skipper(ctx context.Context) (*campaign.Skipper, error) {
	if e.Check == nil {
		return nil, nil
	}
	c := *e.Check
	c.Own, c.LazyLedger, c.Team = e.name(), true, e.Team
	if c.Store != nil && c.Account() != "" {
		if err := c.Store.SyncLedger(ctx, c.Account(), campaign.ReadCompletion(c.Catalog)); err != nil {
			return nil, err
		}
	}
	return c.Skipper(ctx)
}

// start creates the tick's run and records its leads as being sent in it,
// in one transaction: root arrays of one action type each.
func (e *Engine) start(ctx context.Context, batch []*due, now time.Time) (string, error) {
	size := e.ChunkSize
	if size <= 0 {
		size = compiler.DefaultChunkSize
	}
	sort.SliceStable(batch, func(i, j int) bool { return batch[i].at < batch[j].at })
	var payloads []json.RawMessage
	var events []state.LeadEvent
	var marked []*state.Lead
	for i := 0; i < len(batch); {
		j := i
		var arr []json.RawMessage
		for j < len(batch) && batch[j].at == batch[i].at && len(arr) < size {
			d := batch[j]
			d.l.Status, d.l.Workflow, d.l.Slot, d.l.dirty = state.LeadSending, len(payloads), len(arr), true
			if d.wait {
				d.l.seen[seenSendingTimeout] = "1"
			}
			if d.variant != "" {
				d.l.variants[d.l.Step] = d.variant
			}
			arr = append(arr, d.steps...)
			d.l.encode()
			d.l.Updated = now
			marked = append(marked, &d.l.Lead)
			events = append(events, state.LeadEvent{Person: d.l.Person, Time: now, Kind: "sent", Step: d.l.Step, Detail: d.at})
			j++
		}
		b, _ := json.Marshal(arr)
		payloads = append(payloads, b)
		i = j
	}
	key, err := state.RunKey(e.Account, append(payloads, json.RawMessage(strconv.Quote(now.UTC().Format(time.RFC3339Nano)))))
	if err != nil {
		return "", err
	}
	run, err := e.Store.StartSteps(ctx, state.Run{Key: key, Name: e.name(), File: e.File, Account: e.Account, Endpoint: e.Endpoint, Created: now},
		payloads, e.Account, marked, events)
	if err != nil {
		return "", err
	}
	for _, d := range batch {
		d.l.Run, d.l.dirty = run.ID, false
	}
	return run.ID, nil
}

// finishSending drives the runs of leads a stopped tick left sending, and
// records what their steps did.
func (e *Engine) finishSending(ctx context.Context, leads map[string]*lead, t *Tick) error {
	runs := map[string]bool{}
	for _, l := range leads {
		if l.Status == state.LeadSending && l.Run != "" {
			runs[l.Run] = true
		}
	}
	for _, id := range sortedKeys(runs) {
		if err := e.finish(ctx, leads, id, t); err != nil {
			return err
		}
		t.Runs = append(t.Runs, id)
		if err := e.pacedAt(ctx, id); err != nil {
			return err
		}
	}
	return nil
}

// pacedAt makes a run's writes count for the pace: its tick may have
// stopped before it recorded them.
func (e *Engine) pacedAt(ctx context.Context, runID string) error {
	if e.seq().Schedule.Pace <= 0 {
		return nil
	}
	run, err := e.Store.Run(ctx, runID)
	if err != nil {
		return err
	}
	c, err := e.Store.Cursor(ctx, e.Account, cursorPace)
	if err != nil || !run.Created.After(c.Synced) {
		return err
	}
	return e.Store.SetCursor(ctx, e.Account, state.Cursor{Kind: cursorPace, Synced: run.Created})
}

// finish drives a run of the sequence to its end and moves its leads on
// by what their steps did.
func (e *Engine) finish(ctx context.Context, leads map[string]*lead, runID string, t *Tick) error {
	out, err := e.drive(ctx, runID, false)
	if err != nil {
		return err
	}
	if out.Parked {
		t.Parked++
	}
	ws, err := e.Store.WorkflowsFull(ctx, runID)
	if err != nil {
		return err
	}
	now := e.now()
	var events []state.LeadEvent
	elements := map[int][]any{}
	for _, l := range leads {
		if l.Status != state.LeadSending || l.Run != runID {
			continue
		}
		if l.Workflow < 0 || l.Workflow >= len(ws) {
			l.Status, l.Error, l.dirty = state.LeadFailed, "its run has no workflow "+strconv.Itoa(l.Workflow+1), true
			continue
		}
		w := ws[l.Workflow]
		out := outcome{at: now.UTC().Format(time.RFC3339)}
		switch w.State {
		case state.Completed:
			els, ok := elements[w.Index]
			if !ok {
				var arr []any
				_ = json.Unmarshal(w.Completion, &arr)
				elements[w.Index], els = arr, arr
			}
			if l.Slot < len(els) {
				out.read(els[l.Slot])
			} else {
				out.err = "no result for it in the completion"
			}
		case state.Planned, state.Submitting, state.Pending, state.Running:
			// Parked until the account's working hours: a later tick
			// finishes it.
			continue
		case state.Unknown:
			l.Status, l.Error, l.dirty = state.LeadUnknown, "whether Linked API received its step is unknown: "+w.Error, true
			t.Unknown++
			events = append(events, state.LeadEvent{Person: l.Person, Time: now, Kind: "unknown", Step: l.Step, Detail: w.Error})
			continue
		default:
			out.err = string(w.State)
			if w.Failure != nil {
				out.err = w.Failure.Reason
			}
		}
		if !out.ok && out.err != "" {
			t.Failures[out.err]++
		}
		e.apply(l, out, now, &events)
	}
	return e.save(ctx, leads, events)
}

// outcome is what one lead's step did.
type outcome struct {
	ok     bool
	err    string
	result any
	at     string
}

// read takes a step's result object (its children's failures count).
func (o *outcome) read(v any) {
	m, _ := v.(map[string]any)
	if m == nil {
		o.err = "no result"
		return
	}
	o.ok = m["success"] == true
	if !o.ok {
		o.err = "unknownError"
		if em, _ := m["error"].(map[string]any); em != nil {
			if t, _ := em["type"].(string); t != "" {
				o.err = t
			}
		}
	}
	o.result = m["data"]
	b, _ := json.Marshal(v)
	if ins, err := results.Inspect(b, 0); err == nil && o.ok && len(ins.Errors) > 0 {
		o.ok, o.err = false, ins.Errors[0].Type
	}
}

// apply moves a lead on by its step's outcome.
func (e *Engine) apply(l *lead, out outcome, now time.Time, events *[]state.LeadEvent) {
	l.ready()
	i := e.stepIndex(l.Step)
	timeout := l.seen[seenSendingTimeout] != ""
	delete(l.seen, seenSendingTimeout)
	l.dirty = true
	if i < 0 && !timeout {
		// The file lost the step while it was being sent: its result is
		// kept, and the lead moves on from the last step it did.
		l.results[l.Step] = compiler.StepResult{OK: out.ok, Error: out.err, Result: out.result, At: out.at}
		*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "moved", Step: l.Step, Detail: "the step is no longer in the file"})
		e.advanceTo(l, e.afterDone(l), now, events)
		return
	}
	if timeout || i < 0 {
		// A wait's onTimeout action: whatever it did, the lead exits.
		detail := "onTimeout done"
		if !out.ok {
			detail = "onTimeout failed: " + out.err
		}
		l.Status, l.Due = state.LeadExited, time.Time{}
		*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "exited", Step: l.Step, Detail: detail})
		return
	}
	s := e.seq().Steps[i]
	// A request that exists already, or a connection that does, is what
	// the step wanted.
	if !out.ok && (out.err == "alreadyPending" || out.err == "alreadyConnected") {
		if out.err == "alreadyConnected" {
			if _, seen := l.seen["connectionAccepted"]; !seen {
				l.seen["connectionAccepted"] = out.at
			}
		}
		out.ok = true
	}
	l.results[s.ID] = compiler.StepResult{OK: out.ok, Error: out.err, Result: out.result, At: out.at}
	if !out.ok {
		l.Status, l.Error, l.Due = state.LeadFailed, s.ID+": "+out.err, time.Time{}
		*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "error", Step: s.ID, Detail: out.err})
		return
	}
	*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "ok", Step: s.ID})
	for _, x := range e.seq().ExitWhen {
		if _, seen := l.seen[x]; seen {
			l.Status, l.Due = state.LeadExited, time.Time{}
			*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "exited", Step: s.ID, Detail: x})
			return
		}
	}
	e.advanceTo(l, i+1, now, events)
}

// schedule decides which due writes go out now: working hours, the
// account's pace, and its limits.
type schedule struct {
	e       *Engine
	budget  map[string]int
	binding map[string]schemas.Limit
	// The pace: slots is how many writes it allows now, next when the
	// first write it defers may go.
	slots int
	next  time.Time
	sent  bool // a write was admitted: the pace's cursor moves
}

// paceBurst is the most writes the pace lets accrue while no tick ran:
// an hour's worth, so that a tick after a quiet night does not burst.
const paceBurst = time.Hour

// newSchedule reads what the limits leave and when the account last
// wrote.
func (e *Engine) newSchedule(ctx context.Context, now time.Time) (*schedule, error) {
	s := &schedule{e: e, slots: 1 << 30}
	if e.Check != nil {
		c := *e.Check
		c.Now = now
		var err error
		if s.budget, s.binding, err = c.Remaining(ctx, e.Plan.Limits, nil); err != nil {
			return nil, err
		}
	}
	if pace := e.seq().Schedule.Pace; pace > 0 {
		c, err := e.Store.Cursor(ctx, e.Account, cursorPace)
		if err != nil {
			return nil, err
		}
		burst := max(1, int(paceBurst/pace))
		s.slots = burst
		if !c.Synced.IsZero() {
			s.slots = min(burst, int(now.Sub(c.Synced)/pace))
		}
		s.next = now.Add(pace)
		if !c.Synced.IsZero() && s.slots == 0 {
			s.next = c.Synced.Add(pace)
		}
	}
	return s, nil
}

// cursorPace is the cursor kind that keeps the account's last write time
// for the pace.
const cursorPace = "pace"

// admit decides about one due write of an action type: zero time to
// send it now, or when to try again. Deferred writes get the pace's next
// slots, in order.
func (s *schedule) admit(actionType string, now time.Time) time.Time {
	seq := s.e.seq()
	a := s.e.catalog().Lookup(actionType)
	if a == nil || !a.Write {
		return time.Time{}
	}
	if wh := s.e.hours(); !wh.Open(now) {
		return wh.Next(now)
	}
	if s.budget != nil && a.Category != "" {
		if b, ok := s.budget[a.Category]; ok && b <= 0 {
			return s.e.hours().Next(periodEnd(s.binding[a.Category], now))
		}
	}
	if pace := seq.Schedule.Pace; pace > 0 {
		if s.slots <= 0 {
			at := s.next
			s.next = s.next.Add(pace)
			return s.e.hours().Next(at)
		}
		s.slots--
		s.sent = true
	}
	if s.budget != nil && a.Category != "" {
		if b, ok := s.budget[a.Category]; ok {
			s.budget[a.Category] = b - 1
		}
	}
	return time.Time{}
}

// refund gives back what admit granted a write that is not sent after
// all (if: was false, the ledger skipped it).
func (s *schedule) refund(actionType string) {
	a := s.e.catalog().Lookup(actionType)
	if a == nil || !a.Write {
		return
	}
	if s.e.seq().Schedule.Pace > 0 {
		s.slots++
	}
	if s.budget != nil && a.Category != "" {
		if b, ok := s.budget[a.Category]; ok {
			s.budget[a.Category] = b + 1
		}
	}
}

// planned is the action a lead's due step sends (a timed-out wait's
// onTimeout action), before it is rendered.
func (e *Engine) planned(l *lead) string {
	i := e.stepIndex(l.Step)
	if i < 0 {
		return ""
	}
	if s := e.seq().Steps[i]; s.Wait != "" {
		return s.OnTimeout
	} else if s.ActionType != "" {
		return s.ActionType
	}
	return ""
}

// periodEnd is when the period of a limit that binds now ends.
func periodEnd(l schemas.Limit, now time.Time) time.Time { return campaign.PeriodEnd(l.Period, now) }

// hours are working hours that must all be open: the sequence's and the
// sender's.
type hours []*compiler.WorkingHours

// hours are the engine's working hours.
func (e *Engine) hours() hours { return hours{e.seq().Schedule.WorkingHours, e.WorkingHours} }

// Open reports whether every one of the hours is open at t.
func (h hours) Open(t time.Time) bool {
	for _, w := range h {
		if w != nil && !w.Open(t) {
			return false
		}
	}
	return true
}

// Next is the first moment at or after t when every one is open: each
// closed one moves t to its next opening, until all are open (t as it
// stands after a few hundred moves, when they never overlap).
func (h hours) Next(t time.Time) time.Time {
	for i := 0; i < 400 && !h.Open(t); i++ {
		for _, w := range h {
			if w != nil && !w.Open(t) {
				t = w.Next(t)
			}
		}
	}
	return t
}

// commit records the pace's last write.
func (s *schedule) commit(ctx context.Context, now time.Time) error {
	if !s.sent {
		return nil
	}
	return s.e.Store.SetCursor(ctx, s.e.Account, state.Cursor{Kind: cursorPace, Synced: now})
}

func (e *Engine) catalog() *schemas.Catalog {
	if e.Check != nil && e.Check.Catalog != nil {
		return e.Check.Catalog
	}
	cat, _ := schemas.Default()
	return cat
}
