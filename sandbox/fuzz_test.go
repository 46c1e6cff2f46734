package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

// FuzzDecodeWorkflow feeds arbitrary bodies to the decoding of
// POST /workflows and runs what it accepts: nothing may panic, an
// accepted body must be one the catalog accepts, and its completion must
// have the request's form.
func FuzzDecodeWorkflow(f *testing.F) {
	for _, seed := range []string{
		`{"actionType":"st.retrieveSSI"}`,
		`[{"actionType":"st.retrieveSSI"},{"actionType":"st.retrievePerformance","label":"p"}]`,
		`{"actionType":"st.searchPeople","term":"CTO","limit":3,"then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage","basicInfo":true,"then":[{"actionType":"st.retrievePersonExperience"},{"actionType":"st.sendConnectionRequest","note":"hi"}]}}}`,
		`{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/not-found"}`,
		`{"actionType":"st.searchCompanies","limit":2,"then":[{"actionType":"st.doForCompanies","then":{"actionType":"st.openCompanyPage","then":{"actionType":"st.retrieveCompanyEmployees","limit":1e0}}}]}`,
		`{"actionType":"st.sendMessage","threadId":"not-found","text":"x","then":[]}`,
		`{"actionType":"nv.searchPeople","limit":2.5}`,
		`{"actionType":"st.retrievePersonPosts"}`,
		`{"actionType":"st.retrieveConnections","since":"2026-01-01","limit":3,"filter":{"firstName":"A"}}`,
		`[]`, `{}`, `null`, `"x"`, `{"actionType":`, `[{"actionType":"st.retrieveSSI"}] trailing`,
		`{"actionType":"st.openPost","postUrl":"https://www.linkedin.com/posts/x_y-activity-99999999999999999999-ab"}`,
		"{\"actionType\":\"st.createPost\",\"text\":\"\xff\xfe\"}",
	} {
		f.Add([]byte(seed))
	}
	cat, err := schemas.Default()
	if err != nil {
		f.Fatal(err)
	}
	sb, err := New(Options{Catalog: cat, MaxActions: 500, MaxListItems: 20})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		def, e := decodeWorkflow(cat, body, 500, 20)
		if e != nil {
			if e.Type != errInvalidRequestPayload && e.Type != errInvalidWorkflow {
				t.Fatalf("unexpected error type %q", e.Type)
			}
			return
		}
		if problems := cat.CheckWorkflow(def); len(problems) > 0 {
			t.Fatalf("accepted a definition the catalog rejects: %v", problems)
		}
		acct := newAccount("fuzz", sb.opts.settings("fuzz"), 1000)
		x := sb.newExecution(acct, time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))
		raw, err := json.Marshal(x.run(def))
		if err != nil {
			t.Fatalf("the completion does not encode: %v", err)
		}
		var completion any
		json.Unmarshal(raw, &completion)
		switch d := def.(type) {
		case map[string]any:
			if _, ok := completion.(map[string]any); !ok {
				t.Fatalf("an object definition gave %s", raw)
			}
		case []any:
			if c, ok := completion.([]any); !ok || len(c) != len(d) {
				t.Fatalf("a root array of %d gave %s", len(d), raw)
			}
		}
		if x.n > 500 {
			t.Fatalf("%d actions executed, past the budget", x.n)
		}
		for _, e := range x.events {
			e.apply(acct)
		}
	})
}

// FuzzEntityURLs derives people, companies and jobs from arbitrary URLs:
// nothing may panic, and a person's own public and hashed URLs give the
// same person back.
func FuzzEntityURLs(f *testing.F) {
	for _, seed := range []string{
		"https://www.linkedin.com/in/jane-doe", "https://www.linkedin.com/in/marco-smith-7o9h0dyho",
		"https://www.linkedin.com/in/lucia-hoffmann-granite-ai-2ytzdcl-8z3xpp118", "a--b-7o9h0dyho", "--",
		"https://www.linkedin.com/company/granite-ai-2ytzdcl", "https://www.linkedin.com/jobs/view/golang-stripe-4734535338817",
		"https://www.linkedin.com/sales/lead/ACwAAAbc123,NAME_SEARCH,x", "", "ACoAA", "-0000000000",
	} {
		f.Add(seed)
	}
	g := newGenerator()
	f.Fuzz(func(t *testing.T, raw string) {
		p := g.person(raw)
		if back := g.person(p.publicURL); back.name() != p.name() || back.headline() != p.headline() || back.location != p.location {
			t.Fatalf("%q: %s, %s, %s; by its public URL %s, %s, %s", raw, p.name(), p.headline(), p.location, back.name(), back.headline(), back.location)
		}
		if back := g.person(p.hashedURL); back.name() != p.name() || back.publicURL != p.publicURL {
			t.Fatalf("%q: by its hashed URL %s, %s", raw, back.name(), back.publicURL)
		}
		c := g.company(raw)
		if back := g.company(c.publicURL); back.name != c.name || back.industry != c.industry {
			t.Fatalf("%q: company %s (%s), by its URL %s (%s)", raw, c.name, c.industry, back.name, back.industry)
		}
		j := g.jobFromURL(raw)
		if back := g.jobFromURL(j.url); back.title != j.title {
			t.Fatalf("%q: job %s, by its URL %s", raw, j.title, back.title)
		}
	})
}

// FuzzAdminRequests feeds arbitrary bodies to every emulated admin
// endpoint: each answer is the API's envelope, a success or one of the
// errors docs/sandbox.md lists. The sandbox is closed first, so that a
// webhook the fuzzer manages to set is never called.
func FuzzAdminRequests(f *testing.F) {
	for i, body := range []string{
		`{"url":"http://127.0.0.1:9/x","payloadMode":"thin"}`, `{"id":"whs-1","payloadMode":"fat"}`,
		`{"deliveryId":"whd-1"}`, `{}`, ``, `null`, `[`, `{"url":"http://[::1]:9/"}`, `{"id":5}`,
	} {
		f.Add(uint8(i), []byte(body))
	}
	sb, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	sb.Close()
	known := map[string]bool{errInvalidRequestPayload: true, errWebhookAlreadyExists: true, errWebhookNotFound: true,
		errDeliveryNotFound: true, errDeliveryNotReplayable: true}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		endpoints := adminEndpoints()
		_, path, _ := strings.Cut(endpoints[int(which)%len(endpoints)], " ")
		req := httptest.NewRequest("POST", path, bytes.NewReader(body))
		req.Header.Set("linked-api-token", DefaultLinkedAPIToken)
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		var env struct {
			Success bool `json:"success"`
			Error   *struct {
				Type string `json:"type"`
			} `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("%s: not JSON: %s", path, rec.Body)
		}
		if !env.Success && (env.Error == nil || !known[env.Error.Type]) {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
	})
}
