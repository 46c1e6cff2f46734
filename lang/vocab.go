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
	FieldSequence    = "sequence"
	FieldOutput      = "output"
)

// FileFields returns the keys a workflow file may have, in canonical
// order.
func FileFields() []string {
	return []string{FieldVersion, FieldName, FieldDescription, FieldAccount, FieldEnv, FieldInputs, FieldVars,
		FieldLimits, FieldWorkflow, FieldSequence, FieldOutput}
}

// KeyPremium is the key of account: — account: {premium: true} — that
// says whether the account has LinkedIn Premium.
const KeyPremium = "premium"

// AccountKeys returns the keys of the file's account: mapping.
func AccountKeys() []string { return []string{KeyPremium} }

// RequiredFileFields returns the keys every workflow file must have; it
// also needs one of workflow and sequence.
func RequiredFileFields() []string { return []string{FieldVersion, FieldName} }

// The keys of a file's sequence: mapping: a sequence of steps over days,
// per lead.
const (
	SeqLeads    = "leads"    // the list of leads
	SeqAs       = "as"       // the name a lead has in expressions (default lead)
	SeqKey      = "key"      // a lead's identity: the person's URL
	SeqSteps    = "steps"    // the steps, in order
	SeqExitWhen = "exitWhen" // events that stop a lead at once
	SeqSchedule = "schedule" // workingHours and pace
)

// SequenceKeys returns the keys of sequence:, in canonical order.
func SequenceKeys() []string {
	return []string{SeqLeads, SeqAs, SeqKey, SeqSteps, SeqExitWhen, SeqSchedule}
}

// The keywords a sequence step has besides a step's own.
const (
	KeyID        = "id"        // the step's name: steps.ID in later expressions
	KeyAfter     = "after"     // a delay after the previous step
	KeyWait      = "wait"      // an event to wait for, instead of an action
	KeyWithin    = "within"    // how long a wait lasts
	KeyOnTimeout = "onTimeout" // the action done when a wait times out
)

// SequenceStepKeywords returns a sequence step's own keywords besides
// StepKeywords.
func SequenceStepKeywords() []string {
	return []string{KeyID, KeyAfter, KeyWait, KeyWithin, KeyOnTimeout}
}

// The schedule's keys.
const (
	SchedWorkingHours = "workingHours" // "Mon-Fri 09:00-18:00 Europe/Berlin"
	SchedPace         = "pace"         // the least time between two writes of the account
)

// ScheduleKeys returns the keys of a sequence's schedule:.
func ScheduleKeys() []string { return []string{SchedWorkingHours, SchedPace} }

// The events a sequence can wait for or exit on.
const (
	EventConnectionAccepted = "connectionAccepted" // the lead accepted the connection request
	EventReplied            = "replied"            // the lead wrote a message
)

// Events returns the events of sequences.
func Events() []string { return []string{EventConnectionAccepted, EventReplied} }

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
func IsStepKeyword(k string) bool {
	switch k {
	case KeyAction, KeyLabel, KeyIf, KeyForEach, KeyAs, KeyIndex, KeyUses, KeyWith, KeyParams, KeyVariants, KeyThen:
		return true
	}
	return false
}

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

var nameRE = regexp.MustCompile(NamePattern)

// IsName reports whether s is a valid workflow name (NamePattern).
func IsName(s string) bool { return nameRE.MatchString(s) }

// IsIdent reports whether s is a valid identifier (IdentPattern), without
// a regular expression: the compiler asks for every name it binds.
func IsIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && !('a' <= c && c <= 'z') && !('A' <= c && c <= 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
