package diag

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestTextWriterSnippetAndColor(t *testing.T) {
	src := []byte("version: 1\nname: x\nworkflow:\n  action: searchPeeple\n")
	d := New("f.yaml", Pos{4, 11}, CodeUnknownAction, `unknown action "st.searchPeeple"`).WithHint(`did you mean "st.searchPeople"?`)
	var b bytes.Buffer
	tw := &TextWriter{Source: func(string) []byte { return src }}
	if err := tw.Write(&b, List{d}, nil); err != nil {
		t.Fatal(err)
	}
	want := "f.yaml:4:11: unknown action \"st.searchPeeple\" [unknown-action]\n" +
		"    action: searchPeeple\n" +
		"            ^\n" +
		"  hint: did you mean \"st.searchPeople\"?\n"
	if b.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", b.String(), want)
	}
	b.Reset()
	tw.Color = true
	tw.Write(&b, List{d}, nil)
	if !bytes.Contains(b.Bytes(), []byte("\x1b[31munknown action")) || !bytes.Contains(b.Bytes(), []byte("\x1b[32m")) {
		t.Errorf("no colour: %q", b.String())
	}
}

func TestGitHubEscapes(t *testing.T) {
	d := New("a,b:c.yaml", Pos{1, 2}, CodeYAMLSyntax, "100% broken\nline")
	var b bytes.Buffer
	GitHubWriter{}.Write(&b, List{d}, nil)
	want := "::error file=a%2Cb%3Ac.yaml,line=1,col=2,endLine=1,endColumn=2,title=lwf yaml-syntax::100%25 broken%0Aline\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}

// TestSARIFRulesFromRegistry: the SARIF log's rules are the registry —
// every code, with its summary and help — and each result's ruleIndex
// points at its rule.
func TestSARIFRulesFromRegistry(t *testing.T) {
	ds := List{New("a.yaml", Pos{Line: 3, Column: 5}, CodeUsesCycle, "uses: x calls itself").WithHint("break it")}
	var b bytes.Buffer
	if err := (SARIFWriter{Version: "test"}).Write(&b, ds, []string{"a.yaml"}); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID               string
						ShortDescription struct{ Text string }
						Help             struct{ Text string }
					}
				}
			}
			Results []struct {
				RuleID    string
				RuleIndex int
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	rules := map[string]int{}
	for i, r := range run.Tool.Driver.Rules {
		rules[r.ID] = i
		ci, ok := Code(r.ID).Info()
		if !ok || r.ShortDescription.Text != ci.Summary || r.Help.Text != ci.Help {
			t.Errorf("rule %s: %+v, registry %+v", r.ID, r, ci)
		}
	}
	for _, ci := range Codes() {
		if _, ok := rules[string(ci.Code)]; !ok {
			t.Errorf("code %s has no SARIF rule", ci.Code)
		}
	}
	res := run.Results[0]
	if res.RuleID != "uses-cycle" || run.Tool.Driver.Rules[res.RuleIndex].ID != "uses-cycle" {
		t.Errorf("result %+v points at rule %d", res, res.RuleIndex)
	}
}
