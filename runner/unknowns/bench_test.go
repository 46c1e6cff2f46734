package unknowns

import (
	"fmt"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

// benchRun is a run of n one-action workflows sent a second apart, each
// running 20 s after the one before and polled every 10 s; every tenth is
// unknown, and every other unknown one ran.
func benchRun(n int) ([]*state.Workflow, []linkedapi.ActionStat) {
	var ws []*state.Workflow
	var stats []linkedapi.ActionStat
	t := 30
	for i := 0; i < n; i++ {
		if i%10 == 5 {
			ws = append(ws, unknown(i, check, i))
			if i%20 == 5 {
				stats = append(stats, activity(check, t)...)
				t += 20
			}
			continue
		}
		ws = append(ws, completed(i, check, i, t-5, t+5))
		stats = append(stats, activity(check, t)...)
		t += 20
	}
	return ws, stats
}

func BenchmarkClassify(b *testing.B) {
	for _, n := range []int{45, 1000, 10000} {
		ws, stats := benchRun(n)
		opts := Options{Now: at(30 + 20*n), Location: time.UTC}
		b.Run(fmt.Sprintf("%d workflows", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				vs := Classify(ws, stats, opts)
				if len(vs) != n/10 || vs[0].Verdict != state.VerdictAccepted {
					b.Fatalf("verdicts %v", vs[:1])
				}
			}
		})
	}
}
