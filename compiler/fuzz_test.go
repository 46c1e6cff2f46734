package compiler

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
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
