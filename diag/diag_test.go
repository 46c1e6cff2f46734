package diag

import "testing"

func TestNearest(t *testing.T) {
	cands := []string{"st.retrieveCompanyEmployees", "st.retrieveCompanyDMs", "st.openCompanyPage"}
	tests := []struct{ in, want string }{
		{"st.retriveCompanyEmployees", "st.retrieveCompanyEmployees"},
		{"st.retrieveCompanyDms", "st.retrieveCompanyDMs"},
		{"st.somethingElseEntirely", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Nearest(tt.in, cands); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeSortsAndDedups(t *testing.T) {
	a := New("b.yaml", Pos{2, 1}, CodeUnknownParam, "x")
	b := New("a.yaml", Pos{9, 1}, CodeUnknownParam, "y")
	c := New("a.yaml", Pos{3, 4}, CodeUnknownAction, "z")
	got := List{a, b, c, b}.Normalize()
	want := List{c, b, a}
	if len(got) != len(want) {
		t.Fatalf("got %d diagnostics, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestString(t *testing.T) {
	d := New("f.yaml", Pos{14, 17}, CodeUnknownAction, `unknown action "x"`)
	if got, want := d.String(), `f.yaml:14:17: unknown action "x" [unknown-action]`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	d.Severity = Warning
	if got, want := d.String(), `f.yaml:14:17: warning: unknown action "x" [unknown-action]`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
