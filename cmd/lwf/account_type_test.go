package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/sandbox"
)

// TestProfilePremiumChecksNotes: lwf plan and lwf run check a connection
// note against the account type the profile's premium: gives — a free
// account refuses 250 characters before anything is sent, Premium takes
// them, and without premium: the note passes with a warning.
func TestProfilePremiumChecksNotes(t *testing.T) {
	tb := newTestbed(t, sandbox.Options{})
	cfg := filepath.Join(tb.dir, "config.yaml")
	profiles := "profiles:\n"
	for name, premium := range map[string]string{"free": "premium: false", "paid": "premium: true", "quiet": ""} {
		profiles += fmt.Sprintf("  %s: {linked-api-token: %s, identification-token: %s, endpoint: %s", name,
			sandbox.DefaultLinkedAPIToken, sandbox.DefaultIdentificationToken, tb.srv.URL)
		if premium != "" {
			profiles += ", " + premium
		}
		profiles += "}\n"
	}
	write(t, cfg, profiles)
	tb.env["LWF_CONFIG"] = cfg
	file := filepath.Join(tb.dir, "note.yaml")
	write(t, file, "version: 1\nname: note\nworkflow:\n  action: sendConnectionRequest\n"+
		"  personUrl: https://www.linkedin.com/in/ada\n  note: "+strings.Repeat("n", 250)+"\n")
	const free = "note is 250 characters long, at most 200 allowed on a free account [param-value]"
	const warn = "warning: note is 250 characters long: a free account allows 200 [param-value]"

	code, out, errOut := tb.lwf("plan", file, "--profile", "free")
	if code != exitFindings || !strings.Contains(out+errOut, free) {
		t.Errorf("plan, free: exit %d\n%s%s", code, out, errOut)
	}
	code, _, errOut = tb.lwf("run", file, "--profile", "free", "--poll-start", "5ms", "--rate", "0")
	if code != exitFindings || !strings.Contains(errOut, free) || tb.posts() != 0 {
		t.Errorf("run, free: exit %d, POSTs %d\n%s", code, tb.posts(), errOut)
	}
	code, out, errOut = tb.lwf("plan", file, "--profile", "paid")
	if code != exitOK || strings.Contains(out+errOut, "characters long") {
		t.Errorf("plan, premium: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = tb.lwf("plan", file, "--profile", "quiet")
	if code != exitOK || !strings.Contains(out+errOut, warn) {
		t.Errorf("plan, unknown: exit %d\n%s%s", code, out, errOut)
	}
}
