package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnvValuesStayOut: a workflow file from a pull request that reads a
// secret from the environment (int(env.X), float, date, duration, upper)
// cannot get it printed: lwf validate reads no environment variable at
// all, in every output format, and lwf compile and plan say what failed
// without the value.
func TestEnvValuesStayOut(t *testing.T) {
	const secret = "s3cr3t-VALUE-31337"
	dir := t.TempDir()
	file := filepath.Join(dir, "leak.yaml")
	write(t, file, "version: 1\nname: leak\nenv: [MY_SECRET]\nworkflow:\n"+
		"  - action: searchPeople\n    limit: ${{ int(env.MY_SECRET) }}\n"+
		"  - action: searchPeople\n    term: \"${{ string(float(env.MY_SECRET)) }}\"\n"+
		"  - action: searchPeople\n    term: \"${{ string(date(env.MY_SECRET)) }}\"\n"+
		"  - action: searchPeople\n    term: \"${{ string(duration(env.MY_SECRET)) }}\"\n"+
		"  - action: reactToPost\n    postUrl: https://www.linkedin.com/feed/update/urn:li:activity:1\n    type: ${{ upper(env.MY_SECRET) }}\n")
	read := map[string]bool{}
	getenv := func(k string) string {
		read[k] = true
		if k == "MY_SECRET" {
			return secret
		}
		return ""
	}
	lwf := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := mainWithEnv(context.Background(), args, strings.NewReader(""), &out, &errb, getenv)
		return code, out.String() + errb.String()
	}
	for _, format := range []string{"text", "json", "github", "sarif"} {
		code, out := lwf("validate", "--format", format, file)
		if code != 0 {
			t.Errorf("validate --format %s: exit %d:\n%s", format, code, out)
		}
		if strings.Contains(out, "s3cr3t") {
			t.Errorf("validate --format %s printed the secret:\n%s", format, out)
		}
	}
	if read["MY_SECRET"] {
		t.Error("validate read MY_SECRET from the environment")
	}
	for _, args := range [][]string{{"compile", file}, {"plan", file}} {
		code, out := lwf(args...)
		if code == 0 {
			t.Errorf("%s: exit 0", args[0])
		}
		if strings.Contains(strings.ToLower(out), "s3cr3t") || !strings.Contains(out, "expression failed on a value read from env") || !strings.Contains(out, `type: "***" is not one of`) {
			t.Errorf("%s output:\n%s", args[0], out)
		}
	}
	// --env narrows what a file may read.
	code, out := lwf("compile", "--env", "OTHER", file)
	if code == 0 || !strings.Contains(out, "env: MY_SECRET is not allowed by --env (allowed: OTHER) [env-not-allowed]") {
		t.Errorf("compile --env OTHER: exit %d:\n%s", code, out)
	}
}
