package lang

import "regexp"

// File fields, in the order lwf fmt writes them.
const (
	FieldVersion     = "version"
	FieldName        = "name"
	FieldDescription = "description"
	FieldAccount     = "account"
	FieldEnv         = "env"
	FieldInputs      = "inputs"
	FieldVars        = "vars"
	FieldLimits      = "limits"
	FieldWorkflow    = "workflow"
	FieldOutput      = "output"
)

// FileFields returns the keys a workflow file may have, in canonical
// order.
func FileFields() []string {
	return []string{FieldVersion, FieldName, FieldDescription, FieldAccount, FieldEnv, FieldInputs, FieldVars,
		FieldLimits, FieldWorkflow, FieldOutput}
}

// KeyPremium is the key of account: — account: {premium: true} — that
// says whether the account has LinkedIn Premium.
const KeyPremium = "premium"

// AccountKeys returns the keys of the file's account: mapping.
func AccountKeys() []string { return []string{KeyPremium} }

// RequiredFileFields returns the keys every workflow file must have.
func RequiredFileFields() []string { return []string{FieldVersion, FieldName, FieldWorkflow} }

// A step's keywords: its own keys. Every other key of a step is a
// parameter of its action.
const (
	KeyAction   = "action"
	KeyLabel    = "label"
	KeyIf       = "if"
	KeyForEach  = "forEach"
	KeyAs       = "as"
	KeyIndex    = "index"
	KeyUses     = "uses"
	KeyWith     = "with"
	KeyParams   = "params"
	KeyVariants = "variants"
	KeyThen     = "then"
)

// StepKeywords returns a step's keywords in canonical order. lwf fmt
// writes a step's parameters after them, except then, which comes last.
func StepKeywords() []string {
	return []string{KeyAction, KeyLabel, KeyIf, KeyForEach, KeyAs, KeyIndex, KeyUses, KeyWith,
		KeyParams, KeyVariants, KeyThen}
}

// UsesKeywords returns the keys a step with uses: may have: no action,
// no parameters, no then (the reusable workflow's inputs go in with:).
func UsesKeywords() []string {
	return []string{KeyUses, KeyWith, KeyLabel, KeyIf, KeyForEach, KeyAs, KeyIndex}
}

// IsStepKeyword reports whether k is one of StepKeywords.
func IsStepKeyword(k string) bool { return contains(StepKeywords(), k) }

// InputKeys returns the keys of an input declaration, a subset of JSON
// Schema, in canonical order.
func InputKeys() []string {
	return []string{"type", "description", "default", "required", "enum", "minimum", "maximum",
		"minLength", "maxLength", "minItems", "maxItems", "items", "properties"}
}

// InputTypes returns the types an input may declare.
func InputTypes() []string {
	return []string{"string", "integer", "number", "boolean", "array", "object"}
}

// NamePattern is the form of a workflow's name: lower-case words joined
// by '-' (ai-startup-outreach).
const NamePattern = `^[a-z0-9]+(-[a-z0-9]+)*$`

// IdentPattern is the form of the names expressions read: inputs, vars,
// env variables, a forEach's as: and index:.
const IdentPattern = `^[A-Za-z_][A-Za-z0-9_]*$`

var (
	nameRE  = regexp.MustCompile(NamePattern)
	identRE = regexp.MustCompile(IdentPattern)
)

// IsName reports whether s is a valid workflow name (NamePattern).
func IsName(s string) bool { return nameRE.MatchString(s) }

// IsIdent reports whether s is a valid identifier (IdentPattern).
func IsIdent(s string) bool { return identRE.MatchString(s) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
