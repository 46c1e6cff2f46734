package unknowns

import (
	"math"
	"sort"
	"time"
)

// inf marks a state no explanation reaches.
const inf = math.MaxInt32

// explainer finds every explanation of the activity: it places the
// items' blocks, in order, on the records, leaving the rest to other
// activity. A state (i, j) says the first i items are placed and the
// first j records are used up; f is the fewest costly records left
// unexplained on the way from (0, 0), g on the way on to (n, T). A
// record is costly when it is of a kind an unknown submission could run.
//
// Level i only holds the states its band allows: j up to the last record
// that can precede the next completed item's block (its time bound), and
// from the first one the explanations reach.
type explainer struct {
	its    []*item
	recs   []record
	tol    time.Duration
	costly []bool
	sums   []uint64 // sums[j]: the hashes of records[:j]
	lo, hi []int
	f, g   [][]int32
	best   int32 // the fewest costly records any explanation leaves
	work   int
	budget int
}

func newExplainer(its []*item, recs []record, tol time.Duration, budget int) *explainer {
	e := &explainer{its: its, recs: recs, tol: tol, budget: budget, best: inf}
	kinds := map[string]bool{}
	for _, it := range its {
		if it.role == unsure {
			for k := range it.kinds {
				kinds[k] = true
			}
		}
	}
	e.costly = make([]bool, len(recs))
	e.sums = make([]uint64, len(recs)+1)
	for j, r := range recs {
		e.costly[j] = kinds[r.kind]
		e.sums[j+1] = e.sums[j] + r.hash
	}
	n := len(its)
	e.lo, e.hi = make([]int, n+1), make([]int, n+1)
	bound := time.Time{} // none: every record may come before
	for i := n; i >= 0; i-- {
		e.hi[i] = len(recs)
		if !bound.IsZero() {
			e.hi[i] = sort.Search(len(recs), func(j int) bool { return recs[j].at.After(bound) })
		}
		if i > 0 {
			if it := its[i-1]; it.role == exact && it.n > 0 {
				if b := it.done.Add(tol); bound.IsZero() || b.Before(bound) {
					bound = b
				}
			}
		}
	}
	return e
}

// cost is what leaving record j unexplained costs.
func (e *explainer) cost(j int) int32 {
	if e.costly[j] {
		return 1
	}
	return 0
}

// inBand reports whether level i holds state j.
func (e *explainer) inBand(i, j int) bool { return j >= e.lo[i] && j <= e.hi[i] }

// edges calls fn for each way item i can be placed from state (i, j):
// the state it leads to, and whether its block has any action.
func (e *explainer) edges(i, j int, fn func(to int, filled bool)) {
	it, recs := e.its[i], e.recs
	e.work++
	if it.role == exact {
		n := it.n
		if n == 0 {
			fn(j, false)
			return
		}
		if j+n > len(recs) || e.sums[j+n]-e.sums[j] != it.sum {
			return
		}
		first, last := recs[j], recs[j+n-1]
		if first.at.Before(it.sent.Add(-e.tol)) || last.at.After(it.done.Add(e.tol)) ||
			(!it.unfinished.IsZero() && last.at.Before(it.unfinished.Add(-e.tol))) {
			return
		}
		e.work += n
		seen := map[string]int{}
		for _, r := range recs[j : j+n] {
			seen[r.key]++
		}
		for k, c := range it.counts {
			if seen[k] != c {
				return
			}
		}
		fn(j+n, true)
		return
	}
	fn(j, false)
	if j >= len(recs) || recs[j].at.Before(it.sent.Add(-e.tol)) {
		return
	}
	for n := 1; n <= it.max && j+n <= len(recs); n++ {
		r := recs[j+n-1]
		if !it.kinds[r.kind] || (!it.done.IsZero() && r.at.After(it.done.Add(e.tol))) {
			return
		}
		e.work++
		fn(j+n, true)
	}
}

