package results

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/lwf-dev/lwf/schemas"
)

// Person is who an action result concerns, as far as the payload and
// the completion tell: the person's public and hashed URLs, as written.
type Person struct{ Public, Hashed string }

// Known reports whether either URL is known.
func (p Person) Known() bool { return p.Public != "" || p.Hashed != "" }

// URLs returns the person's URLs normalised (schemas.NormalizePersonURL):
// the public one first, since that is what lead lists hold, and the
// other as alias ("" when there is only one).
func (p Person) URLs() (primary, alias string) {
	if p.Public == "" {
		return schemas.NormalizePersonURL(p.Hashed), ""
	}
	a := schemas.NormalizePersonURL(p.Hashed)
	pr := schemas.NormalizePersonURL(p.Public)
	if a == pr {
		a = ""
	}
	return pr, a
}

// fromParams takes the person a step names with its parameters.
func (p Person) fromParams(step map[string]any) Person {
	pub, _ := step["personUrl"].(string)
	hashed, _ := step["personHashedUrl"].(string)
	if pub == "" && hashed == "" {
		return p
	}
	return Person{Public: pub, Hashed: hashed}
}

// fromEntity takes the person an object of a completion describes (a
// profile, or an item of a list of people); a company or a post leaves
// the person unchanged.
func (p Person) fromEntity(m map[string]any) Person {
	var q Person
	if s, _ := m["publicUrl"].(string); schemas.IsPersonURL(s) {
		q.Public = s
	}
	if s, _ := m["hashedUrl"].(string); schemas.IsPersonURL(s) {
		q.Hashed = s
	}
	if !q.Known() {
		return p
	}
	// A profile opened by its public URL keeps it even when the data
	// only gives the hashed one.
	if q.Public == "" && p.Public != "" && p.Hashed == "" {
		q.Public = p.Public
	}
	return q
}

// Visit is one action result matched with the payload step it came from.
type Visit struct {
	Step   map[string]any // the payload step; nil when it cannot be matched
	Result map[string]any
	// Pointer is the step's JSON pointer in the payload: the same for
	// every item of a server-side iteration.
	Pointer string
	// Path is the result's place in the completion, list items numbered:
	// unique per result.
	Path   string
	Person Person
	// Trail holds the entities above the result, outermost first: each
	// list item and each object data a parent returned (a search's
	// company, its page, an employee, the employee's profile).
	Trail []map[string]any
}

// walkResults visits every action result of a completion, with the
// payload step it answers and the person it concerns. It follows the
// shapes of Linked API completions: a root array answers a root array;
// then is an object or an array, inside data or beside it; each item of a
// list carries the results of the doFor*'s children in its own then, with
// or without a doFor* result around them.
func walkResults(step, result any, ptr, path string, who Person, trail []map[string]any, fn func(Visit)) {
	switch r := result.(type) {
	case []any:
		steps, _ := step.([]any)
		for i, e := range r {
			var s any
			if i < len(steps) {
				s = steps[i]
			}
			walkResults(s, e, fmt.Sprintf("%s/%d", ptr, i), fmt.Sprintf("%s/%d", path, i), who, trail, fn)
		}
	case map[string]any:
		at, _ := r["actionType"].(string)
		if at == "" {
			return
		}
		s, _ := step.(map[string]any)
		if s != nil && s["actionType"] != at {
			s = nil
		}
		if s != nil {
			who = who.fromParams(s)
		}
		if d, ok := r["data"].(map[string]any); ok {
			who = who.fromEntity(d)
		}
		fn(Visit{Step: s, Result: r, Pointer: ptr, Path: path, Person: who, Trail: trail})
		var then any
		if s != nil {
			then = s["then"]
		}
		if t, ok := r["then"]; ok {
			walkResults(then, t, ptr+"/then", path+"/then", who, trail, fn)
		}
		switch d := r["data"].(type) {
		case map[string]any:
			if t, ok := d["then"]; ok {
				walkResults(then, t, ptr+"/then", path+"/then", who, with(trail, d), fn)
			}
		case []any:
			iter, iterPtr := iteratorOf(then, ptr+"/then")
			var children any
			if iter != nil {
				children = iter["then"]
			}
			for i, item := range d {
				im, _ := item.(map[string]any)
				t, ok := im["then"]
				if !ok {
					continue
				}
				at := fmt.Sprintf("%s/data/%d/then", path, i)
				if tm, _ := t.(map[string]any); tm != nil && isIterator(fmt.Sprint(tm["actionType"])) {
					walkResults(iter, t, iterPtr, at, who.fromEntity(im), with(trail, im), fn)
					continue
				}
				walkResults(children, t, iterPtr+"/then", at, who.fromEntity(im), with(trail, im), fn)
			}
		}
	}
}

// with returns trail and m, leaving trail as it was.
func with(trail []map[string]any, m map[string]any) []map[string]any {
	return append(trail[:len(trail):len(trail)], m)
}

// iteratorOf finds the doFor* step under a list step, and its pointer.
func iteratorOf(then any, ptr string) (map[string]any, string) {
	switch t := then.(type) {
	case map[string]any:
		if isIterator(fmt.Sprint(t["actionType"])) {
			return t, ptr
		}
	case []any:
		for i, e := range t {
			if m, _ := e.(map[string]any); m != nil && isIterator(fmt.Sprint(m["actionType"])) {
				return m, fmt.Sprintf("%s/%d", ptr, i)
			}
		}
	}
	return nil, ptr
}

func decodeJSON(b json.RawMessage) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return v, nil
}

// Walk visits every action result of a completion with the payload step
// it answers (nil when it cannot be matched, as for a nil payload) and
// the person it concerns, in tree order.
func Walk(payload, completion json.RawMessage, fn func(Visit)) error {
	p, err := decodeJSON(payload)
	if err != nil {
		return fmt.Errorf("reading the payload: %w", err)
	}
	c, err := decodeJSON(completion)
	if err != nil {
		return fmt.Errorf("reading the completion: %w", err)
	}
	walkResults(p, c, "", "", Person{}, nil, fn)
	return nil
}
