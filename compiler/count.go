package compiler

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/lwf-dev/lwf/schemas"
)

// Count is how many actions of one type a plan makes.
type Count struct {
	ActionType string `json:"actionType"`
	// Exact counts the actions written out or made by forEach: they run
	// exactly as many times as this.
	Exact int `json:"exact"`
	// WorstCase counts, in addition, the most that server-side iteration
	// (a doFor* over a search or list) can make: limit × items.
	WorstCase int `json:"worstCase"`
	// Via says how the worst case arises, e.g.
	// "searchPeople(limit 50) × doForPeople".
	Via []string `json:"via,omitempty"`
}

// Total is the most actions of this type the plan can make.
func (c Count) Total() int { return c.Exact + c.WorstCase }

// Counts tallies the plan's actions by type, sorted by type. The actions
// under named loops count at worst, like server-side iteration: one run of
// their steps per item the list may return.
func (p *Plan) Counts(cat *schemas.Catalog) []Count {
	counts := map[string]*Count{}
	p.walkActions(cat, func(a actionVisit) {
		c := counts[a.actionType]
		if c == nil {
			c = &Count{ActionType: a.actionType}
			counts[a.actionType] = c
		}
		c.add(a)
	})
	return sortedCounts(counts)
}

func (c *Count) add(a actionVisit) {
	if a.server {
		c.WorstCase += a.mult
		if !contains(c.Via, a.via) {
			c.Via = append(c.Via, a.via)
		}
		return
	}
	c.Exact += a.mult
}

func sortedCounts(counts map[string]*Count) []Count {
	out := make([]Count, 0, len(counts))
	for _, c := range counts {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ActionType < out[j].ActionType })
	return out
}

// StageCount is what one stage of a plan with named loops may send: the
// file's own payloads (stage 1), or the steps under a named loop, once
// per item its list returns.
type StageCount struct {
	Stage int    `json:"stage"`
	As    string `json:"as,omitempty"`   // the loop's item name; "" for stage 1
	List  string `json:"list,omitempty"` // the list its items come from
	// Items is the most items the loop can go over (the lists' limits
	// multiplied); 0 for stage 1.
	Items  int     `json:"items"`
	Counts []Count `json:"counts"`
}

// StageCounts tallies the plan's actions per stage; nil for a plan
// without named loops.
func (p *Plan) StageCounts(cat *schemas.Catalog) []StageCount {
	if len(p.Loops) == 0 {
		return nil
	}
	byStage := map[int]map[string]*Count{}
	items := map[int]int{}
	p.walkActions(cat, func(a actionVisit) {
		if byStage[a.stage] == nil {
			byStage[a.stage] = map[string]*Count{}
		}
		c := byStage[a.stage][a.actionType]
		if c == nil {
			c = &Count{ActionType: a.actionType}
			byStage[a.stage][a.actionType] = c
		}
		c.add(a)
		if a.loop >= 0 {
			items[a.loop] = max(items[a.loop], a.loopItems)
		}
	})
	out := []StageCount{{Stage: 1, Counts: sortedCounts(byStage[1])}}
	for _, l := range p.Loops {
		if l.Stage >= len(out)+1 {
			out = append(out, StageCount{Stage: l.Stage})
		}
		sc := &out[l.Stage-1]
		if sc.As == "" {
			sc.As, sc.List = l.As, l.List
		} else {
			sc.As, sc.List = sc.As+", "+l.As, sc.List+", "+l.List
		}
		sc.Items += items[l.ID]
		sc.Counts = sortedCounts(byStage[l.Stage])
	}
	return out
}

// actionVisit is one action of a plan's trees, as the counts see it.
type actionVisit struct {
	actionType string
	mult       int    // how many times it runs (at worst when server)
	server     bool   // under server-side iteration or a named loop
	via        string // how the worst case arises
	stage      int    // 1, or the stage of the named loop it is under
	loop       int    // the innermost named loop it is under, -1
	loopItems  int    // the most items that loop goes over
}

// walkActions visits every action of the plan: of the trees with the
// named loops in when it has them, else of its payloads.
func (p *Plan) walkActions(cat *schemas.Catalog, fn func(actionVisit)) {
	type at struct {
		mult, stage, loop, loopItems int
		server                       bool
		via                          string
	}
	var walk func(v any, s at)
	walk = func(v any, s at) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, s)
			}
		case map[string]any:
			t, _ := x["actionType"].(string)
			if id, ok := x[loopMarker].(int); ok && id >= 0 && id < len(p.Loops) {
				s.stage, s.loop, s.loopItems = p.Loops[id].Stage, id, s.mult
			}
			fn(actionVisit{actionType: t, mult: s.mult, server: s.server, via: s.via, stage: s.stage, loop: s.loop, loopItems: s.loopItems})
			a := cat.Lookup(t)
			children := x["then"]
			if ch, ok := children.(map[string]any); ok {
				children = []any{ch}
			}
			list, _ := children.([]any)
			for _, ch := range list {
				cm, _ := ch.(map[string]any)
				ct, _ := cm["actionType"].(string)
				ca := cat.Lookup(ct)
				if a != nil && ca != nil && a.Result.Kind == schemas.ResultList && ca.Iterates != "" {
					n := a.MaxListSize(x)
					step := fmt.Sprintf("%s(limit %d) × %s", a.DisplayName(), n, ca.DisplayName())
					if s.via != "" {
						step = s.via + " › " + step
					}
					walk(ch, at{mult: s.mult * n, stage: s.stage, loop: s.loop, loopItems: s.loopItems, server: true, via: step})
					continue
				}
				walk(ch, s)
			}
		}
	}
	start := at{mult: 1, stage: 1, loop: -1}
	if p.full != nil {
		for _, doc := range p.full {
			walk(doc, start)
		}
		return
	}
	for _, raw := range p.Payloads {
		var doc any
		if json.Unmarshal(raw, &doc) == nil {
			walk(doc, start)
		}
	}
}
