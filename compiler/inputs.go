package compiler

import (
	"fmt"
	"sort"

	"github.com/expr-lang/expr/types"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/schemas"
)

// inputDecl is one declared input.
type inputDecl struct {
	name     string
	key      *dsl.Node
	typ      string
	schema   map[string]any // the declaration as a JSON Schema fragment
	def      any
	hasDef   bool
	required bool
}

// declareInputs checks the inputs: mapping.
func (c *compilation) declareInputs(n *dsl.Node) []*inputDecl {
	if n == nil {
		return nil
	}
	var out []*inputDecl
	for _, p := range n.Pairs {
		name := p.Key.Value
		if !lang.IsIdent(name) {
			c.errorAt(p.Key, diag.CodeFieldValue, fmt.Sprintf("input name %q must be an identifier (letters, digits, _)", name), "")
			continue
		}
		d := &inputDecl{name: name, key: p.Key, typ: "string"}
		if p.Value.Kind == dsl.ScalarNode && p.Value.Tag == "!!null" {
			d.schema = map[string]any{"type": "string"}
			d.required = true
			out = append(out, d)
			continue
		}
		if p.Value.Kind != dsl.MapNode {
			c.errorAt(p.Value, diag.CodeFieldType, fmt.Sprintf("input %q must be a mapping such as {type: string}", name), "")
			continue
		}
		if s, ok := c.declSchema(p.Value, name, 0); ok {
			d.schema = s
			d.typ, _ = s["type"].(string)
		} else {
			continue
		}
		if dn := p.Value.Get("default"); dn != nil {
			v, err := dn.Decode()
			if err != nil {
				c.errorAt(dn, diag.CodeFieldValue, fmt.Sprintf("default of input %q: %v", name, err), "")
			} else {
				d.def, d.hasDef = fromYAML(v, d.schema), true
				if msg := numberProblem(d.schema, d.def); msg != "" {
					c.errorAt(dn, diag.CodeInputValue, "default: "+msg, "")
				}
				for _, pr := range schemas.CheckValue(name, d.schema, d.def) {
					c.errorAt(dn, inputCode(pr), "default: "+pr.Message, "")
				}
			}
		}
		d.required = !d.hasDef
		if rn := p.Value.Get("required"); rn != nil {
			if rn.Tag != "!!bool" {
				c.errorAt(rn, diag.CodeFieldType, "required must be true or false", "")
			} else {
				d.required = rn.Value == "true"
			}
		}
		out = append(out, d)
	}
	return out
}

// declSchema checks a declaration (or its items/properties) and returns it
// as a JSON Schema fragment with "type" always set.
func (c *compilation) declSchema(n *dsl.Node, name string, depth int) (map[string]any, bool) {
	s := map[string]any{"type": "string"}
	ok := true
	for _, p := range n.Pairs {
		k := p.Key.Value
		switch k {
		case "type":
			if !contains(lang.InputTypes(), p.Value.Value) || p.Value.Kind != dsl.ScalarNode {
				c.errorAt(p.Value, diag.CodeFieldValue, fmt.Sprintf("input %q: type %s is not one of %v", name, show(p.Value), lang.InputTypes()), suggest(p.Value.Value, lang.InputTypes()))
				ok = false
			}
			s["type"] = p.Value.Value
		case "items", "properties":
			if depth > 3 {
				c.errorAt(p.Key, diag.CodeFieldValue, "input declarations nest at most 4 levels", "")
				continue
			}
			if p.Value.Kind != dsl.MapNode {
				c.errorAt(p.Value, diag.CodeFieldType, fmt.Sprintf("input %q: %s must be a mapping", name, k), "")
				ok = false
				continue
			}
			if k == "items" {
				sub, subOK := c.declSchema(p.Value, name+"[]", depth+1)
				s["items"], ok = sub, ok && subOK
				continue
			}
			props := map[string]any{}
			for _, pp := range p.Value.Pairs {
				if pp.Value.Kind != dsl.MapNode {
					c.errorAt(pp.Value, diag.CodeFieldType, fmt.Sprintf("input %q: property %q must be a mapping such as {type: string}", name, pp.Key.Value), "")
					ok = false
					continue
				}
				sub, subOK := c.declSchema(pp.Value, name+"."+pp.Key.Value, depth+1)
				props[pp.Key.Value], ok = sub, ok && subOK
			}
			s["properties"] = props
		case "description", "default", "required":
			// handled by the caller (description is documentation)
		case "enum", "minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems":
			v, err := p.Value.Decode()
			if err != nil {
				c.errorAt(p.Value, diag.CodeFieldValue, err.Error(), "")
				continue
			}
			if k == "enum" {
				if _, isList := v.([]any); !isList {
					c.errorAt(p.Value, diag.CodeFieldType, fmt.Sprintf("input %q: enum must be a list", name), "")
					continue
				}
			} else if _, isNum := v.(int64); !isNum {
				if _, isF := v.(float64); !isF {
					c.errorAt(p.Value, diag.CodeFieldType, fmt.Sprintf("input %q: %s must be a number", name, k), "")
					continue
				}
			}
			s[k] = v
		default:
			c.errorAt(p.Key, diag.CodeUnknownField, fmt.Sprintf("unknown field %q in input %q", k, name), suggest(k, lang.InputKeys()))
		}
	}
	return s, ok
}

