package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/workflows"
)

// runWorkflows runs lwf in-process with no environment.
func runWorkflows(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := mainWithEnv(context.Background(), args, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	return code, out.String(), errb.String()
}

func TestWorkflowsDescribe(t *testing.T) {
	code, out, errOut := runWorkflows(t, "workflows", "react-to-post")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := `react-to-post
  React to a post, as yourself or as a company you administer.
  Replaces the SDK operation reactToPost.

Inputs:
  postUrl     string  required                                                       LinkedIn URL of the post.
  type        string  required, one of like|celebrate|support|love|insightful|funny  The reaction.
  companyUrl  string  optional                                                       React as this company (needs content admin rights on its page).

Actions: st.reactToPost
Output: errors

Use it:
  workflow:
    uses: react-to-post
    with:
      postUrl: …
      type: …
  lwf compile react-to-post --input postUrl=… --input type=…
`
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestWorkflowsList(t *testing.T) {
	code, out, errOut := runWorkflows(t, "workflows")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, name := range workflows.Names() {
		if !strings.Contains(out, "\n"+name+" (") {
			t.Errorf("the list lacks %s", name)
		}
	}
	for _, want := range []string{
		"\nfetch-company (fetchCompany): Open a company's page and optionally retrieve its employees, decision makers and posts.\n" +
			"    companyUrl                string    required\n" +
			"    retrieveEmployees         boolean   default false\n",
		"\nretrieve-ssi (retrieveSSI): ",
		"\n    limit                     integer   optional\n",
		"\nSDK operations that are not workflows:\n",
		"\n  pollConversations               POST /conversations/poll  lwf conversations poll\n",
		"\n  getApiUsage (getApiUsageStats)  GET /stats/actions        lwf stats\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the list lacks %q", want)
		}
	}
}

func TestWorkflowsUnknown(t *testing.T) {
	code, _, errOut := runWorkflows(t, "workflows", "fetch-persn")
	if code != exitUsage || !strings.Contains(errOut, `no standard workflow named "fetch-persn" (did you mean "fetch-person"?)`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
