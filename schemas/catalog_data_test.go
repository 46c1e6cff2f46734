package schemas

// These tests check the action files in actions/ as data, reading them from
// disk with encoding/json only, so that a broken file is reported with its
// name and the rule it breaks rather than as a failure of the catalog API.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// catalogDataMinFiles is the least number of action files the catalog must
// hold: the reference documents 58 current action types.
const catalogDataMinFiles = 55

// The closed vocabularies of x-lwf, from schemas/README.md and the reference.
var (
	cdRoots       = []string{"always", "url", "never"}
	cdResultKinds = []string{"none", "object", "list"}
	cdEntities    = []string{
		"personProfile", "nvPersonProfile", "companyProfile", "nvCompanyProfile", "person", "nvPerson",
		"company", "nvCompany", "experience", "education", "skill", "language", "post", "personComment",
		"personReaction", "postComment", "postReaction", "job", "jobDetail", "connectionStatus",
		"pendingRequest", "connection", "invitation", "ssi", "performance", "feedPost", "commentRef",
		"postRef", "profileViewer",
	}
	cdCategories = []string{
		"stPersonProfileViews", "stCompanyPageViews", "stConnectionRequests", "stMessages", "stSearchQueries",
		"stReactions", "stComments", "stPosts", "nvPersonProfileViews", "nvCompanyPageViews", "nvMessages",
	}
	// cdActionErrors are the action-level error types of reference section 5.2.
	cdActionErrors = []string{
		"personNotFound", "selfProfileNotAllowed", "messagingNotAllowed", "alreadyPending", "alreadyConnected",
		"emailRequired", "noteTooLong", "noteLimitExceeded", "requestNotAllowed", "notPending",
		"connectionNotFound", "retrievingNotAllowed", "searchingNotAllowed", "companyNotFound", "postNotFound",
		"jobNotFound", "commentingNotAllowed", "commentNotFound", "replyingNotAllowed", "noPostingPermission",
		"noSalesNavigator", "threadNotFound", "searchInterfaceMismatch", "limitExceeded",
	}
	cdEra = regexp.MustCompile(`^(1\.1|[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))$`)
)

const cdDraft7 = "http://json-schema.org/draft-07/schema#"

// cdRules is x-lwf as the README defines it; pointers mark keys every file
// must give.
type cdRules struct {
	Era                  string    `json:"era"`
	Root                 string    `json:"root"`
	RootRequires         []string  `json:"rootRequires"`
	ForbiddenUnderParent []string  `json:"forbiddenUnderParent"`
	Parents              *[]string `json:"parents"`
	Children             *[]string `json:"children"`
	Iterates             string    `json:"iterates"`
	ItemURL              *struct {
		Param  string   `json:"param"`
		Fields []string `json:"fields"`
	} `json:"itemUrl"`
	Result *struct {
		Kind   string            `json:"kind"`
		Entity string            `json:"entity"`
		Item   map[string]string `json:"item"`
	} `json:"result"`
	Category  string    `json:"category"`
	Write     *bool     `json:"write"`
	Errors    *[]string `json:"errors"`
	Decisions []string  `json:"decisions"`
}

// cdProblem is one broken rule in one file ("" for the catalog as a whole).
type cdProblem struct {
	File, Check, Msg string
}

func (p cdProblem) String() string { return fmt.Sprintf("%s: %s [%s]", p.File, p.Msg, p.Check) }

// cdAction is a parsed file.
type cdAction struct {
	file  string
	doc   map[string]any
	rules cdRules
	props map[string]any
}

type cdChecker struct {
	problems []cdProblem
}

func (c *cdChecker) add(file, check, format string, args ...any) {
	c.problems = append(c.problems, cdProblem{File: file, Check: check, Msg: fmt.Sprintf(format, args...)})
}

// readCatalogDataFiles returns every actions/*.json file by base name.
func readCatalogDataFiles(t *testing.T) map[string][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("actions", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = raw
	}
	return files
}

