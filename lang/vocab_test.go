package lang

import (
	"regexp"
	"testing"
)

func TestNames(t *testing.T) {
	for s, want := range map[string]bool{
		"ai-startups": true, "x": true, "a1-2b": true,
		"": false, "Bad": false, "a--b": false, "-a": false, "a-": false, "a_b": false, "a b": false,
	} {
		if got := IsName(s); got != want {
			t.Errorf("IsName(%q) = %v, want %v", s, got, want)
		}
	}
	for s, want := range map[string]bool{
		"note": true, "_x": true, "Lead2": true,
		"": false, "2x": false, "a-b": false, "a.b": false,
	} {
		if got := IsIdent(s); got != want {
			t.Errorf("IsIdent(%q) = %v, want %v", s, got, want)
		}
	}
	// IsIdent is IdentPattern, on every string of up to two characters
	// from a set around the edges of its classes.
	re := regexp.MustCompile(IdentPattern)
	chars := []string{"", "a", "z", "A", "Z", "_", "0", "9", "-", ".", "@", "[", "`", "{", "/", ":", " ", "é"}
	for _, a := range chars {
		for _, b := range chars {
			if s := a + b; IsIdent(s) != re.MatchString(s) {
				t.Errorf("IsIdent(%q) = %v, the pattern says %v", s, IsIdent(s), re.MatchString(s))
			}
		}
	}
	for _, k := range StepKeywords() {
		if !IsStepKeyword(k) {
			t.Errorf("step keyword %q is not one", k)
		}
	}
	if IsStepKeyword("personUrl") || IsStepKeyword("") {
		t.Error("a parameter is a step keyword")
	}
}

// TestKeywordLists: a uses: step's keys are step keywords, then comes
// last (lwf fmt writes parameters before it), and no list repeats a word.
func TestKeywordLists(t *testing.T) {
	for _, k := range UsesKeywords() {
		if !IsStepKeyword(k) {
			t.Errorf("uses: key %q is not a step keyword", k)
		}
	}
	if kw := StepKeywords(); kw[len(kw)-1] != KeyThen {
		t.Errorf("then is not the last step keyword: %v", kw)
	}
	for _, r := range RequiredFileFields() {
		if !contains(FileFields(), r) {
			t.Errorf("required field %q is not a file field", r)
		}
	}
	for name, list := range map[string][]string{"file": FileFields(), "step": StepKeywords(), "uses": UsesKeywords(),
		"input": InputKeys(), "types": InputTypes()} {
		seen := map[string]bool{}
		for _, k := range list {
			if seen[k] {
				t.Errorf("%s list repeats %q", name, k)
			}
			seen[k] = true
		}
	}
}
