package schemas

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"github.com/lwf-dev/lwf/diag"
)

// A few actions combine parameters in ways a property's own schema cannot
// say ("filter and preferences cannot be combined", "a document
// attachment needs a name"). Their catalog files say it with allOf
// entries of the form {"not": SCHEMA, "x-lwf-message": "…"}: the
// parameters are refused, with that message, when they match SCHEMA.
// The walker finds those entries along the parameters; whether a value
// matches SCHEMA is the JSON Schema validator's answer, with the "not"
// compiled the first time a workflow uses the action — so that loading
// the catalog compiles nothing, and a check compiles only what it needs.
// A catalog file that uses any keyword the walker does not explain is
// refused when the catalog loads.

// walkerKeywords are the keywords the walker (CheckParams) evaluates, or
// that only annotate.
var walkerKeywords = map[string]bool{
	"type": true, "enum": true, "required": true, "additionalProperties": true, "properties": true, "items": true,
	"minimum": true, "maximum": true, "minLength": true, "maxLength": true, "minItems": true, "maxItems": true,
	"description": true, "default": true, "title": true, "$schema": true, "examples": true, "$comment": true,
	"pattern": true, "allOf": true, "not": true,
}

// matchKeywords are the further keywords a schema under "not" may use:
// there a schema is only matched, never explained.
var matchKeywords = map[string]bool{"const": true, "anyOf": true, "contains": true}

// unsupportedKeyword returns where a schema uses a keyword the walker does
// not evaluate ("/allOf/0/oneOf"), or "". under says whether s is below a
// "not", where matchKeywords are allowed too.
func unsupportedKeyword(s map[string]any, at string, under bool) string {
	for _, k := range sortedKeys(s) {
		if strings.HasPrefix(k, "x-") {
			continue
		}
		if !walkerKeywords[k] && !(under && matchKeywords[k]) {
			return pointerJoin(at, k)
		}
		e := s[k]
		var bad string
		switch k {
		case "properties":
			props, ok := e.(map[string]any)
			if !ok {
				return pointerJoin(at, k)
			}
			for _, name := range sortedKeys(props) {
				ps, ok := props[name].(map[string]any)
				if !ok {
					return pointerJoin(pointerJoin(at, k), name)
				}
				if bad = unsupportedKeyword(ps, pointerJoin(pointerJoin(at, k), name), under); bad != "" {
					return bad
				}
			}
		case "items", "contains", "not":
			sub, ok := e.(map[string]any)
			if !ok {
				return pointerJoin(at, k) // a list of items schemas (tuples) is not evaluated
			}
			bad = unsupportedKeyword(sub, pointerJoin(at, k), under || k == "not")
		case "additionalProperties":
			if sub, ok := e.(map[string]any); ok {
				bad = unsupportedKeyword(sub, pointerJoin(at, k), under)
			} else if _, ok := e.(bool); !ok {
				return pointerJoin(at, k)
			}
		case "allOf", "anyOf":
			list, ok := e.([]any)
			if !ok {
				return pointerJoin(at, k)
			}
			for i, x := range list {
				sub, ok := x.(map[string]any)
				if !ok {
					return pointerIndex(pointerJoin(at, k), i)
				}
				if bad = unsupportedKeyword(sub, pointerIndex(pointerJoin(at, k), i), under); bad != "" {
					return bad
				}
			}
		}
		if bad != "" {
			return bad
		}
	}
	return ""
}

// refusesCombinations reports whether a schema holds a "not" (under allOf,
// properties, items or additionalProperties) that the walker must apply.
func refusesCombinations(s map[string]any) bool {
	if _, ok := s["not"]; ok {
		return true
	}
	for _, e := range asSlice(s["allOf"]) {
		if sub, ok := e.(map[string]any); ok && refusesCombinations(sub) {
			return true
		}
	}
	props, _ := s["properties"].(map[string]any)
	for _, ps := range props {
		if sub, ok := ps.(map[string]any); ok && refusesCombinations(sub) {
			return true
		}
	}
	for _, k := range []string{"items", "additionalProperties"} {
		if sub, ok := s[k].(map[string]any); ok && refusesCombinations(sub) {
			return true
		}
	}
	return false
}

