package serve

import (
	"context"
	"crypto/sha256"
	"errors"
	"sort"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
	"github.com/lwf-dev/lwf/sequence"
	"github.com/lwf-dev/lwf/worker"
)

// leadStatuses lists the lead statuses in the order the dashboard shows
// them.
var leadStatuses = []state.LeadStatus{state.LeadActive, state.LeadWaiting, state.LeadSending, state.LeadDone,
	state.LeadExited, state.LeadFailed, state.LeadUnknown, state.LeadRemoved}

// seqInfo is a registered sequence with its compiled plan (nil when its
// file no longer compiles: the dashboard still shows its leads).
type seqInfo struct {
	state.Source
	Plan       *compiler.Plan
	CompileErr string
}

// Steps returns the sequence's steps, for the funnel's order.
func (q seqInfo) steps() *compiler.Sequence {
	if q.Plan == nil {
		return nil
	}
	return q.Plan.Sequence
}

type cachedPlan struct {
	digest [32]byte
	plan   *compiler.Plan
	err    string
}

// sequences lists the registered sequences, by name, each compiled once
// per version of its file and inputs.
func (s *Server) sequences(ctx context.Context) ([]seqInfo, error) {
	srcs, err := s.opts.Store.Sources(ctx, state.SourceSequence)
	if err != nil {
		return nil, err
	}
	out := make([]seqInfo, len(srcs))
	for i, src := range srcs {
		out[i] = seqInfo{Source: src}
		h := sha256.New()
		h.Write(src.Content)
		h.Write([]byte{0})
		h.Write(src.Inputs)
		var d [32]byte
		copy(d[:], h.Sum(nil))
		s.mu.Lock()
		c, ok := s.plans[src.Name]
		s.mu.Unlock()
		if !ok || c.digest != d {
			plan, err := worker.Compile(ctx, src)
			c = cachedPlan{digest: d, plan: plan}
			if err != nil {
				c.plan, c.err = nil, err.Error()
			}
			s.mu.Lock()
			s.plans[src.Name] = c
			s.mu.Unlock()
		}
		out[i].Plan, out[i].CompileErr = c.plan, c.err
	}
	return out, nil
}

// sequence returns one registered sequence, or state.ErrNotFound.
func (s *Server) sequence(ctx context.Context, name string) (seqInfo, error) {
	seqs, err := s.sequences(ctx)
	if err != nil {
		return seqInfo{}, err
	}
	for _, q := range seqs {
		if q.Name == name {
			return q, nil
		}
	}
	return seqInfo{}, state.ErrNotFound
}

// funnel reads a sequence's funnel over all its senders.
func (s *Server) funnel(ctx context.Context, q seqInfo, now time.Time) (*sequence.Funnel, error) {
	return sequence.ReadFunnel(ctx, s.opts.Store, "", q.Name, q.steps(), now)
}

// workflowStates tallies the workflows of every run by state.
func (s *Server) workflowStates(ctx context.Context) (map[state.State]int, error) {
	runs, err := s.opts.Store.Runs(ctx, 1<<30)
	if err != nil {
		return nil, err
	}
	out := map[state.State]int{}
	for _, r := range runs {
		for st, n := range r.Counts.ByState {
			out[st] += n
		}
	}
	return out, nil
}

// accountInfo is an account as the dashboard shows it.
type accountInfo struct {
	Account string // the account's hash
	Name    string // its profile's name, or the hash's start
	// Here says this process has its credentials (works it).
	Here         bool
	WorkingHours string
	Stopped      string
	Since        time.Time
	Paused       bool
	Sequences    []string
	Usage        []usageRow
	UsageErr     string
}

// usageRow is one limit category of an account: what it used today and
// this week, against the limits in force.
type usageRow struct {
	Category      string
	Daily, Weekly usagePeriod
}

// usagePeriod is one period's use of a limit; Period "" when no limit of
// that period applies.
type usagePeriod struct {
	Period string
	Used   int
	Max    int
	Source string
}

// Percent is the share of the limit used, 0 to 100.
func (p usagePeriod) Percent() int {
	if p.Max <= 0 {
		return 100
	}
	return min(100, p.Used*100/p.Max)
}

