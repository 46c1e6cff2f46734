package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/sandbox"
)

// recipe is one workflow file of docs/cookbook.md.
type recipe struct{ title, text string }

func cookbookRecipes(t *testing.T) []recipe {
	t.Helper()
	b, err := os.ReadFile("../../docs/cookbook.md")
	if err != nil {
		t.Fatal(err)
	}
	var out []recipe
	for _, m := range regexp.MustCompile("(?ms)^## (.*?)$.*?^```yaml\n(.*?)^```").FindAllStringSubmatch(string(b), -1) {
		out = append(out, recipe{m[1], m[2]})
	}
	return out
}

// TestCookbookRecipesRunOnSandbox runs every recipe of the cookbook that
// needs no input on the sandbox, as the cookbook invites, and checks that
// each one whose loop names its item sends everyone found a text of their
// own: it names the person it went to, as the sandbox knows them.
func TestCookbookRecipesRunOnSandbox(t *testing.T) {
	staged := 0
	for _, r := range cookbookRecipes(t) {
		t.Run(r.title, func(t *testing.T) {
			tb := newTestbed(t, sandbox.Options{})
			f := tb.campaignFile("recipe.yaml", r.text)
			code, _, stderr := tb.run(f, "--allow-action-errors")
			if code == exitUsage && strings.Contains(stderr, "[input-missing]") {
				t.Skip("needs inputs")
			}
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if !regexp.MustCompile(`(?m)^\s+as: person$`).MatchString(r.text) {
				return
			}
			staged++
			var targets []string
			texts := map[string]string{}
			for _, w := range tb.srv.Sandbox.Writes() {
				if w.Text == "" {
					continue
				}
				if _, twice := texts[w.Target]; twice {
					t.Errorf("%s: written to twice", w.Target)
				}
				texts[w.Target] = w.Text
				targets = append(targets, w.Target)
			}
			if len(targets) == 0 {
				t.Fatalf("the recipe sent nothing\n%s", stderr)
			}
			for url, name := range personNames(t, tb, targets) {
				if first := strings.Split(name, " ")[0]; first == "" || !strings.Contains(texts[url], first+",") && !strings.Contains(texts[url], first+"!") {
					t.Errorf("%s (%s) received %q", url, name, texts[url])
				}
			}
		})
	}
	if staged < 4 {
		t.Errorf("%d recipes send to the people a named loop finds; want the cookbook's four (connect, welcome, decision makers, Sales Navigator)", staged)
	}
}
