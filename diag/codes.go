package diag

// Code is a diagnostic's stable identifier. Codes are part of lwf's
// interface: tools match on them, so a code is never renamed once
// released. Every code is described in the registry (Codes), from which
// the SARIF rules, `lwf validate --help` and the table in
// docs/language.md are made.
type Code string

// The codes, in the order of the registry.
const (
	CodeYAMLSyntax      Code = "yaml-syntax"
	CodeDuplicateKey    Code = "duplicate-key"
	CodeEncoding        Code = "encoding"
	CodeMultiDocument   Code = "multi-document"
	CodeTooLarge        Code = "too-large"
	CodeTooDeep         Code = "too-deep"
	CodeAliasBudget     Code = "alias-budget"
	CodeMissingField    Code = "missing-field"
	CodeUnknownField    Code = "unknown-field"
	CodeFieldType       Code = "field-type"
	CodeFieldValue      Code = "field-value"
	CodeUnknownAction   Code = "unknown-action"
	CodeInvalidRoot     Code = "invalid-root"
	CodeInvalidParent   Code = "invalid-parent"
	CodeUnknownParam    Code = "unknown-param"
	CodeMissingParam    Code = "missing-param"
	CodeForbiddenParam  Code = "forbidden-param"
	CodeParamType       Code = "param-type"
	CodeParamValue      Code = "param-value"
	CodeExprSyntax      Code = "expr-syntax"
	CodeExprUndefined   Code = "expr-undefined"
	CodeExprType        Code = "expr-type"
	CodeExprRuntime     Code = "expr-runtime"
	CodeExprLimit       Code = "expr-limit"
	CodeInputMissing    Code = "input-missing"
	CodeInputType       Code = "input-type"
	CodeInputValue      Code = "input-value"
	CodeInputUnknown    Code = "input-unknown"
	CodeInputFile       Code = "input-file"
	CodeUsesNotFound    Code = "uses-not-found"
	CodeUsesCycle       Code = "uses-cycle"
	CodeEnvNotAllowed   Code = "env-not-allowed"
	CodeTooManyActions  Code = "too-many-actions"
	CodePayloadTooLarge Code = "payload-too-large"
	CodeInterrupted     Code = "interrupted"
	CodeIO              Code = "io"
)

// CodeInfo describes one code.
type CodeInfo struct {
	Code Code
	// Summary says in one sentence what the code reports (SARIF's short
	// description, the first column of the lists).
	Summary string
	// Help says what to do about it, or what the limits are.
	Help string
}