// accounts lists every account the process or the store knows: those
// it has credentials for, those with a recorded state, and the senders
// of the registered sequences.
func (s *Server) accounts(ctx context.Context, now time.Time) ([]accountInfo, error) {
	sts, err := s.opts.Store.AccountStates(ctx)
	if err != nil {
		return nil, err
	}
	srcs, err := s.opts.Store.Sources(ctx, state.SourceSequence)
	if err != nil {
		return nil, err
	}
	byAcc := map[string]*accountInfo{}
	get := func(acc string) *accountInfo {
		if a, ok := byAcc[acc]; ok {
			return a
		}
		a := &accountInfo{Account: acc, Name: short(acc)}
		byAcc[acc] = a
		return a
	}
	for acc, w := range s.opts.Accounts {
		a := get(acc)
		a.Here = true
		if w.Label != "" {
			a.Name = w.Label
		}
		if w.WorkingHours != nil {
			a.WorkingHours = w.WorkingHours.String()
		}
	}
	for _, st := range sts {
		a := get(st.Account)
		if st.Label != "" && !a.Here {
			a.Name = st.Label
		}
		a.Stopped, a.Since = st.Stopped, st.Since
		a.Paused = isPaused(st.Stopped)
	}
	for _, src := range srcs {
		for _, acc := range src.Accounts {
			a := get(acc)
			a.Sequences = append(a.Sequences, src.Name)
		}
	}
	out := make([]accountInfo, 0, len(byAcc))
	for _, a := range byAcc {
		rows, err := s.usage(ctx, a.Account, now)
		if err != nil {
			var dmg *state.DamagedError
			if errors.As(err, &dmg) || ctx.Err() != nil {
				return nil, err
			}
			a.UsageErr = err.Error()
		}
		a.Usage = rows
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Account < out[j].Account
	})
	return out, nil
}

// usage reads what an account spent today and this week of each limit
// category, against its profile's limits (or the defaults for an
// account whose profile is elsewhere).
func (s *Server) usage(ctx context.Context, account string, now time.Time) ([]usageRow, error) {
	var c campaign.Check
	if w, ok := s.opts.Accounts[account]; ok && w.Check != nil {
		c = *w.Check
	} else {
		c = campaign.Check{AccountHash: account}
	}
	if c.Catalog == nil {
		cat, err := schemas.Default()
		if err != nil {
			return nil, err
		}
		c.Catalog = cat
	}
	c.Store, c.Now = s.opts.Store, now
	sp, err := c.Spending(ctx, nil)
	if err != nil {
		return nil, err
	}
	var rows []usageRow
	idx := map[string]int{}
	for _, r := range sp.Rules {
		i, ok := idx[r.Category]
		if !ok {
			i = len(rows)
			idx[r.Category] = i
			rows = append(rows, usageRow{Category: r.Category})
		}
		p := usagePeriod{Period: r.Period, Used: sp.Used(r.Category, campaign.PeriodStart(r.Period, now)), Max: r.Max, Source: r.Source}
		switch r.Period {
		case schemas.PeriodDaily:
			rows[i].Daily = p
		case schemas.PeriodWeekly:
			rows[i].Weekly = p
		}
	}
	return rows, nil
}

// isPaused reports whether an account's stop is a person's pause, which
// only a person's resume ends.
func isPaused(stopped string) bool {
	return len(stopped) >= len(sequence.StopPaused) && stopped[:len(sequence.StopPaused)] == sequence.StopPaused
}

// short shortens an account hash for people.
func short(acc string) string { return acc[:min(12, len(acc))] }

// accountNames maps account hashes to the names the dashboard gives
// them.
func (s *Server) accountNames(ctx context.Context) map[string]string {
	out := map[string]string{}
	if sts, err := s.opts.Store.AccountStates(ctx); err == nil {
		for _, st := range sts {
			if st.Label != "" {
				out[st.Account] = st.Label
			}
		}
	}
	for acc, w := range s.opts.Accounts {
		if w.Label != "" {
			out[acc] = w.Label
		}
	}
	return out
}
