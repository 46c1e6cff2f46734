package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/lwf-dev/lwf/schemas"
)

// actionDoc is one action as lwf actions --format json prints it: the
// catalog file read for people and programs, nested parameters spelled
// out.
type actionDoc struct {
	Name                 string         `json:"name"`
	Description          string         `json:"description"`
	Parameters           []paramDoc     `json:"parameters"`
	StartsWorkflow       schemas.Root   `json:"startsWorkflow"` // always, url (with rootRequires) or never
	RootRequires         []string       `json:"rootRequires,omitempty"`
	Parents              []string       `json:"parents"`
	ForbiddenUnderParent []string       `json:"forbiddenUnderParent,omitempty"`
	Children             []string       `json:"children"`
	Result               schemas.Result `json:"result"`
	Category             string         `json:"category,omitempty"`
	Write                bool           `json:"write"`
	Errors               []string       `json:"errors"`
	Era                  string         `json:"era"`
	Decisions            []string       `json:"decisions"`
}

// paramDoc is one parameter or nested key: "filter.sizes", and for the
// objects of a list "attachments[].url".
type paramDoc struct {
	Name           string     `json:"name,omitempty"`
	Type           string     `json:"type"` // "string", "string[]", "object", …
	Required       bool       `json:"required,omitempty"`
	RequiredAtRoot bool       `json:"requiredAtRoot,omitempty"`
	Default        any        `json:"default,omitempty"`
	Minimum        any        `json:"minimum,omitempty"`
	Maximum        any        `json:"maximum,omitempty"`
	MinLength      any        `json:"minLength,omitempty"`
	MaxLength      any        `json:"maxLength,omitempty"`
	MinItems       any        `json:"minItems,omitempty"`
	MaxItems       any        `json:"maxItems,omitempty"`
	Pattern        string     `json:"pattern,omitempty"`
	Enum           []any      `json:"enum,omitempty"`
	Items          *paramDoc  `json:"items,omitempty"` // the bounds of each element of a list of scalars
	Description    string     `json:"description,omitempty"`
	Keys           []paramDoc `json:"keys,omitempty"`
}

func newActionDoc(ac *schemas.Action) actionDoc {
	d := actionDoc{Name: ac.Name, Description: ac.Description, Parameters: paramDocs(ac), StartsWorkflow: ac.Root,
		RootRequires: ac.RootRequires, Parents: ac.Parents, ForbiddenUnderParent: ac.ForbiddenUnderParent, Children: ac.Children,
		Result: ac.Result, Category: ac.Category, Write: ac.Write, Errors: ac.Errors, Era: ac.Era, Decisions: ac.Decisions}
	if d.Parameters == nil {
		d.Parameters = []paramDoc{}
	}
	if d.Errors == nil {
		d.Errors = []string{}
	}
	if d.Decisions == nil {
		d.Decisions = []string{}
	}
	return d
}

// paramDocs describes an action's parameters, sorted by name.
func paramDocs(ac *schemas.Action) []paramDoc {
	var out []paramDoc
	for _, p := range ac.Params {
		d := schemaDoc(p.Name, p.Schema, p.Required)
		d.RequiredAtRoot = contains(ac.RootRequires, p.Name)
		out = append(out, d)
	}
	return out
}

// schemaDoc describes a parameter's schema, and its nested keys.
func schemaDoc(name string, s map[string]any, required bool) paramDoc {
	p := paramDoc{Name: name, Type: paramTypeName(s), Required: required, Default: s["default"], Minimum: s["minimum"], Maximum: s["maximum"],
		MinLength: s["minLength"], MaxLength: s["maxLength"], MinItems: s["minItems"], MaxItems: s["maxItems"]}
	p.Description, _ = s["description"].(string)
	p.Pattern, _ = s["pattern"].(string)
	p.Enum, _ = s["enum"].([]any)
	if items, ok := s["items"].(map[string]any); ok {
		it := schemaDoc(name+"[]", items, false)
		if len(it.Keys) > 0 {
			p.Keys = it.Keys
		} else if len(it.constraints()) > 0 {
			it.Name, it.Description = "", ""
			p.Items = &it
		}
	}
	props, _ := s["properties"].(map[string]any)
	req := map[string]bool{}
	if rs, ok := s["required"].([]any); ok {
		for _, r := range rs {
			if k, ok := r.(string); ok {
				req[k] = true
			}
		}
	}
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if ks, ok := props[k].(map[string]any); ok {
			p.Keys = append(p.Keys, schemaDoc(name+"."+k, ks, req[k]))
		}
	}
	return p
}

// paramTypeName names a schema's type as lwf workflows names inputs':
// "string", "string[]" for a list of strings, "string|null"; "any" when
// the schema does not say.
func paramTypeName(s map[string]any) string {
	t := paramType(s)
	if t == "array" {
		if items, ok := s["items"].(map[string]any); ok {
			if it := paramType(items); it != "" {
				return it + "[]"
			}
		}
	}
	if t == "" {
		return "any"
	}
	return t
}

func paramType(s map[string]any) string {
	return schemas.Param{Schema: s}.Type()
}

// constraints lists a parameter's bounds as lwf actions prints them.
func (p paramDoc) constraints() []string {
	var parts []string
	if p.Required {
		parts = append(parts, "required")
	}
	if p.RequiredAtRoot {
		parts = append(parts, "required at root")
	}
	for _, b := range []struct {
		label string
		v     any
	}{{"default", p.Default}, {"min", p.Minimum}, {"max", p.Maximum}, {"min length", p.MinLength}, {"max length", p.MaxLength},
		{"min items", p.MinItems}, {"max items", p.MaxItems}} {
		if b.v != nil {
			j, _ := json.Marshal(b.v)
			parts = append(parts, b.label+" "+string(j))
		}
	}
	if p.Pattern != "" {
		parts = append(parts, "pattern "+p.Pattern)
	}
	if len(p.Enum) > 0 {
		var vals []string
		for _, x := range p.Enum {
			vals = append(vals, fmt.Sprint(x))
		}
		parts = append(parts, "one of "+strings.Join(vals, "|"))
	}
	if p.Items != nil {
		for _, c := range p.Items.constraints() {
			parts = append(parts, "each "+c)
		}
	}
	return parts
}
