package main

import (
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/diag"
)

// TestValidateHelpListsCodes: lwf validate --help lists every diagnostic
// code of the registry with its summary.
func TestValidateHelpListsCodes(t *testing.T) {
	code, out, _ := run(t, "validate", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, ci := range diag.Codes() {
		if !strings.Contains(out, string(ci.Code)+" ") || !strings.Contains(out, ci.Summary) {
			t.Errorf("validate --help does not list %s (%s)", ci.Code, ci.Summary)
		}
	}
}
