package campaign

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/schemas"
)

// SplitSender is a sender a campaign is split over: its account and what
// its limits leave it, by category (Check.Remaining).
type SplitSender struct {
	Account string
	Left    map[string]int
}

// Split is a campaign split over senders: each person is reached by one
// of them.
type Split struct {
	// Payloads are each sender's workflows (root arrays of at most the
	// chunk size), by account; People how many people each reaches.
	Payloads map[string][]json.RawMessage
	People   map[string]int
	// Skipped are the steps left out: the team's ledger, a suppression
	// list, a workflow in flight.
	Skipped []compiler.Skipped
	// Later counts the people no sender has room for under its limits
	// now: a later run reaches them (the ledger keeps the others out).
	Later int
}

// SplitBySender splits the root steps of a plan's payloads over senders,
// by the person each reaches: every step of one person goes to one
// sender, the one with the most room left for what the steps spend; skip
// leaves steps out as the ledger would. A root step that reaches nobody
// by name (a search, a feed) cannot be split: the error says which.
func SplitBySender(cat *schemas.Catalog, payloads []json.RawMessage, senders []SplitSender, skip func(actionType, person string) (compiler.Skip, bool), chunk int) (*Split, error) {
	if chunk <= 0 {
		chunk = compiler.DefaultChunkSize
	}
	if len(senders) == 0 {
		return nil, fmt.Errorf("no sender to split over")
	}
	sp := &Split{Payloads: map[string][]json.RawMessage{}, People: map[string]int{}}
	left := map[string]map[string]int{}
	for _, s := range senders {
		left[s.Account] = map[string]int{}
		for c, n := range s.Left {
			left[s.Account][c] = n
		}
	}
	owner := map[string]string{} // person → account
	later := map[string]bool{}
	elems := map[string][]json.RawMessage{}
	n := 0
	for _, p := range payloads {
		var arr []json.RawMessage
		if err := json.Unmarshal(p, &arr); err != nil {
			arr = []json.RawMessage{p} // one step at the root
		}
		for _, el := range arr {
			n++
			ts, err := TargetsIn(cat, el)
			if err != nil {
				return nil, fmt.Errorf("root step %d: %w", n, err)
			}
			person := ""
			for _, t := range ts {
				if person != "" && t.Person != person {
					return nil, fmt.Errorf("root step %d reaches two people (%s, %s): a campaign split over senders sends steps that each reach one person", n, person, t.Person)
				}
				person = t.Person
			}
			if person == "" {
				return nil, fmt.Errorf("root step %d reaches nobody by name (a search or a list): a campaign is split over senders by the people its steps reach", n)
			}
			if later[person] {
				continue
			}
			skipped := false
			for _, t := range ts {
				if skip == nil {
					break
				}
				if s, ok := skip(t.ActionType, t.Person); ok {
					sp.Skipped = append(sp.Skipped, compiler.Skipped{ActionType: t.ActionType, PersonURL: t.Person, Reason: s.Detail, Kind: s.Kind})
					skipped = true
				}
			}
			if skipped {
				continue
			}
			need := PayloadCategories(cat, el)
			acc, ok := owner[person]
			if !ok {
				acc = pickSender(senders, left, need, sp.People)
				if acc == "" {
					later[person] = true
					sp.Later++
					continue
				}
				owner[person] = acc
				sp.People[acc]++
			}
			for c, k := range need {
				if _, limited := left[acc][c]; limited {
					left[acc][c] -= k
				}
			}
			elems[acc] = append(elems[acc], el)
		}
	}
	for acc, els := range elems {
		for i := 0; i < len(els); i += chunk {
			b, err := json.Marshal(els[i:min(i+chunk, len(els))])
			if err != nil {
				return nil, err
			}
			sp.Payloads[acc] = append(sp.Payloads[acc], b)
		}
	}
	return sp, nil
}

// pickSender is the sender with room for need and the most of it left
// (by the tightest category), "" when none has room; between senders
// with as much room (no limits at all: --ignore-limits), the one given the
// fewest people so far, so that the work is spread.
func pickSender(senders []SplitSender, left map[string]map[string]int, need, people map[string]int) string {
	cats := make([]string, 0, len(need))
	for c := range need {
		cats = append(cats, c)
	}
	sort.Strings(cats)
	best, bestRoom := "", -1
	for _, s := range senders {
		room := 1 << 30
		fits := true
		for _, c := range cats {
			l, limited := left[s.Account][c]
			if !limited {
				continue
			}
			if l < need[c] {
				fits = false
				break
			}
			room = min(room, l-need[c])
		}
		if !fits {
			continue
		}
		if room > bestRoom || (room == bestRoom && people[s.Account] < people[best]) {
			best, bestRoom = s.Account, room
		}
	}
	return best
}
