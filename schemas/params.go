package schemas

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/diag"
)

// CheckParams checks an action's parameters — every key of the action
// object but actionType, label and then — against its schema. Pointers in
// the problems are base plus the parameter's path.
func (a *Action) CheckParams(base string, params map[string]any) []Problem {
	if a == nil {
		return nil
	}
	w := paramWalker{action: a, base: base}
	w.object(a.doc, params, nil, true)
	w.combinations(params)
	return w.problems
}

// CheckValue checks v against a JSON Schema fragment of the subset lwf
// uses (type, enum, minimum, maximum, minLength, maxLength, minItems,
// maxItems, items, properties, required, additionalProperties). Pointers in
// the problems are relative to v; messages name paths from name.
func CheckValue(name string, schema map[string]any, v any) []Problem {
	w := paramWalker{}
	var path []string
	if name != "" {
		path = []string{name}
	}
	w.value(schema, v, path)
	if name != "" {
		for i := range w.problems {
			w.problems[i].Pointer = strings.TrimPrefix(w.problems[i].Pointer, "/"+name)
		}
	}
	return w.problems
}

type paramWalker struct {
	action   *Action
	base     string
	problems []Problem
	unknown  []string // pointers of Unknown values
	reported map[string]bool
}

func (w *paramWalker) ptr(path []string) string {
	p := w.base
	for _, s := range path {
		p = pointerJoin(p, s)
	}
	return p
}

func (w *paramWalker) add(path []string, at Target, code diag.Code, msg, hint string) {
	p := w.ptr(path)
	if w.reported == nil {
		w.reported = map[string]bool{}
	}
	w.reported[p] = true
	w.problems = append(w.problems, Problem{Pointer: p, At: at, Code: string(code), Message: msg, Hint: hint})
}

// object checks the keys of an object value against properties, required
// and additionalProperties; top says whether it is the action itself.
func (w *paramWalker) object(s map[string]any, v map[string]any, path []string, top bool) {
	props, _ := s["properties"].(map[string]any)
	closed := s["additionalProperties"] == false
	keys := sortedKeys(v)
	for _, k := range keys {
		ps, ok := props[k].(map[string]any)
		if !ok {
			if closed {
				names := sortedKeys(props)
				hint := ""
				if n := nearestName(k, names); n != "" {
					hint = fmt.Sprintf("did you mean %q?", n)
				} else if len(names) > 0 && len(names) <= 12 {
					hint = "known: " + strings.Join(names, ", ")
				} else if len(names) == 0 {
					hint = "it takes no parameters"
				}
				if top && w.action != nil {
					w.add(append(path, k), AtKey, diag.CodeUnknownParam, fmt.Sprintf("unknown parameter %q for %s", k, w.action.Name), hint)
				} else {
					w.add(append(path, k), AtKey, diag.CodeUnknownParam, fmt.Sprintf("unknown key %q in %s", k, dotted(path)), hint)
				}
			}
			continue
		}
		w.value(ps, v[k], append(path[:len(path):len(path)], k))
	}
	for _, r := range asSlice(s["required"]) {
		name, _ := r.(string)
		if _, ok := v[name]; ok || name == "" {
			continue
		}
		if top && w.action != nil {
			if _, fill := w.action.fills[name]; fill {
				continue
			}
			w.add(path, AtStep, diag.CodeMissingParam, fmt.Sprintf("%s needs parameter %q", w.action.Name, name), "")
		} else {
			w.add(path, AtValue, diag.CodeMissingParam, fmt.Sprintf("%s needs key %q", dotted(path), name), "")
		}
	}
}

func (w *paramWalker) value(s map[string]any, v any, path []string) {
	if u, ok := v.(Unknown); ok {
		w.unknown = append(w.unknown, w.ptr(path))
		if want := schemaType(s); want != "" && u.Type != "" && !typeAccepts(want, u.Type) {
			w.add(path, AtValue, diag.CodeParamType, fmt.Sprintf("%s must be %s, got %s", dotted(path), article(want), article(u.Type)), "")
		}
		return
	}
	got := jsonTypeOf(v)
	if want := schemaType(s); want != "" && !typeAccepts(want, got) {
		w.add(path, AtValue, diag.CodeParamType, fmt.Sprintf("%s must be %s, got %s", dotted(path), article(want), article(got)), "")
		return
	}
	if enum := asSlice(s["enum"]); enum != nil && !enumHas(enum, v) {
		w.add(path, AtValue, diag.CodeParamValue, fmt.Sprintf("%s: %s is not one of %s", dotted(path), show(v), showList(enum)), nearestEnum(v, enum))
		return
	}
	switch x := v.(type) {
	case string:
		if p, ok := s["pattern"].(string); ok && !w.matches(p, x) {
			w.add(path, AtValue, diag.CodeParamValue, fmt.Sprintf("%s: %s does not have the expected form", dotted(path), show(x)), patternHint(p))
		}
		n := utf8.RuneCountInString(x)
		if m, ok := num(s["maxLength"]); ok && float64(n) > m {
			w.add(path, AtValue, diag.CodeParamValue, fmt.Sprintf("%s is %d characters long, at most %v allowed", dotted(path), n, m), "")
		}
		if m, ok := num(s["minLength"]); ok && float64(n) < m {
			if m == 1 {
				w.add(path, AtValue, diag.CodeParamValue, fmt.Sprintf("%s must not be empty", dotted(path)), "")
			} else {
				w.add(path, AtValue, diag.CodeParamValue, fmt.Sprintf("%s is %d characters long, at least %v required", dotted(path), n, m), "")
			}
		}
	case []any:
		if m, ok := num(s["maxItems"]); ok && float64(len(x)) > m {
			w.add(path, AtValue, diag.CodeParamValue, fmt.Sprintf("%s has %d items, at most %v allowed", dotted(path), len(x), m), "")
		}
		if m, ok := num(s["minItems"]); ok && float64(len(x)) < m {
			w.add(path, AtValue, diag.CodeParamValue, fmt.Sprintf("%s has %d items, at least %v required", dotted(path), len(x), m), "")
		}
		if is, ok := s["items"].(map[string]any); ok {
			for i, item := range x {
				w.value(is, item, append(path[:len(path):len(path)], strconv.Itoa(i)))
			}
		}
	case map[string]any:
		w.object(s, x, path, false)
	case int, int64, float64, json.Number:
		w.number(s, v, path)
	}
}

