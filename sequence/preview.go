package sequence

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// Preview is what lwf plan shows of a sequence: where its leads stand,
// what a tick now would send, when the rest comes due within the limits,
// what an edit changes for leads in flight, and samples of its texts. It
// sends nothing and changes nothing.
type Preview struct {
	Sequence string `json:"sequence"`
	File     string `json:"file"`
	// Leads is the list's size; New the leads a tick would add, Removed
	// those it would stop (no longer in the list), Taken those other
	// sequences of the account hold.
	Leads   int      `json:"leads"`
	New     int      `json:"new"`
	Removed int      `json:"removed"`
	Taken   []string `json:"taken,omitempty"`
	// Status counts the leads already in the store by status.
	Status map[state.LeadStatus]int `json:"status"`
	// Reach is, per step, how many leads can still reach it at most: the
	// funnel the sequence can reach if every event comes.
	Reach []StepReach `json:"reach"`
	// DueNow counts the steps a tick now would send, by step; Later when
	// the rest of the steps that do not wait for an event come due.
	DueNow map[string]int `json:"dueNow"`
	// Days is the forecast of the writes over the next days, within the
	// working hours, the pace and the limits, assuming each step succeeds
	// and no event arrives (waits count only when they time out).
	Days []DayForecast `json:"days"`
	// Beyond counts the steps due within the forecast that the limits or
	// the working hours push past it.
	Beyond int `json:"beyond"`
	// Limits are the rules in force for the categories the steps spend.
	Limits []schemas.Limit `json:"limits"`
	// Moves are the leads an edit of the file moves: at a step no longer
	// in the file.
	Moves []Move `json:"moves,omitempty"`
	// Events says how events are detected and what it costs.
	Events  string   `json:"events"`
	Samples []Sample `json:"samples"`
	// Problems are leads whose step cannot be rendered (an expression
	// failing on their data): they will fail.
	Problems []string `json:"problems,omitempty"`
}

// StepReach is one step of a preview's funnel.
type StepReach struct {
	ID     string `json:"id"`
	Action string `json:"action,omitempty"`
	Wait   string `json:"wait,omitempty"`
	Done   int    `json:"done"`   // leads it is done for
	AtMost int    `json:"atMost"` // done plus those that may still reach it
}

// DayForecast is one day of a preview's forecast.
type DayForecast struct {
	Date  string         `json:"date"` // in the working hours' zone (UTC without)
	Steps map[string]int `json:"steps"`
	// Spent is what the writes of the day spend, by limit category, and
	// Max the day's limit of each.
	Spent map[string]int `json:"spent"`
	Max   map[string]int `json:"max"`
}

// Move is what an edit does to a lead in flight.
type Move struct {
	Person string `json:"person"`
	From   string `json:"from"` // a step no longer in the file
	To     string `json:"to"`   // the step it moves on to ("" the end)
}

// Sample is a step rendered for a lead.
type Sample struct {
	Step   string `json:"step"`
	Person string `json:"person"`
	Param  string `json:"param"`
	Text   string `json:"text"`
}

// previewSamples bounds the samples of a preview.
const previewSamples = 3