// run computes f and g; it reports false when the work would exceed the
// budget. best stays inf when nothing explains the activity.
func (e *explainer) run() bool {
	n, T := len(e.its), len(e.recs)
	e.f, e.g = make([][]int32, n+1), make([][]int32, n+1)
	e.f[0] = row(e.hi[0] + 1)
	e.f[0][0] = 0
	for i := 0; ; i++ {
		f, lo, hi := e.f[i], e.lo[i], e.hi[i]
		for j := lo; j < hi; j++ {
			if f[j-lo] < inf {
				f[j+1-lo] = min(f[j+1-lo], f[j-lo]+e.cost(j))
			}
		}
		if i == n {
			break
		}
		nlo, nhi := lo, e.hi[i+1]
		if nhi < nlo {
			return true
		}
		next := row(nhi - nlo + 1)
		for j := lo; j <= hi; j++ {
			if f[j-lo] == inf {
				continue
			}
			e.edges(i, j, func(to int, _ bool) {
				if to <= nhi {
					next[to-nlo] = min(next[to-nlo], f[j-lo])
				}
			})
			if e.work > e.budget {
				return false
			}
		}
		first := 0
		for first < len(next) && next[first] == inf {
			first++
		}
		if first == len(next) {
			return true
		}
		e.lo[i+1], e.f[i+1] = nlo+first, next[first:]
	}
	if !e.inBand(n, T) || e.f[n][T-e.lo[n]] == inf {
		return true
	}
	e.best = e.f[n][T-e.lo[n]]
	for i := n; i >= 0; i-- {
		lo, hi := e.lo[i], e.hi[i]
		g := row(hi - lo + 1)
		for j := hi; j >= lo; j-- {
			v := int32(inf)
			switch {
			case i == n && j == T:
				v = 0
			case j < hi && g[j+1-lo] < inf:
				v = g[j+1-lo] + e.cost(j)
			}
			if i < n {
				e.edges(i, j, func(to int, _ bool) {
					if e.inBand(i+1, to) {
						v = min(v, e.g[i+1][to-e.lo[i+1]])
					}
				})
			}
			g[j-lo] = v
		}
		e.g[i] = g
		if e.work > e.budget {
			return false
		}
	}
	return true
}

func row(n int) []int32 {
	r := make([]int32, n)
	for i := range r {
		r[i] = inf
	}
	return r
}

// fv and gv read f and g, inf outside the band.
func (e *explainer) fv(i, j int) int32 {
	if !e.inBand(i, j) {
		return inf
	}
	return e.f[i][j-e.lo[i]]
}

func (e *explainer) gv(i, j int) int32 {
	if !e.inBand(i, j) {
		return inf
	}
	return e.g[i][j-e.lo[i]]
}

// span is a block of records [from, to).
type span struct{ from, to int }

// path returns one preferred explanation: each item's block.
func (e *explainer) path() []span {
	n, T := len(e.its), len(e.recs)
	out := make([]span, n)
	i, j, acc := 0, 0, int32(0)
	for i < n || j < T {
		placed := false
		if i < n {
			e.edges(i, j, func(to int, _ bool) {
				if !placed && acc+e.gv(i+1, to) == e.best {
					out[i], placed = span{j, to}, true
				}
			})
		}
		if placed {
			j = out[i].to
			i++
			continue
		}
		if j >= T || acc+e.cost(j)+e.gv(i, j+1) != e.best {
			break // cannot happen on an explanation found by run
		}
		acc += e.cost(j)
		j++
	}
	return out
}

// choices is what the explanations do with one item that is not exact.
type choices struct {
	emptyBest  bool // some preferred explanation gives it no action
	filledBest bool // some preferred explanation gives it actions
	filledAny  bool // some explanation gives it actions
	// from, to bound the records preferred explanations give it.
	from, to int
}

// analyse reports, for every item that is not exact, what the
// explanations do with it; and, per record, the last item whose place
// some explanation leaves it to — in that item's block, which is not
// exact, or unexplained before it (-1 when every explanation puts it in
// an exact block of an earlier item) — and whether some preferred
// explanation leaves it unexplained (stray).
func (e *explainer) analyse() (cs []choices, lastFree []int, stray []bool) {
	n, T := len(e.its), len(e.recs)
	cs = make([]choices, n)
	lastFree, stray = make([]int, T), make([]bool, T)
	for j := range lastFree {
		lastFree[j] = -1
	}
	// Levels go up, so each assignment is the largest so far.
	for i := 0; i <= n; i++ {
		covered := 0 // records up to here are assigned for this level's blocks
		for j := e.lo[i]; j <= e.hi[i]; j++ {
			fij := e.fv(i, j)
			if fij == inf {
				continue
			}
			if j < e.hi[i] {
				if g := e.gv(i, j+1); g < inf {
					lastFree[j] = i
					if fij+e.cost(j)+g == e.best {
						stray[j] = true
					}
				}
			}
			if i == n || e.its[i].role == exact {
				continue
			}
			c, reach := &cs[i], j
			e.edges(i, j, func(to int, filled bool) {
				g := e.gv(i+1, to)
				if g == inf {
					return
				}
				best := fij+g == e.best
				if !filled {
					c.emptyBest = c.emptyBest || best
					return
				}
				c.filledAny = true
				reach = max(reach, to)
				if best {
					if !c.filledBest || j < c.from {
						c.from = j
					}
					c.to = max(c.to, to)
					c.filledBest = true
				}
			})
			for r := max(j, covered); r < reach; r++ {
				lastFree[r] = i
			}
			covered = max(covered, reach)
		}
	}
	return cs, lastFree, stray
}
