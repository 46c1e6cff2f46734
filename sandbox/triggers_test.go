package sandbox

import (
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/schemas"
)

const in = "https://www.linkedin.com/in/"

// TestErrorTriggerTable is the table of docs/sandbox.md: each row is a
// recognisable input and the action error it gives.
func TestErrorTriggerTable(t *testing.T) {
	note := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		opts Options
		def  string
		want string // "" = success
	}{
		{"person not found", Options{}, `{"actionType":"st.openPersonPage","personUrl":"` + in + `not-found"}`, "personNotFound"},
		{"person not found, long form", Options{}, `{"actionType":"st.sendMessage","personUrl":"` + in + `person-not-found","text":"x"}`, "personNotFound"},
		{"own profile", Options{}, `{"actionType":"st.openPersonPage","personUrl":"` + DefaultAccountURL + `"}`, "selfProfileNotAllowed"},
		{"already connected", Options{}, `{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `already-connected"}`, "alreadyConnected"},
		{"already pending", Options{}, `{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `already-pending"}`, "alreadyPending"},
		{"email required", Options{}, `{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `email-required"}`, "emailRequired"},
		{"email given", Options{}, `{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `email-required","email":"a@b.example"}`, ""},
		{"request not allowed", Options{}, `{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `request-not-allowed"}`, "requestNotAllowed"},
		{"note limit", Options{}, `{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `note-limit-exceeded","note":"hi"}`, "noteLimitExceeded"},
		{"note of 201 characters", Options{}, `{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `x-y","note":"` + note(201) + `"}`, "noteTooLong"},
		{"note of 200 characters", Options{}, `{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `x-y","note":"` + note(200) + `"}`, ""},
		{"note of 300 with Premium", Options{Premium: true}, `{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `x-y","note":"` + note(300) + `"}`, ""},
		{"withdraw without request", Options{}, `{"actionType":"st.withdrawConnectionRequest","personUrl":"` + in + `x-y"}`, "notPending"},
		{"remove a stranger", Options{}, `{"actionType":"st.removeConnection","personUrl":"` + in + `x-y"}`, "connectionNotFound"},
		{"remove a connection", Options{}, `{"actionType":"st.removeConnection","personUrl":"` + in + `already-connected"}`, ""},
		{"messaging not allowed", Options{}, `{"actionType":"st.sendMessage","personUrl":"` + in + `messaging-not-allowed","text":"x"}`, "messagingNotAllowed"},
		{"thread not found", Options{}, `{"actionType":"st.sendMessage","threadId":"not-found","text":"x"}`, "threadNotFound"},
		{"company not found", Options{}, `{"actionType":"st.openCompanyPage","companyUrl":"https://www.linkedin.com/company/not-found"}`, "companyNotFound"},
		{"company retrieving", Options{}, `{"actionType":"st.openCompanyPage","companyUrl":"https://www.linkedin.com/company/retrieving-not-allowed"}`, "retrievingNotAllowed"},
		{"connections retrieving", Options{}, `{"actionType":"st.retrieveConnections","filter":{"position":"retrieving-not-allowed"}}`, "retrievingNotAllowed"},
		{"searching not allowed", Options{}, `{"actionType":"st.searchPeople","term":"searching-not-allowed"}`, "searchingNotAllowed"},
		{"search interface", Options{}, `{"actionType":"st.searchJobs","term":"search-interface-mismatch"}`, "searchInterfaceMismatch"},
		{"post not found", Options{}, `{"actionType":"st.reactToPost","postUrl":"https://www.linkedin.com/posts/not-found","type":"like"}`, "postNotFound"},
		{"commenting not allowed", Options{}, `{"actionType":"st.commentOnPost","postUrl":"https://www.linkedin.com/posts/commenting-not-allowed","text":"x"}`, "commentingNotAllowed"},
		{"no posting permission", Options{}, `{"actionType":"st.createPost","text":"x","companyUrl":"https://www.linkedin.com/company/no-posting-permission"}`, "noPostingPermission"},
		{"job not found", Options{}, `{"actionType":"st.openJob","jobUrl":"https://www.linkedin.com/jobs/view/not-found"}`, "jobNotFound"},
		{"comment not found", Options{}, `{"actionType":"st.reactToComment","commentUrl":"https://www.linkedin.com/comment/not-found"}`, "commentNotFound"},
		{"replying not allowed", Options{}, `{"actionType":"st.replyToComment","commentUrl":"https://www.linkedin.com/comment/replying-not-allowed","text":"x"}`, "replyingNotAllowed"},
		{"no Sales Navigator", Options{NoSalesNavigator: true}, `{"actionType":"nv.searchPeople","term":"x"}`, "noSalesNavigator"},
		{"limit exceeded on purpose", Options{}, `{"actionType":"st.retrieveSSI","label":"limit-exceeded"}`, ""},
		{"limit exceeded", Options{}, `{"actionType":"st.searchPeople","term":"limit-exceeded"}`, "limitExceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, tt.opts)
			c := h.run(tt.def)
			got := errorType(c)
			if got != tt.want {
				t.Fatalf("got %q, want %q: %s", got, tt.want, mustJSON(t, c))
			}
			if tt.want != "" && at(t, c, "success") != false {
				t.Fatal("an error with success true")
			}
		})
	}
}

// TestErrorsInheritTheParentsURL: a child acts on its parent's entity, so
// the parent's URL triggers the child's errors.
func TestErrorsInheritTheParentsURL(t *testing.T) {
	h := newHarness(t, Options{})
	c := h.run(`{"actionType":"st.openPersonPage","personUrl":"` + in + `already-connected","then":[{"actionType":"st.checkConnectionStatus"},{"actionType":"st.sendConnectionRequest"}]}`)
	if at(t, c, "success") != true || at(t, c, "data", "then", 0, "data", "connectionStatus") != "connected" ||
		errorType(at(t, c, "data", "then", 1)) != "alreadyConnected" {
		t.Fatalf("%s", mustJSON(t, c))
	}
	failed := h.run(`{"actionType":"st.openPersonPage","personUrl":"` + in + `not-found","then":{"actionType":"st.checkConnectionStatus"}}`)
	if _, has := failed.(map[string]any)["data"]; has {
		t.Fatalf("a failed parent has data: %s", mustJSON(t, failed))
	}
}

// TestEveryCatalogErrorHasATrigger sweeps the catalog: every error listed
// for an action that can start a workflow is triggered by a URL (or term)
// ending in the error's kebab-case name.
func TestEveryCatalogErrorHasATrigger(t *testing.T) {
	cat, err := schemas.Default()
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, Options{})
	samples := map[string]any{"text": "hello", "operation": "archive", "invitationType": "connect", "type": "like",
		"subject": "hi", "threadId": "thread-1"}
	tried := 0
	for _, a := range cat.Actions() {
		if a.Root == schemas.RootNever {
			continue
		}
		for _, e := range a.Errors {
			def := map[string]any{"actionType": a.Name}
			for _, p := range a.Params {
				if p.Required {
					def[p.Name] = samples[p.Name]
				}
			}
			slug := kebab(e)
			switch {
			case len(a.RootRequires) > 0:
				path := map[string]string{"personUrl": "in", "personHashedUrl": "in", "companyUrl": "company",
					"companyHashedUrl": "sales/company", "postUrl": "feed/update", "jobUrl": "jobs/view"}[a.RootRequires[0]]
				def[a.RootRequires[0]] = "https://www.linkedin.com/" + path + "/" + slug
			case hasParam(a, "term"):
				def["term"] = slug
			case hasParam(a, "commentUrl"):
				def["commentUrl"] = "https://www.linkedin.com/comment/" + slug
			case hasParam(a, "companyUrl"):
				def["companyUrl"] = "https://www.linkedin.com/company/" + slug
			case hasParam(a, "threadId"):
				def["threadId"] = slug
			default:
				def["label"] = slug // no parameter to carry it: only option-driven errors apply
				continue
			}
			if problems := cat.CheckWorkflow(def); len(problems) > 0 {
				t.Errorf("%s: could not build a valid trigger for %s: %v", a.Name, e, problems)
				continue
			}
			tried++
			c := h.run(mustJSON(t, def))
			if got := errorType(c); got != e {
				t.Errorf("%s with %s: got %q, want %q", a.Name, slug, got, e)
			}
		}
	}
	if tried < 40 {
		t.Fatalf("only %d (action, error) pairs tried", tried)
	}
}

func hasParam(a *schemas.Action, name string) bool {
	_, ok := a.Param(name)
	return ok
}

func TestDailyLimit(t *testing.T) {
	h := newHarness(t, Options{Limits: map[string]int{"stConnectionRequests": 2}})
	def := `[` + strings.Join([]string{
		`{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `a-a"}`,
		`{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `b-b"}`,
		`{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `c-c"}`,
	}, ",") + `]`
	c := h.run(def)
	for i, want := range []string{"", "", "limitExceeded"} {
		if got := errorType(at(t, c, i)); got != want {
			t.Errorf("request %d: %q, want %q", i, got, want)
		}
	}
	h.clock.Advance(24 * 60 * 60 * 1e9)
	if got := errorType(h.run(`{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `d-d"}`)); got != "" {
		t.Errorf("the next day: %q", got)
	}
}

func TestConnectionSequence(t *testing.T) {
	h := newHarness(t, Options{})
	p := in + "sam-lee"
	steps := []struct{ action, want string }{
		{"st.sendConnectionRequest", ""},
		{"st.sendConnectionRequest", "alreadyPending"},
		{"st.withdrawConnectionRequest", ""},
		{"st.withdrawConnectionRequest", "notPending"},
		{"st.sendConnectionRequest", ""},
	}
	for i, s := range steps {
		if got := errorType(h.run(`{"actionType":"` + s.action + `","personUrl":"` + p + `"}`)); got != s.want {
			t.Fatalf("step %d %s: %q, want %q", i, s.action, got, s.want)
		}
	}
	// Within one workflow the second request already sees the first.
	c := h.run(`[{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `kim-ray"},{"actionType":"st.sendConnectionRequest","personUrl":"` + in + `kim-ray"}]`)
	if errorType(at(t, c, 0)) != "" || errorType(at(t, c, 1)) != "alreadyPending" {
		t.Fatalf("%s", mustJSON(t, c))
	}
	var pending []map[string]any
	c = h.run(`{"actionType":"st.retrievePendingRequests"}`)
	for _, item := range at(t, c, "data").([]any) {
		pending = append(pending, item.(map[string]any))
	}
	if len(pending) != 2 || pending[0]["publicUrl"] != in+"kim-ray" || pending[1]["name"] != "Sam Lee" {
		t.Fatalf("pending requests: %v", pending)
	}
}

// TestURLsOfTheWrongKind: a URL parameter that cannot name what it should
// — another host, a bare name, a company URL where a person belongs —
// fails as Linked API fails it; LinkedIn's own forms pass.
func TestURLsOfTheWrongKind(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		action, param, url, want string
	}{
		{"st.openPersonPage", "personUrl", "grace-hopper", "personNotFound"},
		{"st.openPersonPage", "personUrl", "https://example.com/bob", "personNotFound"},
		{"st.openPersonPage", "personUrl", "https://www.linkedin.com/company/acme", "personNotFound"},
		{"st.openPersonPage", "personUrl", "https://www.linkedin.com/in/", "personNotFound"},
		{"st.openPersonPage", "personUrl", "https://linkedin.com.example.com/in/bob", "personNotFound"},
		{"st.openPersonPage", "personUrl", "https://example.com/www.linkedin.com/in/bob", "personNotFound"},
		{"st.openPersonPage", "personUrl", "ftp://www.linkedin.com/in/bob", "personNotFound"},
		{"st.sendConnectionRequest", "personUrl", "mailto:bob@example.com", "personNotFound"},
		{"st.sendMessage", "personUrl", "bob", "personNotFound"},
		{"st.openPersonPage", "personUrl", "linkedin.com/in/grace-hopper", ""},
		{"st.openPersonPage", "personUrl", "https://de.linkedin.com/in/grace-hopper/", ""},
		{"st.openPersonPage", "personUrl", "http://www.linkedin.com/in/grace-hopper?trk=x", ""},
		{"nv.openPersonPage", "personHashedUrl", "https://www.linkedin.com/sales/lead/ACwAAAbc123,NAME_SEARCH,x1y2", ""},
		{"nv.openPersonPage", "personHashedUrl", "ACwAAAbc123", "personNotFound"},
		{"st.openCompanyPage", "companyUrl", "acme", "companyNotFound"},
		{"st.openCompanyPage", "companyUrl", "https://www.linkedin.com/in/grace-hopper", "companyNotFound"},
		{"st.openCompanyPage", "companyUrl", "https://www.linkedin.com/company/acme/about/", ""},
		{"nv.openCompanyPage", "companyHashedUrl", "https://www.linkedin.com/sales/company/1035", ""},
		{"st.createPost", "companyUrl", "https://acme.example/", "companyNotFound"},
		{"st.openPost", "postUrl", "https://example.com/post/1", "postNotFound"},
		{"st.openPost", "postUrl", "https://www.linkedin.com/feed/update/urn:li:activity:7300000000000000000", ""},
		{"st.openJob", "jobUrl", "https://jobs.example.com/view/1", "jobNotFound"},
		{"st.openJob", "jobUrl", "https://www.linkedin.com/jobs/view/3912345678/", ""},
		{"st.reactToComment", "commentUrl", "https://example.com/c/1", "commentNotFound"},
	}
	for _, tt := range tests {
		def := map[string]any{"actionType": tt.action, tt.param: tt.url}
		switch tt.action {
		case "st.sendMessage":
			def["text"] = "hi"
		case "st.createPost":
			def["text"] = "hi"
		}
		if got := errorType(h.run(mustJSON(t, def))); got != tt.want {
			t.Errorf("%s %s %q: got %q, want %q", tt.action, tt.param, tt.url, got, tt.want)
		}
	}
}
