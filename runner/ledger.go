package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Contact is one entry of the contact ledger: a person an action reached
// (or, imported, a person contacted outside lwf).
type Contact struct {
	// Person is the person's URL, normalised (NormalizePersonURL): the
	// public URL when known, else the hashed one.
	Person string `json:"person"`
	// Alias is the person's other URL (the hashed one when Person is
	// public), normalised; "" when only one is known.
	Alias string `json:"alias,omitempty"`
	// ActionType is the action that reached the person; "" for imported
	// entries, which count for every action.
	ActionType string `json:"actionType"`
	// Outcome is "sent", or the error that still means the person was
	// reached (alreadyConnected, alreadyPending), or "imported".
	Outcome  string    `json:"outcome"`
	Time     time.Time `json:"time"`
	RunID    string    `json:"run,omitempty"`
	Workflow int       `json:"workflow"`
	// Path is where in the workflow's completion the action's result is,
	// as a JSON pointer with list items numbered: one entry per result.
	Path     string `json:"path,omitempty"`
	Campaign string `json:"campaign,omitempty"`
	// Source is the file an imported entry came from; "" for runs.
	Source string `json:"source,omitempty"`
}

// URLs returns the person's URLs: Person, and Alias when known.
func (c Contact) URLs() []string {
	if c.Alias == "" {
		return []string{c.Person}
	}
	return []string{c.Person, c.Alias}
}

// ContactedErrors are the action errors after which a person counts as
// contacted all the same: the request or conversation already exists.
// Any other failure (personNotFound, messagingNotAllowed, limitExceeded,
// …) reached nobody and leaves the person free for a later run.
func ContactedErrors() []string { return []string{"alreadyConnected", "alreadyPending"} }

// OutcomeSent is the outcome of an action that succeeded.
const OutcomeSent = "sent"

// NormalizePersonURL gives the one form of a LinkedIn person URL that the
// ledger compares: lower-case, without query, fragment or trailing slash,
// and, on LinkedIn's own hosts (linkedin.com, de.linkedin.com, …), with
// https://www.linkedin.com in front. A URL without a scheme gets https.
func NormalizePersonURL(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return strings.TrimRight(s, "/")
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.User = "", "", "", nil
	if u.Host == "linkedin.com" || strings.HasSuffix(u.Host, ".linkedin.com") {
		u.Scheme, u.Host = "https", "www.linkedin.com"
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String()
}

// isPersonURL reports whether a URL names a LinkedIn member: /in/… (public
// and hashed), or Sales Navigator's /sales/lead/… and /sales/people/….
func isPersonURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	p := strings.ToLower(u.Path)
	for _, pre := range []string{"/in/", "/sales/lead/", "/sales/people/"} {
		if strings.HasPrefix(p, pre) && len(p) > len(pre) {
			return true
		}
	}
	return false
}

// person is who an action concerns, as far as the payload and the
// completion tell.
type person struct{ public, hashed string }

func (p person) known() bool { return p.public != "" || p.hashed != "" }

// primary and alias: the public URL first, since that is what lead lists
// hold.
func (p person) urls() (primary, alias string) {
	if p.public == "" {
		return NormalizePersonURL(p.hashed), ""
	}
	a := NormalizePersonURL(p.hashed)
	pr := NormalizePersonURL(p.public)
	if a == pr {
		a = ""
	}
	return pr, a
}

// fromParams takes the person a step names with its parameters.
func (p person) fromParams(step map[string]any) person {
	pub, _ := step["personUrl"].(string)
	hashed, _ := step["personHashedUrl"].(string)
	if pub == "" && hashed == "" {
		return p
	}
	return person{public: pub, hashed: hashed}
}

// fromEntity takes the person an object of a completion describes (a
// profile, or an item of a list of people); a company or a post leaves
// the person unchanged.
func (p person) fromEntity(m map[string]any) person {
	var q person
	if s, _ := m["publicUrl"].(string); isPersonURL(s) {
		q.public = s
	}
	if s, _ := m["hashedUrl"].(string); isPersonURL(s) {
		q.hashed = s
	}
	if !q.known() {
		return p
	}
	// A profile opened by its public URL keeps it even when the data
	// only gives the hashed one.
	if q.public == "" && p.public != "" && p.hashed == "" {
		q.public = p.public
	}
	return q
}

// visit is one action result matched with the payload step it came from.
type visit struct {
	Step   map[string]any // the payload step; nil when it cannot be matched
	Result map[string]any
	// Pointer is the step's JSON pointer in the payload: the same for
	// every item of a server-side iteration.
	Pointer string
	// Path is the result's place in the completion, list items numbered:
	// unique per result.
	Path   string
	Person person
}

