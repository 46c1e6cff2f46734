package diag

import (
	"fmt"
	"sort"
)

// Severity says how serious a diagnostic is.
type Severity int

// The severities, most serious first.
const (
	Error Severity = iota
	Warning
	Info
)

// String returns the lower-case name used in every output format.
func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Info:
		return "info"
	default:
		return "error"
	}
}

// MarshalText makes a Severity encode as its name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Pos is a position in a file: 1-based line and column, the column counted
// in characters (runes), as yaml.v3 reports them. The zero Pos means
// "no position" (for problems that belong to a whole file or to no file).
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// IsValid reports whether p points somewhere.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Before reports whether p comes strictly before q.
func (p Pos) Before(q Pos) bool {
	return p.Line < q.Line || (p.Line == q.Line && p.Column < q.Column)
}

// Diagnostic is one problem found in one file.
type Diagnostic struct {
	File      string   `json:"file"`
	Line      int      `json:"line"`
	Column    int      `json:"column"`
	EndLine   int      `json:"endLine"`
	EndColumn int      `json:"endColumn"`
	Severity  Severity `json:"severity"`
	Code      Code     `json:"code"`
	Message   string   `json:"message"`
	Hint      string   `json:"hint,omitempty"`
	// Path is the dotted path of the node in the file, e.g.
	// "workflow.then.then.filter.position" or "workflow[2].note".
	Path string `json:"path,omitempty"`
}

// String renders the plain form "file:line:col: message [code]"; the
// message of a warning or a note starts with "warning: " or "info: ".
func (d Diagnostic) String() string {
	loc := d.File
	if d.Line > 0 {
		loc = fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Column)
	}
	msg := d.Message
	if d.Severity != Error {
		msg = d.Severity.String() + ": " + msg
	}
	if loc == "" {
		return fmt.Sprintf("%s [%s]", msg, d.Code)
	}
	return fmt.Sprintf("%s: %s [%s]", loc, msg, d.Code)
}

// Start returns the start position.
func (d Diagnostic) Start() Pos { return Pos{d.Line, d.Column} }

// New builds an error diagnostic at pos. The end position defaults to pos.
func New(file string, pos Pos, code Code, msg string) Diagnostic {
	return Diagnostic{File: file, Line: pos.Line, Column: pos.Column, EndLine: pos.Line, EndColumn: pos.Column,
		Severity: Error, Code: code, Message: msg}
}

// WithHint returns a copy of d carrying hint.
func (d Diagnostic) WithHint(hint string) Diagnostic { d.Hint = hint; return d }

// WithPath returns a copy of d carrying path.
func (d Diagnostic) WithPath(path string) Diagnostic { d.Path = path; return d }

// WithEnd returns a copy of d ending at end (if end is valid).
func (d Diagnostic) WithEnd(end Pos) Diagnostic {
	if end.IsValid() {
		d.EndLine, d.EndColumn = end.Line, end.Column
	}
	return d
}

// List is a set of diagnostics.
type List []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Normalize sorts by file, position, code and message, and drops exact
// duplicates. It returns the (possibly shorter) list.
func (l List) Normalize() List {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
	out := l[:0]
	for i, d := range l {
		if i > 0 && d == l[i-1] {
			continue
		}
		out = append(out, d)
	}
	return out
}