// Preview works out the preview of the engine's sequence over the next
// days. The engine's API is not used; without a Store, no lead is in
// flight.
func (e *Engine) Preview(ctx context.Context, days int) (*Preview, error) {
	seq := e.seq()
	now := e.now()
	p := &Preview{Sequence: e.name(), File: e.File, Leads: len(seq.Leads), Status: map[state.LeadStatus]int{}, DueNow: map[string]int{}}
	leads, owner := map[string]*lead{}, map[string]string{}
	if e.Store != nil {
		var err error
		ls, err := e.Store.Leads(ctx, e.Account, e.name())
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			x := &lead{Lead: l}
			x.ready()
			leads[l.Person] = x
		}
		owners, err := e.Store.LeadOwners(ctx, e.Account)
		if err != nil {
			return nil, err
		}
		for k, o := range owners {
			owner[k] = o.Sequence
		}
	}
	for _, l := range leads {
		p.Status[l.Status]++
	}
	inList := map[string]bool{}
	for _, sl := range seq.Leads {
		inList[sl.Key] = true
		if _, ok := leads[sl.Key]; ok {
			continue
		}
		if o, ok := owner[sl.Key]; ok && o != e.name() {
			p.Taken = append(p.Taken, sl.Key+" ("+o+")")
			continue
		}
		p.New++
		l := &lead{Lead: state.Lead{Person: sl.Key, Status: state.LeadActive, Due: now.Add(seq.Steps[0].After), Step: seq.Steps[0].ID},
			results: map[string]compiler.StepResult{}, seen: map[string]string{}, variants: map[string]string{}, data: sl.Data, decoded: true}
		if seq.Steps[0].Wait != "" {
			l.Status, l.Due = state.LeadWaiting, time.Time{}
			if w := seq.Steps[0].Within; w > 0 {
				l.Due = now.Add(w)
			}
		}
		leads[sl.Key] = l
	}
	for _, k := range sortedKeys(leads) {
		l := leads[k]
		if !inList[k] && !l.Status.Ended() && l.Status != state.LeadSending {
			p.Removed++
			l.Status = state.LeadRemoved
		}
		if !l.Status.Ended() && l.Step != "" && e.stepIndex(l.Step) < 0 {
			next := 0
			for i, s := range seq.Steps {
				if _, done := l.results[s.ID]; done {
					next = i + 1
				}
			}
			to := ""
			if next < len(seq.Steps) {
				to = seq.Steps[next].ID
			}
			p.Moves = append(p.Moves, Move{Person: k, From: l.Step, To: to})
		}
	}
	p.Reach = e.reach(leads)
	if err := e.forecast(ctx, p, leads, now, days); err != nil {
		return nil, err
	}
	p.Events = e.eventsText(p.Status[state.LeadWaiting])
	if err := e.samples(ctx, p, leads, now); err != nil {
		return nil, err
	}
	return p, nil
}

// reach is the funnel the sequence can reach: per step, the leads it is
// done for, and at most those plus the leads still before it.
func (e *Engine) reach(leads map[string]*lead) []StepReach {
	steps := e.seq().Steps
	out := make([]StepReach, len(steps))
	for i, s := range steps {
		out[i] = StepReach{ID: s.ID, Action: s.ActionType, Wait: s.Wait}
	}
	for _, l := range leads {
		at := e.stepIndex(l.Step)
		for i, s := range steps {
			r, done := l.results[s.ID]
			switch {
			case done && r.OK:
				out[i].Done++
				out[i].AtMost++
			case !l.Status.Ended() && at >= 0 && i >= at:
				out[i].AtMost++
			}
		}
	}
	return out
}

// eventsText says how the sequence's events are detected.
func (e *Engine) eventsText(waiting int) string {
	network, inbox := e.needs()
	var feeds []string
	check := ""
	if network && e.Acceptance == AcceptanceCheck {
		every := e.CheckEvery
		if every <= 0 {
			every = 24 * time.Hour
		}
		check = fmt.Sprintf("; acceptances are checked with st.checkConnectionStatus for each lead waiting, every %s — an action per lead and check (%d waiting now)", every, waiting)
		network = false
	}
	if network {
		feeds = append(feeds, "POST /network/poll (connectionAccepted)")
	}
	if inbox {
		feeds = append(feeds, "POST /inbox/poll (replied)")
	}
	if len(feeds) == 0 && check != "" {
		return strings.TrimPrefix(check, "; ")
	}
	if len(feeds) == 0 {
		return "the sequence waits for no event"
	}
	s := fmt.Sprintf("read from the account's feeds, %s — one request each per tick, however many leads wait; no account actions", joinAnd(feeds))
	var syncs []string
	if network {
		syncs = append(syncs, "st.syncNetwork")
	}
	if inbox {
		syncs = append(syncs, e.inboxSyncs()...)
	}
	return s + fmt.Sprintf(" (the first tick runs %s once for the account, unless it ran already)", joinAnd(syncs)) + check
}

