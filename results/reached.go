package results

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/schemas"
)

// Reach is one result of an action that addresses a person — a
// connection request, a message — with who the person is, as far as
// the run found out: what lwf run shows when a run ends.
type Reach struct {
	Workflow   int    `json:"workflow"`
	Path       string `json:"path"`
	ActionType string `json:"actionType"`
	Name       string `json:"name,omitempty"`    // the person's name, when the run found it
	Label      string `json:"label,omitempty"`   // the step's label (a CSV campaign's lead, say)
	Profile    string `json:"profile,omitempty"` // the person's URL
	Company    string `json:"company,omitempty"`
	Text       string `json:"text,omitempty"`  // the note or message sent
	Error      string `json:"error,omitempty"` // the action error's type; "" when it succeeded
}

// Reached lists the results of the actions that reach a person
// (schemas.Action.ReachesPerson) in the completed workflows, in tree
// order.
func (r *Results) Reached(cat *schemas.Catalog) []Reach {
	var out []Reach
	items := r.itemTrails()
	for _, w := range r.Workflows {
		if w.State != state.Completed {
			continue
		}
		_ = Walk(w.Payload, w.Completion, func(v Visit) {
			at, _ := v.Result["actionType"].(string)
			a := cat.Lookup(at)
			if a == nil || !a.ReachesPerson() {
				return
			}
			rc := Reach{Workflow: w.Index, Path: v.Path, ActionType: at}
			rc.Profile = v.Person.Public
			if rc.Profile == "" {
				rc.Profile = v.Person.Hashed
			}
			// In a staged run the person and company are the items the
			// steps were rendered for (a page opened without basicInfo
			// says nothing of them).
			above := items[slotOf(w.Index, v.Path)]
			rc.Name, rc.Company = who(append(above[:len(above):len(above)], v.Trail...))
			rc.Label = firstString(v.Result["label"], v.Step["label"])
			rc.Text = firstString(v.Step["note"], v.Step["text"])
			if v.Result["success"] != true {
				rc.Error = "unknownError"
				if e, _ := v.Result["error"].(map[string]any); e != nil {
					if t, _ := e["type"].(string); t != "" {
						rc.Error = t
					}
				}
			}
			out = append(out, rc)
		})
	}
	return out
}

// slot names an element of a workflow's root array.
type slot struct{ workflow, index int }

// slotOf is the root-array element a result path ("/3/then/…") is in;
// index -1 when the workflow is not a root array.
func slotOf(workflow int, path string) slot {
	head, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	i, err := strconv.Atoi(head)
	if err != nil || !strings.HasPrefix(path, "/") {
		i = -1
	}
	return slot{workflow, i}
}

// itemTrails maps each root-array element a staged run rendered for an
// item to the entities above that element, outermost first: those above
// the item's list where it was found (a search's company), the item, and
// so on for the items above it; nil for a run without stages.
func (r *Results) itemTrails() map[slot][]map[string]any {
	if len(r.Items) == 0 {
		return nil
	}
	byID := map[int]state.Item{}
	sources := map[int]bool{}
	for _, it := range r.Items {
		byID[it.ID] = it
		sources[it.Source] = true
	}
	// The entities above each list result of the workflows items were
	// found in, by the list result's path.
	above := map[slot][]map[string]any{}
	lists := map[string][]map[string]any{}
	for _, w := range r.Workflows {
		if !sources[w.Index] || w.State != state.Completed {
			continue
		}
		_ = Walk(w.Payload, w.Completion, func(v Visit) {
			if _, ok := v.Result["data"].([]any); ok {
				lists[strconv.Itoa(w.Index)+v.Path] = v.Trail
			}
		})
	}
	var trailOf func(it state.Item, depth int) []map[string]any
	trailOf = func(it state.Item, depth int) []map[string]any {
		var trail []map[string]any
		if p, ok := byID[it.Parent]; ok && it.Parent >= 0 && depth < len(r.Items) {
			trail = trailOf(p, depth+1)
		}
		if i := strings.LastIndex(it.Path, "/data/"); i >= 0 {
			trail = append(trail[:len(trail):len(trail)], lists[strconv.Itoa(it.Source)+it.Path[:i]]...)
		}
		var m map[string]any
		if json.Unmarshal(it.Data, &m) == nil && m != nil {
			trail = append(trail[:len(trail):len(trail)], m)
		}
		return trail
	}
	for _, it := range r.Items {
		if it.Workflow < 0 || it.Steps == 0 {
			continue
		}
		trail := trailOf(it, 0)
		for i := it.Slot; i < it.Slot+it.Steps; i++ {
			above[slot{it.Workflow, i}] = trail
		}
	}
	return above
}