// walkResults visits every action result of a completion, with the
// payload step it answers and the person it concerns. It follows the
// shapes of Linked API completions: a root array answers a root array;
// then is an object or an array, inside data or beside it; each item of a
// list carries the results of the doFor*'s children in its own then, with
// or without a doFor* result around them.
func walkResults(step, result any, ptr, path string, who person, fn func(visit)) {
	switch r := result.(type) {
	case []any:
		steps, _ := step.([]any)
		for i, e := range r {
			var s any
			if i < len(steps) {
				s = steps[i]
			}
			walkResults(s, e, fmt.Sprintf("%s/%d", ptr, i), fmt.Sprintf("%s/%d", path, i), who, fn)
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
		fn(visit{Step: s, Result: r, Pointer: ptr, Path: path, Person: who})
		var then any
		if s != nil {
			then = s["then"]
		}
		if t, ok := r["then"]; ok {
			walkResults(then, t, ptr+"/then", path+"/then", who, fn)
		}
		switch d := r["data"].(type) {
		case map[string]any:
			if t, ok := d["then"]; ok {
				walkResults(then, t, ptr+"/then", path+"/then", who, fn)
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
					walkResults(iter, t, iterPtr, at, who.fromEntity(im), fn)
					continue
				}
				walkResults(children, t, iterPtr+"/then", at, who.fromEntity(im), fn)
			}
		}
	}
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

// ContactsIn lists the people a completed workflow reached: every result
// of an action for which contact is true that succeeded, or failed with
// one of ContactedErrors, and whose person is known — from the step's
// personUrl, or from the profile or list item above it (server-side
// iteration: the URLs come back in the completion). Time, RunID, Workflow
// and Campaign are left for the caller.
func ContactsIn(payload, completion json.RawMessage, contact func(actionType string) bool) ([]Contact, error) {
	p, err := decodeJSON(payload)
	if err != nil {
		return nil, fmt.Errorf("reading the payload: %w", err)
	}
	c, err := decodeJSON(completion)
	if err != nil {
		return nil, fmt.Errorf("reading the completion: %w", err)
	}
	var out []Contact
	walkResults(p, c, "", "", person{}, func(v visit) {
		at, _ := v.Result["actionType"].(string)
		if !contact(at) || !v.Person.known() {
			return
		}
		outcome := resultOutcome(v.Result)
		if outcome == "" {
			return
		}
		primary, alias := v.Person.urls()
		out = append(out, Contact{Person: primary, Alias: alias, ActionType: at, Outcome: outcome, Path: v.Path})
	})
	return out, nil
}

// resultOutcome is a result's ledger outcome, "" when it reached nobody.
func resultOutcome(r map[string]any) string {
	if r["success"] == true {
		return OutcomeSent
	}
	e, _ := r["error"].(map[string]any)
	t, _ := e["type"].(string)
	for _, ok := range ContactedErrors() {
		if t == ok {
			return t
		}
	}
	return ""
}

// Target is a person a payload addresses by URL: a step for which the
// contact predicate holds, with personUrl of its own or under a step that
// names the person.
type Target struct {
	Person     string // normalised
	ActionType string
}

// TargetsIn lists the people a payload will reach by name, before it
// runs: what a workflow in flight may do. People found by server-side
// iteration are unknown until its completion.
func TargetsIn(payload json.RawMessage, contact func(actionType string) bool) ([]Target, error) {
	p, err := decodeJSON(payload)
	if err != nil {
		return nil, fmt.Errorf("reading the payload: %w", err)
	}
	var out []Target
	var walk func(v any, who string)
	walk = func(v any, who string) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, who)
			}
		case map[string]any:
			for _, k := range []string{"personUrl", "personHashedUrl"} {
				if s, _ := x[k].(string); s != "" {
					who = s
					break
				}
			}
			at, _ := x["actionType"].(string)
			if isIterator(at) {
				who = "" // each item is someone else
			}
			if who != "" && contact(at) {
				out = append(out, Target{Person: NormalizePersonURL(who), ActionType: at})
			}
			walk(x["then"], who)
		}
	}
	walk(p, "")
	return out, nil
}

// ActionsIn counts a completion's succeeded actions by type, doFor*
// iterators aside: what the account spent of its limits. Failed actions
// sent nothing to LinkedIn that counts against them.
func ActionsIn(completion json.RawMessage) (map[string]int, error) {
	c, err := decodeJSON(completion)
	if err != nil {
		return nil, fmt.Errorf("reading the completion: %w", err)
	}
	out := map[string]int{}
	walkResults(nil, c, "", "", person{}, func(v visit) {
		at, _ := v.Result["actionType"].(string)
		if v.Result["success"] == true && !isIterator(at) {
			out[at]++
		}
	})
	return out, nil
}

// StepOutcome is how one execution of a payload step ended.
type StepOutcome struct {
	Success bool
	Error   string // the action error's type when it failed
	Person  string // the person it concerned, normalised, when known
}

// StepOutcomes returns the outcomes of the payload step at pointer (a
// JSON pointer into the payload, such as "/3" or "/then/then"): one, or
// one per item under server-side iteration; none when the step never ran.
func StepOutcomes(payload, completion json.RawMessage, pointer string) ([]StepOutcome, error) {
	p, err := decodeJSON(payload)
	if err != nil {
		return nil, fmt.Errorf("reading the payload: %w", err)
	}
	c, err := decodeJSON(completion)
	if err != nil {
		return nil, fmt.Errorf("reading the completion: %w", err)
	}
	var out []StepOutcome
	walkResults(p, c, "", "", person{}, func(v visit) {
		if v.Pointer != pointer || v.Step == nil {
			return
		}
		o := StepOutcome{Success: v.Result["success"] == true}
		if !o.Success {
			o.Error = "unknownError"
			if e, _ := v.Result["error"].(map[string]any); e != nil {
				if t, _ := e["type"].(string); t != "" {
					o.Error = t
				}
			}
		}
		if v.Person.known() {
			o.Person, _ = v.Person.urls()
		}
		out = append(out, o)
	})
	return out, nil
}
