// Package testenv helps tests that need tools outside Go (Node and the
// npm packages of the contract and editor tests): where a tool is
// missing they skip, saying why — except in CI (CI=true), where a
// missing tool is a failure, so that nothing passes there untested.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Missing skips the test for reason, or fails it when CI=true.
func Missing(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(reason + " (required when CI=true)")
	}
	t.Skip(reason)
}

// Node returns the node binary, and checks that file (a path below a
// directory with npm packages, such as "contract/node_modules/@linkedapi/node")
// exists; install says how to get it.
func Node(t testing.TB, file, install string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		Missing(t, "node is not installed")
	}
	if file != "" {
		if _, err := os.Stat(file); err != nil {
			Missing(t, filepath.ToSlash(file)+" is missing ("+install+")")
		}
	}
	return node
}