// combinations reports where the parameters (normalized: Unknown values
// replaced by an empty value of their type) match a "not" of the action's
// schema, at places not already reported or unknown.
func (w *paramWalker) combinations(params map[string]any) {
	if !w.action.combines {
		return
	}
	inst, ok := normalize(params).(map[string]any)
	if !ok {
		return
	}
	w.refuse(w.action.doc, inst, "", "")
}

// refuse walks schema s and value v together down properties and items,
// and reports each "not" v matches; at is v's JSON pointer within the
// parameters, sp is s's within the action's schema.
func (w *paramWalker) refuse(s map[string]any, v any, at, sp string) {
	for i, e := range asSlice(s["allOf"]) {
		if sub, ok := e.(map[string]any); ok {
			w.refuse(sub, v, at, pointerIndex(pointerJoin(sp, "allOf"), i))
		}
	}
	if _, ok := s["not"].(map[string]any); ok && w.action.matchesNot(pointerJoin(sp, "not"), v) {
		p := w.base + at
		if !w.reported[p] && !w.underUnknown(p) {
			msg, _ := s["x-lwf-message"].(string)
			if msg == "" {
				msg = "parameters combined in a way the action does not allow"
			}
			if where := strings.TrimPrefix(at, "/"); where != "" {
				msg = strings.ReplaceAll(where, "/", ".") + ": " + msg
			}
			w.add(nil, AtValue, diag.CodeParamValue, msg, "")
			w.problems[len(w.problems)-1].Pointer = p
		}
	}
	switch x := v.(type) {
	case map[string]any:
		props, _ := s["properties"].(map[string]any)
		for _, k := range sortedKeys(x) {
			if ps, ok := props[k].(map[string]any); ok {
				w.refuse(ps, x[k], pointerJoin(at, k), pointerJoin(pointerJoin(sp, "properties"), k))
			} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
				w.refuse(ap, x[k], pointerJoin(at, k), pointerJoin(sp, "additionalProperties"))
			}
		}
	case []any:
		if is, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				w.refuse(is, e, pointerIndex(at, i), pointerJoin(sp, "items"))
			}
		}
	}
}

// matchesNot reports whether v is valid against the schema at pointer p
// of the action's schema (a "not" of it), as the JSON Schema validator
// says. Each such schema is compiled once, when first needed; one that
// does not compile (the catalog tests prove none) matches nothing.
func (a *Action) matchesNot(p string, v any) bool {
	if c, ok := a.nots.Load(p); ok {
		s, _ := c.(*jsonschema.Schema)
		return s != nil && s.Validate(v) == nil
	}
	url := "lwf:///actions/" + a.Name + ".json"
	comp := jsonschema.NewCompiler()
	comp.Draft = jsonschema.Draft7
	var s *jsonschema.Schema
	if err := comp.AddResource(url, bytes.NewReader(a.Raw)); err == nil {
		s, _ = comp.Compile(url + "#" + p)
	}
	a.nots.Store(p, s)
	return s != nil && s.Validate(v) == nil
}

// collectPatterns compiles the "pattern" keywords of a schema, at any
// depth; a pattern that does not compile is an error of the catalog.
func collectPatterns(v any, into map[string]*regexp.Regexp) error {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := x[k].(string); ok && k == "pattern" {
				re, err := regexp.Compile(p)
				if err != nil {
					return fmt.Errorf("pattern %s: %w", strconv.Quote(p), err)
				}
				into[p] = re
				continue
			}
			if err := collectPatterns(x[k], into); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := collectPatterns(e, into); err != nil {
				return err
			}
		}
	}
	return nil
}
