package lang

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/lwf-dev/lwf/schemas"
)

// DSLSchemaID is the $id of the workflow-file schema. It is an identifier,
// kept as first published (when the file lived in schemas/) so that
// editors and files that name it keep working.
const DSLSchemaID = "https://github.com/lwf-dev/lwf/schemas/lwf.schema.json"

// expressionPattern matches a value that is one ${{ }} expression, which the
// editor schema accepts wherever a parameter takes another type.
const expressionPattern = `^\s*\$\{\{[\s\S]*\}\}\s*$`

// DSLSchema generates the JSON Schema (draft-07) of lwf workflow files from
// the language's vocabulary and the catalog: one branch per action, unknown
// keys rejected, descriptions from the catalog for editor completion and
// hover. Editors use it through
// yaml-language-server; lwf's own checks are stricter (root and parent
// rules, symbolic input types), since JSON Schema cannot express them.
func DSLSchema(c *schemas.Catalog) ([]byte, error) {
	defs := map[string]any{
		"expression": map[string]any{
			"type":        "string",
			"pattern":     expressionPattern,
			"description": "An expression evaluated when the workflow is compiled, e.g. ${{ inputs.note }}.",
		},
		"steps": map[string]any{
			"description": "One step, or a list of steps run in order.",
			"anyOf": []any{
				map[string]any{"$ref": "#/definitions/step"},
				map[string]any{"type": "array", "items": map[string]any{"$ref": "#/definitions/step"}},
			},
		},
		"input": inputSchema(),
		"uses":  usesSchema(),
	}
	// A step is dispatched on its action: one if/then per action, so an
	// editor checks each step against one branch instead of trying all of
	// them (an anyOf of every action is exponential in the nesting depth
	// for yaml-language-server).
	branches := []any{map[string]any{
		"if":   map[string]any{"required": []any{KeyUses}},
		"then": map[string]any{"$ref": "#/definitions/uses"},
	}}
	var names []any
	for _, a := range c.Actions() {
		id := "action." + a.Name
		defs[id] = stepSchema(a)
		these := []any{a.Name}
		if a.Namespace() == "st" {
			these = []any{a.Short(), a.Name}
		}
		names = append(names, these...)
		branches = append(branches, map[string]any{
			"if":   map[string]any{"required": []any{KeyAction}, "properties": map[string]any{KeyAction: map[string]any{"enum": these}}},
			"then": map[string]any{"$ref": "#/definitions/" + id},
		})
	}
	defs["step"] = map[string]any{
		"type":        "object",
		"description": "A step: an action with its parameters, or uses: of a reusable workflow.",
		"properties": map[string]any{
			KeyAction: map[string]any{"enum": names, "description": "The Linked API action: st. is implied (searchPeople); Sales Navigator actions are written nv.searchPeople."},
		},
		"anyOf": []any{map[string]any{"required": []any{KeyAction}}, map[string]any{"required": []any{KeyUses}}},
		"allOf": branches,
	}
	doc := map[string]any{
		"$schema":              "http://json-schema.org/draft-07/schema#",
		"$id":                  DSLSchemaID,
		"title":                "lwf workflow file",
		"description":          "A Linked API workflow written for lwf (version 1).",
		"type":                 "object",
		"additionalProperties": false,
		"required":             anyList(RequiredFileFields()),
		"properties": map[string]any{
			FieldVersion:     map[string]any{"const": 1, "description": "The language version: 1."},
			FieldName:        map[string]any{"type": "string", "pattern": NamePattern, "description": "The workflow's name: lower-case words joined by '-'."},
			FieldDescription: map[string]any{"type": "string", "description": "What the workflow does, for people and for lwf workflows."},
			FieldAccount: map[string]any{
				"type":                 "object",
				"description":          "The account the workflow runs on, for the limits that depend on its type.",
				"additionalProperties": false,
				"properties": map[string]any{
					KeyPremium: map[string]any{"type": "boolean", "description": "Whether the account has LinkedIn Premium: a connection request's note may then be 300 characters long, not 200."},
				},
			},
			FieldInputs: map[string]any{
				"type":                 "object",
				"description":          "Typed inputs, given with --input name=value, name=@file.csv, or a default.",
				"propertyNames":        map[string]any{"pattern": IdentPattern},
				"additionalProperties": map[string]any{"$ref": "#/definitions/input"},
			},
			FieldEnv: map[string]any{
				"type":        "array",
				"description": "The environment variables the workflow reads, as env.NAME; it may read no others.",
				"uniqueItems": true,
				"items":       map[string]any{"type": "string", "pattern": IdentPattern, "not": map[string]any{"enum": []any{"LINKED_API_TOKEN", "IDENTIFICATION_TOKEN"}}},
			},
			FieldVars: map[string]any{
				"type":          "object",
				"description":   "Values computed once, in order, from inputs; read them as vars.NAME.",
				"propertyNames": map[string]any{"pattern": IdentPattern},
			},
			FieldOutput: map[string]any{
				"description": "For reusable workflows: an expression that shapes the completion for the caller.",
			},
			FieldLimits:   limitsSchema(c.Categories()),
			FieldWorkflow: map[string]any{"$ref": "#/definitions/steps", "description": "The workflow: one step, or a list of steps (a root array)."},
			FieldSequence: sequenceSchema(names),
		},
		"oneOf":       []any{map[string]any{"required": []any{FieldWorkflow}}, map[string]any{"required": []any{FieldSequence}}},
		"definitions": defs,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func stepSchema(a *schemas.Action) map[string]any {
	names := []any{a.Name}
	if a.Namespace() == "st" {
		names = []any{a.Short(), a.Name}
	}
	desc := a.Description
	props := loopKeywords()
	props[KeyAction] = map[string]any{"enum": names, "description": desc}
	props[KeyLabel] = map[string]any{"type": "string", "description": "A name echoed back in this action's result."}
	props[KeyVariants] = map[string]any{"type": "object", "description": "Versions of text parameters: each person gets one version, chosen by a stable hash of their URL.",
		"additionalProperties": map[string]any{"type": "array", "minItems": 2, "items": map[string]any{"type": "string"}}}
	props[KeyParams] = map[string]any{"description": "A mapping (usually an expression) merged into the parameters; parameters written out win.",
		"anyOf": []any{map[string]any{"type": "object"}, map[string]any{"$ref": "#/definitions/expression"}}}
	if len(a.Children) > 0 {
		props[KeyThen] = map[string]any{"$ref": "#/definitions/steps",
			"description": "Child actions: " + strings.Join(a.Children, ", ") + "."}
	} else {
		// The official SDKs send an empty then for some operations.
		props[KeyThen] = map[string]any{"type": "array", "maxItems": 0, "description": "This action takes no child actions."}
	}
	params, _ := a.Schema()["properties"].(map[string]any)
	for k, v := range params {
		props[k] = editorParam(v)
	}
	return map[string]any{
		"type":                 "object",
		"description":          desc,
		"required":             []any{KeyAction},
		"additionalProperties": false,
		"properties":           props,
	}
}

// editorParam copies a parameter schema for the editor: vendor keywords
// removed, and an expression accepted wherever another type is expected.
func editorParam(v any) any {
	s, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, e := range s {
		if strings.HasPrefix(k, "x-lwf") || k == "$schema" || k == "title" {
			continue
		}
		switch k {
		case "properties":
			props := map[string]any{}
			for pk, pv := range e.(map[string]any) {
				props[pk] = editorParam(pv)
			}
			out[k] = props
		case "items", "not":
			out[k] = editorParam(e)
		case "allOf", "anyOf", "oneOf":
			var list []any
			for _, x := range e.([]any) {
				list = append(list, editorParam(x))
			}
			out[k] = list
		default:
			out[k] = e
		}
	}
	t, _ := out["type"].(string)
	if t == "" || (t == "string" && out["enum"] == nil && out["pattern"] == nil) {
		return out
	}
	desc := out["description"]
	delete(out, "description")
	wrapped := map[string]any{"anyOf": []any{out, map[string]any{"$ref": "#/definitions/expression"}}}
	if desc != nil {
		wrapped["description"] = desc
	}
	if d, ok := out["default"]; ok {
		wrapped["default"] = d
	}
	return wrapped
}

// loopKeywords are the keywords a step with an action and a step with
// uses: share: if, forEach, as and index.
func loopKeywords() map[string]any {
	return map[string]any{
		KeyIf:      map[string]any{"description": "Keep the step only when this is true.", "anyOf": []any{map[string]any{"type": "boolean"}, map[string]any{"$ref": "#/definitions/expression"}}},
		KeyForEach: map[string]any{"description": "Repeat the step once per item of this list.", "anyOf": []any{map[string]any{"type": "array"}, map[string]any{"$ref": "#/definitions/expression"}}},
		KeyAs:      map[string]any{"type": "string", "description": "The name of the forEach item (default item)."},
		KeyIndex:   map[string]any{"type": "string", "description": "The name of the forEach position (default index)."},
	}
}

func usesSchema() map[string]any {
	props := loopKeywords()
	props[KeyUses] = map[string]any{"type": "string", "description": "A standard workflow's name (fetch-person) or a relative path (./fragments/greet.yaml)."}
	props[KeyWith] = map[string]any{"type": "object", "description": "The reusable workflow's inputs."}
	props[KeyLabel] = map[string]any{"type": "string", "description": "A name echoed back in the result."}
	return map[string]any{
		"type":                 "object",
		"description":          "Inline a reusable workflow: a name from lwf workflows or a relative path.",
		"required":             []any{KeyUses},
		"additionalProperties": false,
		"properties":           props,
	}
}

func inputSchema() map[string]any {
	num := map[string]any{"type": "number"}
	return map[string]any{
		"type":                 "object",
		"description":          "An input declaration: a subset of JSON Schema.",
		"additionalProperties": false,
		"properties": map[string]any{
			"type":        map[string]any{"enum": anyList(InputTypes()), "description": "The input's type (default string)."},
			"description": map[string]any{"type": "string", "description": "What the input is for."},
			"default":     map[string]any{"description": "The value used when none is given; an input with a default is optional."},
			"required":    map[string]any{"type": "boolean", "description": "Whether a value must be given (default: true unless there is a default)."},
			"enum":        map[string]any{"type": "array", "description": "The allowed values."},
			"minimum":     num, "maximum": num,
			"minLength": num, "maxLength": num, "minItems": num, "maxItems": num,
			"items":      map[string]any{"$ref": "#/definitions/input", "description": "The type of each item of an array input (for CSV: an object with properties)."},
			"properties": map[string]any{"type": "object", "additionalProperties": map[string]any{"$ref": "#/definitions/input"}, "description": "The keys of an object input; expressions may use only these."},
		},
	}
}

func limitsSchema(categories []string) map[string]any {
	periods := map[string]any{}
	for _, p := range schemas.Periods() {
		periods[p] = map[string]any{"type": "integer", "minimum": 0}
	}
	props := map[string]any{}
	for _, cat := range categories {
		props[cat] = map[string]any{
			"type": "object", "additionalProperties": false,
			"description": "At most this many " + cat + " actions per period.",
			"properties":  periods,
		}
	}
	return map[string]any{
		"type": "object", "additionalProperties": false, "properties": props,
		"description": "Limits per Linked API limit category and period; lwf plan and lwf run refuse a plan that would exceed them.",
	}
}

func anyList(list []string) []any {
	out := make([]any, len(list))
	for i, s := range list {
		out[i] = s
	}
	return out
}

// sequenceSchema describes sequence: for editors. Its steps' parameters
// are not checked here (lwf validate checks them): an action step's
// schema rejects the keywords a sequence step adds.
func sequenceSchema(actions []any) map[string]any {
	duration := map[string]any{"type": "string", "pattern": `^([0-9]+[dhms])+$|^[0-9]+(ms|s|m|h)$`, "description": "A duration: 14d, 1d12h, 30m."}
	step := map[string]any{
		"type":        "object",
		"description": "A step of the sequence: an action (or uses:), or a wait for an event.",
		"required":    []any{KeyID},
		"properties": map[string]any{
			KeyID:        map[string]any{"type": "string", "pattern": NamePattern, "description": "The step's name: later steps read its outcome as steps.ID."},
			KeyAfter:     withDescription(duration, "Wait this long after the previous step before this one."),
			KeyWait:      map[string]any{"enum": anyList(Events()), "description": "Wait for an event instead of running an action."},
			KeyWithin:    withDescription(duration, "How long the wait lasts; then onTimeout runs and the lead exits."),
			KeyOnTimeout: map[string]any{"type": "object", "description": "The action done when the wait times out."},
			KeyAction:    map[string]any{"enum": actions, "description": "The Linked API action."},
			KeyIf:        map[string]any{"description": "Run the step only when this is true; otherwise go on to the next.", "anyOf": []any{map[string]any{"type": "boolean"}, map[string]any{"$ref": "#/definitions/expression"}}},
		},
	}
	return map[string]any{
		"type":                 "object",
		"description":          "A sequence over days, per lead: steps run one after another, with delays and waits for events.",
		"additionalProperties": false,
		"required":             []any{SeqLeads, SeqKey, SeqSteps},
		"properties": map[string]any{
			SeqLeads:    map[string]any{"description": "The leads: a list, usually ${{ inputs.leads }}.", "anyOf": []any{map[string]any{"type": "array"}, map[string]any{"$ref": "#/definitions/expression"}}},
			SeqAs:       map[string]any{"type": "string", "pattern": IdentPattern, "description": "A lead's name in expressions (default lead)."},
			SeqKey:      map[string]any{"$ref": "#/definitions/expression", "description": "A lead's identity across runs: the person's LinkedIn URL, e.g. ${{ lead.url }}."},
			SeqSteps:    map[string]any{"type": "array", "minItems": 1, "items": step},
			SeqExitWhen: map[string]any{"type": "array", "items": map[string]any{"enum": anyList(Events())}, "description": "Events that stop a lead at once."},
			SeqSchedule: map[string]any{
				"type":                 "object",
				"additionalProperties": false,
				"properties": map[string]any{
					SchedWorkingHours: map[string]any{"type": "string", "description": "When writes may go out: Mon-Fri 09:00-18:00 Europe/Berlin."},
					SchedPace:         withDescription(duration, "The least time between two writes of the account."),
				},
			},
		},
	}
}

func withDescription(s map[string]any, d string) map[string]any {
	out := map[string]any{}
	for k, v := range s {
		out[k] = v
	}
	out["description"] = d
	return out
}
