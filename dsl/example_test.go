package dsl_test

import (
	"fmt"
	"strings"

	"github.com/lwf-dev/lwf/dsl"
)

// The compiler finds an expression inside a decoded value and reports a
// problem at the exact character in the file.
func ExampleNode_PosAt() {
	src := []byte("workflow:\n  action: sendConnectionRequest\n  note: \"Hi \\u00e9 ${{ inputs.nmae }}\"\n")
	f, diags := dsl.Parse("campaign.yaml", src, dsl.Options{})
	if len(diags) > 0 {
		fmt.Println(diags)
		return
	}
	note := f.Root.Get("workflow").Get("note")
	off := strings.Index(note.Value, "inputs.nmae")
	p := note.PosAt(off)
	fmt.Printf("%s:%d:%d: undefined input %q (at %s)\n", f.Name, p.Line, p.Column, "nmae", note.Path)
	// Output:
	// campaign.yaml:3:24: undefined input "nmae" (at workflow.note)
}

// Parse reports every problem it finds and still returns the tree.
func ExampleParse() {
	src := []byte("name: demo\nname: again\nworkflow: {action: searchCompanies, limit: 10}\n---\nextra: doc\n")
	f, diags := dsl.Parse("campaign.yaml", src, dsl.Options{})
	for _, d := range diags {
		fmt.Println(d)
	}
	fmt.Println(f.Root.Get("workflow").Get("limit").Value)
	// Output:
	// campaign.yaml:2:1: duplicate key "name" (first defined at line 1) [duplicate-key]
	// campaign.yaml:4:1: file holds more than one yaml document; lwf reads one per file [multi-document]
	// 10
}