// who finds the person's name and company in the entities above an
// action: the innermost entity with a person's URL names the person (its
// companyName, else the innermost company above it, names the company).
func who(trail []map[string]any) (name, company string) {
	person := -1
	for i := len(trail) - 1; i >= 0; i-- {
		if isPersonEntity(trail[i]) {
			person = i
			break
		}
	}
	if person >= 0 {
		name = firstString(trail[person]["name"])
		company = firstString(trail[person]["companyName"])
		// A profile opened for an item of a list: the item may hold
		// what the profile lacks.
		for i := person - 1; i >= 0 && isPersonEntity(trail[i]); i-- {
			if name == "" {
				name = firstString(trail[i]["name"])
			}
			if company == "" {
				company = firstString(trail[i]["companyName"])
			}
		}
	}
	if company == "" {
		for i := len(trail) - 1; i >= 0; i-- {
			// A page opened without basicInfo has a URL but no name:
			// the list item it was opened for has one.
			if isCompanyEntity(trail[i]) {
				if company = firstString(trail[i]["name"]); company != "" {
					break
				}
			}
		}
	}
	return name, company
}

func isPersonEntity(m map[string]any) bool {
	for _, k := range []string{"publicUrl", "hashedUrl"} {
		if s, _ := m[k].(string); schemas.IsPersonURL(s) {
			return true
		}
	}
	return false
}

func isCompanyEntity(m map[string]any) bool {
	for _, k := range []string{"publicUrl", "hashedUrl"} {
		if s, _ := m[k].(string); strings.Contains(s, "/company/") {
			return true
		}
	}
	return false
}

func firstString(vs ...any) string {
	for _, v := range vs {
		if s, ok := v.(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// ReachedOptions shape the table WriteReached writes.
type ReachedOptions struct {
	Catalog *schemas.Catalog
	// Max bounds the rows (0 means 20); More says where the rest is.
	Max  int
	More string
}

// WriteReached writes who a run reached with what: one row per person
// and action, with the person's name, company and profile, the text
// sent and the outcome.
func WriteReached(w io.Writer, rs []Reach, o ReachedOptions) {
	if len(rs) == 0 {
		return
	}
	limit := o.Max
	if limit <= 0 {
		limit = 20
	}
	people := map[string]bool{}
	byType := map[string]int{}
	failed := 0
	for _, r := range rs {
		people[orDash(r.Profile)+"\x00"+r.Name] = true
		byType[r.ActionType]++
		if r.Error != "" {
			failed++
		}
	}
	var kinds []string
	for at, n := range byType {
		kinds = append(kinds, Plural(n, actionNoun(o.Catalog, at)))
	}
	sort.Strings(kinds)
	outcome := fmt.Sprintf("%d sent", len(rs)-failed)
	if failed > 0 {
		outcome += fmt.Sprintf(", %d failed", failed)
	}
	who := "1 person"
	if len(people) != 1 {
		who = fmt.Sprintf("%d people", len(people))
	}
	fmt.Fprintf(w, "who was reached: %s to %s, %s:\n", strings.Join(kinds, ", "), who, outcome)
	showAction, showLabel := len(byType) > 1, false
	for _, r := range rs[:min(limit, len(rs))] {
		showLabel = showLabel || r.Label != ""
	}
	head := []string{"NAME", "COMPANY", "PROFILE"}
	if showLabel {
		head = append([]string{"LABEL"}, head...)
	}
	if showAction {
		head = append(head, "ACTION")
	}
	head = append(head, textHeading(rs), "RESULT")
	rows := [][]string{head}
	for i, r := range rs {
		if i == limit {
			break
		}
		row := []string{orDash(r.Name), orDash(r.Company), orDash(r.Profile)}
		if showLabel {
			row = append([]string{orDash(r.Label)}, row...)
		}
		if showAction {
			row = append(row, strings.TrimPrefix(r.ActionType, "st."))
		}
		text := "-"
		if r.Text != "" {
			text = quoteShort(r.Text, 36)
		}
		res := "sent"
		if r.Error != "" {
			res = r.Error
		}
		rows = append(rows, append(row, text, res))
	}
	var b strings.Builder
	WriteTable(&b, rows, nil)
	fmt.Fprint(w, b.String())
	if len(rs) > limit {
		more := ""
		if o.More != "" {
			more = ": " + o.More
		}
		fmt.Fprintf(w, "  … and %d more%s\n", len(rs)-limit, more)
	}
}

// actionNoun names what an action sends: "connection request".
func actionNoun(cat *schemas.Catalog, actionType string) string {
	switch strings.TrimPrefix(strings.TrimPrefix(actionType, "st."), "nv.") {
	case "sendConnectionRequest":
		return "connection request"
	case "sendMessage":
		if strings.HasPrefix(actionType, "nv.") {
			return "Sales Navigator message"
		}
		return "message"
	}
	if cat != nil {
		if a := cat.Lookup(actionType); a != nil {
			return a.DisplayName()
		}
	}
	return actionType
}

// textHeading names the text column: NOTE for connection requests,
// MESSAGE for messages, TEXT for both.
func textHeading(rs []Reach) string {
	notes, texts := false, false
	for _, r := range rs {
		if strings.HasSuffix(r.ActionType, "sendConnectionRequest") {
			notes = true
		} else {
			texts = true
		}
	}
	switch {
	case notes && !texts:
		return "NOTE"
	case texts && !notes:
		return "MESSAGE"
	}
	return "TEXT"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// quoteShort quotes s on one line, cut to n characters.
func quoteShort(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
