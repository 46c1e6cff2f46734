package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/sandbox"
)

// TestCanaryTokens runs every command that touches credentials with
// distinctive tokens, on success and failure paths and with --debug, and
// checks that no token appears in any output, the state directory's files
// (database, WAL, locks) or the results.
func TestCanaryTokens(t *testing.T) {
	const (
		lat   = "lat-CANARY-7f3a9c1e5b2d"
		ident = "idt-CANARY-0d9e8f7a6c5b"
		wrong = "idt-CANARY-WRONG-31415926"
	)
	tb := newTestbed(t, sandbox.Options{Tokens: map[string][]string{lat: {ident}}},
		"https://www.linkedin.com/in/c-1", "https://www.linkedin.com/in/person-not-found")
	tb.env["LINKED_API_TOKEN"], tb.env["IDENTIFICATION_TOKEN"] = lat, ident
	// A workflow that tries to read the tokens into its payload: refused.
	leaky := filepath.Join(tb.dir, "leaky.yaml")
	write(t, leaky, "version: 1\nname: leaky\nworkflow:\n  action: retrieveSSI\n  label: \"x${{ env.LINKED_API_TOKEN }}${{ env.IDENTIFICATION_TOKEN }}\"\n")
	results := filepath.Join(tb.dir, "results.csv")
	var all bytes.Buffer
	step := func(args ...string) {
		code, out, errOut := tb.lwf(args...)
		all.WriteString(out + errOut)
		t.Logf("lwf %s → exit %d", strings.Join(args, " "), code)
	}
	step(tb.runArgs("--debug", "-o", results)...)
	step(tb.runArgs("--debug", "--json-events", "--new")...)
	step("run", leaky, "--debug", "--poll-start", "5ms")
	step("runs")
	_, out, _ := tb.lwf("runs", "--json")
	step("status", strings.SplitN(strings.SplitN(out, `"id": "`, 2)[1], `"`, 2)[0], "--debug")
	step("account", "--debug")
	step("stats", "--since", "1d", "--debug")
	step("conversations", "poll", "--person", "https://www.linkedin.com/in/c-1", "--debug")
	step("result", "wf-does-not-exist", "--debug")
	// Failure paths: a refused identification token, a profile file that
	// others can read, a profile that works.
	tb.env["IDENTIFICATION_TOKEN"] = wrong
	step(tb.runArgs("--debug", "--new")...)
	step("account", "--debug")
	cfg := filepath.Join(tb.dir, "config.yaml")
	tb.env["LWF_CONFIG"] = cfg
	write(t, cfg, "profiles:\n  canary:\n    linked-api-token: "+lat+"\n    identification-token: "+ident+"\n")
	os.Chmod(cfg, 0o644)
	step("account", "--profile", "canary", "--debug")
	os.Chmod(cfg, 0o600)
	step("account", "--profile", "canary", "--debug")
	write(t, cfg, "profiles:\n  canary: ["+lat+"]\n")
	step("account", "--profile", "canary", "--debug")
	// An endpoint that carries a password or a token in its query.
	tb.env["LWF_CONFIG"] = filepath.Join(tb.dir, "no-config.yaml")
	step("account", "--debug", "--endpoint", "https://user:"+wrong+"@api.example.com")
	step("account", "--debug", "--endpoint", "http://127.0.0.1:1/?token="+wrong)

	if !strings.Contains(all.String(), "debug: POST /workflows → 200") || !strings.Contains(all.String(), "invalidIdentificationToken") {
		t.Fatalf("the commands did not run as expected:\n%s", all.String())
	}
	check := func(where string, b []byte) {
		for _, tok := range []string{lat, ident, wrong} {
			if bytes.Contains(b, []byte(tok)) {
				t.Errorf("%s contains the token %s", where, tok)
			}
		}
	}
	check("the output", all.Bytes())
	files := 0
	filepath.WalkDir(tb.state, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			check(path, b)
			files++
		}
		return nil
	})
	b, _ := os.ReadFile(results)
	check(results, b)
	if files < 3 || len(b) == 0 {
		t.Errorf("checked %d state files and %d result bytes: the runs did not store anything", files, len(b))
	}
}