func joinAnd(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	out := s[0]
	for _, x := range s[1 : len(s)-1] {
		out += ", " + x
	}
	return out + " and " + s[len(s)-1]
}

// fcLead is a lead in the forecast.
type fcLead struct {
	person string
	step   int // the step due (an action step, or a wait's onTimeout)
	due    time.Time
	wait   bool
}

// forecast plays the schedule forward, hour by hour: leads whose step
// is due send it within the working hours, the pace and the limits, and
// move on to their next step (assuming it succeeds); a wait stops a lead,
// unless it has a deadline, when its onTimeout action comes due.
func (e *Engine) forecast(ctx context.Context, p *Preview, leads map[string]*lead, now time.Time, days int) error {
	seq := e.seq()
	cat := e.catalog()
	var q []*fcLead
	for _, k := range sortedKeys(leads) {
		l := leads[k]
		i := e.stepIndex(l.Step)
		switch {
		case i < 0:
		case l.Status == state.LeadActive:
			q = append(q, &fcLead{person: k, step: i, due: l.Due, wait: seq.Steps[i].Wait != ""})
		case l.Status == state.LeadWaiting && !l.Due.IsZero() && seq.Steps[i].OnTimeout != "":
			q = append(q, &fcLead{person: k, step: i, due: l.Due, wait: true})
		}
	}
	for _, f := range q {
		if !f.due.After(now) {
			p.DueNow[e.stepName(f.step, f.wait)]++
		}
	}
	var spend *campaign.Spending
	if e.Check != nil {
		c := *e.Check
		c.Now = now
		var err error
		if spend, err = c.Spending(ctx, e.Plan.Limits); err != nil {
			return err
		}
		used := map[string]bool{}
		for _, s := range seq.Steps {
			used[s.Category] = true
			if a := cat.Lookup(s.OnTimeout); a != nil {
				used[a.Category] = true
			}
		}
		for _, r := range spend.Rules {
			if used[r.Category] {
				p.Limits = append(p.Limits, r)
			}
		}
	}
	loc := time.UTC
	if wh := seq.Schedule.WorkingHours; wh != nil {
		loc = wh.Location()
	}
	// Spent by the forecast, by category and period start.
	spent := map[string]int{}
	key := func(c string, r schemas.Limit, at time.Time) string {
		return c + "\x00" + r.Period + "\x00" + campaign.PeriodStart(r.Period, at).String()
	}
	allowed := func(c string, at time.Time) bool {
		if spend == nil || c == "" {
			return true
		}
		for _, r := range p.Limits {
			if r.Category == c && spend.Used(c, campaign.PeriodStart(r.Period, at))+spent[key(c, r, at)] >= r.Max {
				return false
			}
		}
		return true
	}
	byDay := map[string]*DayForecast{}
	var order []string
	day := func(t time.Time) *DayForecast {
		d := t.In(loc).Format("2006-01-02 Mon")
		if byDay[d] == nil {
			byDay[d] = &DayForecast{Date: d, Steps: map[string]int{}, Spent: map[string]int{}, Max: map[string]int{}}
			order = append(order, d)
			for _, r := range p.Limits {
				if r.Period == schemas.PeriodDaily {
					byDay[d].Max[r.Category] = r.Max
				}
			}
		}
		return byDay[d]
	}
	for d := 0; d < days; d++ {
		day(now.AddDate(0, 0, d))
	}
	end := now.AddDate(0, 0, days)
	pace := seq.Schedule.Pace
	wh := seq.Schedule.WorkingHours
	sort.SliceStable(q, func(i, j int) bool { return q[i].due.Before(q[j].due) })
	var ready []*fcLead // due, in order, waiting for a slot
	for t := now; t.Before(end) && len(q)+len(ready) > 0; {
		for len(q) > 0 && !q[0].due.After(t) {
			ready, q = append(ready, q[0]), q[1:]
		}
		var keep, next []*fcLead
		blocked := map[string]bool{}
		wrote := false
		for _, f := range ready {
			s := seq.Steps[f.step]
			at := s.ActionType
			if f.wait {
				at = s.OnTimeout
			}
			a := cat.Lookup(at)
			write := a != nil && a.Write
			if write {
				if wrote && pace > 0 || !wh.Open(t) || blocked[a.Category] {
					keep = append(keep, f)
					continue
				}
				if !allowed(a.Category, t) {
					blocked[a.Category] = true
					keep = append(keep, f)
					continue
				}
				wrote = true
				for _, r := range p.Limits {
					if r.Category == a.Category {
						spent[key(a.Category, r, t)]++
					}
				}
				dd := day(t)
				dd.Spent[a.Category]++
				dd.Steps[e.stepName(f.step, f.wait)]++
			}
			if f.wait || f.step+1 >= len(seq.Steps) {
				continue // after an onTimeout action, or the last step, the lead ends
			}
			ns := seq.Steps[f.step+1]
			switch {
			case ns.Wait == "":
				next = append(next, &fcLead{person: f.person, step: f.step + 1, due: t.Add(ns.After)})
			case ns.Within > 0 && ns.OnTimeout != "":
				next = append(next, &fcLead{person: f.person, step: f.step + 1, due: t.Add(ns.Within), wait: true})
			}
		}
		ready = keep
		if len(next) > 0 {
			q = append(q, next...)
			sort.SliceStable(q, func(i, j int) bool { return q[i].due.Before(q[j].due) })
		}
		// The next moment something can change: the pace's next slot, the
		// working hours' opening, the next day's limits, the next due.
		step := time.Minute
		if pace > 0 {
			step = pace
		}
		nt := t.Add(step)
		if len(ready) > 0 && !wrote {
			switch {
			case !wh.Open(t):
				nt = wh.Next(t)
			default:
				nt = campaign.PeriodEnd(schemas.PeriodDaily, t)
			}
		}
		if len(ready) == 0 && len(q) > 0 && q[0].due.After(nt) {
			nt = q[0].due
		}
		t = nt
	}
	for _, d := range order {
		p.Days = append(p.Days, *byDay[d])
	}
	p.Beyond = len(ready)
	for _, f := range q {
		if f.due.Before(end) {
			p.Beyond++
		}
	}
	return nil
}

