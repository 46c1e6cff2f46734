package sandbox

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkWebhookDeliveries measures how long the sandbox takes to
// deliver the three events of n instant workflows to a receiver on
// 127.0.0.1 that answers at once.
func BenchmarkWebhookDeliveries(b *testing.B) {
	for _, c := range []struct{ n, conc int }{{1000, 1}, {1000, 8}, {10000, 1}, {10000, 8}} {
		n := c.n
		b.Run(fmt.Sprintf("workflows=%d/concurrency=%d", c.n, c.conc), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				t := &testing.T{}
				rc := newReceiver(t, nil)
				h := newHarness(t, Options{Webhook: WebhookOptions{URL: rc.srv.URL, Concurrency: c.conc}, MaxWorkflows: 2 * n})
				h.t = t
				start := time.Now()
				for j := 0; j < n; j++ {
					h.submit(`{"actionType":"st.retrieveSSI"}`)
				}
				for rc.count() < 3*n {
					time.Sleep(time.Millisecond)
				}
				b.ReportMetric(float64(time.Since(start).Microseconds())/float64(3*n), "µs/delivery")
				h.sb.Close()
				rc.srv.Close()
			}
		})
	}
}
