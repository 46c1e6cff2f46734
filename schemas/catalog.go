package schemas

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
)

//go:embed actions/*.json
var actionFiles embed.FS

// Root says whether an action may start a workflow.
type Root string

// The values of Root.
const (
	RootAlways Root = "always" // it may always start a workflow
	RootURL    Root = "url"    // only when one of RootRequires is given
	RootNever  Root = "never"  // it needs a parent
)

// Result kinds: what an action's data looks like on success.
const (
	ResultNone   = "none"
	ResultObject = "object"
	ResultList   = "list"
)

// Result describes an action's data on success.
type Result struct {
	Kind   string `json:"kind"`
	Entity string `json:"entity,omitempty"`
	// Item lists the fields of a list's items, by name, with their JSON
	// type ("string", "integer", "boolean", "object", "array"); a type
	// ending in "?" may be missing or null. Named loops (as: on a doFor*)
	// type their item by it, so validate checks person.name offline.
	Item map[string]string `json:"item,omitempty"`
}

// ItemURL says how one item of a list becomes the URL parameter of the
// page action under a doFor*: when lwf runs a named loop itself, it
// starts each item's actions at the root, with Param set from the first
// of Fields the item has.
type ItemURL struct {
	Param  string   `json:"param"`
	Fields []string `json:"fields"`
}

// Rules are the action's catalog rules, the "x-lwf" keyword of its file.
type Rules struct {
	Era                  string   `json:"era"`
	Root                 Root     `json:"root"`
	RootRequires         []string `json:"rootRequires,omitempty"`
	ForbiddenUnderParent []string `json:"forbiddenUnderParent,omitempty"`
	Parents              []string `json:"parents"`
	Children             []string `json:"children"`
	Iterates             string   `json:"iterates,omitempty"`
	ItemURL              *ItemURL `json:"itemUrl,omitempty"`
	Result               Result   `json:"result"`
	Category             string   `json:"category,omitempty"`
	Write                bool     `json:"write,omitempty"`
	Errors               []string `json:"errors"`
	Decisions            []string `json:"decisions,omitempty"`
}

// Param is one top-level parameter of an action, for listings.
type Param struct {
	Name        string
	Schema      map[string]any // the property's JSON Schema
	Required    bool
	Description string
}

// Type returns the parameter's JSON type as written in its schema ("" if none).
func (p Param) Type() string { return schemaType(p.Schema) }

// Action is one Linked API action type.
type Action struct {
	Name        string // full name, e.g. "st.sendConnectionRequest"
	Description string
	Rules
	Params []Param // sorted by name
	// Raw is the file exactly as embedded.
	Raw []byte

	doc        map[string]any
	paramNames []string
	required   map[string]bool
	fills      map[string]any // required-with-default parameters
	// combines is set when the schema refuses combinations of parameters
	// (allOf and not, see combinations).
	combines bool
	nots     sync.Map                  // JSON pointer → *jsonschema.Schema of a "not", compiled on first use
	patterns map[string]*regexp.Regexp // compiled "pattern" keywords
}

// Namespace returns "st" or "nv".
func (a *Action) Namespace() string {
	ns, _, _ := strings.Cut(a.Name, ".")
	return ns
}

// Short returns the name without its namespace ("sendConnectionRequest").
func (a *Action) Short() string {
	_, s, _ := strings.Cut(a.Name, ".")
	return s
}

// DisplayName is the name users write: the short name for st. actions, the
// full name for nv. ones.
func (a *Action) DisplayName() string {
	if a.Namespace() == "st" {
		return a.Short()
	}
	return a.Name
}

// Schema returns the decoded JSON Schema document of the action's parameters.
func (a *Action) Schema() map[string]any { return a.doc }

