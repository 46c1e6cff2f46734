package serve

import (
	"context"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
)

// scrape reads /metrics with the Prometheus text parser.
func scrape(t *testing.T, s *Server) map[string]*dto.MetricFamily {
	t.Helper()
	code, body, hdr := get(t, s.Handler(), "/metrics")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s\n%s", code, hdr.Get("Content-Type"), body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("/metrics does not parse: %v\n%s", err, body)
	}
	return fams
}

// sample finds the value of a family's metric with the given labels.
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		}
	}
	return 0, false
}

// sum adds a family's values over the metrics that have the labels.
func sum(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	var n float64
	f := fams[name]
	if f == nil {
		return 0
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		n += m.GetCounter().GetValue() + m.GetGauge().GetValue()
	}
	return n
}

// TestMetricsEqualSandboxCounters: after a sequence's ticks, the
// requests /metrics counts by endpoint and status are those the sandbox
// received and answered, its completed workflows those the sandbox
// completed, and the leads and usage those of the store.
func TestMetricsEqualSandboxCounters(t *testing.T) {
	b := newBed(t, sandbox.Options{Faults: sandbox.Faults{RateLimit: 0.1, Seed: 9, RetryAfter: 1, Endpoints: []string{sandbox.EndpointGetWorkflow, sandbox.EndpointPostWorkflows}}}, 12)
	b.midRun()
	s := b.server("", false)
	fams := scrape(t, s)
	c := b.sb.Sandbox.Counters()
	if c.Requests[sandbox.EndpointPostWorkflows] == 0 || c.Faults["rateLimit"] == 0 {
		t.Fatalf("the run made no POST or met no fault: %+v", c)
	}
	for ep, n := range c.Requests {
		if got := sum(fams, "lwf_api_requests_total", map[string]string{"endpoint": ep}); got != float64(n) {
			t.Errorf("lwf_api_requests_total{endpoint=%q} = %v, the sandbox counted %d", ep, got, n)
		}
	}
	for status, n := range c.Responses {
		if got := sum(fams, "lwf_api_requests_total", map[string]string{"status": status}); got != float64(n) {
			t.Errorf("lwf_api_requests_total{status=%q} = %v, the sandbox answered %d", status, got, n)
		}
	}
	if got, _ := sample(fams, "lwf_workflows", map[string]string{"state": "completed"}); got != float64(c.WorkflowsCompleted) {
		t.Errorf("lwf_workflows{state=completed} = %v, the sandbox completed %d", got, c.WorkflowsCompleted)
	}
	ls, err := b.db.Leads(context.Background(), "", "connect-thanks")
	if err != nil {
		t.Fatal(err)
	}
	byStatus := map[state.LeadStatus]int{}
	for _, l := range ls {
		byStatus[l.Status]++
	}
	for st, n := range byStatus {
		if got, _ := sample(fams, "lwf_leads", map[string]string{"sequence": "connect-thanks", "status": string(st)}); got != float64(n) {
			t.Errorf("lwf_leads{status=%s} = %v, want %d", st, got, n)
		}
	}
	writes := 0
	for _, w := range b.sb.Sandbox.Writes() {
		if w.Action == "st.sendConnectionRequest" {
			writes++
		}
	}
	if got, ok := sample(fams, "lwf_account_usage", map[string]string{"account": "sandbox", "category": "stConnectionRequests", "period": "weekly"}); !ok || got != float64(writes) {
		t.Errorf("lwf_account_usage of connection requests this week = %v (%v), the sandbox executed %d", got, ok, writes)
	}
	if got, ok := sample(fams, "lwf_account_limit", map[string]string{"account": "sandbox", "category": "stConnectionRequests", "period": "daily"}); !ok || got != 25 {
		t.Errorf("lwf_account_limit of connection requests a day = %v (%v), want the default 25", got, ok)
	}
	for _, o := range []string{WebhookResult, WebhookStored, WebhookDuplicate, WebhookIgnored, WebhookRejected} {
		if _, ok := sample(fams, "lwf_webhook_deliveries_total", map[string]string{"outcome": o}); !ok {
			t.Errorf("no lwf_webhook_deliveries_total{outcome=%s}", o)
		}
	}
	s.Metrics().WebhookDelivery(WebhookDuplicate)
	if got, _ := sample(scrape(t, s), "lwf_webhook_deliveries_total", map[string]string{"outcome": WebhookDuplicate}); got != 1 {
		t.Errorf("a duplicate delivery counted %v", got)
	}
	if up, _ := sample(fams, "lwf_store_up", nil); up != 1 {
		t.Error("lwf_store_up is not 1")
	}
}

// TestEndpointNames: requests are named as the sandbox's counters name
// them.
func TestEndpointNames(t *testing.T) {
	for _, c := range []struct{ method, path, want string }{
		{"POST", "/workflows", sandbox.EndpointPostWorkflows},
		{"GET", "/workflows/wf-1", sandbox.EndpointGetWorkflow},
		{"DELETE", "/workflows/wf-1", sandbox.EndpointDeleteWorkflow},
		{"GET", "/stats/actions?start=1&end=2", sandbox.EndpointStats},
		{"GET", "/account", sandbox.EndpointAccount},
		{"POST", "/network/poll", sandbox.EndpointNetworkPoll},
		{"POST", "/inbox/poll", sandbox.EndpointInboxPoll},
		{"POST", "/conversations/poll", sandbox.EndpointConversationsPoll},
		{"GET", "/workflows/a/b", sandbox.EndpointOther},
		{"PUT", "/workflows", sandbox.EndpointOther},
	} {
		if got := Endpoint(c.method, c.path); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.method, c.path, got, c.want)
		}
	}
}
