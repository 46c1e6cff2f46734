package schemas

import (
	"fmt"
	"strings"

	"github.com/lwf-dev/lwf/diag"
)

// CheckWorkflow checks a whole workflow definition — one action object or a
// root array of them, as sent in the body of POST /workflows — against the
// catalog: known action types, parameters, root rules and parent/child
// rules. It returns every problem found, in document order.
func (c *Catalog) CheckWorkflow(doc any) []Problem { return c.CheckWorkflowWith(doc, CheckOptions{}) }

// CheckOptions adds checks to CheckWorkflowWith.
type CheckOptions struct {
	// URLs checks that each parameter taking a LinkedIn URL (x-lwf-url)
	// is given one of its kind: a person's, a company's, a post's, a
	// job's. The API accepts any string there and fails when it runs;
	// the compiler checks before.
	URLs bool
	// Account applies the limits that depend on the account's type
	// (x-lwf-freeMaxLength): without it, only the schema's (Premium's).
	Account *Account
}

// CheckWorkflowWith is CheckWorkflow with the checks of o added.
func (c *Catalog) CheckWorkflowWith(doc any, o CheckOptions) []Problem {
	var ps []Problem
	switch d := doc.(type) {
	case map[string]any:
		ps = c.checkStep(nil, "", d, nil, false, o)
	case []any:
		if len(d) == 0 {
			return []Problem{{Pointer: "", At: AtValue, Code: string(diag.CodeInvalidRoot), Message: "the workflow is an empty list of actions"}}
		}
		for i, item := range d {
			ps = append(ps, c.checkNode(pointerIndex("", i), item, nil, false, o)...)
		}
	default:
		return []Problem{{Pointer: "", At: AtValue, Code: string(diag.CodeInvalidRoot), Message: "a workflow must be an action object or a list of action objects"}}
	}
	return ps
}

func (c *Catalog) checkNode(ptr string, node any, parent *Action, parentUnknown bool, o CheckOptions) []Problem {
	m, ok := node.(map[string]any)
	if !ok {
		return []Problem{{Pointer: ptr, At: AtValue, Code: string(diag.CodeParamType), Message: fmt.Sprintf("an action must be an object, got %s", article(jsonTypeOf(node)))}}
	}
	return c.checkStep(nil, ptr, m, parent, parentUnknown, o)
}

// checkStep checks one action object. parentUnknown says the parent's
// type is not known, so placement rules cannot be applied.
func (c *Catalog) checkStep(ps []Problem, ptr string, step map[string]any, parent *Action, parentUnknown bool, o CheckOptions) []Problem {
	name, ok := step["actionType"].(string)
	var a *Action
	unknownType, assumed := false, false
	switch {
	case isUnknownValue(step["actionType"]):
		unknownType = true // the caller reported why it has no name
	case !ok && step["actionType"] == nil:
		unknownType = true
		ps = append(ps, Problem{Pointer: ptr, At: AtStep, Code: string(diag.CodeMissingField), Message: "the action has no actionType"})
	case !ok:
		unknownType = true
		ps = append(ps, Problem{Pointer: pointerJoin(ptr, "actionType"), At: AtValue, Code: string(diag.CodeParamType), Message: "actionType must be a string"})
	default:
		a = c.Lookup(name)
		if a == nil {
			p := Problem{Pointer: ptr, At: AtStep, Code: string(diag.CodeUnknownAction), Message: fmt.Sprintf("unknown action %q", name)}
			if s := c.Suggest(name); s != "" {
				p.Hint = fmt.Sprintf("did you mean %q?", s)
				// Go on as if the suggestion had been written, so that one
				// run also shows the problems that remain after the fix.
				a, assumed = c.Lookup(s), true
			} else {
				unknownType = true
			}
			ps = append(ps, p)
		}
	}
	if l, ok := step["label"]; ok {
		if _, isStr := l.(string); !isStr {
			if _, unk := l.(Unknown); !unk {
				ps = append(ps, Problem{Pointer: pointerJoin(ptr, "label"), At: AtValue, Code: string(diag.CodeParamType), Message: "label must be a string"})
			}
		}
	}
	if a != nil {
		if !parentUnknown && !assumed {
			ps = append(ps, c.checkPlacement(ptr, step, a, parent)...)
		}
		params := make(map[string]any, len(step))
		for k, v := range step {
			switch k {
			case "actionType", "label", "then":
			default:
				params[k] = v
			}
		}
		ps = append(ps, a.CheckParams(ptr, params)...)
		if o.URLs {
			ps = append(ps, c.checkURLs(ptr, a, params)...)
		}
		if o.Account != nil {
			ps = append(ps, checkAccount(ptr, a, params, *o.Account)...)
		}
	}
	then, has := step["then"]
	if !has {
		return ps
	}
	tptr := pointerJoin(ptr, "then")
	if a != nil && len(a.Children) == 0 {
		if arr, ok := then.([]any); ok && len(arr) == 0 {
			return ps // an empty then is harmless; the SDKs send it
		}
		ps = append(ps, Problem{Pointer: tptr, At: AtKey, Code: string(diag.CodeInvalidParent), Message: fmt.Sprintf("%s takes no child actions", a.Name)})
	}
	switch t := then.(type) {
	case map[string]any:
		ps = c.checkStep(ps, tptr, t, a, unknownType, o)
	case []any:
		for i, item := range t {
			ps = append(ps, c.checkNode(pointerIndex(tptr, i), item, a, unknownType, o)...)
		}
	default:
		ps = append(ps, Problem{Pointer: tptr, At: AtValue, Code: string(diag.CodeParamType), Message: "then must be an action or a list of actions"})
	}
	return ps
}