// Param returns the named top-level parameter.
func (a *Action) Param(name string) (Param, bool) {
	for _, p := range a.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// HasChild reports whether child may appear in the action's then.
func (a *Action) HasChild(child string) bool { return contains(a.Children, child) }

// HasParent reports whether the action may appear under parent.
func (a *Action) HasParent(parent string) bool { return contains(a.Parents, parent) }

// Fills returns the parameters the compiler fills in when omitted (those the
// catalog marks as required with a default).
func (a *Action) Fills() map[string]any { return a.fills }

// Catalog is the set of actions. Each action's file is parsed once, when
// the action is first looked up: checking a workflow reads only the files
// of the actions it uses.
type Catalog struct {
	files    map[string]*actionFile // by full name
	names    []string
	urlKinds map[string]*URLKind
	kindList []*URLKind // urlKinds, sorted by name
}

// actionFile is one catalog file and, once read and parsed, its action.
type actionFile struct {
	fsys fs.FS
	file string
	once sync.Once
	a    *Action
	err  error
}

// Default returns the embedded catalog, opened once per process. Its
// files are parsed as they are used; the tests prove every one of them
// loads (Load).
var Default = sync.OnceValues(func() (*Catalog, error) {
	sub, err := fs.Sub(actionFiles, "actions")
	if err != nil {
		return nil, err
	}
	return open(sub)
})

// Load reads and parses the embedded action files.
func Load() (*Catalog, error) {
	sub, err := fs.Sub(actionFiles, "actions")
	if err != nil {
		return nil, err
	}
	return LoadFS(sub)
}

// LoadFS reads and parses every *.json file at the top of fsys. A file
// that is no action schema, or that uses a JSON Schema keyword the checks
// do not evaluate, is an error.
func LoadFS(fsys fs.FS) (*Catalog, error) {
	c, err := open(fsys)
	if err != nil {
		return nil, err
	}
	for _, k := range c.kindList {
		if err := k.compile(); err != nil {
			return nil, err
		}
	}
	for _, name := range c.names {
		if _, err := c.files[name].action(c.urlKinds); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// open lists the *.json files at the top of fsys; each is read and parsed
// when its action is first looked up.
func open(fsys fs.FS) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading catalog: %w", err)
	}
	kinds, err := loadURLKinds()
	if err != nil {
		return nil, err
	}
	c := &Catalog{files: map[string]*actionFile{}, urlKinds: kinds, kindList: sortedKinds(kinds)}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		name := strings.TrimSuffix(e.Name(), ".json")
		c.files[name] = &actionFile{fsys: fsys, file: e.Name()}
		c.names = append(c.names, name)
	}
	sort.Strings(c.names)
	return c, nil
}

// action parses the file, once.
func (f *actionFile) action(kinds map[string]*URLKind) (*Action, error) {
	f.once.Do(func() {
		raw, err := fs.ReadFile(f.fsys, f.file)
		if err != nil {
			f.err = fmt.Errorf("catalog file %s: %w", f.file, err)
			return
		}
		a, err := parseAction(strings.TrimSuffix(f.file, ".json"), raw)
		if err != nil {
			f.err = fmt.Errorf("catalog file %s: %w", f.file, err)
			return
		}
		for _, p := range a.Params {
			if k := p.URLKind(); k != "" && kinds[k] == nil {
				f.err = fmt.Errorf("catalog file %s: %s: x-lwf-url %q is not a kind of urls.json", f.file, p.Name, k)
				return
			}
		}
		f.a = a
	})
	return f.a, f.err
}

func parseAction(name string, raw []byte) (*Action, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	head, ok := headOf(doc)
	if !ok {
		// Something is not of its type: let encoding/json say what.
		head = fileHead{}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, err
		}
	}
	if head.Title != name {
		return nil, fmt.Errorf("title %q does not match the file name", head.Title)
	}
	switch head.Rules.Root {
	case RootAlways, RootURL, RootNever:
	default:
		return nil, fmt.Errorf("x-lwf.root %q is not always, url or never", head.Rules.Root)
	}
	if at := unsupportedKeyword(doc, "", false); at != "" {
		return nil, fmt.Errorf("%s: the keyword is not one lwf's checks evaluate", at)
	}
	a := &Action{Name: name, Description: head.Description, Rules: head.Rules, Raw: raw,
		doc: doc, required: map[string]bool{}, fills: map[string]any{}}
	if a.Parents == nil {
		a.Parents = []string{}
	}
	if a.Children == nil {
		a.Children = []string{}
	}
	for _, r := range asSlice(doc["required"]) {
		if s, ok := r.(string); ok {
			a.required[s] = true
		}
	}
	props, _ := doc["properties"].(map[string]any)
	for k, v := range props {
		ps, _ := v.(map[string]any)
		desc, _ := ps["description"].(string)
		a.Params = append(a.Params, Param{Name: k, Schema: ps, Required: a.required[k], Description: desc})
		a.paramNames = append(a.paramNames, k)
		if def, ok := ps["default"]; ok && a.required[k] {
			a.fills[k] = def
		}
	}
	a.combines = refusesCombinations(doc)
	a.patterns = map[string]*regexp.Regexp{}
	if err := collectPatterns(doc, a.patterns); err != nil {
		return nil, err
	}
	sort.Slice(a.Params, func(i, j int) bool { return a.Params[i].Name < a.Params[j].Name })
	sort.Strings(a.paramNames)
	return a, nil
}

