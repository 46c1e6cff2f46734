package compiler

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/lang"
)

// Environment variables reach a workflow only through env.NAME, and only
// the names the file lists in its env: key, so that a reviewer sees in the
// file what it reads; --env NAME (Options.EnvAllow) narrows the names any
// file may list. lwf validate never reads the environment: there env.NAME
// is a string nobody knows yet, checked by type like an input without a
// value. Values read from env never appear in a diagnostic (see taint).

// secretEnv are never readable from expressions: a token must not end up
// in a payload, a plan or a log.
var secretEnv = map[string]bool{"LINKED_API_TOKEN": true, "IDENTIFICATION_TOKEN": true}

const tokenHint = "tokens never go into payloads; lwf sends them as headers"

// envList is a file's env: declaration.
type envList struct {
	names   map[string]bool
	refused map[string]bool // listed, and reported there (--env, tokens)
	line    int             // where the list is, for hints; 0 when the file has none
}

// declareEnv checks the file's env: list and returns it.
func (c *compilation) declareEnv(n *dsl.Node) envList {
	l := envList{names: map[string]bool{}, refused: map[string]bool{}}
	if n == nil || n.IsNull() {
		return l
	}
	l.line = n.Pos.Line
	if n.Kind != dsl.SeqNode {
		c.errorAt(n, diag.CodeFieldType, "env must be a list of variable names, such as [CITY, REGION]", "")
		return l
	}
	var allow map[string]bool
	if c.opts.EnvAllow != nil {
		allow = map[string]bool{}
		for _, a := range c.opts.EnvAllow {
			if a != "" {
				allow[a] = true
			}
		}
	}
	for _, it := range n.Items {
		name := it.Value
		switch {
		case it.Kind != dsl.ScalarNode || it.Tag != "!!str" || !lang.IsIdent(name):
			c.errorAt(it, diag.CodeFieldValue, fmt.Sprintf("env: %s is not a variable name (letters, digits, _)", show(it)), "")
		case l.names[name]:
			c.errorAt(it, diag.CodeFieldValue, fmt.Sprintf("env: %s is listed twice", name), "")
		case secretEnv[name]:
			l.refused[name] = true
			c.errorAt(it, diag.CodeEnvNotAllowed, fmt.Sprintf("env: %s is never available to expressions", name), tokenHint)
		case allow != nil && !allow[name]:
			l.refused[name] = true
			c.errorAt(it, diag.CodeEnvNotAllowed, fmt.Sprintf("env: %s is not allowed by --env (allowed: %s)", name, allowedList(allow)), "")
		default:
			l.names[name] = true
		}
	}
	return l
}

func allowedList(allow map[string]bool) string {
	if len(allow) == 0 {
		return "none"
	}
	return strings.Join(sortedKeys(allow), ", ")
}

// checkEnv reports the variables an expression reads that the file may
// not read; false when it reported.
func (c *compilation) checkEnv(n *dsl.Node, sg segment, comp *compiled) bool {
	props := comp.refs["env"]
	if len(props) == 0 {
		return true
	}
	names := make([]string, 0, len(props))
	for p := range props {
		names = append(names, p)
	}
	sort.Strings(names)
	for _, name := range names {
		e := &exprError{code: diag.CodeEnvNotAllowed, offset: comp.envAt[name]}
		switch {
		case name == "":
			e.msg, e.hint = "env can only be read as env.NAME", "a computed name could read any variable"
		case secretEnv[name]:
			e.code, e.msg, e.hint = diag.CodeExprUndefined, fmt.Sprintf("env.%s is not available to expressions", name), tokenHint
		case c.env.names[name]:
			continue
		case c.env.refused[name]:
			return false // reported at the list
		case c.env.line == 0:
			e.msg, e.hint = fmt.Sprintf("env.%s is not in the file's env: list", name), fmt.Sprintf("declare the variables the file reads: env: [%s]", name)
		default:
			e.msg, e.hint = fmt.Sprintf("env.%s is not in the file's env: list", name), fmt.Sprintf("add it to the list at line %d", c.env.line)
		}
		c.exprErrorAt(n, sg, e)
		return false
	}
	return true
}
