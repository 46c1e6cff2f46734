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

// Counts tallies the plan's actions by type, sorted by type.
func (p *Plan) Counts(cat *schemas.Catalog) []Count {
	counts := map[string]*Count{}
	get := func(t string) *Count {
		if counts[t] == nil {
			counts[t] = &Count{ActionType: t}
		}
		return counts[t]
	}
	var walk func(v any, mult int, server bool, via string)
	walk = func(v any, mult int, server bool, via string) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, mult, server, via)
			}
		case map[string]any:
			t, _ := x["actionType"].(string)
			c := get(t)
			if server {
				c.WorstCase += mult
				if !contains(c.Via, via) {
					c.Via = append(c.Via, via)
				}
			} else {
				c.Exact += mult
			}
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
					if via != "" {
						step = via + " › " + step
					}
					walk(ch, mult*n, true, step)
					continue
				}
				walk(ch, mult, server, via)
			}
		}
	}
	for _, raw := range p.Payloads {
		var doc any
		if json.Unmarshal(raw, &doc) == nil {
			walk(doc, 1, false, "")
		}
	}
	out := make([]Count, 0, len(counts))
	for _, c := range counts {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ActionType < out[j].ActionType })
	return out
}
