package sequence

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// API is the part of Linked API a tick uses: the runner's, and the two
// event feeds.
type API interface {
	runner.API
	PollNetwork(ctx context.Context, req linkedapi.NetworkRequest) (*linkedapi.NetworkResult, error)
	PollInbox(ctx context.Context, req linkedapi.InboxRequest) (*linkedapi.InboxResult, error)
}

var _ API = (*linkedapi.Client)(nil)

// Engine works one sequence of one account.
type Engine struct {
	Plan  *compiler.Plan // a compiled sequence: file
	File  string         // the file, for the runs it makes
	Store state.Store
	API   API
	// Account is the account's hash (linkedapi.Credentials.Account) and
	// Endpoint the API address, for the runs.
	Account, Endpoint string
	// Check applies the ledger (other campaigns' contacts), suppression
	// lists and limits; nil applies none.
	Check *campaign.Check
	// Clock tells the time; nil means the system clock. Everything a tick
	// decides — what is due, working hours, limits — is on it.
	Clock runner.Clock
	// Policy is the drive's polling policy.
	Policy runner.Policy
	// Events receives the events of the runs a tick drives.
	Events func(state.Event)
	// WorkingHours are the sender's own (its profile's), kept besides the
	// sequence's; nil for none.
	WorkingHours *compiler.WorkingHours
	// Team are the other accounts of the sequence's senders: their
	// ledgers keep people out too (campaign.Check.Team).
	Team []string
	// Results are workflow results that arrive without a poll (lwf
	// serve's webhooks); nil: polls alone.
	Results runner.Results
	// Cache, when set, keeps the leads from one Run to the next.
	Cache *Cache
	// owners says who is a lead of which sequence of the account, as the
	// tick's load read it; parked, that a drive of the tick left workflows
	// parked until the account's working hours (what it sends next queues
	// behind them).
	owners map[string]state.LeadOwner
	parked bool

	// ChunkSize bounds the root steps per workflow; 0 means
	// compiler.DefaultChunkSize.
	ChunkSize int
	// Acceptance is how accepted connection requests are detected:
	// AcceptanceFeed (the default) reads the account's network feed, one
	// request a tick however many leads wait; AcceptanceCheck runs
	// st.checkConnectionStatus for each lead waiting, at most once per
	// CheckEvery (a day when zero) — an action per lead and check, for
	// accounts whose feed cannot be used.
	Acceptance string
	CheckEvery time.Duration
}

// The ways of detecting accepted connection requests.
const (
	AcceptanceFeed  = "feed"
	AcceptanceCheck = "check"
)

// Tick is what one tick did.
type Tick struct {
	Added, Removed int            // leads that entered or left the list
	Taken          []string       // leads other sequences of the account have
	Sent           map[string]int // steps sent, by step id
	Events         map[string]int // events applied, by kind
	Runs           []string       // the runs it made
	// Next is when something is due next (a step, a wait's end), zero
	// when every lead has ended; Waiting says leads wait for events,
	// which the next tick polls for.
	Next    time.Time
	Waiting int
	Ended   bool
	// Polls counts the event feed reads (one per feed and tick);
	// Parked the runs Linked API parked until the account's working
	// hours, which a later tick finishes.
	Polls, Parked int
	// Checks counts the st.checkConnectionStatus actions of
	// AcceptanceCheck; Unknown the leads whose step's submission this
	// tick found unknown (they are never sent again).
	Checks, Unknown int
	// Warnings are things the user should know (a feed page that may
	// have been cut short).
	Warnings []string
	// Failures counts the steps that failed, by error type
	// (limitExceeded, messagingNotAllowed, …).
	Failures map[string]int
}

func (e *Engine) now() time.Time {
	if e.Clock == nil {
		return time.Now()
	}
	return e.Clock.Now()
}

func (e *Engine) seq() *compiler.Sequence { return e.Plan.Sequence }

func (e *Engine) name() string { return e.Plan.Name }

// Run does one tick: the leads of the list join, events arrive, what is
// due goes out (batched per action into workflows, driven to their end),
// and each lead moves on. The caller holds the account's lock.
func (e *Engine) Run(ctx context.Context) (Tick, error) {
	t := Tick{Sent: map[string]int{}, Events: map[string]int{}, Failures: map[string]int{}}
	if e.Plan == nil || e.Plan.Sequence == nil {
		return t, errors.New("not a sequence")
	}
	t, err := e.run(ctx, t)
	if err != nil {
		e.Cache.reset()
	}
	return t, err
}

