package compiler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var fence = regexp.MustCompile("(?ms)^```(yaml|yml)([^\\n]*)\\n(.*?)^```")

// TestDocSnippets: every YAML snippet of the README and docs/ is checked.
// A snippet that is an lwf workflow file (it has version: or workflow:) must
// validate with no diagnostics — unless its fence says "broken", and then
// it must produce some. Other YAML (CI configuration, …) must parse.
func TestDocSnippets(t *testing.T) {
	files, _ := filepath.Glob("../docs/*.md")
	files = append(files, "../README.md")
	workflows := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			if os.IsNotExist(err) {
				continue
			}
			t.Fatal(err)
		}
		for i, m := range fence.FindAllStringSubmatch(string(b), -1) {
			info, body := strings.TrimSpace(m[2]), m[3]
			name := fmt.Sprintf("%s#%d", filepath.Base(f), i+1)
			var node yaml.Node
			if err := yaml.Unmarshal([]byte(body), &node); err != nil {
				t.Errorf("%s: not YAML: %v", name, err)
				continue
			}
			if !isWorkflow(&node) {
				continue
			}
			workflows++
			_, ds := Compile(context.Background(), name, []byte(body), Options{Symbolic: true})
			switch {
			case strings.Contains(info, "broken") && len(ds) == 0:
				t.Errorf("%s: marked broken but validates", name)
			case !strings.Contains(info, "broken") && len(ds) > 0:
				t.Errorf("%s:\n%s", name, renderDiags(ds))
			}
		}
	}
	if workflows < 10 {
		t.Errorf("only %d workflow snippets found in the docs", workflows)
	}
}

func isWorkflow(n *yaml.Node) bool {
	if len(n.Content) == 0 || n.Content[0].Kind != yaml.MappingNode {
		return false
	}
	m := n.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if k := m.Content[i].Value; k == "workflow" || k == "version" {
			return true
		}
	}
	return false
}
