package compiler

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lwf-dev/lwf/diag"
)

// FuzzExprPosition writes an expression with an undefined name after an
// arbitrary prefix, in each YAML scalar style, and checks that the
// diagnostic points at the name's first character in the file.
func FuzzExprPosition(f *testing.F) {
	for _, seed := range []struct {
		prefix string
		style  uint8
	}{
		{"", 0}, {"Hi ", 0}, {"caf\u00e9 \U0001F389 ", 1}, {"tab\there \"q\" \\ ", 1},
		{"it''s ", 2}, {"line one\nline two ", 3}, {"a\n\nb ", 4}, {"x ${{ 1 }} y ", 1},
	} {
		f.Add(seed.prefix, seed.style)
	}
	f.Fuzz(func(t *testing.T, prefix string, style uint8) {
		if !utf8.ValidString(prefix) || strings.Contains(prefix, "${{") || strings.Contains(prefix, "zzq") ||
			strings.ContainsAny(prefix, "\r\x00\ufeff") || len(prefix) > 200 {
			return
		}
		value := prefix + "${{ zzq }}"
		var scalar string
		switch style % 5 {
		case 0: // plain: only where YAML reads it back unchanged
			if strings.ContainsAny(prefix, "\n#:'\"{}[],&*!|>%@`\\\t") || strings.HasPrefix(prefix, "-") ||
				strings.HasPrefix(prefix, "?") || strings.TrimSpace(prefix) != prefix && prefix != "" && !strings.HasSuffix(prefix, " ") {
				return
			}
			scalar = value
		case 1: // double-quoted, escaped as JSON
			b, _ := json.Marshal(value)
			scalar = string(b)
		case 2: // single-quoted
			if strings.ContainsAny(prefix, "\n\t") {
				return
			}
			scalar = "'" + strings.ReplaceAll(value, "'", "''") + "'"
		case 3, 4: // literal and folded block
			if strings.ContainsAny(prefix, "\t") || strings.HasPrefix(prefix, " ") || strings.Contains(prefix, "\n ") {
				return
			}
			ind := "|-"
			if style%5 == 4 {
				ind = ">-"
				if strings.Contains(prefix, "\n") {
					return // folding changes the text the test would compare
				}
			}
			scalar = ind + "\n    " + strings.ReplaceAll(value, "\n", "\n    ")
		}
		src := "version: 1\nname: fuzz\nworkflow:\n  action: searchPeople\n  term: " + scalar + "\n"
		_, ds := Compile(context.Background(), "fuzz.yaml", []byte(src), Options{Symbolic: true})
		var found *diag.Diagnostic
		for i, d := range ds {
			if d.Code == diag.CodeExprUndefined {
				found = &ds[i]
			}
		}
		if found == nil {
			return // the generated YAML did not parse as intended
		}
		lines := strings.Split(src, "\n")
		if found.Line < 1 || found.Line > len(lines) {
			t.Fatalf("line %d out of range\n%s", found.Line, src)
		}
		runes := []rune(lines[found.Line-1])
		if found.Column < 1 || found.Column > len(runes) || !strings.HasPrefix(string(runes[found.Column-1:]), "zzq") {
			t.Fatalf("diagnostic at %d:%d does not point at zzq\n%s", found.Line, found.Column, src)
		}
	})
}

// FuzzCompile feeds arbitrary sources to the whole compiler: it must never
// panic, and every diagnostic must have a code and a message.
func FuzzCompile(f *testing.F) {
	f.Add([]byte("version: 1\nname: x\nworkflow:\n  action: searchPeople\n  limit: ${{ 1 + }}\n"))
	f.Add([]byte("version: 1\nname: x\ninputs: {a: {type: array}}\nworkflow:\n  - forEach: ${{ inputs.a }}\n    action: retrieveSSI\n"))
	f.Add([]byte("version: 1\nname: x\nworkflow:\n  uses: fetch-person\n  with: {personUrl: u}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, symbolic := range []bool{true, false} {
			_, ds := Compile(context.Background(), "f.yaml", src, Options{Symbolic: symbolic})
			for _, d := range ds {
				if d.Code == "" || d.Message == "" {
					t.Fatalf("diagnostic without code or message: %#v", d)
				}
			}
		}
	})
}

// FuzzExprBudget evaluates arbitrary expressions next to a 100 KB var and
// a 5,000-item list: each must end — in a value or a diagnostic — within
// the expression budgets, having allocated a bounded amount however much
// it asked to build (the budgets are counted while it runs, see meter).
func FuzzExprBudget(f *testing.F) {
	for _, seed := range []string{
		`join(map(1..9000, vars.s), '')`, `vars.s + vars.s`, `len(map(1..19000, vars.s + vars.s))`,
		`upper(vars.s)`, `toJSON(vars.l)`, `string(map(vars.l, vars.s))`, `split(vars.s, '')`,
		`concat(vars.l, vars.l, vars.l)`, `filter(vars.l, none(vars.l, # < 0))`, `replace(vars.s, 'x', vars.s)`,
		`len(sortBy(map(vars.l, toJSON(vars.l)), #))`, `fromJSON(toJSON(vars.l))`, `trim(vars.s + ' ')`,
		`count(vars.l, vars.s matches 'x+y')`, `vars.s[0:10] + 'x'`,
	} {
		f.Add(seed)
	}
	big := strings.Repeat("x", 100_000)
	f.Fuzz(func(t *testing.T, expr string) {
		if len(expr) > maxExprLen || strings.Contains(expr, "}}") || !utf8.ValidString(expr) {
			return
		}
		value, _ := json.Marshal("${{ " + expr + " }}")
		src := "version: 1\nname: fuzz\nvars:\n  s: " + big + "\n  l: ${{ 1..5000 }}\n  r: " + string(value) + "\nworkflow:\n  action: retrieveSSI\n"
		c, err := newCompilation("f.yaml", Options{})
		if err != nil {
			t.Fatal(err)
		}
		c.engine.timeout = 200 * time.Millisecond
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, ds := c.compileSource(context.Background(), []byte(src))
		runtime.ReadMemStats(&after)
		if c.engine.meter.steps > maxExprSteps+1 {
			t.Fatalf("%q took %d steps", expr, c.engine.meter.steps)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
			t.Fatalf("%q allocated %d MB", expr, alloc>>20)
		}
		for _, d := range ds {
			if d.Code == "" || d.Message == "" {
				t.Fatalf("diagnostic without code or message: %#v", d)
			}
		}
	})
}