// checkPlacement applies the root and parent/child rules to step.
func (c *Catalog) checkPlacement(ptr string, step map[string]any, a, parent *Action) []Problem {
	var ps []Problem
	if parent == nil {
		switch a.Root {
		case RootNever:
			p := Problem{Pointer: ptr, At: AtStep, Code: string(diag.CodeInvalidRoot), Message: fmt.Sprintf("%s cannot start a workflow", a.Name)}
			if len(a.Parents) > 0 {
				p.Hint = "it must run under " + orList(a.Parents)
			}
			ps = append(ps, p)
		case RootURL:
			given := false
			for _, k := range a.RootRequires {
				if _, ok := step[k]; ok {
					given = true
				}
			}
			if !given {
				ps = append(ps, Problem{Pointer: ptr, At: AtStep, Code: string(diag.CodeMissingParam),
					Message: fmt.Sprintf("%s needs %s to start a workflow", a.Name, orList(a.RootRequires))})
			}
		}
		return ps
	}
	if !a.HasParent(parent.Name) || !parent.HasChild(a.Name) {
		p := Problem{Pointer: ptr, At: AtStep, Code: string(diag.CodeInvalidParent),
			Message: fmt.Sprintf("%s cannot run under %s", a.Name, parent.Name)}
		if via := c.between(parent, a); via != nil {
			p.Hint = fmt.Sprintf("insert `action: %s` between %s and %s", via.DisplayName(), parent.DisplayName(), a.DisplayName())
		} else if len(a.Parents) > 0 {
			p.Hint = "it can run under " + orList(a.Parents)
		} else {
			p.Hint = "it can only start a workflow"
		}
		ps = append(ps, p)
		return ps
	}
	for _, k := range a.ForbiddenUnderParent {
		if _, ok := step[k]; ok {
			ps = append(ps, Problem{Pointer: pointerJoin(ptr, k), At: AtKey, Code: string(diag.CodeForbiddenParam),
				Message: fmt.Sprintf("%s must not be given under %s, which supplies it", k, parent.Name),
				Hint:    "remove it, or start a workflow with " + a.DisplayName() + " at its root"})
		}
	}
	return ps
}

// between finds an action that may sit between parent and child.
func (c *Catalog) between(parent, child *Action) *Action {
	for _, n := range parent.Children {
		if mid := c.Lookup(n); mid != nil && mid.HasChild(child.Name) && child.HasParent(mid.Name) {
			return mid
		}
	}
	return nil
}

func orList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

func isUnknownValue(v any) bool {
	_, ok := v.(Unknown)
	return ok
}
