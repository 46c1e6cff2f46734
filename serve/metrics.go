package serve

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

// Metrics are what /metrics serves: counters the process keeps (Linked
// API requests, worker passes, webhook deliveries) and gauges read from
// the store at each scrape (workflows by state, leads by status, due
// steps, each account's usage against its limits). Build one with
// NewMetrics before the Linked API clients, so that their Trace counts
// every request.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	webhooks *prometheus.CounterVec
	passes   prometheus.Counter
	failed   prometheus.Counter
	sent     prometheus.Counter
	lastPass prometheus.Gauge
}

// The outcomes of a webhook delivery, as lwf_webhook_deliveries_total
// labels them.
const (
	WebhookResult    = "result"    // a workflow's completion, handed to its drive
	WebhookStored    = "stored"    // a new event, stored to be acted on
	WebhookDuplicate = "duplicate" // an event seen before (a retry), or a completion the hub holds
	WebhookIgnored   = "ignored"   // an event lwf does nothing with, acknowledged and not stored
	WebhookRejected  = "rejected"  // not a delivery lwf could read
)

// NewMetrics returns the process's metrics, with Go's and the process's
// own collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lwf_api_requests_total",
			Help: "Linked API requests by endpoint and HTTP status (\"error\" when no response arrived).",
		}, []string{"endpoint", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "lwf_api_request_duration_seconds",
			Help:    "Time of Linked API requests, from sending to the end of the body, by endpoint.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"endpoint"}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lwf_webhook_deliveries_total",
			Help: "Webhook deliveries received, by outcome: result (a workflow's completion handed to its drive), stored, duplicate (an event seen before, or a workflow's completion already handed over), ignored (an event lwf does nothing with), rejected.",
		}, []string{"outcome"}),
		passes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lwf_worker_passes_total",
			Help: "Passes of the worker over the store's sequences and runs.",
		}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lwf_worker_pass_errors_total",
			Help: "Sequences and runs a pass could not work (each logged).",
		}),
		sent: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "lwf_worker_sent_total",
			Help: "Sequence steps sent by the worker's ticks.",
		}),
		lastPass: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "lwf_worker_last_pass_timestamp_seconds",
			Help: "When the worker's last pass ended, in Unix seconds.",
		}),
	}
	for _, o := range []string{WebhookResult, WebhookStored, WebhookDuplicate, WebhookIgnored, WebhookRejected} {
		m.webhooks.WithLabelValues(o)
	}
	m.reg.MustRegister(m.requests, m.duration, m.webhooks, m.passes, m.failed, m.sent, m.lastPass,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Trace counts one Linked API request: set it as linkedapi.Options.Trace
// of every client the process builds.
func (m *Metrics) Trace(t linkedapi.Trace) {
	ep := Endpoint(t.Method, t.Path)
	status := "error"
	if t.Status > 0 {
		status = strconv.Itoa(t.Status)
	}
	m.requests.WithLabelValues(ep, status).Inc()
	m.duration.WithLabelValues(ep).Observe(t.Duration.Seconds())
}

// WebhookDelivery counts one webhook delivery with its outcome
// (WebhookResult, WebhookStored, WebhookDuplicate, WebhookIgnored, WebhookRejected).
func (m *Metrics) WebhookDelivery(outcome string) { m.webhooks.WithLabelValues(outcome).Inc() }

// pass counts a worker pass.
func (m *Metrics) pass(sent, errors int, at time.Time) {
	m.passes.Inc()
	m.sent.Add(float64(sent))
	m.failed.Add(float64(errors))
	m.lastPass.Set(float64(at.Unix()))
}

// Endpoint names a Linked API request as the sandbox's counters do:
// "GET /workflows/{id}", "POST /network/poll", or "other".
func Endpoint(method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	switch {
	case path == "/workflows" && method == http.MethodPost:
		return "POST /workflows"
	case strings.HasPrefix(path, "/workflows/") && !strings.Contains(path[len("/workflows/"):], "/") &&
		(method == http.MethodGet || method == http.MethodDelete):
		return method + " /workflows/{id}"
	}
	switch method + " " + path {
	case "POST /conversations/poll", "POST /inbox/poll", "POST /network/poll", "GET /stats/actions", "GET /account":
		return method + " " + path
	}
	return "other"
}

// storeCollector reads the store at each scrape.
type storeCollector struct {
	s *Server
}

var (
	descWorkflows = prometheus.NewDesc("lwf_workflows", "Workflows of the store's runs by state.", []string{"state"}, nil)
	descLeads     = prometheus.NewDesc("lwf_leads", "Leads of each registered sequence by status.", []string{"sequence", "status"}, nil)
	descDue       = prometheus.NewDesc("lwf_steps_due", "Sequence steps due now (leads whose next step may run).", []string{"sequence"}, nil)
	descPaused    = prometheus.NewDesc("lwf_sequence_paused", "1 when the sequence is paused.", []string{"sequence"}, nil)
	descUsed      = prometheus.NewDesc("lwf_account_usage", "Actions an account made in the current period, by limit category and period (daily, weekly).", []string{"account", "category", "period"}, nil)
	descLimit     = prometheus.NewDesc("lwf_account_limit", "The limit in force for an account, by category and period.", []string{"account", "category", "period"}, nil)
	descWorking   = prometheus.NewDesc("lwf_account_working", "1 when the account gets work, 0 when it is stopped (paused, signed out, at its limit).", []string{"account"}, nil)
	descUp        = prometheus.NewDesc("lwf_store_up", "1 when the last scrape could read the state store.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descWorkflows, descLeads, descDue, descPaused, descUsed, descLimit, descWorking, descUp} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	up := 1.0
	if err := c.collect(ctx, ch); err != nil {
		up = 0
		c.s.logf("metrics: reading the store: %v", err)
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
}

func (c *storeCollector) collect(ctx context.Context, ch chan<- prometheus.Metric) error {
	s := c.s
	byState, err := s.workflowStates(ctx)
	if err != nil {
		return err
	}
	for _, st := range state.AllStates() {
		ch <- prometheus.MustNewConstMetric(descWorkflows, prometheus.GaugeValue, float64(byState[st]), string(st))
	}
	seqs, err := s.sequences(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	for _, q := range seqs {
		f, err := s.funnel(ctx, q, now)
		if err != nil {
			return err
		}
		for _, st := range leadStatuses {
			ch <- prometheus.MustNewConstMetric(descLeads, prometheus.GaugeValue, float64(f.Status[st]), q.Name, string(st))
		}
		ch <- prometheus.MustNewConstMetric(descDue, prometheus.GaugeValue, float64(f.DueNow), q.Name)
		ch <- prometheus.MustNewConstMetric(descPaused, prometheus.GaugeValue, b2f(q.Paused), q.Name)
	}
	accs, err := s.accounts(ctx, now)
	if err != nil {
		return err
	}
	for _, a := range accs {
		ch <- prometheus.MustNewConstMetric(descWorking, prometheus.GaugeValue, b2f(a.Stopped == ""), a.Name)
		for _, u := range a.Usage {
			for _, p := range []usagePeriod{u.Daily, u.Weekly} {
				if p.Period == "" {
					continue
				}
				ch <- prometheus.MustNewConstMetric(descUsed, prometheus.GaugeValue, float64(p.Used), a.Name, u.Category, p.Period)
				ch <- prometheus.MustNewConstMetric(descLimit, prometheus.GaugeValue, float64(p.Max), a.Name, u.Category, p.Period)
			}
		}
	}
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// handler serves the registry in the Prometheus text format.
func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: nil})
}