func (e *Engine) run(ctx context.Context, t Tick) (Tick, error) {
	e.parked = false
	leads, err := e.load(ctx)
	if err != nil {
		return t, err
	}
	// A tick that stopped mid-drive left its leads sending: finish first.
	if err := e.finishSending(ctx, leads, &t); err != nil {
		return t, err
	}
	if err := e.syncList(ctx, leads, &t); err != nil {
		return t, err
	}
	if err := e.pollEvents(ctx, leads, &t); err != nil {
		return t, err
	}
	if err := e.sendDue(ctx, leads, &t); err != nil {
		return t, err
	}
	e.summarise(leads, &t)
	return t, nil
}

// lead is a lead in memory with its decoded results.
type lead struct {
	state.Lead
	results map[string]compiler.StepResult
	seen    map[string]string // events seen, by kind: when
	// variants are the versions its steps were sent in, by step id.
	variants map[string]string
	data     map[string]any
	dirty    bool
	decoded  bool // results, seen, variants and data are read (ready)
	// listData is the list's entry as the last tick compared it (Cache).
	listData map[string]any
}

// load reads the sequence's leads of the account that have not ended,
// and who is a lead of which sequence of the account: leads that ended
// are read one by one when something concerns them (see get).
func (e *Engine) load(ctx context.Context) (map[string]*lead, error) {
	if c := e.Cache; c != nil && c.leads != nil && c.account == e.Account && c.name == e.name() {
		e.owners = c.owners
		return c.leads, nil
	}
	ls, err := e.Store.OpenLeads(ctx, e.Account, e.name())
	if err != nil {
		return nil, err
	}
	if e.owners, err = e.Store.LeadOwners(ctx, e.Account); err != nil {
		return nil, err
	}
	out := make(map[string]*lead, len(ls))
	for _, l := range ls {
		out[l.Person] = &lead{Lead: l}
	}
	if c := e.Cache; c != nil {
		c.leads, c.owners, c.account, c.name = out, e.owners, e.Account, e.name()
	}
	return out, nil
}

// Cache keeps a sequence's leads in memory from one tick to the next,
// for a caller that holds the account's lock across its ticks (lwf run
// --follow): a tick then reads from the store only what it does not
// hold. A tick that fails empties it.
type Cache struct {
	leads         map[string]*lead
	owners        map[string]state.LeadOwner
	account, name string
	list          *compiler.Sequence // the sequence whose list was synced last
}

func (c *Cache) reset() {
	if c != nil {
		c.leads, c.owners, c.list = nil, nil, nil
	}
}

