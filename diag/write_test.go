package diag

import (
	"bytes"
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
