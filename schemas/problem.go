package schemas

import (
	"strconv"
	"strings"

	"github.com/lwf-dev/lwf/diag"
)

// Target says which part of a node a problem points at.
type Target int

// The targets.
const (
	// AtStep: the problem belongs to the action object as a whole; the
	// compiler points it at the step's action name.
	AtStep Target = iota
	// AtKey: the problem is the presence of a key (unknown or forbidden).
	AtKey
	// AtValue: the problem is the value at Pointer.
	AtValue
)

// Problem is one way a workflow definition breaks the catalog's rules.
// It has no file position: the compiler maps Pointer to one through its
// source map, and the sandbox reports it as is.
type Problem struct {
	// Pointer is the RFC 6901 JSON pointer, within the checked document, of
	// the action object (AtStep) or of the parameter (AtKey, AtValue).
	Pointer string
	At      Target
	// Code is a diag.Code's text (unknown-action, invalid-parent,
	// param-value, …): a string, as the sandbox reports it in an error's
	// details.
	Code    string
	Message string
	Hint    string
	// Severity is Error but for problems that may not be ones (a note
	// past a free account's limit when the account's type is unknown).
	Severity diag.Severity
}

// String renders "pointer: message" for logs and the sandbox's details.
func (p Problem) String() string {
	ptr := p.Pointer
	if ptr == "" {
		ptr = "/"
	}
	s := ptr + ": " + p.Message
	if p.Hint != "" {
		s += " (" + p.Hint + ")"
	}
	return s
}

// Unknown stands for a value that is not known when the workflow is checked
// — an input without a value in `lwf validate` — but whose JSON type is.
// The checker verifies its type and skips every constraint on its content.
type Unknown struct {
	Type string // a JSON Schema type name; "" when any type may come
	// Optional says the value may turn out to be null, which leaves the
	// parameter out: rules between parameters then treat it as absent.
	Optional bool
}

func pointerJoin(base, token string) string {
	token = strings.ReplaceAll(token, "~", "~0")
	token = strings.ReplaceAll(token, "/", "~1")
	return base + "/" + token
}

func pointerIndex(base string, i int) string { return base + "/" + strconv.Itoa(i) }

// dotted renders a parameter path for messages: filter.sizes[1].
func dotted(path []string) string {
	var b strings.Builder
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil && b.Len() > 0 {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}