// get returns the sequence's lead for a person: from leads, or read from
// the store when it ended (nil when the person is no lead of it).
func (e *Engine) get(ctx context.Context, leads map[string]*lead, person string) (*lead, error) {
	if l, ok := leads[person]; ok {
		return l, nil
	}
	if o, ok := e.owners[person]; !ok || o.Sequence != e.name() {
		return nil, nil
	}
	l, err := e.Store.Lead(ctx, e.Account, person)
	if errors.Is(err, state.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	x := &lead{Lead: *l}
	leads[person] = x
	return x, nil
}

// ready decodes a lead's results, events, variants and data, once: most
// leads of a tick are only waiting, and are never decoded.
func (l *lead) ready() {
	if l.decoded {
		return
	}
	l.decoded = true
	l.results, l.seen, l.variants = map[string]compiler.StepResult{}, map[string]string{}, map[string]string{}
	var stored struct {
		Steps  map[string]compiler.StepResult `json:"steps"`
		Events map[string]string              `json:"events"`
	}
	if len(l.Results) > 0 && json.Unmarshal(l.Results, &stored) == nil {
		if stored.Steps != nil {
			l.results = stored.Steps
		}
		if stored.Events != nil {
			l.seen = stored.Events
		}
	}
	if l.data == nil {
		_ = json.Unmarshal(l.Data, &l.data)
	}
	if len(l.Variants) > 0 {
		_ = json.Unmarshal(l.Variants, &l.variants)
	}
}

// save writes the leads that changed, with their events, in one
// transaction.
func (e *Engine) save(ctx context.Context, leads map[string]*lead, events []state.LeadEvent) error {
	var changed []*lead
	for _, l := range leads {
		if l.dirty {
			changed = append(changed, l)
		}
	}
	if len(changed) == 0 && len(events) == 0 {
		return nil
	}
	sort.Slice(changed, func(i, j int) bool { return changed[i].Person < changed[j].Person })
	dirty := make([]*state.Lead, len(changed))
	now := e.now()
	for i, l := range changed {
		l.encode()
		l.Updated = now
		dirty[i] = &l.Lead
	}
	if err := e.Store.SaveLeads(ctx, e.Account, dirty, events); err != nil {
		return err
	}
	for _, l := range changed {
		l.dirty = false
	}
	return nil
}

func (l *lead) encode() {
	if !l.decoded {
		return // its stored results are as they were read
	}
	b, _ := json.Marshal(struct {
		Steps  map[string]compiler.StepResult `json:"steps,omitempty"`
		Events map[string]string              `json:"events,omitempty"`
	}{l.results, l.seen})
	l.Results = b
	l.Variants = nil
	if len(l.variants) > 0 {
		l.Variants, _ = json.Marshal(l.variants)
	}
}

// syncList adds the list's new leads, updates the data of the others and
// stops the leads no longer in it.
func (e *Engine) syncList(ctx context.Context, leads map[string]*lead, t *Tick) error {
	if c := e.Cache; c != nil && c.list == e.seq() {
		return nil // the same compiled list as the last tick's: nothing to sync
	}
	now := e.now()
	var events []state.LeadEvent
	inList := map[string]bool{}
	steps := e.seq().Steps
	for _, sl := range e.seq().Leads {
		inList[sl.Key] = true
		if o, ok := e.owners[sl.Key]; ok && o.Sequence == e.name() && o.Status == state.LeadRemoved {
			// Back in the list: it picks up where it was.
			l, err := e.get(ctx, leads, sl.Key)
			if err != nil {
				return err
			}
			l.ready()
			l.Status, l.dirty = state.LeadActive, true
			e.owners[sl.Key] = state.LeadOwner{Sequence: e.name(), Status: state.LeadActive}
			events = append(events, state.LeadEvent{Person: l.Person, Time: now, Kind: "entered", Step: l.Step, Detail: "back in the list"})
			e.resume(l, now)
		}
		if l, ok := leads[sl.Key]; ok {
			if l.listData != nil && reflect.DeepEqual(l.listData, sl.Data) {
				continue // as the last tick found it
			}
			if data, _ := json.Marshal(sl.Data); string(l.Data) != string(data) {
				l.ready()
				l.Data, l.data, l.dirty = data, sl.Data, true
			}
			l.listData = sl.Data
			continue
		}
		if o, ok := e.owners[sl.Key]; ok {
			if o.Sequence != e.name() {
				t.Taken = append(t.Taken, sl.Key+" ("+o.Sequence+")")
			}
			continue // or it ended in this sequence
		}
		data, _ := json.Marshal(sl.Data)
		l := &lead{Lead: state.Lead{Account: e.Account, Person: sl.Key, Sequence: e.name(), Data: data, Step: steps[0].ID,
			Status: state.LeadActive, Due: now.Add(steps[0].After), Since: now, Workflow: -1, Slot: -1},
			results: map[string]compiler.StepResult{}, seen: map[string]string{}, variants: map[string]string{}, data: sl.Data, dirty: true, decoded: true}
		e.owners[sl.Key] = state.LeadOwner{Sequence: e.name(), Status: state.LeadActive}
		if steps[0].Wait != "" {
			e.enterWait(l, 0, now)
		}
		leads[sl.Key] = l
		t.Added++
		events = append(events, state.LeadEvent{Person: l.Person, Time: now, Kind: "entered", Step: l.Step})
	}
	for _, l := range leads {
		if !inList[l.Person] && !l.Status.Ended() && l.Status != state.LeadSending {
			l.ready()
			l.Status, l.dirty = state.LeadRemoved, true
			t.Removed++
			events = append(events, state.LeadEvent{Person: l.Person, Time: now, Kind: "removed", Step: l.Step, Detail: "no longer in the list"})
		}
	}
	// An edited file: a lead at a step that is gone moves on from the
	// last step it did.
	for _, l := range leads {
		if l.Status.Ended() || l.Status == state.LeadSending || e.stepIndex(l.Step) >= 0 {
			continue
		}
		l.ready()
		events = append(events, state.LeadEvent{Person: l.Person, Time: now, Kind: "moved", Step: l.Step, Detail: "the step is no longer in the file"})
		e.advanceTo(l, e.afterDone(l), now, &events)
	}
	if err := e.save(ctx, leads, events); err != nil {
		return err
	}
	if e.Cache != nil {
		e.Cache.list = e.seq()
	}
	return nil
}

// afterDone is the index of the step after the last one done for a lead.
func (e *Engine) afterDone(l *lead) int {
	l.ready()
	next := 0
	for i, s := range e.seq().Steps {
		if _, done := l.results[s.ID]; done {
			next = i + 1
		}
	}
	return next
}

// resume makes a lead back in the list due at its step.
func (e *Engine) resume(l *lead, now time.Time) {
	if i := e.stepIndex(l.Step); i >= 0 && e.seq().Steps[i].Wait != "" {
		e.enterWait(l, i, now)
		return
	}
	l.Due = now
}

func (e *Engine) stepIndex(id string) int {
	for i, s := range e.seq().Steps {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// enterWait puts a lead at wait step i: done at once when its event was
// seen before (the request was accepted before the lead got there).
func (e *Engine) enterWait(l *lead, i int, now time.Time) {
	s := e.seq().Steps[i]
	l.Step, l.Status, l.Since = s.ID, state.LeadWaiting, now
	l.Due = time.Time{}
	if s.Within > 0 {
		l.Due = now.Add(s.Within)
	}
	l.dirty = true
}

// advanceTo moves a lead to step i (or to the end), through the waits
// whose events were seen already.
func (e *Engine) advanceTo(l *lead, i int, now time.Time, events *[]state.LeadEvent) {
	l.ready()
	steps := e.seq().Steps
	for ; i < len(steps); i++ {
		s := steps[i]
		if s.Wait == "" {
			l.Step, l.Status, l.Since, l.Due = s.ID, state.LeadActive, now, now.Add(s.After)
			l.Workflow, l.Slot, l.dirty = -1, -1, true
			return
		}
		if at, seen := l.seen[s.Wait]; seen {
			l.results[s.ID] = compiler.StepResult{OK: true, At: at}
			*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "ok", Step: s.ID, Detail: s.Wait + " (seen before)"})
			continue
		}
		e.enterWait(l, i, now)
		return
	}
	l.Step, l.Status, l.Due, l.Workflow, l.Slot, l.dirty = "", state.LeadDone, time.Time{}, -1, -1, true
	*events = append(*events, state.LeadEvent{Person: l.Person, Time: now, Kind: "done"})
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// summarise fills the tick's view of what comes next.
func (e *Engine) summarise(leads map[string]*lead, t *Tick) {
	t.Ended = true
	for _, l := range leads {
		if l.Status.Ended() {
			continue
		}
		t.Ended = false
		if l.Status == state.LeadWaiting {
			t.Waiting++
		}
		if !l.Due.IsZero() && (t.Next.IsZero() || l.Due.Before(t.Next)) {
			t.Next = l.Due
		}
	}
	if !t.Next.IsZero() {
		t.Next = e.hours().Next(t.Next)
	}
}

// needs reports which event feeds the sequence reads.
func (e *Engine) needs() (network, inbox bool) {
	for _, s := range e.seq().Steps {
		network = network || s.Wait == lang.EventConnectionAccepted
		inbox = inbox || s.Wait == lang.EventReplied
	}
	for _, x := range e.seq().ExitWhen {
		network = network || x == lang.EventConnectionAccepted
		inbox = inbox || x == lang.EventReplied
	}
	return network, inbox
}

// exitsOn reports whether an event stops a lead at once.
func (e *Engine) exitsOn(ev string) bool {
	for _, x := range e.seq().ExitWhen {
		if x == ev {
			return true
		}
	}
	return false
}

// personKey normalises a feed's person URL for matching leads.
func personKey(u string) string { return schemas.NormalizePersonURL(u) }
