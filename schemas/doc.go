// Package schemas embeds the Linked API action catalog — one JSON Schema
// file per action, with the action's rules in the "x-lwf" vendor keyword —
// and checks workflow definitions against it.
//
// The catalog is data, not code: the compiler, the sandbox, `lwf actions`
// and the editor schema all read the same files, so a rule is written once.
// See README.md in this directory for the file format.
package schemas
