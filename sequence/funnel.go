package sequence

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/runner/state"
)

// Funnel is where a sequence's leads stand, step by step: what lwf
// status and lwf run print.
type Funnel struct {
	Sequence string                   `json:"sequence"`
	Leads    int                      `json:"leads"`
	Status   map[state.LeadStatus]int `json:"status"`
	// Events counts the leads each event was seen for (connectionAccepted,
	// replied), whatever step they were at.
	Events map[string]int `json:"events"`
	Steps  []StepCount    `json:"steps"`
	// Next is when the next step is due (zero when none is), DueNow how
	// many are due at the funnel's time.
	Next   time.Time `json:"next,omitzero"`
	DueNow int       `json:"dueNow"`
}

// StepCount is one step of a funnel.
type StepCount struct {
	ID     string `json:"id"`
	Action string `json:"action,omitempty"` // the action type; "" for a wait
	Wait   string `json:"wait,omitempty"`   // the event a wait step waits for
	// Entered counts the leads that reached the step; Done those for
	// which it succeeded (a wait: the event came); Here those at it now
	// (due, waiting or being sent); Skipped those it was skipped for
	// (if: false, the ledger, a suppression list); Failed those it failed
	// for; TimedOut the waits that ran out; Exited the leads that left the
	// sequence at it (an exit event, a timeout).
	Entered  int `json:"entered"`
	Done     int `json:"done"`
	Here     int `json:"here"`
	Skipped  int `json:"skipped"`
	Failed   int `json:"failed"`
	TimedOut int `json:"timedOut,omitempty"`
	Exited   int `json:"exited"`
	// Replied counts the leads the step was done for who replied later.
	Replied  int            `json:"replied"`
	Variants []VariantCount `json:"variants,omitempty"`
}

// VariantCount is one version of a step with variants.
type VariantCount struct {
	Name    string `json:"name"` // A, B, …
	Sent    int    `json:"sent"`
	Done    int    `json:"done"`
	Replied int    `json:"replied"`
}

// ReadFunnel works out the funnel of a sequence of an account from the
// store. seq gives the steps' order (nil: the order the leads show).
func ReadFunnel(ctx context.Context, db state.Store, account, name string, seq *compiler.Sequence, now time.Time) (*Funnel, error) {
	ls, err := db.Leads(ctx, account, name)
	if err != nil {
		return nil, err
	}
	return funnelOf(name, ls, seq, now), nil
}

func funnelOf(name string, ls []state.Lead, seq *compiler.Sequence, now time.Time) *Funnel {
	f := &Funnel{Sequence: name, Leads: len(ls), Status: map[state.LeadStatus]int{}, Events: map[string]int{}}
	idx := map[string]int{}
	add := func(id string) *StepCount {
		if i, ok := idx[id]; ok {
			return &f.Steps[i]
		}
		idx[id] = len(f.Steps)
		f.Steps = append(f.Steps, StepCount{ID: id})
		return &f.Steps[len(f.Steps)-1]
	}
	if seq != nil {
		for _, s := range seq.Steps {
			c := add(s.ID)
			c.Action, c.Wait = s.ActionType, s.Wait
		}
	}
	variants := map[string]map[string]*VariantCount{}
	for _, l := range ls {
		f.Status[l.Status]++
		var stored struct {
			Steps  map[string]compiler.StepResult `json:"steps"`
			Events map[string]string              `json:"events"`
		}
		_ = json.Unmarshal(l.Results, &stored)
		var vs map[string]string
		_ = json.Unmarshal(l.Variants, &vs)
		_, replied := stored.Events[lang.EventReplied]
		for k := range stored.Events {
			if !strings.HasPrefix(k, "$") {
				f.Events[k]++
			}
		}
		for _, id := range sortedKeys(stored.Steps) {
			r := stored.Steps[id]
			c := add(id)
			c.Entered++
			switch {
			case r.OK:
				c.Done++
				if replied && !before(stored.Events[lang.EventReplied], r.At) {
					c.Replied++
				}
			case strings.HasPrefix(r.Error, "skipped") || r.Error == "if: false":
				c.Skipped++
			default:
				c.Failed++
			}
			if v := vs[id]; v != "" {
				if variants[id] == nil {
					variants[id] = map[string]*VariantCount{}
				}
				vc := variants[id][v]
				if vc == nil {
					vc = &VariantCount{Name: v}
					variants[id][v] = vc
				}
				vc.Sent++
				if r.OK {
					vc.Done++
					if replied && !before(stored.Events[lang.EventReplied], r.At) {
						vc.Replied++
					}
				}
			}
		}
		if l.Step == "" {
			continue
		}
		c := add(l.Step)
		_, done := stored.Steps[l.Step]
		if !done {
			c.Entered++
		}
		_, timedOut := stored.Events[seenTimeout]
		switch {
		case l.Status == state.LeadExited:
			c.Exited++
			if timedOut {
				c.TimedOut++
			}
		case l.Status == state.LeadFailed && !done, l.Status == state.LeadUnknown:
			c.Failed++
		case !l.Status.Ended():
			c.Here++
			if timedOut {
				c.TimedOut++
			}
			if l.Status != state.LeadWaiting && l.Status != state.LeadSending && !l.Due.After(now) {
				f.DueNow++
			}
			if !l.Due.IsZero() && (f.Next.IsZero() || l.Due.Before(f.Next)) {
				f.Next = l.Due
			}
		}
	}
	for i := range f.Steps {
		vm := variants[f.Steps[i].ID]
		for _, k := range sortedKeys(vm) {
			f.Steps[i].Variants = append(f.Steps[i].Variants, *vm[k])
		}
	}
	return f
}

// before reports whether time a is before time b (RFC 3339); false when
// either does not parse.
func before(a, b string) bool {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	return errA == nil && errB == nil && ta.Before(tb)
}
