package compiler

import (
	"context"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/diag"
)

// TestExprErrorsByStructure: expression failures are sorted into codes by
// the stage that raised them and the node it stopped at, so names with
// spaces, called fields and unclosed brackets get the right message.
func TestExprErrorsByStructure(t *testing.T) {
	sum := strings.TrimSuffix(strings.Repeat(`"a" + `, 300), " + ")
	tests := []struct {
		expr string
		code diag.Code
		msg  string
	}{
		{`inputs.p["first nme"]`, diag.CodeExprUndefined, `undefined field "first nme"`},
		{`inputs.nte`, diag.CodeExprUndefined, `undefined field "nte"`},
		{`inputs.note.x`, diag.CodeExprUndefined, `undefined field "x"`},
		{`input.note`, diag.CodeExprUndefined, `undefined name "input"`},
		{`foo(1)`, diag.CodeExprUndefined, `undefined name "foo"`},
		{`repeat("a", 2)`, diag.CodeExprUndefined, `function "repeat" is not available in lwf expressions`},
		{`inputs.note()`, diag.CodeExprType, `string is not callable`},
		{`upper(inputs.note, 1)`, diag.CodeExprType, `too many arguments to call upper`},
		{`inputs.note * 2`, diag.CodeExprType, `invalid operation: * (mismatched types string and int)`},
		{`upper(inputs.note`, diag.CodeExprSyntax, `missing ")" to close "upper("`},
		{`upper(trim(inputs.note)`, diag.CodeExprSyntax, `missing ")" to close "upper("`},
		{`[inputs.note, "x"`, diag.CodeExprSyntax, `missing "]" to close "["`},
		{`(inputs.note + "x"))`, diag.CodeExprSyntax, `unexpected token Bracket(")")`},
		{`inputs.note +`, diag.CodeExprSyntax, `unexpected token EOF`},
		{sum, diag.CodeExprLimit, `expression is too complex (more than 500 nodes)`},
	}
	for _, tt := range tests {
		name := tt.expr
		if len(name) > 30 {
			name = name[:30]
		}
		t.Run(name, func(t *testing.T) {
			src := "version: 1\nname: e\ninputs:\n  note: {type: string, default: hi}\n" +
				"  p: {type: object, default: {}, properties: {first name: {type: string}}}\n" +
				"workflow:\n  action: searchPeople\n  term: '${{ " + strings.ReplaceAll(tt.expr, "'", "''") + " }}'\n"
			_, ds := Compile(context.Background(), "e.yaml", []byte(src), Options{Symbolic: true})
			if len(ds) == 0 {
				t.Fatal("no diagnostic")
			}
			if ds[0].Code != tt.code || ds[0].Message != tt.msg {
				t.Errorf("got %s, want %q [%s]", ds[0], tt.msg, tt.code)
			}
		})
	}
}
