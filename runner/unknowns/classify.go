package unknowns

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// DefaultTolerance is how far apart lwf's clock and Linked API's may be,
// activity times being whole seconds included.
const DefaultTolerance = 5 * time.Second

// defaultBudget bounds the work of one classification (states and
// actions compared), so that a run of many thousand workflows on a busy
// account cannot hold lwf for long; past it, every verdict is "still
// unknown".
const defaultBudget = 20_000_000

// Options tune Classify and Check.
type Options struct {
	// Now is when the activity was read; zero means time.Now().
	Now time.Time
	// Tolerance widens every time bound (zero means DefaultTolerance).
	Tolerance time.Duration
	// Location is the time zone of the times in the evidence; nil means
	// time.Local.
	Location *time.Location
	// Catalog tells iterators and list actions; nil means
	// schemas.Default().
	Catalog *schemas.Catalog
	// Skew is how far Linked API's clock is ahead of lwf's (see
	// ClockWatch): the activity's times are moved back by it.
	Skew time.Duration
	// SkewFrom, when set, gives Check the skew after it read the activity
	// (ClockWatch.Skew); ok false keeps Skew.
	SkewFrom func() (skew time.Duration, ok bool)
	// Earlier are workflows of the account's other runs, every one sent
	// before the judged run's first (a run whose sending overlaps the
	// judged run's has no place in the order and must be left out). Their
	// actions may show in the activity before the run's own, which they
	// then account for; they are not judged.
	Earlier []*state.Workflow
	// RetryDelay is Check's first wait before it reads again after a
	// transient failure; zero means a second.
	RetryDelay time.Duration
	budget     int
}

