package compiler

import (
	"fmt"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/lang"
	"github.com/lwf-dev/lwf/schemas"
)

// topLevel holds the file's own fields once checked.
type topLevel struct {
	name, description string
	account           schemas.Account
	inputs, vars      *dsl.Node
	env               *dsl.Node
	limits            *dsl.Node
	workflow          *dsl.Node
	sequence          *dsl.Node
	output            *dsl.Node
}

// structure checks the file's top-level mapping.
func (c *compilation) structure(root *dsl.Node) topLevel {
	var t topLevel
	if root == nil {
		c.errorAt(nil, diag.CodeMissingField, "the file is empty: a workflow file needs version, name and workflow", "")
		return t
	}
	if root.Kind != dsl.MapNode {
		c.errorAt(root, diag.CodeFieldType, "a workflow file must be a mapping with version, name and workflow", "")
		return t
	}
	for _, p := range root.Pairs {
		switch p.Key.Value {
		case lang.FieldVersion:
			if p.Value.Kind != dsl.ScalarNode || p.Value.Tag != "!!int" || p.Value.Value != "1" {
				c.errorAt(p.Value, diag.CodeFieldValue, fmt.Sprintf("unsupported version %s: this lwf reads version 1", show(p.Value)), "write version: 1")
			}
		case lang.FieldName:
			if s, ok := c.plainString(p.Value, "name"); ok {
				t.name = s
				if !lang.IsName(s) {
					c.errorAt(p.Value, diag.CodeFieldValue, fmt.Sprintf("name %q must be lower-case words joined by '-'", s), "for example: ai-startup-outreach")
				}
			}
		case lang.FieldDescription:
			t.description, _ = c.plainString(p.Value, "description")
		case lang.FieldAccount:
			t.account = c.accountField(p.Value)
		case lang.FieldEnv:
			t.env = p.Value
		case lang.FieldInputs:
			t.inputs = c.mapping(p.Value, "inputs")
		case lang.FieldVars:
			t.vars = c.mapping(p.Value, "vars")
		case lang.FieldLimits:
			t.limits = p.Value
		case lang.FieldOutput:
			t.output = p.Value
		case lang.FieldWorkflow:
			t.workflow = p.Value
			if p.Value.Kind == dsl.ScalarNode {
				c.errorAt(p.Value, diag.CodeFieldType, "workflow must be a step (a mapping with action:) or a list of steps", "")
				t.workflow = nil
			} else if p.Value.Kind == dsl.SeqNode && len(p.Value.Items) == 0 {
				c.errorAt(p.Value, diag.CodeMissingField, "workflow is an empty list", "")
				t.workflow = nil
			}
		case lang.FieldSequence:
			t.sequence = p.Value
		default:
			c.errorAt(p.Key, diag.CodeUnknownField, fmt.Sprintf("unknown field %q", p.Key.Value), suggest(p.Key.Value, lang.FileFields()))
		}
	}
	for _, req := range lang.RequiredFileFields() {
		if root.Lookup(req) == nil {
			c.errorAt(firstKey(root), diag.CodeMissingField, fmt.Sprintf("missing field %q", req), "")
		}
	}
	wp, sp := root.Lookup(lang.FieldWorkflow), root.Lookup(lang.FieldSequence)
	switch {
	case wp == nil && sp == nil:
		c.errorAt(firstKey(root), diag.CodeMissingField, fmt.Sprintf("missing field %q", lang.FieldWorkflow), "or sequence: for steps per lead over days")
	case wp != nil && sp != nil:
		c.errorAt(sp.Key, diag.CodeUnknownField, "a file has either workflow: or sequence:, not both", "")
		t.sequence = nil
	}
	return t
}

// accountField reads account: {premium: true|false}.
func (c *compilation) accountField(n *dsl.Node) schemas.Account {
	if c.mapping(n, lang.FieldAccount) == nil {
		return schemas.AccountUnknown
	}
	acct := schemas.AccountUnknown
	for _, p := range n.Pairs {
		if p.Key.Value != lang.KeyPremium {
			c.errorAt(p.Key, diag.CodeUnknownField, fmt.Sprintf("unknown field %q in account", p.Key.Value), suggest(p.Key.Value, lang.AccountKeys()))
			continue
		}
		if p.Value.Kind != dsl.ScalarNode || p.Value.Tag != "!!bool" {
			c.errorAt(p.Value, diag.CodeFieldType, "account.premium must be true or false", "")
			continue
		}
		premium := p.Value.Value == "true"
		acct = schemas.AccountOf(&premium)
	}
	return acct
}

// plainString reads a scalar string field that takes no expressions.
func (c *compilation) plainString(n *dsl.Node, field string) (string, bool) {
	if n.Kind != dsl.ScalarNode || n.Tag == "!!null" {
		c.errorAt(n, diag.CodeFieldType, fmt.Sprintf("%s must be a string", field), "")
		return "", false
	}
	return n.Value, true
}

func (c *compilation) mapping(n *dsl.Node, field string) *dsl.Node {
	if n.Kind == dsl.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	if n.Kind != dsl.MapNode {
		c.errorAt(n, diag.CodeFieldType, fmt.Sprintf("%s must be a mapping", field), "")
		return nil
	}
	return n
}

func firstKey(n *dsl.Node) *dsl.Node {
	if n != nil && len(n.Pairs) > 0 {
		return n.Pairs[0].Key
	}
	return n
}

func suggest(name string, known []string) string {
	if n := diag.Nearest(name, known); n != "" {
		return fmt.Sprintf("did you mean %q?", n)
	}
	return ""
}

// show renders a node's value briefly for messages.
func show(n *dsl.Node) string {
	switch n.Kind {
	case dsl.ScalarNode:
		if len(n.Value) > 40 {
			return fmt.Sprintf("%q", n.Value[:37]+"...")
		}
		if n.Tag == "!!str" {
			return fmt.Sprintf("%q", n.Value)
		}
		return n.Value
	case dsl.SeqNode:
		return "a list"
	}
	return "a mapping"
}