// fileHead is what a catalog file says besides its schema.
type fileHead struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Rules       Rules  `json:"x-lwf"`
}

// headOf reads the head of a decoded catalog file — what decoding the
// file into a fileHead gives, without decoding it a second time; ok is
// false when a value is not of its field's type.
func headOf(doc map[string]any) (h fileHead, ok bool) {
	r := &h.Rules
	x, isMap := doc["x-lwf"].(map[string]any)
	ok = text(doc["title"], &h.Title) && text(doc["description"], &h.Description) && (isMap || doc["x-lwf"] == nil)
	if !ok || x == nil {
		return h, ok
	}
	var root string
	ok = text(x["era"], &r.Era) && text(x["root"], &root) && texts(x["rootRequires"], &r.RootRequires) &&
		texts(x["forbiddenUnderParent"], &r.ForbiddenUnderParent) && texts(x["parents"], &r.Parents) &&
		texts(x["children"], &r.Children) && text(x["iterates"], &r.Iterates) && text(x["category"], &r.Category) &&
		texts(x["errors"], &r.Errors) && texts(x["decisions"], &r.Decisions)
	r.Root = Root(root)
	if w, isBool := x["write"].(bool); isBool {
		r.Write = w
	} else if x["write"] != nil {
		return h, false
	}
	switch u := x["itemUrl"].(type) {
	case nil:
	case map[string]any:
		r.ItemURL = &ItemURL{}
		ok = ok && text(u["param"], &r.ItemURL.Param) && texts(u["fields"], &r.ItemURL.Fields)
	default:
		return h, false
	}
	switch res := x["result"].(type) {
	case nil:
	case map[string]any:
		ok = ok && text(res["kind"], &r.Result.Kind) && text(res["entity"], &r.Result.Entity)
		switch item := res["item"].(type) {
		case nil:
		case map[string]any:
			r.Result.Item = make(map[string]string, len(item))
			for k, v := range item {
				var t string
				ok = ok && text(v, &t)
				r.Result.Item[k] = t
			}
		default:
			return h, false
		}
	default:
		return h, false
	}
	return h, ok
}

// text reads a JSON string into dst; null leaves it alone.
func text(v any, dst *string) bool {
	s, ok := v.(string)
	if ok {
		*dst = s
	}
	return ok || v == nil
}

// texts reads a JSON list of strings into dst; null leaves it alone.
func texts(v any, dst *[]string) bool {
	list, ok := v.([]any)
	if !ok {
		return v == nil
	}
	out := make([]string, len(list))
	for i, e := range list {
		if !text(e, &out[i]) {
			return false
		}
	}
	*dst = out
	return true
}

// Lookup returns the action with the given full name, or nil. An action
// whose file does not parse is nil too (Load reports why).
func (c *Catalog) Lookup(name string) *Action {
	f := c.files[name]
	if f == nil {
		return nil
	}
	a, _ := f.action(c.urlKinds)
	return a
}

// Names returns every full action name, sorted.
func (c *Catalog) Names() []string { return c.names }

// Actions returns every action that parses, sorted by name.
func (c *Catalog) Actions() []*Action {
	out := make([]*Action, 0, len(c.names))
	for _, n := range c.names {
		if a := c.Lookup(n); a != nil {
			out = append(out, a)
		}
	}
	return out
}

// FullName turns what a user wrote into a full action name: a name without a
// namespace gets "st." (searchCompanies → st.searchCompanies).
func FullName(name string) string {
	if strings.Contains(name, ".") {
		return name
	}
	return "st." + name
}

// Suggest returns the known action closest to name (full name), or "".
func (c *Catalog) Suggest(name string) string {
	return nearestName(FullName(name), c.names)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		var parts []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "|")
	}
	return ""
}

// Categories lists the limit categories the catalog's actions count
// against, sorted.
func (c *Catalog) Categories() []string {
	seen := map[string]bool{}
	var out []string
	for _, a := range c.Actions() {
		if a.Category != "" && !seen[a.Category] {
			seen[a.Category] = true
			out = append(out, a.Category)
		}
	}
	sort.Strings(out)
	return out
}