// stepName names a step in counts: its id, or "ID onTimeout".
func (e *Engine) stepName(i int, wait bool) string {
	if wait {
		return e.seq().Steps[i].ID + " onTimeout"
	}
	return e.seq().Steps[i].ID
}

// samples renders the texts of each action step for the first leads.
func (e *Engine) samples(ctx context.Context, p *Preview, leads map[string]*lead, now time.Time) error {
	seq := e.seq()
	for i, s := range seq.Steps {
		if s.Wait != "" && s.OnTimeout == "" {
			continue
		}
		n := 0
		for _, sl := range seq.Leads {
			if n >= previewSamples {
				break
			}
			l := leads[sl.Key]
			results := map[string]compiler.StepResult{}
			for _, b := range seq.Steps[:i] {
				// Earlier steps as if they succeeded.
				results[b.ID] = compiler.StepResult{OK: true, At: now.UTC().Format(time.RFC3339)}
			}
			if l != nil {
				for k, v := range l.results {
					results[k] = v
				}
			}
			r, err := e.Plan.RenderStep(ctx, i, sl, results, nil)
			if err != nil {
				return err
			}
			for _, pr := range r.Problems {
				p.Problems = append(p.Problems, fmt.Sprintf("%s, step %s: %s", sl.Item, s.ID, pr.Message))
			}
			for _, sm := range r.Samples {
				p.Samples = append(p.Samples, Sample{Step: s.ID, Person: sl.Key, Param: sm.Param, Text: sm.Text})
			}
			n++
		}
	}
	return nil
}