// bindInputs gives every declared input its value (from the options, or
// its default) and builds the expression scope.
func (c *compilation) bindInputs(decls []*inputDecl) *scope {
	given, refused := c.givenInputs(decls)
	sc := newScope()
	sc.tainted["env"] = true
	if c.opts.Symbolic {
		sc.unknown["env"] = true // lwf validate reads no environment
	}
	inTypes, inValues := types.Map{}, map[string]any{}
	for _, d := range decls {
		inTypes[d.name] = exprType(d.schema)
		v, ok := given[d.name]
		switch {
		case ok:
			inValues[d.name] = v
		case refused[d.name]:
			// Its value was reported as wrong where it was read: the
			// input is not missing, and its default must not stand in.
			sc.unknown["inputs."+d.name] = true
			inValues[d.name] = nil
		case d.hasDef:
			inValues[d.name] = d.def
		case c.opts.Symbolic || !d.required:
			if c.opts.Symbolic {
				sc.unknown["inputs."+d.name] = true
				if !d.required {
					if sc.optional == nil {
						sc.optional = map[string]bool{}
					}
					sc.optional["inputs."+d.name] = true
				}
			}
			inValues[d.name] = nil
		default:
			c.errorAt(d.key, diag.CodeInputMissing, fmt.Sprintf("input %q is required", d.name), fmt.Sprintf("give it with --input %s=…", d.name))
			sc.unknown["inputs."+d.name] = true
		}
	}
	sc.types["inputs"], sc.values["inputs"] = inTypes, inValues
	sc.types["vars"], sc.values["vars"] = types.Map{}, map[string]any{}
	// env is filled on demand with the variables expressions name.
	sc.types["env"], sc.values["env"] = types.Map{types.Extra: types.String}, map[string]any{}
	return sc
}

// inputValues returns the bound input values, for the plan.
func (c *compilation) inputValues() map[string]any {
	if c.scope == nil {
		return nil
	}
	m, _ := c.scope.values["inputs"].(map[string]any)
	return m
}

// exprType turns a declaration into expr's static type.
func exprType(s map[string]any) types.Type {
	switch s["type"] {
	case "string":
		return types.String
	case "integer":
		return types.Int
	case "number":
		return types.Float64
	case "boolean":
		return types.Bool
	case "array":
		if items, ok := s["items"].(map[string]any); ok {
			return types.Array(exprType(items))
		}
		return types.Array(types.Any)
	case "object":
		m := types.Map{}
		props, ok := s["properties"].(map[string]any)
		for k, ps := range props {
			if pm, ok := ps.(map[string]any); ok {
				m[k] = exprType(pm)
			}
		}
		if !ok {
			m[types.Extra] = types.Any // no properties declared: any key
		}
		return m
	}
	return types.Any
}

// typeFromJSON maps a JSON Schema type name to expr's static type.
func typeFromJSON(t string) types.Type {
	if t == "" {
		return types.Any
	}
	return exprType(map[string]any{"type": t})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortStrings(s []string) { sort.Strings(s) }

func sortedNames(decls []*inputDecl) []string {
	var out []string
	for _, d := range decls {
		out = append(out, d.name)
	}
	sort.Strings(out)
	return out
}
