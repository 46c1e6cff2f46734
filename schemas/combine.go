package schemas

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/diag"
)

// A few actions combine parameters in ways a property's own schema cannot
// say ("filter and preferences cannot be combined", "a document
// attachment needs a name"). Their catalog files say it with allOf
// entries of the form {"not": SCHEMA, "x-lwf-message": "…"}: the
// parameters are refused, with that message, when they match SCHEMA.
// The walker evaluates those itself — the JSON Schema keywords below,
// nothing more — so that checking a workflow needs no JSON Schema
// library, and loading the catalog compiles nothing. A catalog file that
// uses any other keyword is refused when the catalog loads.

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
	w.refuse(w.action.doc, inst, "")
}

// refuse walks schema s and value v together down properties and items,
// and reports each "not" v matches; at is v's JSON pointer within the
// parameters.
func (w *paramWalker) refuse(s map[string]any, v any, at string) {
	for _, e := range asSlice(s["allOf"]) {
		if sub, ok := e.(map[string]any); ok {
			w.refuse(sub, v, at)
		}
	}
	if not, ok := s["not"].(map[string]any); ok && w.matchesSchema(not, v) {
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
				w.refuse(ps, x[k], pointerJoin(at, k))
			} else if ap, ok := s["additionalProperties"].(map[string]any); ok {
				w.refuse(ap, x[k], pointerJoin(at, k))
			}
		}
	case []any:
		if is, ok := s["items"].(map[string]any); ok {
			for i, e := range x {
				w.refuse(is, e, pointerIndex(at, i))
			}
		}
	}
}

// matchesSchema reports whether v is valid against s, for the keywords
// the catalog may use (see unsupportedKeyword).
func (w *paramWalker) matchesSchema(s map[string]any, v any) bool {
	if t := schemaType(s); t != "" && !typeAccepts(t, jsonTypeOf(v)) {
		return false
	}
	if enum, ok := s["enum"].([]any); ok && !containsJSON(enum, v) {
		return false
	}
	if c, ok := s["const"]; ok && !equalJSON(c, v) {
		return false
	}
	if not, ok := s["not"].(map[string]any); ok && w.matchesSchema(not, v) {
		return false
	}
	for _, e := range asSlice(s["allOf"]) {
		if sub, ok := e.(map[string]any); ok && !w.matchesSchema(sub, v) {
			return false
		}
	}
	if alts, ok := s["anyOf"].([]any); ok {
		found := false
		for _, e := range alts {
			if sub, ok := e.(map[string]any); ok && w.matchesSchema(sub, v) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	switch x := v.(type) {
	case map[string]any:
		for _, r := range asSlice(s["required"]) {
			if name, _ := r.(string); name != "" {
				if _, ok := x[name]; !ok {
					return false
				}
			}
		}
		props, _ := s["properties"].(map[string]any)
		for k, e := range x {
			if ps, ok := props[k].(map[string]any); ok {
				if !w.matchesSchema(ps, e) {
					return false
				}
				continue
			}
			switch ap := s["additionalProperties"].(type) {
			case bool:
				if !ap {
					return false
				}
			case map[string]any:
				if !w.matchesSchema(ap, e) {
					return false
				}
			}
		}
	case []any:
		if m, ok := num(s["minItems"]); ok && float64(len(x)) < m {
			return false
		}
		if m, ok := num(s["maxItems"]); ok && float64(len(x)) > m {
			return false
		}
		if is, ok := s["items"].(map[string]any); ok {
			for _, e := range x {
				if !w.matchesSchema(is, e) {
					return false
				}
			}
		}
		if c, ok := s["contains"].(map[string]any); ok {
			found := false
			for _, e := range x {
				if w.matchesSchema(c, e) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
	case string:
		n := utf8.RuneCountInString(x)
		if m, ok := num(s["minLength"]); ok && float64(n) < m {
			return false
		}
		if m, ok := num(s["maxLength"]); ok && float64(n) > m {
			return false
		}
		if p, ok := s["pattern"].(string); ok && !w.matches(p, x) {
			return false
		}
	default:
		if f, ok := num(v); ok {
			if m, ok := num(s["minimum"]); ok && f < m {
				return false
			}
			if m, ok := num(s["maximum"]); ok && f > m {
				return false
			}
		}
	}
	return true
}

// equalJSON compares two JSON values; numbers compare by value, whatever
// Go type holds them.
func equalJSON(a, b any) bool {
	if x, ok := num(a); ok {
		y, ok := num(b)
		return ok && x == y
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, e := range x {
			f, ok := y[k]
			if !ok || !equalJSON(e, f) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}

func containsJSON(list []any, v any) bool {
	for _, e := range list {
		if equalJSON(e, v) {
			return true
		}
	}
	return false
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