func (o Options) withDefaults() (Options, error) {
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Tolerance <= 0 {
		o.Tolerance = DefaultTolerance
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.budget <= 0 {
		o.budget = defaultBudget
	}
	if o.Catalog == nil {
		cat, err := schemas.Default()
		if err != nil {
			return o, err
		}
		o.Catalog = cat
	}
	return o, nil
}

// Verdict is the judgement of one unknown submission.
type Verdict struct {
	Index    int // the workflow's index in its run
	Verdict  state.Verdict
	Evidence string
}

// Classify judges each unknown submission of a run from stats, the
// account's activity over the run (see Window). ws are the run's
// workflows with their completions. It returns one verdict per unknown
// submission, in index order.
func Classify(ws []*state.Workflow, stats []linkedapi.ActionStat, opts Options) []Verdict {
	var unknown []*state.Workflow
	for _, w := range ws {
		if w.State == state.Unknown {
			unknown = append(unknown, w)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	opts, err := opts.withDefaults()
	if err != nil {
		return allUnknown(unknown, "reading the action catalog: "+err.Error())
	}
	its, unplaced := items(ws, opts.Earlier, opts.Catalog)
	recs, err := records(stats, opts.Skew, opts.Catalog)
	if err != nil {
		return allUnknown(unknown, err.Error())
	}
	e := newExplainer(its, recs, opts.Tolerance, opts.budget)
	if !e.run() {
		return allUnknown(unknown, "the account ran too many actions during the run to compare them all")
	}
	if e.best == inf {
		return allUnknown(unknown, "the account's activity does not match what lwf knows of the run's workflows (their completions and times), so it tells nothing")
	}
	j := judge{e: e, opts: opts, path: e.path(), run: unknown[0].RunID}
	j.choices, j.lastFree, j.stray = e.analyse()
	j.strays, j.free = map[string][]int{}, map[string][]int{}
	for r, rec := range recs {
		if j.stray[r] {
			j.strays[rec.kind] = append(j.strays[rec.kind], r)
		}
		if j.lastFree[r] >= 0 {
			j.free[rec.kind] = append(j.free[rec.kind], r)
		}
	}
	byIndex := map[int]Verdict{}
	for _, w := range unplaced {
		byIndex[w.Index] = Verdict{w.Index, state.VerdictUnknown, "lwf did not record when it was sent (an earlier lwf sent it), so its place in the account's activity is unknown"}
	}
	for k, it := range its {
		if it.role == unsure {
			v, ev := j.verdict(k)
			byIndex[it.w.Index] = Verdict{it.w.Index, v, ev}
		}
	}
	out := make([]Verdict, 0, len(unknown))
	for _, w := range unknown {
		out = append(out, byIndex[w.Index])
	}
	return out
}

func allUnknown(ws []*state.Workflow, why string) []Verdict {
	out := make([]Verdict, len(ws))
	for i, w := range ws {
		out[i] = Verdict{w.Index, state.VerdictUnknown, why}
	}
	return out
}

// judge turns the explanations into verdicts and evidence.
type judge struct {
	e        *explainer
	opts     Options
	run      string // the judged run's id
	path     []span
	choices  []choices
	lastFree []int
	stray    []bool
	// strays and free index the stray records, and those some
	// explanation leaves free, by kind.
	strays, free map[string][]int
}

// verdict judges the unknown submission its[k].
func (j *judge) verdict(k int) (state.Verdict, string) {
	e, it, c := j.e, j.e.its[k], j.choices[k]
	var strays []int // unexplained records of its kinds in preferred explanations
	// Records of its kinds since it was sent that some explanation leaves
	// to no completed workflow sent before it: they could be its own,
	// even if Linked API had taken its POST in only after a later one.
	var loose []int
	for kind := range it.kinds {
		strays = append(strays, j.strays[kind]...)
		for _, r := range j.free[kind] {
			if j.lastFree[r] >= k && !e.recs[r].at.Before(it.sent.Add(-e.tol)) {
				loose = append(loose, r)
			}
		}
	}
	sort.Ints(strays)
	sort.Ints(loose)
	matched := c.filledBest && !c.emptyBest && len(strays) == 0
	if it.answered {
		ev := "Linked API answered its POST with success; only the answer was unreadable"
		if matched {
			ev += "; " + j.ran(k, j.path[k])
		}
		return state.VerdictAccepted, ev
	}
	if matched {
		return state.VerdictAccepted, j.ran(k, j.path[k])
	}
	after := j.nextExact(k)
	if after >= 0 && len(loose) == 0 {
		sp := j.path[after]
		return state.VerdictNotAccepted, fmt.Sprintf("#%d, sent after it, finished at %s, and nothing of its kinds (%s) ran from its sending at %s on that the run's completed workflows do not account for",
			e.its[after].w.Index+1, j.clock(e.recs[sp.to-1].at), kindsOf(it.kinds), j.clock(it.sent))
	}
	switch {
	case c.filledBest && !c.emptyBest:
		return state.VerdictUnknown, fmt.Sprintf("%s, but the account also ran %s of these kinds that no workflow of the run accounts for (%s), so %s may not be its own",
			j.could(k), actions(len(strays)), j.when(strays[0], strays[len(strays)-1]), pronoun(c.to-c.from, "it", "they"))
	case c.filledBest:
		return state.VerdictUnknown, fmt.Sprintf("%s, but the activity fits as well without it: %s", j.could(k), j.rivals(k, c.to-c.from))
	case after < 0:
		why := "no workflow sent after it has finished, so it may still be waiting in the account's queue"
		if len(loose) > 0 {
			why += fmt.Sprintf("; %s of its kinds ran since it was sent (%s)", actions(len(loose)), j.when(loose[0], loose[len(loose)-1]))
		}
		return state.VerdictUnknown, why
	}
	return state.VerdictUnknown, fmt.Sprintf("%s of its kinds ran since it was sent that the run's completed workflows may not account for (%s), so it may have run",
		actions(len(loose)), j.when(loose[0], loose[len(loose)-1]))
}

// ran describes the actions an explanation gives item k and where.
func (j *judge) ran(k int, sp span) string { return j.describe(k, sp, "matching its payload") }

// could describes the actions some preferred explanations give item k.
func (j *judge) could(k int) string {
	c := j.choices[k]
	return j.describe(k, span{c.from, c.to}, "that could be its own")
}

func (j *judge) describe(k int, sp span, what string) string {
	e := j.e
	kinds, seen := []string{}, map[string]bool{}
	for _, r := range e.recs[sp.from:sp.to] {
		if !seen[r.kind] {
			seen[r.kind] = true
			kinds = append(kinds, display(r.kind))
		}
	}
	s := fmt.Sprintf("%s %s (%s) ran %s", actions(sp.to-sp.from), what, strings.Join(kinds, ", "), j.when(sp.from, sp.to-1))
	before, after := j.prevExact(k), j.nextExact(k)
	switch {
	case before >= 0 && after >= 0:
		s += fmt.Sprintf(", between those of #%d and #%d, sent before and after it", e.its[before].w.Index+1, e.its[after].w.Index+1)
	case before >= 0:
		s += fmt.Sprintf(", after those of #%d, sent before it", e.its[before].w.Index+1)
	case after >= 0:
		s += fmt.Sprintf(", before those of #%d, sent after it", e.its[after].w.Index+1)
	}
	return s
}

// rivals names the other workflows preferred explanations may give item
// k's n actions to.
func (j *judge) rivals(k, n int) string {
	c := j.choices[k]
	var names []string
	for i, o := range j.choices {
		if i == k || !o.filledBest || o.to <= c.from || o.from >= c.to {
			continue
		}
		w := j.e.its[i].w
		if w.RunID != j.run {
			names = append(names, fmt.Sprintf("#%d of run %s (%s)", w.Index+1, w.RunID, w.State))
			continue
		}
		names = append(names, fmt.Sprintf("#%d (%s)", w.Index+1, w.State))
	}
	if len(names) == 0 {
		return "the workflows sent around it may account for " + pronoun(n, "it", "them")
	}
	return pronoun(n, "it", "they") + " may belong to " + strings.Join(names, ", ")
}

// prevExact and nextExact find the nearest completed item sent before
// and after item k (-1 when none).
func (j *judge) prevExact(k int) int {
	for i := k - 1; i >= 0; i-- {
		if j.e.its[i].role == exact && j.e.its[i].n > 0 {
			return i
		}
	}
	return -1
}

func (j *judge) nextExact(k int) int {
	for i := k + 1; i < len(j.e.its); i++ {
		if j.e.its[i].role == exact && j.e.its[i].n > 0 {
			return i
		}
	}
	return -1
}

// when is "at 10:02:11" or "between 10:02:11 and 10:02:14" for records a
// to b.
func (j *judge) when(a, b int) string {
	ta, tb := j.clock(j.e.recs[a].at), j.clock(j.e.recs[b].at)
	if ta == tb {
		return "at " + ta
	}
	return "between " + ta + " and " + tb
}

// clock shows a time of day, with its date unless it is today's.
func (j *judge) clock(t time.Time) string {
	t, now := t.In(j.opts.Location), j.opts.Now.In(j.opts.Location)
	if t.Year() == now.Year() && t.YearDay() == now.YearDay() {
		return t.Format("15:04:05")
	}
	return t.Format("2006-01-02 15:04:05")
}

func pronoun(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func actions(n int) string {
	if n == 1 {
		return "1 action"
	}
	return fmt.Sprintf("%d actions", n)
}

// kindsOf lists action types as workflow files name them, sorted.
func kindsOf(kinds map[string]bool) string {
	var out []string
	for k := range kinds {
		out = append(out, display(k))
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

// display drops the st. namespace, as workflow files do.
func display(actionType string) string { return strings.TrimPrefix(actionType, "st.") }
