package campaign

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/schemas"
)

func TestSplitBySender(t *testing.T) {
	cat, _ := schemas.Default()
	var els []string
	for i := 0; i < 10; i++ {
		els = append(els, fmt.Sprintf(`{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/p%d"}`, i))
	}
	// p3 again, later: the same sender must take it.
	els = append(els, `{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/p3","then":{"actionType":"st.sendMessage","text":"hi"}}`)
	payloads := []json.RawMessage{json.RawMessage("[" + strings.Join(els[:6], ",") + "]"), json.RawMessage("[" + strings.Join(els[6:], ",") + "]")}
	senders := []SplitSender{
		{Account: "a", Left: map[string]int{"stConnectionRequests": 6, "stMessages": 10}},
		{Account: "b", Left: map[string]int{"stConnectionRequests": 2, "stMessages": 10}},
	}
	skip := func(at, person string) (compiler.Skip, bool) {
		if person == "https://www.linkedin.com/in/p9" && at == "st.sendConnectionRequest" {
			return compiler.Skip{Kind: compiler.SkipContacted, Detail: "contacted by run r-1"}, true
		}
		return compiler.Skip{}, false
	}
	sp, err := SplitBySender(cat, payloads, senders, skip, 3)
	if err != nil {
		t.Fatal(err)
	}
	// 9 people to invite (p9 skipped), room for 8: one waits.
	if sp.People["a"] != 6 || sp.People["b"] != 2 || sp.Later != 1 || len(sp.Skipped) != 1 {
		t.Fatalf("people %v, later %d, skipped %v", sp.People, sp.Later, sp.Skipped)
	}
	where := map[string]string{}
	count := map[string]int{}
	for acc, ps := range sp.Payloads {
		for _, p := range ps {
			var arr []map[string]any
			if err := json.Unmarshal(p, &arr); err != nil || len(arr) > 3 {
				t.Fatalf("%s: %s", acc, p)
			}
			for _, el := range arr {
				u := el["personUrl"].(string)
				if prev, ok := where[u]; ok && prev != acc {
					t.Errorf("%s is in the payloads of %s and %s", u, prev, acc)
				}
				where[u] = acc
				count[u]++
			}
		}
	}
	if count["https://www.linkedin.com/in/p3"] != 2 {
		t.Errorf("p3's two steps: %d", count["https://www.linkedin.com/in/p3"])
	}
	if _, err := SplitBySender(cat, []json.RawMessage{json.RawMessage(`{"actionType":"st.searchPeople","term":"x"}`)}, senders, nil, 0); err == nil ||
		!strings.Contains(err.Error(), "reaches nobody by name") {
		t.Errorf("a search: %v", err)
	}
}

// TestSplitWithoutLimitsSpreads: senders without limits (--ignore-limits)
// have the same room; the people are spread over them, not all given to
// the first.
func TestSplitWithoutLimitsSpreads(t *testing.T) {
	cat, _ := schemas.Default()
	var els []string
	for i := range 10 {
		els = append(els, fmt.Sprintf(`{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/q%d"}`, i))
	}
	payloads := []json.RawMessage{json.RawMessage("[" + strings.Join(els, ",") + "]")}
	senders := []SplitSender{{Account: "a"}, {Account: "b"}, {Account: "c"}}
	sp, err := SplitBySender(cat, payloads, senders, nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	if sp.People["a"] != 4 || sp.People["b"] != 3 || sp.People["c"] != 3 {
		t.Fatalf("people by sender %v, want 4, 3, 3", sp.People)
	}
}
