package sandbox

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentClients runs several clients at once (run it with -race):
// every workflow completes and the counters add up.
func TestConcurrentClients(t *testing.T) {
	sb, err := New(Options{Tokens: map[string][]string{"lt": {"a", "b", "c"}}})
	if err != nil {
		t.Fatal(err)
	}
	const clients, each = 6, 15
	var wg sync.WaitGroup
	errs := make(chan error, clients*each)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := []string{"a", "b", "c"}[c%3]
			for i := range each {
				body := fmt.Sprintf(`[{"actionType":"st.sendConnectionRequest","personUrl":"https://www.linkedin.com/in/p-%d-%d"},{"actionType":"st.searchPeople","limit":5}]`, c, i)
				req := httptest.NewRequest("POST", "/workflows", strings.NewReader(body))
				req.Header.Set("linked-api-token", "lt")
				req.Header.Set("identification-token", id)
				rec := httptest.NewRecorder()
				sb.ServeHTTP(rec, req)
				wfID := cut(rec.Body.String(), `"workflowId":"`, `"`)
				req = httptest.NewRequest("GET", "/workflows/"+wfID, nil)
				req.Header.Set("linked-api-token", "lt")
				req.Header.Set("identification-token", id)
				rec = httptest.NewRecorder()
				sb.ServeHTTP(rec, req)
				if !strings.Contains(rec.Body.String(), `"workflowStatus":"completed"`) {
					errs <- fmt.Errorf("client %d workflow %d: %s", c, i, rec.Body)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if c := sb.Counters(); c.WorkflowsAccepted != clients*each || c.WorkflowsCompleted != clients*each || c.ActionsExecuted != 2*clients*each {
		t.Fatalf("counters %+v", c)
	}
}

func cut(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}

// BenchmarkSubmitAndPoll measures one POST /workflows and one GET of a
// nested workflow (1 search + 10 × 2 actions).
func BenchmarkSubmitAndPoll(b *testing.B) {
	sb, err := New(Options{Retention: 1})
	if err != nil {
		b.Fatal(err)
	}
	body := `{"actionType":"st.searchPeople","term":"CTO","limit":10,"then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage","basicInfo":true,"then":{"actionType":"st.retrievePersonSkills"}}}}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/workflows", strings.NewReader(body))
		req.Header.Set("linked-api-token", DefaultLinkedAPIToken)
		req.Header.Set("identification-token", DefaultIdentificationToken)
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		req = httptest.NewRequest("GET", "/workflows/"+cut(rec.Body.String(), `"workflowId":"`, `"`), nil)
		req.Header.Set("linked-api-token", DefaultLinkedAPIToken)
		req.Header.Set("identification-token", DefaultIdentificationToken)
		sb.ServeHTTP(httptest.NewRecorder(), req)
	}
}

// BenchmarkFilteredCampaign measures the retrieval of a first campaign:
// ten AI companies of 11-50 people in San Francisco, five employees with
// position "VP Sales" each, every page opened.
func BenchmarkFilteredCampaign(b *testing.B) {
	sb, err := New(Options{Retention: 1})
	if err != nil {
		b.Fatal(err)
	}
	body := `{"actionType":"st.searchCompanies","term":"AI","limit":10,"filter":{"locations":["San Francisco"],"sizes":["11-50"]},
		"then":{"actionType":"st.doForCompanies","then":{"actionType":"st.openCompanyPage","basicInfo":true,
		"then":{"actionType":"st.retrieveCompanyEmployees","limit":5,"filter":{"position":"VP Sales"},
		"then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage","basicInfo":true}}}}}}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/workflows", strings.NewReader(body))
		req.Header.Set("linked-api-token", DefaultLinkedAPIToken)
		req.Header.Set("identification-token", DefaultIdentificationToken)
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, req)
		req = httptest.NewRequest("GET", "/workflows/"+cut(rec.Body.String(), `"workflowId":"`, `"`), nil)
		req.Header.Set("linked-api-token", DefaultLinkedAPIToken)
		req.Header.Set("identification-token", DefaultIdentificationToken)
		sb.ServeHTTP(httptest.NewRecorder(), req)
	}
}
