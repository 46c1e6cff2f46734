package serve

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

// The events feed is made from what the store keeps per run and per
// lead: the latest events of the latest runs, and the timelines of the
// leads that changed last.
const (
	feedRuns  = 20  // runs whose events are read
	feedLeads = 30  // leads whose timelines are read
	feedShown = 150 // events shown
)

// feedItem is one line of the events feed: a run's event or a lead's.
type feedItem struct {
	Time   time.Time
	Kind   string
	Detail string
	// RunID and Index name a run's event (Index from 1; 0 for the run);
	// Account, Person and Sequence a lead's.
	RunID, RunName            string
	Index                     int
	Account, Person, Sequence string
	Step                      string
}

func (s *Server) feed(ctx context.Context) ([]feedItem, error) {
	var out []feedItem
	runs, err := s.opts.Store.Runs(ctx, feedRuns)
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		evs, err := s.opts.Store.Events(ctx, r.ID, feedShown)
		if err != nil {
			return nil, err
		}
		for _, e := range evs {
			out = append(out, feedItem{Time: e.Time, Kind: string(e.Kind), Detail: eventDetail(e), RunID: r.ID, RunName: r.Name, Index: e.Index + 1})
		}
	}
	ls, err := s.opts.Store.Leads(ctx, "", "")
	if err != nil {
		return nil, err
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].Updated.After(ls[j].Updated) })
	for _, l := range ls[:min(feedLeads, len(ls))] {
		tl, err := s.opts.Store.Timeline(ctx, l.Account, l.Person)
		if err != nil {
			return nil, err
		}
		for _, e := range tl {
			out = append(out, feedItem{Time: e.Time, Kind: e.Kind, Detail: e.Detail, Account: l.Account, Person: l.Person, Sequence: l.Sequence, Step: e.Step})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out[:min(feedShown, len(out))], nil
}

// eventDetail says what a run's event says, in one line.
func eventDetail(e state.Event) string {
	d := string(e.State)
	add := func(s string) {
		if s == "" {
			return
		}
		if d != "" {
			d += ": "
		}
		d += s
	}
	add(e.PendingReason)
	add(e.Message)
	add(e.Error)
	if e.Delay > 0 {
		add(fmt.Sprintf("retried in %s", e.Delay.Round(time.Millisecond)))
	}
	return d
}

func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request) {
	items, err := s.feed(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "events", s.page(r, "Events", "events", items))
}
