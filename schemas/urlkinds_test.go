package schemas

import "testing"

func TestClassifyURL(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	// Every kind's examples are of that kind, and person examples are
	// what the contact ledger takes for a person.
	for _, k := range c.URLKinds() {
		for _, f := range k.Forms {
			if got, ok := c.ClassifyURL(f.Example); !ok || got != k.Name {
				t.Errorf("%s example %s: %q, %v", k.Name, f.Example, got, ok)
			}
			if k.Name == URLPerson && !IsPersonURL(f.Example) {
				t.Errorf("IsPersonURL(%s) is false", f.Example)
			}
		}
	}
	tests := []struct {
		url      string
		kind     string
		linkedIn bool
	}{
		{"https://www.linkedin.com/in/ada-lovelace/", URLPerson, true},
		{"http://de.linkedin.com/in/ada?trk=x", URLPerson, true},
		{"linkedin.com/in/ada", URLPerson, true},
		{"https://www.linkedin.com/IN/ACoAAA1", URLPerson, true},
		{"https://www.linkedin.com/sales/people/ACwAAA1,NAME_SEARCH", URLPerson, true},
		{"https://www.linkedin.com/company/acme/about/", URLCompany, true},
		{"https://www.linkedin.com/feed/update/urn:li:share:42", URLPost, true},
		{"https://www.linkedin.com/jobs/view/42/", URLJob, true},
		{"https://www.linkedin.com/in/", "", true},
		{"https://www.linkedin.com/feed/", "", true},
		{"grace-hopper", "", false},
		{"https://example.com/in/bob", "", false},
		{"https://linkedin.com.example.com/in/bob", "", false},
		{"ftp://www.linkedin.com/in/bob", "", false},
		{"https://user@www.linkedin.com/in/bob", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := c.ClassifyURL(tt.url); got != tt.kind || ok != tt.linkedIn {
			t.Errorf("ClassifyURL(%q) = %q, %v; want %q, %v", tt.url, got, ok, tt.kind, tt.linkedIn)
		}
	}
}

// TestURLParams: the parameters named like LinkedIn URLs of a kind
// carry that kind, and the URL check applies only when asked for.
func TestURLParams(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"personUrl": URLPerson, "personHashedUrl": URLPerson, "companyUrl": URLCompany,
		"companyHashedUrl": URLCompany, "postUrl": URLPost, "jobUrl": URLJob}
	n := 0
	for _, a := range c.Actions() {
		for _, p := range a.Params {
			if k, ok := want[p.Name]; ok {
				n++
				if p.URLKind() != k {
					t.Errorf("%s.%s: x-lwf-url %q, want %q", a.Name, p.Name, p.URLKind(), k)
				}
			} else if p.URLKind() != "" {
				t.Errorf("%s.%s: unexpected x-lwf-url %q", a.Name, p.Name, p.URLKind())
			}
		}
	}
	if n == 0 {
		t.Fatal("no URL parameters")
	}
	def := map[string]any{"actionType": "st.openPersonPage", "personUrl": "grace-hopper"}
	if ps := c.CheckWorkflow(def); len(ps) != 0 {
		t.Errorf("CheckWorkflow checks URLs: %v", ps)
	}
	ps := c.CheckWorkflowWith(def, CheckOptions{URLs: true})
	if len(ps) != 1 || ps[0].Pointer != "/personUrl" || ps[0].Message != `personUrl: "grace-hopper" is not a LinkedIn URL` {
		t.Errorf("CheckWorkflowWith: %v", ps)
	}
}
