package schemas

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// needNode returns the node binary and checks the packages of dir are
// installed: a skip where they are not, a failure in CI (CI=true), where a
// missing tool must not pass silently.
func needNode(t *testing.T, dir string) string {
	t.Helper()
	node, err := exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node is not installed"
	default:
		if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
			missing = dir + "/node_modules is missing (scripts/test runs npm ci there)"
		}
	}
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal(missing)
		}
		t.Skip(missing)
	}
	return node
}

// TestEditorLanguageServer runs editor-test/lsp.mjs: the real
// yaml-language-server with the committed schema gives no diagnostics on a
// valid example, flags an unknown parameter and a wrong enum value at their
// lines, and completes a step's parameter names.
func TestEditorLanguageServer(t *testing.T) {
	node := needNode(t, "../editor-test")
	cmd := exec.Command(node, "lsp.mjs")
	cmd.Dir = "../editor-test"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// TestEditorSchemaSecondValidator runs editor-test/ajv.mjs: every example
// and standard workflow validates against the schema with ajv, and files
// lwf rejects for schema-level reasons fail it.
func TestEditorSchemaSecondValidator(t *testing.T) {
	node := needNode(t, "../editor-test")
	cmd := exec.Command(node, "ajv.mjs")
	cmd.Dir = "../editor-test"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("%s", out)
}
