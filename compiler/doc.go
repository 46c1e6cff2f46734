// Package compiler turns a parsed lwf workflow file into the exact JSON
// bodies of POST /workflows, checking it on the way.
//
// The stages run in order over one file and all report into one list of
// diagnostics, so a single run shows every problem:
//
//  1. structure   — the file's own keys (version, name, inputs, vars, workflow, …)
//  2. inputs      — declarations, and values from --input, files and CSV
//  3. expressions — ${{ }} evaluated with expr-lang at compile time
//  4. expansion   — if, forEach/as/index, uses/with, vars
//  5. catalog     — the action rules of package schemas, mapped back to lines
//  6. lowering    — full action names, parameters passed through unchanged
//
// Without input values (lwf validate in a pull-request check) inputs are
// checked symbolically by their declared types: an expression that depends
// on a value nobody gave is type-checked, and its result stands as a typed
// placeholder that the catalog stage checks by type only.
package compiler
