package compiler

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/schemas"
)

// report turns a catalog problem into a diagnostic at the place in the file
// it is about: a step problem at the step's action name, an unknown or
// forbidden parameter at its key, a wrong value at the value.
func (c *compilation) report(tree any, p schemas.Problem) {
	before := len(c.diags)
	defer func() {
		for i := before; i < len(c.diags); i++ {
			c.diags[i].Severity = p.Severity
		}
	}()
	step, key, val := c.locate(tree, p.Pointer)
	if p.Severity == diag.Warning && val != nil {
		// A warning is given once for a place, not once per forEach item.
		if c.warned[val] {
			return
		}
		c.warned[val] = true
	}
	if iter := stepIter(step); iter != "" {
		// A step repeated by forEach: say which item broke the rule.
		p.Message += " (" + iter + ")"
	}
	var n *dsl.Node
	switch p.At {
	case schemas.AtStep:
		if step != nil {
			n = step.action
			if n == nil {
				n = step.node
			}
		}
	case schemas.AtKey:
		n = key
	case schemas.AtValue:
		n = val
		if n == nil {
			n = key
		}
	}
	if n == nil && step != nil {
		n = step.action
		if n == nil {
			n = step.node
		}
	}
	if n == nil {
		c.diags = append(c.diags, diag.New(c.file, diag.Pos{}, diag.Code(p.Code), p.Message).WithHint(p.Hint))
		return
	}
	if step != nil && step.via != nil {
		// The problem is in an inlined reusable workflow: report it where
		// it was used, and say where inside the reusable workflow it is.
		where := fmt.Sprintf("%s:%d:%d", step.file, n.Pos.Line, n.Pos.Column)
		hint := "at " + where
		if p.Hint != "" {
			hint = p.Hint + "; at " + where
		}
		v := step.via.node
		d := c.redact(diag.New(step.via.file, v.Pos, diag.Code(p.Code), fmt.Sprintf("uses: %s: %s", v.Value, p.Message)).WithHint(hint), n)
		c.diags = append(c.diags, d.WithEnd(v.End).WithPath(v.Path))
		return
	}
	c.diags = append(c.diags, c.redact(diag.New(c.file, n.Pos, diag.Code(p.Code), p.Message).WithEnd(n.End).WithHint(p.Hint).WithPath(n.Path), n))
}

// locate follows a JSON pointer through the lowered tree and, inside a
// parameter, through the YAML it was written as. It returns the innermost
// step, and the key and value nodes reached (either may be nil).
func (c *compilation) locate(tree any, ptr string) (step *stepSrc, key, val *dsl.Node) {
	cur := tree
	var yaml *dsl.Node // set once the walk enters a parameter's YAML
	for _, tok := range splitPointer(ptr) {
		if yaml != nil {
			switch yaml.Kind {
			case dsl.MapNode:
				if pr := yaml.Lookup(tok); pr != nil {
					key, yaml = pr.Key, pr.Value
				}
			case dsl.SeqNode:
				if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(yaml.Items) {
					yaml = yaml.Items[i]
				}
			}
			continue
		}
		switch x := cur.(type) {
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return step, key, val
			}
			cur = x[i]
		case *object:
			src := c.srcs[x]
			if src == nil {
				return step, key, val
			}
			step = src
			key, val = nil, nil
			switch tok {
			case "then":
				if src.then != nil {
					key, val = src.then.Key, src.then.Value
				}
				cur = x.Value("then")
			case "actionType":
				val = src.action
				return step, key, val
			default:
				pr := src.params[tok]
				if tok == "label" {
					pr = src.node.Lookup("label")
				}
				if pr == nil && src.spread != nil {
					return step, src.spread, src.spread
				}
				if pr == nil {
					return step, key, val
				}
				key, yaml = pr.Key, pr.Value
			}
		default:
			return step, key, val
		}
	}
	if yaml != nil {
		val = yaml
	} else if o, ok := cur.(*object); ok {
		step = c.srcs[o]
	}
	return step, key, val
}

func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range parts {
		s = strings.ReplaceAll(s, "~1", "/")
		parts[i] = strings.ReplaceAll(s, "~0", "~")
	}
	return parts
}

// stepIter names the forEach iterations a step was expanded in, or "".
func stepIter(step *stepSrc) string {
	if step == nil {
		return ""
	}
	return iterLabel(step.loops)
}
