package runner

import (
	"math/rand/v2"
	"testing"
	"time"
)

// requestsFor simulates lwf's polling of one workflow that runs for d:
// the POST plus every poll up to and including the one that sees it done.
func requestsFor(p Policy, d time.Duration, r *rand.Rand) int {
	n, elapsed, iv := 1, time.Duration(0), p.PollStart
	for {
		elapsed += p.jitter(iv, r)
		n++
		if elapsed >= d {
			return n
		}
		iv = p.nextInterval(iv)
	}
}

func TestPollingCost(t *testing.T) {
	p := DefaultPolicy()
	for _, tc := range []struct {
		d    time.Duration
		most int
	}{{10 * time.Minute, 20}, {time.Hour, 70}} {
		worst := 0
		for seed := uint64(0); seed < 200; seed++ {
			worst = max(worst, requestsFor(p, tc.d, rand.New(rand.NewPCG(seed, seed))))
		}
		if worst > tc.most {
			t.Errorf("a %v workflow costs up to %d requests, want at most %d", tc.d, worst, tc.most)
		}
	}
}

func TestPolicyBounds(t *testing.T) {
	p := DefaultPolicy()
	r := rand.New(rand.NewPCG(3, 4))
	want := []time.Duration{2000, 3000, 4500, 6750, 10125, 15187, 22781, 34171, 51257, 60000, 60000}
	iv := time.Duration(0)
	for i, w := range want {
		iv = p.nextInterval(iv)
		if iv.Milliseconds() != int64(w) {
			t.Errorf("interval %d = %v, want %dms", i, iv, w)
		}
	}
	if got := p.intervalForAge(0); got != 2*time.Second {
		t.Errorf("intervalForAge(0) = %v", got)
	}
	if got := p.intervalForAge(time.Hour); got != time.Minute {
		t.Errorf("intervalForAge(1h) = %v", got)
	}
	for i := 0; i < 1000; i++ {
		if d := p.parkDelay(r); d > p.Park || d < 9*time.Minute {
			t.Fatalf("park delay %v outside (9m, 10m]", d)
		}
		if d := p.jitter(time.Minute, r); d < 54*time.Second || d > 66*time.Second {
			t.Fatalf("jittered minute %v outside ±10%%", d)
		}
		if d := p.retryDelay(30, 0, r); d > p.RetryMax {
			t.Fatalf("retry delay %v over the cap", d)
		}
		if d := p.retryDelay(1, time.Hour, r); d != 5*time.Minute {
			t.Fatalf("Retry-After of an hour gave %v, want the 5m cap", d)
		}
		if d := p.retryDelay(1, 3*time.Second, r); d < 3*time.Second {
			t.Fatalf("Retry-After 3s gave %v", d)
		}
	}
}

// BenchmarkPollingCost reports what one workflow costs in requests (the
// POST and every poll) with lwf's default policy, for workflows of 10
// minutes and of an hour (targets: at most 20 and 70), averaged over
// jitter seeds.
func BenchmarkPollingCost(b *testing.B) {
	p := DefaultPolicy()
	for _, d := range []time.Duration{10 * time.Minute, time.Hour} {
		b.Run(d.String(), func(b *testing.B) {
			total := 0
			for i := range b.N {
				total += requestsFor(p, d, rand.New(rand.NewPCG(uint64(i), 1)))
			}
			b.ReportMetric(float64(total)/float64(b.N), "requests/workflow")
		})
	}
}