// checkCatalogData applies every data rule to files (base name → content)
// and returns the problems, sorted.
func checkCatalogData(files map[string][]byte, minFiles int) []cdProblem {
	c := &cdChecker{}
	if len(files) < minFiles {
		c.add("", "count", "%d action files, want at least %d", len(files), minFiles)
	}
	names := map[string]bool{}
	for f := range files {
		names[strings.TrimSuffix(f, ".json")] = true
	}
	actions := map[string]*cdAction{}
	for _, f := range cdSortedKeys(files) {
		if a := c.file(f, files[f]); a != nil {
			actions[strings.TrimSuffix(f, ".json")] = a
		}
	}
	c.graph(names, actions)
	sort.SliceStable(c.problems, func(i, j int) bool {
		if c.problems[i].File != c.problems[j].File {
			return c.problems[i].File < c.problems[j].File
		}
		return c.problems[i].Check < c.problems[j].Check
	})
	return c.problems
}

// file checks one file on its own; it returns nil when the file cannot be read
// far enough for the cross-file checks.
func (c *cdChecker) file(f string, raw []byte) *cdAction {
	name := strings.TrimSuffix(f, ".json")
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		c.add(f, "parse", "not a JSON object: %v", err)
		return nil
	}
	if doc["title"] != name {
		c.add(f, "title", "title %v, want %q (the file name)", doc["title"], name)
	}
	if doc["$schema"] != cdDraft7 {
		c.add(f, "header", "$schema %v, want %q", doc["$schema"], cdDraft7)
	}
	if d, _ := doc["description"].(string); strings.TrimSpace(d) == "" {
		c.add(f, "header", "the action has no description")
	}
	if doc["type"] != "object" {
		c.add(f, "header", "type %v, want \"object\"", doc["type"])
	}
	for _, k := range []string{"actionType", "label", "then"} {
		if _, ok := cdProps(doc)[k]; ok {
			c.add(f, "header", "%s is handled by lwf and must not be a parameter", k)
		}
	}
	a := &cdAction{file: f, doc: doc, props: cdProps(doc)}
	xl, ok := doc["x-lwf"]
	if !ok {
		c.add(f, "x-lwf", "no x-lwf keyword")
		return nil
	}
	xraw, _ := json.Marshal(xl)
	xdec := json.NewDecoder(bytes.NewReader(xraw))
	xdec.DisallowUnknownFields()
	if err := xdec.Decode(&a.rules); err != nil {
		c.add(f, "x-lwf", "x-lwf does not decode: %v", err)
		return nil
	}
	r := &a.rules
	if r.Parents == nil || r.Children == nil || r.Result == nil || r.Errors == nil {
		c.add(f, "x-lwf", "x-lwf must give parents, children, result and errors")
		return nil
	}
	for _, d := range r.Decisions {
		if strings.TrimSpace(d) == "" {
			c.add(f, "x-lwf", "empty decision")
		}
	}
	if !cdEra.MatchString(r.Era) {
		c.add(f, "era", "era %q is neither 1.1 nor a YYYY-MM-DD date", r.Era)
	}
	c.root(a)
	c.result(a)
	c.category(a)
	for _, req := range cdStrings(doc["required"]) {
		if _, ok := a.props[req]; !ok {
			c.add(f, "required", "required names %q, which is not a parameter", req)
		}
	}
	c.walk(f, doc, "", false)
	c.compile(f, name, raw)
	return a
}

func (c *cdChecker) root(a *cdAction) {
	f, r := a.file, &a.rules
	if !cdIn(cdRoots, r.Root) {
		c.add(f, "root", "root %q is not always, url or never", r.Root)
	}
	if r.Root == "never" && len(*r.Parents) == 0 {
		c.add(f, "root", "root never but no parents: the action could never be used")
	}
	switch {
	case r.Root == "url" && len(r.RootRequires) == 0:
		c.add(f, "root-requires", "root url needs a non-empty rootRequires")
	case r.Root != "url" && len(r.RootRequires) > 0:
		c.add(f, "root-requires", "rootRequires is only meaningful with root url")
	}
	for _, p := range r.RootRequires {
		if _, ok := a.props[p]; !ok {
			c.add(f, "root-requires", "rootRequires names %q, which is not a parameter", p)
		}
	}
	required := cdStrings(a.doc["required"])
	for _, p := range r.ForbiddenUnderParent {
		if _, ok := a.props[p]; !ok {
			c.add(f, "forbidden", "forbiddenUnderParent names %q, which is not a parameter", p)
		}
		if cdIn(required, p) {
			c.add(f, "forbidden", "%q is forbidden under a parent but listed in required", p)
		}
	}
	if len(r.ForbiddenUnderParent) > 0 && len(*r.Parents) == 0 {
		c.add(f, "forbidden", "forbiddenUnderParent is given but the action has no parents")
	}
}