func (w *paramWalker) number(s map[string]any, v any, path []string) {
	switch {
	default:
		if f, ok := num(v); ok {
			if m, ok := num(s["minimum"]); ok && f < m {
				w.add(path, AtValue, diag.CodeParamValue, fmt.Sprintf("%s must be at least %v, got %v", dotted(path), m, f), "")
			}
			if m, ok := num(s["maximum"]); ok && f > m {
				w.add(path, AtValue, diag.CodeParamValue, fmt.Sprintf("%s must be at most %v, got %v", dotted(path), m, f), "")
			}
		}
	}
}

// matches applies a pattern keyword, compiled at load time when it comes
// from the catalog.
func (w *paramWalker) matches(pattern, s string) bool {
	var re *regexp.Regexp
	if w.action != nil {
		re = w.action.patterns[pattern]
	}
	if re == nil {
		var err error
		if re, err = regexp.Compile(pattern); err != nil {
			return true
		}
	}
	return re.MatchString(s)
}

func patternHint(p string) string {
	if strings.HasPrefix(p, "^[0-9]{4}-[0-9]{2}-[0-9]{2}") {
		return "write a date as YYYY-MM-DD (ISO 8601), e.g. ${{ daysAgo(30) }}"
	}
	return "it must match " + p
}

func (w *paramWalker) underUnknown(p string) bool {
	for _, u := range w.unknown {
		if p == u || strings.HasPrefix(p, u+"/") {
			return true
		}
	}
	return false
}

// normalize turns a value into the types the JSON Schema validator knows,
// replacing Unknown values by an empty value of their type.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			if u, ok := e.(Unknown); ok && u.Optional {
				continue // may be left out: check the rules as if it were
			}
			m[k] = normalize(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = normalize(e)
		}
		return s
	case Unknown:
		switch x.Type {
		case "string":
			return ""
		case "integer", "number":
			return json.Number("0")
		case "boolean":
			return false
		case "array":
			return []any{}
		case "object":
			return map[string]any{}
		}
		return nil
	case nil, bool, string, json.Number, float64, int, int64:
		return x
	case int32:
		return int64(x)
	case uint64:
		return json.Number(strconv.FormatUint(x, 10))
	case float32:
		return float64(x)
	}
	return fmt.Sprint(v)
}

func jsonTypeOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case int, int64, int32, uint64:
		return "integer"
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return "integer"
		}
		return "number"
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case float32:
		return jsonTypeOf(float64(x))
	}
	return "unknown"
}

func typeAccepts(want, got string) bool {
	for _, t := range strings.Split(want, "|") {
		if t == got || (t == "number" && got == "integer") {
			return true
		}
	}
	return false
}

func article(t string) string {
	switch t {
	case "integer", "array", "object":
		return "an " + t
	case "null":
		return "null"
	}
	if strings.Contains(t, "|") {
		return strings.ReplaceAll(t, "|", " or ")
	}
	return "a " + t
}

func num(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	case uint64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	}
	return 0, false
}

func enumHas(enum []any, v any) bool {
	for _, e := range enum {
		if e == v {
			return true
		}
		if a, ok := num(e); ok {
			if b, ok := num(v); ok && a == b {
				return true
			}
		}
	}
	return false
}

func nearestEnum(v any, enum []any) string {
	s, ok := v.(string)
	if !ok {
		return ""
	}
	var names []string
	for _, e := range enum {
		if es, ok := e.(string); ok {
			names = append(names, es)
		}
	}
	if n := nearestName(s, names); n != "" {
		return fmt.Sprintf("did you mean %q?", n)
	}
	return ""
}

func show(v any) string {
	b, err := json.Marshal(normalize(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}

func showList(enum []any) string {
	parts := make([]string, len(enum))
	for i, e := range enum {
		parts[i] = show(e)
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
