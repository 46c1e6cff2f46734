package main

import (
	"strings"
	"testing"
)

// TestCompletion drives cobra's hidden __complete command, which is what
// the bash, zsh and fish scripts call.
func TestCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "actions", "sendCon"}, []string{"sendConnectionRequest\tSends a connection request to a person, optionally with a note.", ":4"}},
		{[]string{"__complete", "actions", "nv.searchP"}, []string{"nv.searchPeople\t", ":4"}},
		{[]string{"__complete", "compile", "fetch-p"}, []string{"fetch-person\tstandard workflow", "fetch-post\tstandard workflow", "yaml", "yml", ":8"}},
		{[]string{"__complete", "run", "search-c"}, []string{"search-companies\tstandard workflow", ":8"}},
		{[]string{"__complete", "validate", "--format", ""}, []string{"text", "json", "github", "sarif", ":4"}},
		{[]string{"__complete", "wor"}, []string{"workflows\t"}},
	}
	for _, tt := range tests {
		code, out, _ := run(t, tt.args...)
		if code != 0 {
			t.Errorf("%v: exit %d", tt.args, code)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tt.args, w, out)
			}
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, out, _ := run(t, "completion", shell)
		if code != 0 || !strings.Contains(out, "lwf") || len(out) < 1000 {
			t.Errorf("completion %s: exit %d, %d bytes", shell, code, len(out))
		}
	}
}