func (c *cdChecker) result(a *cdAction) {
	f, r := a.file, &a.rules
	switch res := r.Result; {
	case !cdIn(cdResultKinds, res.Kind):
		c.add(f, "result", "result.kind %q is not none, object or list", res.Kind)
	case res.Kind == "none" && res.Entity != "":
		c.add(f, "result", "result.kind none must not name an entity (%q)", res.Entity)
	case res.Kind != "none" && !cdIn(cdEntities, res.Entity):
		c.add(f, "result", "result.entity %q is not a README entity", res.Entity)
	}
	isDoFor := strings.Contains(strings.TrimSuffix(f, ".json"), ".doFor")
	switch {
	case isDoFor && !cdIn(cdEntities, r.Iterates):
		c.add(f, "iterates", "a doFor action must iterate a README entity, got %q", r.Iterates)
	case !isDoFor && r.Iterates != "":
		c.add(f, "iterates", "only doFor actions iterate")
	}
}

func (c *cdChecker) category(a *cdAction) {
	f, r := a.file, &a.rules
	if r.Category != "" && !cdIn(cdCategories, r.Category) {
		c.add(f, "category", "category %q is not a Linked API limit category", r.Category)
	}
	if hasLimit := cdIn(*r.Errors, "limitExceeded"); hasLimit != (r.Category != "") {
		c.add(f, "category", "limitExceeded must be listed exactly when a category is given")
	}
	seen := map[string]bool{}
	for _, e := range *r.Errors {
		if !cdIn(cdActionErrors, e) {
			c.add(f, "errors", "%q is not a documented action-level error", e)
		}
		if seen[e] {
			c.add(f, "errors", "%q listed twice", e)
		}
		seen[e] = true
	}
}

