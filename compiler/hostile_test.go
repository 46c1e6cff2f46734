package compiler

import (
	"context"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/diag"
)

// TestHostileExpressions: expressions written to exhaust memory or time, or
// to reach what they must not, each end in a diagnostic (the engine's
// limits: length, node count, memory budget, a one-second deadline, and the
// disabled builtins), never in a panic, a hang or a leaked secret.
func TestHostileExpressions(t *testing.T) {
	deep := strings.Repeat("(", 600) + "1" + strings.Repeat(")", 600)
	sum := strings.TrimSuffix(strings.Repeat(`"a" + `, 700), " + ")
	tests := []struct {
		expr string
		code diag.Code
	}{
		{`1..100000000`, diag.CodeExprLimit},
		{`len(map(1..100000, map(1..100000, #)))`, diag.CodeExprLimit},
		{`len(sortBy(1..10000000, #))`, diag.CodeExprLimit},
		{`len(toJSON(1..100000000))`, diag.CodeExprLimit},
		{`repeat("a", 1000000000)`, diag.CodeExprUndefined},
		{`reduce(1..64, #acc + #acc, "x")`, diag.CodeExprUndefined},
		{`let x = "ab"; x + x`, diag.CodeExprSyntax},
		{`replace("aaaa", "", "bbbbbbbbbbbbbbbb")`, diag.CodeExprRuntime},
		{deep, diag.CodeParamType}, // parses (the result, 1, is no term)
		{sum, diag.CodeExprLimit},
		{`1 / 0`, diag.CodeExprRuntime},
		{`[1][5]`, diag.CodeExprRuntime},
		{`env.LINKED_API_TOKEN`, diag.CodeExprUndefined},
		{`env.IDENTIFICATION_TOKEN + ""`, diag.CodeExprUndefined},
		{`get(env, "LINKED_API_TOKEN") ?? fail`, diag.CodeExprUndefined},
		{`fromJSON("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")`, diag.CodeExprRuntime},
		{`"x" * 3`, diag.CodeExprType},
		{`inputs`, diag.CodeParamType},
		{`reduce(1..10, #acc)`, diag.CodeExprUndefined},
	}
	for _, tt := range tests {
		name := tt.expr
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			src := "version: 1\nname: hostile\nworkflow:\n  action: searchPeople\n  term: '${{ " + strings.ReplaceAll(tt.expr, "'", "''") + " }}'\n"
			_, ds := Compile(context.Background(), "h.yaml", []byte(src), Options{Getenv: func(k string) string { return "canary-" + k }})
			if len(ds) == 0 {
				t.Fatal("no diagnostic")
			}
			if ds[0].Code != tt.code {
				t.Errorf("got %s, want code %s", ds[0], tt.code)
			}
			for _, d := range ds {
				if strings.Contains(d.Message+d.Hint, "canary") {
					t.Errorf("a secret leaked into a diagnostic: %s", d)
				}
			}
		})
	}
}
