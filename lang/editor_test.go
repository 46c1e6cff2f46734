package lang

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lwf-dev/lwf/internal/testenv"
)

// needNode returns the node binary once the packages of dir are
// installed (see testenv.Node).
func needNode(t *testing.T, dir string) string {
	t.Helper()
	return testenv.Node(t, filepath.Join(dir, "node_modules"), "scripts/test runs npm ci there")
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