// walk visits schema s at JSON pointer ptr. Property and item schemas need
// a description, except inside combinators (not, allOf, …), which only
// constrain values already described; every object schema must be closed.
func (c *cdChecker) walk(f string, s map[string]any, ptr string, constraint bool) {
	isObject := s["type"] == "object"
	if _, ok := s["properties"]; ok && !constraint && !isObject {
		c.add(f, "closed", "%s has properties but is not of type object", cdPtr(ptr))
	}
	if isObject && s["additionalProperties"] != false {
		c.add(f, "closed", "%s must set additionalProperties to false", cdPtr(ptr))
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, k := range cdSortedKeys(props) {
			c.child(f, props[k], ptr+"/properties/"+cdEscape(k), constraint)
		}
	}
	if items, ok := s["items"]; ok {
		c.child(f, items, ptr+"/items", constraint)
	}
	for _, k := range []string{"not", "if", "then", "else", "contains"} {
		if sub, ok := s[k].(map[string]any); ok {
			c.walk(f, sub, ptr+"/"+k, true)
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		for i, sub := range cdSlice(s[k]) {
			if m, ok := sub.(map[string]any); ok {
				c.walk(f, m, fmt.Sprintf("%s/%s/%d", ptr, k, i), true)
			}
		}
	}
}

func (c *cdChecker) child(f string, v any, ptr string, constraint bool) {
	s, ok := v.(map[string]any)
	if !ok {
		c.add(f, "compile", "%s is not a schema object", cdPtr(ptr))
		return
	}
	if d, _ := s["description"].(string); !constraint && strings.TrimSpace(d) == "" {
		c.add(f, "description", "%s has no description", cdPtr(ptr))
	}
	c.walk(f, s, ptr, constraint)
}

// compile proves the file is a valid draft-07 schema and that every default
// is valid against its own property schema.
func (c *cdChecker) compile(f, name string, raw []byte) {
	url := cdURL(name)
	comp := jsonschema.NewCompiler()
	comp.Draft = jsonschema.Draft7
	if err := comp.AddResource(url, bytes.NewReader(raw)); err != nil {
		c.add(f, "compile", "%v", err)
		return
	}
	if _, err := comp.Compile(url); err != nil {
		c.add(f, "compile", "%v", err)
		return
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return
	}
	cdDefaults(doc, "", func(ptr string, def any) {
		s, err := comp.Compile(url + "#" + ptr)
		if err != nil {
			c.add(f, "default", "%s: %v", cdPtr(ptr), err)
			return
		}
		if err := s.Validate(def); err != nil {
			c.add(f, "default", "%s: default %v is not valid: %v", cdPtr(ptr), def, err)
		}
	})
}

// cdDefaults calls fn for every property or item schema that has a default.
func cdDefaults(s map[string]any, ptr string, fn func(ptr string, def any)) {
	if def, ok := s["default"]; ok && ptr != "" {
		fn(ptr, def)
	}
	props, _ := s["properties"].(map[string]any)
	for _, k := range cdSortedKeys(props) {
		if m, ok := props[k].(map[string]any); ok {
			cdDefaults(m, ptr+"/properties/"+cdEscape(k), fn)
		}
	}
	if m, ok := s["items"].(map[string]any); ok {
		cdDefaults(m, ptr+"/items", fn)
	}
}

// graph checks that parents and children name existing actions and agree
// with each other, and that doFor actions sit under list results.
func (c *cdChecker) graph(names map[string]bool, actions map[string]*cdAction) {
	for _, name := range cdSortedKeys(actions) {
		a := actions[name]
		c.itemURLChildren(a, actions)
		for _, child := range *a.rules.Children {
			if !names[child] {
				c.add(a.file, "graph-ref", "child %q is not an action file", child)
				continue
			}
			if b := actions[child]; b != nil && !cdIn(*b.rules.Parents, name) {
				c.add(a.file, "graph-mutual", "lists child %s, which does not list %s as a parent", child, name)
			}
		}
		for _, parent := range *a.rules.Parents {
			if !names[parent] {
				c.add(a.file, "graph-ref", "parent %q is not an action file", parent)
				continue
			}
			b := actions[parent]
			if b == nil {
				continue
			}
			if !cdIn(*b.rules.Children, name) {
				c.add(a.file, "graph-mutual", "lists parent %s, which does not list %s as a child", parent, name)
			}
			if a.rules.Iterates != "" && b.rules.Result.Kind != "list" {
				c.add(a.file, "iterates", "parent %s returns no list to iterate", parent)
			}
			if a.rules.Iterates != "" && b.rules.Result.Kind == "list" {
				c.itemURL(a, name, b, parent, actions)
			}
		}
	}
}

// itemURL checks that a doFor* can start its children at the root from
// an item of its parent list b: the list types its items, and the item
// carries one of the fields itemUrl names, a URL parameter every child
// needs at the root.
func (c *cdChecker) itemURL(a *cdAction, aName string, b *cdAction, bName string, actions map[string]*cdAction) {
	u := a.rules.ItemURL
	if u == nil || u.Param == "" || len(u.Fields) == 0 {
		c.add(a.file, "itemUrl", "a doFor action needs itemUrl {param, fields}")
		return
	}
	if len(b.rules.Result.Item) == 0 {
		c.add(b.file, "item", "%s iterates this list: its items need their fields (result.item)", aName)
		return
	}
	for name, typ := range b.rules.Result.Item {
		if !cdIn([]string{"string", "integer", "number", "boolean", "object", "array"}, strings.TrimSuffix(typ, "?")) {
			c.add(b.file, "item", "field %s has unknown type %q", name, typ)
		}
	}
	found := false
	for _, f := range u.Fields {
		if _, ok := b.rules.Result.Item[f]; ok {
			found = true
		}
	}
	if !found {
		c.add(a.file, "itemUrl", "items of %s have none of the fields %v", bName, u.Fields)
	}
}

// itemURLChildren checks, once per doFor*, that every child starts at
// the root with the parameter itemUrl sets.
func (c *cdChecker) itemURLChildren(a *cdAction, actions map[string]*cdAction) {
	if a.rules.Iterates == "" || a.rules.ItemURL == nil {
		return
	}
	for _, child := range *a.rules.Children {
		if ch := actions[child]; ch != nil && !cdIn(ch.rules.RootRequires, a.rules.ItemURL.Param) {
			c.add(a.file, "itemUrl", "%s does not start with %s at the root", child, a.rules.ItemURL.Param)
		}
	}
}

func cdProps(doc map[string]any) map[string]any {
	p, _ := doc["properties"].(map[string]any)
	return p
}

func cdSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func cdStrings(v any) []string {
	var out []string
	for _, x := range cdSlice(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func cdIn(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func cdSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func cdEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func cdPtr(ptr string) string {
	if ptr == "" {
		return "the schema"
	}
	return "#" + ptr
}

// TestCatalogData checks every action file against the data rules.
func TestCatalogData(t *testing.T) {
	files := readCatalogDataFiles(t)
	for _, p := range checkCatalogData(files, catalogDataMinFiles) {
		t.Error(p)
	}
}

// TestCatalogDataChecksFail breaks the real files one rule at a time and
// expects exactly the matching problems, so that no check is vacuous.
func TestCatalogDataChecksFail(t *testing.T) {
	base := readCatalogDataFiles(t)
	if ps := checkCatalogData(base, catalogDataMinFiles); len(ps) > 0 {
		t.Fatalf("the unchanged files have problems: %v", ps)
	}
	type edit func(files map[string][]byte, doc func(name string, fn func(d, x map[string]any)))
	tests := []struct {
		name  string
		edit  edit
		min   int
		wants []string // "file check"
	}{
		{"count", nil, len(base) + 1, []string{" count"}},
		{"parse", func(files map[string][]byte, _ func(string, func(d, x map[string]any))) {
			files["st.openPost.json"] = []byte("{")
		}, 0, []string{"st.openPost.json parse"}},
		{"title", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(d, _ map[string]any) { d["title"] = "st.openPosts" })
		}, 0, []string{"st.openPost.json title"}},
		{"description of the action", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(d, _ map[string]any) { delete(d, "description") })
		}, 0, []string{"st.openPost.json header"}},
		{"then as a parameter", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(d, _ map[string]any) {
				cdProps(d)["then"] = map[string]any{"type": "array", "description": "children", "items": map[string]any{"description": "a child"}}
			})
		}, 0, []string{"st.openPost.json header"}},
		{"unknown x-lwf key", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(_, x map[string]any) { x["parent"] = []any{} })
		}, 0, []string{"st.openPost.json x-lwf"}},
		{"era", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(_, x map[string]any) { x["era"] = "2026-13-01" })
		}, 0, []string{"st.openPost.json era"}},
		{"root value", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.retrieveSSI", func(_, x map[string]any) { x["root"] = "sometimes" })
		}, 0, []string{"st.retrieveSSI.json root"}},
		{"root never without parents", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.retrievePersonSkills", func(_, x map[string]any) { x["parents"] = []any{} })
			doc("st.openPersonPage", func(_, x map[string]any) {
				x["children"] = cdWithout(x["children"], "st.retrievePersonSkills")
			})
		}, 0, []string{"st.retrievePersonSkills.json root"}},
		{"root url without rootRequires", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(_, x map[string]any) { delete(x, "rootRequires") })
		}, 0, []string{"st.doForPosts.json itemUrl", "st.openPost.json root-requires"}},
		{"rootRequires names no parameter", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(_, x map[string]any) { x["rootRequires"] = []any{"posturl"} })
		}, 0, []string{"st.doForPosts.json itemUrl", "st.openPost.json root-requires"}},
		{"forbiddenUnderParent names no parameter", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(_, x map[string]any) { x["forbiddenUnderParent"] = []any{"url"} })
		}, 0, []string{"st.openPost.json forbidden"}},
		{"entity URL in required", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(d, _ map[string]any) { d["required"] = []any{"postUrl"} })
		}, 0, []string{"st.openPost.json forbidden"}},
		{"required names no parameter", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.reactToPost", func(d, _ map[string]any) { d["required"] = []any{"type", "emoji"} })
		}, 0, []string{"st.reactToPost.json required"}},
		{"unknown child", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(_, x map[string]any) { x["children"] = append(cdSlice(x["children"]), "st.likePost") })
		}, 0, []string{"st.openPost.json graph-ref"}},
		{"child without the parent", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.doForPeople", func(_, x map[string]any) {
				x["children"] = append(cdSlice(x["children"]), "st.sendConnectionRequest")
			})
		}, 0, []string{"st.doForPeople.json graph-mutual"}},
		{"parent without the child", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.retrieveSSI", func(_, x map[string]any) { x["parents"] = []any{"st.openPersonPage"} })
		}, 0, []string{"st.retrieveSSI.json graph-mutual"}},
		{"result kind", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(_, x map[string]any) { x["result"] = map[string]any{"kind": "single", "entity": "post"} })
		}, 0, []string{"st.openPost.json result"}},
		{"result entity", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(_, x map[string]any) { x["result"] = map[string]any{"kind": "object", "entity": "article"} })
		}, 0, []string{"st.openPost.json result"}},
		{"doFor without itemUrl", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.doForJobs", func(_, x map[string]any) { delete(x, "itemUrl") })
		}, 0, []string{"st.doForJobs.json itemUrl"}},
		{"itemUrl naming a field the items lack", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.doForCompanies", func(_, x map[string]any) {
				x["itemUrl"] = map[string]any{"param": "companyUrl", "fields": []any{"url"}}
			})
		}, 0, []string{"st.doForCompanies.json itemUrl"}},
		{"a list a doFor iterates without item fields", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.searchJobs", func(_, x map[string]any) { delete(x["result"].(map[string]any), "item") })
		}, 0, []string{"st.searchJobs.json item"}},
		{"doFor without iterates", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.doForJobs", func(_, x map[string]any) { delete(x, "iterates") })
		}, 0, []string{"st.doForJobs.json iterates"}},
		{"doFor under a non-list", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.searchJobs", func(_, x map[string]any) { x["result"] = map[string]any{"kind": "object", "entity": "job"} })
		}, 0, []string{"st.doForJobs.json iterates"}},
		{"unknown category", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.reactToPost", func(_, x map[string]any) { x["category"] = "stLikes" })
		}, 0, []string{"st.reactToPost.json category"}},
		{"category without limitExceeded", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.reactToPost", func(_, x map[string]any) { x["errors"] = cdWithout(x["errors"], "limitExceeded") })
		}, 0, []string{"st.reactToPost.json category"}},
		{"unknown error", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.openPost", func(_, x map[string]any) { x["errors"] = append(cdSlice(x["errors"]), "postMissing") })
		}, 0, []string{"st.openPost.json errors"}},
		{"nested description", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.searchPeople", func(d, _ map[string]any) {
				filter := cdProps(d)["filter"].(map[string]any)
				delete(cdProps(filter)["locations"].(map[string]any)["items"].(map[string]any), "description")
			})
		}, 0, []string{"st.searchPeople.json description"}},
		{"open filter", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.searchCompanies", func(d, _ map[string]any) {
				cdProps(d)["filter"].(map[string]any)["additionalProperties"] = true
			})
		}, 0, []string{"st.searchCompanies.json closed"}},
		{"open action", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.retrieveSSI", func(d, _ map[string]any) { delete(d, "additionalProperties") })
		}, 0, []string{"st.retrieveSSI.json closed"}},
		{"default out of range", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.retrieveFeed", func(d, _ map[string]any) { cdProps(d)["limit"].(map[string]any)["default"] = 500 })
		}, 0, []string{"st.retrieveFeed.json default"}},
		{"invalid schema", func(_ map[string][]byte, doc func(string, func(d, x map[string]any))) {
			doc("st.retrieveFeed", func(d, _ map[string]any) { cdProps(d)["limit"].(map[string]any)["type"] = "int" })
		}, 0, []string{"st.retrieveFeed.json compile"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string][]byte{}
			for k, v := range base {
				files[k] = v
			}
			doc := func(name string, fn func(d, x map[string]any)) {
				var d map[string]any
				if err := json.Unmarshal(files[name+".json"], &d); err != nil {
					t.Fatal(err)
				}
				fn(d, d["x-lwf"].(map[string]any))
				raw, err := json.Marshal(d)
				if err != nil {
					t.Fatal(err)
				}
				files[name+".json"] = raw
			}
			if tt.edit != nil {
				tt.edit(files, doc)
			}
			var got []string
			for _, p := range checkCatalogData(files, tt.min) {
				got = append(got, p.File+" "+p.Check)
			}
			if strings.Join(got, "\n") != strings.Join(tt.wants, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.wants, "\n"))
			}
		})
	}
}

