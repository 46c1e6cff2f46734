package compiler

import (
	"fmt"
	"testing"
)

func TestFieldUses(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{`lead.company`, `map[company:2]`},
		{`lead.company ?? "x"`, `map[company:0]`},
		{`lead["company"] != ""`, `map[company:1]`},
		{`len(lead.note) > 0 && lead.vip`, `map[note:1 vip:1]`},
		{`!lead.vip`, `map[vip:1]`},
		{`lead.a != "" ? "at " + lead.a : lead.b`, `map[a:1 b:2]`},
		{`lead.a + (lead.a ?? "")`, `map[a:2]`},
		{`upper(other.a) + lead.b`, `map[b:2]`},
		{`lead.`, `map[]`},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(fieldUses(tt.src, "lead")); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.src, got, tt.want)
		}
	}
}