// Codes returns the registry: every code, grouped by what it is about
// (the YAML, the file's fields, actions, parameters, expressions, inputs,
// reusable workflows, limits, the run of lwf itself).
func Codes() []CodeInfo {
	return []CodeInfo{
		{CodeYAMLSyntax, "The file is not valid YAML.",
			"Fix the YAML at the position given; indent with spaces, never tabs."},
		{CodeDuplicateKey, "A mapping has the same key twice.",
			"Keep one of the two keys: YAML would silently keep only the last."},
		{CodeEncoding, "The file, or a value read from an input file, is not valid UTF-8.",
			"Save the file as UTF-8."},
		{CodeMultiDocument, "The file holds more than one YAML document.",
			"Keep one workflow per file: remove the --- separator or split the file."},
		{CodeTooLarge, "The file is larger than the size limit.",
			"Files are read up to 1 MiB (--max-bytes); split the file or move data into an input file."},
		{CodeTooDeep, "The YAML nests deeper than the limit.",
			"Nesting is limited to 64 levels."},
		{CodeAliasBudget, "YAML aliases expand past the budget.",
			"Once aliases are expanded a file may hold 100,000 nodes and 4 MiB of text (keys and values)."},
		{CodeMissingField, "A required field is missing.",
			"A workflow file needs version, name and workflow; the message names what is missing."},
		{CodeUnknownField, "A field lwf does not know.",
			"Check the spelling against the hint; parameters belong to steps, not to the file."},
		{CodeFieldType, "A field has the wrong type.",
			"The message says which type the field takes."},
		{CodeFieldValue, "A field has a value lwf does not accept.",
			"The message says which values the field takes."},
		{CodeUnknownAction, "The action is not in the Linked API catalog.",
			"lwf actions lists the actions; Sales Navigator actions are written nv.NAME."},
		{CodeInvalidRoot, "The action cannot start a workflow.",
			"Put it under the action that opens its subject, or give the URL parameter that lets it start one."},
		{CodeInvalidParent, "The action cannot run under its parent.",
			"lwf actions NAME shows the parents an action may have; the hint names the step to insert."},
		{CodeUnknownParam, "The action has no such parameter.",
			"lwf actions NAME lists its parameters."},
		{CodeMissingParam, "A required parameter is missing.",
			"Give the parameter the message names."},
		{CodeForbiddenParam, "The parameter is not allowed where the action stands.",
			"Under a parent, the parent supplies the person or company: leave out its URL."},
		{CodeParamType, "A parameter has the wrong type.",
			"The message says which type the parameter takes."},
		{CodeParamValue, "A parameter's value is out of range, not of the expected form, or not allowed.",
			"The message gives the range, the length or the form (a URL of the right kind) expected."},
		{CodeExprSyntax, "An expression does not parse.",
			"The message points at the character where the expression breaks."},
		{CodeExprUndefined, "An expression uses an undefined name, field or function.",
			"The hint suggests the nearest name; expressions see inputs, vars, env and the names of enclosing forEach loops."},
		{CodeExprType, "An expression has the wrong type.",
			"The message names the operator or function and the types it got."},
		{CodeExprRuntime, "An expression failed when evaluated.",
			"The message says why; with an input file, which row or cell."},
		{CodeExprLimit, "An expression exceeds a sandbox limit.",
			"Expressions are bounded in length, nodes, memory, time and the text they build; compute less in one expression."},
		{CodeInputMissing, "A required input has no value.",
			"Give it with --input NAME=VALUE, --input NAME=@FILE or --inputs-file, or declare a default."},
		{CodeInputType, "An input value has the wrong type.",
			"The message says which type the input is declared with."},
		{CodeInputValue, "An input value is out of range or not allowed, or a CSV cell a step needs is empty or missing.",
			"The message names the input, the row and the column."},
		{CodeInputUnknown, "A value was given for an input the workflow does not declare.",
			"Check the name against the hint, or declare the input."},
		{CodeInputFile, "An input file cannot be read or parsed.",
			"The message says why: a missing file, a malformed CSV, JSON or YAML."},
		{CodeUsesNotFound, "The reusable workflow named by uses: cannot be found or read.",
			"lwf workflows lists the standard ones; a path is relative to the file and stays in its directory."},
		{CodeUsesCycle, "A reusable workflow uses itself, directly or through others.",
			"The message shows the chain of uses:; break it."},
		{CodeEnvNotAllowed, "An expression reads an environment variable the file's env: list (or --env) does not allow.",
			"List the variable under env:; LINKED_API_TOKEN and IDENTIFICATION_TOKEN can never be read."},
		{CodeTooManyActions, "forEach or uses: expand the workflow past the action cap.",
			"A file expands to at most 100,000 actions: reported where the cap was hit, at each forEach and uses: on the way, and nothing is compiled; split the input into several runs."},
		{CodePayloadTooLarge, "A workflow's JSON is larger than the API accepts in one request.",
			"The API accepts 1 MiB a request; the size is given, and a smaller --chunk-size helps when a forEach makes the root array."},
		{CodeInterrupted, "The compilation was stopped (Ctrl-C) before it finished.",
			"Run the command again."},
		{CodeIO, "The file cannot be read.",
			"The message says why (missing, not a regular file, a link out of the working directory)."},
	}
}

// Info returns the registry's entry of c, and false for a code that is
// not registered.
func (c Code) Info() (CodeInfo, bool) {
	for _, ci := range Codes() {
		if ci.Code == c {
			return ci, true
		}
	}
	return CodeInfo{}, false
}