func cdWithout(list any, drop string) []any {
	var out []any
	for _, x := range cdSlice(list) {
		if x != drop {
			out = append(out, x)
		}
	}
	return out
}

// TestCatalogDataParams validates parameter sets against the compiled
// schemas: the documented SDK payloads must pass, and the mistakes of the
// Node SDK 1.1 README (reference section 3.11) and the documented exclusions
// must fail.
func TestCatalogDataParams(t *testing.T) {
	files := readCatalogDataFiles(t)
	tests := []struct {
		action, params string
		valid          bool
	}{
		// Payloads of reference section 4.3 and the design's example, minus actionType and then.
		{"st.openPersonPage", `{"basicInfo":true,"personUrl":"u"}`, true},
		{"st.retrievePersonExperience", `{}`, true},
		{"st.retrievePersonPosts", `{"limit":5}`, true},
		{"st.openCompanyPage", `{"basicInfo":true,"companyUrl":"c"}`, true},
		{"st.retrieveCompanyEmployees", `{"limit":25,"filter":{"schools":["MIT"]}}`, true},
		{"st.retrieveCompanyEmployees", `{"limit":5,"filter":{"position":"manager"}}`, true},
		{"st.retrieveCompanyDMs", `{"limit":5}`, true},
		{"st.searchPeople", `{"term":"CTO","limit":20,"filter":{"locations":["Berlin"]}}`, true},
		{"st.searchCompanies", `{"term":"AI startup","limit":10,"filter":{"locations":["San Francisco"],"sizes":["11-50","51-200"]}}`, true},
		{"st.retrieveFeed", `{"limit":25}`, true},
		{"st.checkConnectionStatus", `{"personUrl":"p"}`, true},
		{"st.retrieveSSI", `{}`, true},
		{"st.sendConnectionRequest", `{"personUrl":"p","note":"Hi"}`, true},
		{"st.sendMessage", `{"personUrl":"p","text":"Hi"}`, true},
		{"st.manageConversation", `{"operation":"archive"}`, true},
		{"st.acceptInvitation", `{"invitationType":"companyFollow","companyUrl":"c"}`, true},
		{"nv.searchCompanies", `{"filter":{"annualRevenue":{"min":"1"}}}`, true},
		{"nv.searchPeople", `{"filter":{"yearsOfExperience":["sixToTen"]}}`, true},
		{"st.searchJobs", `{"term":"go","preferences":{"remote":true}}`, true},
		{"st.createPost", `{"text":"Hello","attachments":[{"url":"a","type":"image"},{"url":"b","type":"image"}]}`, true},
		{"st.createPost", `{"text":"Hello","attachments":[{"url":"a","type":"document","name":"Deck"}]}`, true},
		// Node SDK 1.1 README mistakes.
		{"st.sendConnectionRequest", `{"personUrl":"p","message":"Hi"}`, false},
		{"st.reactToPost", `{"postUrl":"p","reactionType":"like"}`, false},
		{"st.retrieveConnections", `{"filter":{"positions":["CTO"]}}`, false},
		{"st.retrieveCompanyEmployees", `{"filter":{"position":["manager"]}}`, false},
		{"st.searchCompanies", `{"filter":{"annualRevenue":{"min":"1","max":"10"}}}`, false},
		{"st.searchCompanies", `{"filter":{"sizes":["2001-500"]}}`, false},
		{"nv.searchCompanies", `{"filter":{"sizes":["2001-500"]}}`, false},
		// Documented exclusions and bounds.
		{"st.reactToPost", `{"postUrl":"p"}`, false},
		{"st.sendMessage", `{"personUrl":"p"}`, false},
		{"nv.searchPeople", `{"filter":{"yearsOfExperiences":["sixToTen"]}}`, false},
		{"st.searchJobs", `{"filter":{"easyApply":true},"preferences":{"remote":true}}`, false},
		{"st.acceptInvitation", `{"invitationType":"connect","companyUrl":"c"}`, false},
		{"st.acceptInvitation", `{"invitationType":"connect","personUrl":"p","companyUrl":"c"}`, false},
		{"st.createPost", `{"text":"Hello","attachments":[{"url":"a","type":"video"},{"url":"b","type":"image"}]}`, false},
		{"st.createPost", `{"text":"Hello","attachments":[{"url":"a","type":"document"}]}`, false},
		{"st.retrieveFeed", `{"limit":101}`, false},
		{"st.retrievePersonPosts", `{"since":"last week"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.action+" "+tt.params, func(t *testing.T) {
			raw, ok := files[tt.action+".json"]
			if !ok {
				t.Fatalf("no file for %s", tt.action)
			}
			url := cdURL(tt.action)
			comp := jsonschema.NewCompiler()
			comp.Draft = jsonschema.Draft7
			if err := comp.AddResource(url, bytes.NewReader(raw)); err != nil {
				t.Fatal(err)
			}
			s, err := comp.Compile(url)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(strings.NewReader(tt.params))
			dec.UseNumber()
			var v any
			if err := dec.Decode(&v); err != nil {
				t.Fatal(err)
			}
			err = s.Validate(v)
			if tt.valid && err != nil {
				t.Errorf("rejected: %v", err)
			}
			if !tt.valid && err == nil {
				t.Error("accepted, want rejected")
			}
		})
	}
}

// TestCatalogDataSDK11Graph checks the parent/child mistakes of the Node
// SDK 1.1 README and the nesting the documentation and SDK examples use.
func TestCatalogDataSDK11Graph(t *testing.T) {
	files := readCatalogDataFiles(t)
	if _, ok := files["st.retriveCompanyEmployees.json"]; ok {
		t.Error("the misspelt st.retriveCompanyEmployees has a file")
	}
	for _, gone := range []string{"st.acceptConnectionRequest", "st.ignoreConnectionRequest", "st.retrieveConnectionRequests"} {
		if _, ok := files[gone+".json"]; ok {
			t.Errorf("the superseded %s has a file", gone)
		}
	}
	children := func(name string) []string {
		var d struct {
			X struct {
				Children []string `json:"children"`
			} `json:"x-lwf"`
		}
		if err := json.Unmarshal(files[name+".json"], &d); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return d.X.Children
	}
	if cdIn(children("st.doForPeople"), "st.sendConnectionRequest") {
		t.Error("st.sendConnectionRequest is allowed directly under st.doForPeople")
	}
	paths := [][]string{
		{"st.searchPeople", "st.doForPeople", "st.openPersonPage", "st.retrievePersonSkills"},
		{"st.searchCompanies", "st.doForCompanies", "st.openCompanyPage", "st.retrieveCompanyEmployees", "st.doForPeople", "st.openPersonPage", "st.sendConnectionRequest"},
		{"st.sendMessage", "st.manageConversation"},
		{"st.searchJobs", "st.doForJobs", "st.openJob"},
		{"nv.searchCompanies", "nv.doForCompanies", "nv.openCompanyPage", "nv.retrieveCompanyEmployees", "nv.doForPeople", "nv.openPersonPage", "nv.sendMessage"},
	}
	for _, p := range paths {
		for i := 0; i+1 < len(p); i++ {
			if !cdIn(children(p[i]), p[i+1]) {
				t.Errorf("%s does not allow child %s", p[i], p[i+1])
			}
		}
	}
}

// cdURL is the schema id a file is compiled under; the compiler normalises
// ids to scheme:///path, so the test uses that form directly.
func cdURL(name string) string { return "lwf:///actions/" + name + ".json" }

// cdInternal is wording that names how the catalog was made rather than
// the Linked API: decisions name SDKs by their version ("the Node SDK 1.1
// README"), never by a stage of lwf's own history.
var cdInternal = regexp.MustCompile(`(?i)\bseed\b|official SDK'?s README|the first official SDK`)

// TestCatalogWording keeps internal wording out of the catalog, whose
// descriptions and decisions reach users through lwf actions, the editor
// schema's hover texts and the README of this directory.
func TestCatalogWording(t *testing.T) {
	files := readCatalogDataFiles(t)
	for _, extra := range []string{"README.md", "../lang/lwf.schema.json"} {
		raw, err := os.ReadFile(extra)
		if err != nil {
			t.Fatal(err)
		}
		files[extra] = raw
	}
	for name, raw := range files {
		for _, line := range strings.Split(string(raw), "\n") {
			if m := cdInternal.FindString(line); m != "" {
				t.Errorf("%s: %q: name the SDK and its version instead: %s", name, m, strings.TrimSpace(line))
			}
		}
	}
}
