package unknowns

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
)

func TestClockWatchMeasuresTheServersClock(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(40*time.Second).UTC().Format(http.TimeFormat))
	}))
	defer srv.Close()
	watch := &ClockWatch{Next: http.DefaultTransport}
	if _, ok := watch.Skew(); ok {
		t.Fatal("a skew before any answer")
	}
	client := &http.Client{Transport: watch}
	for i := 0; i < 3; i++ {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if d, ok := watch.Skew(); !ok || d < 39*time.Second || d > 41*time.Second {
		t.Errorf("skew %v (%v), want 40s ± 1s", d, ok)
	}
}

// TestClassifyOnTheServersClock judges a run whose activity comes from a
// server 40 s ahead of lwf: taken as it is, it contradicts the run's
// times; moved back by the skew, it tells.
func TestClassifyOnTheServersClock(t *testing.T) {
	ws := []*state.Workflow{completed(0, check, 0, 20, 32), unknown(1, check, 1), completed(2, check, 2, 55, 62)}
	ahead := func(stats []linkedapi.ActionStat) []linkedapi.ActionStat {
		for i := range stats {
			at, _ := time.Parse(time.RFC3339, stats[i].Time)
			stats[i].Time = at.Add(40 * time.Second).Format(time.RFC3339)
		}
		return stats
	}
	for _, tc := range []struct {
		skew time.Duration
		want string
	}{
		{0, "#2 still unknown: the account's activity does not match what lwf knows of the run's workflows (their completions and times), so it tells nothing"},
		{40 * time.Second, "#2 almost certainly accepted: 1 action matching its payload (checkConnectionStatus) ran at 10:00:45, between those of #1 and #3, sent before and after it"},
	} {
		got := render(Classify(ws, ahead(activity(check, 30, check, 45, check, 60)), Options{Now: at(600), Location: time.UTC, Skew: tc.skew}))
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("skew %v: got %q\nwant %q", tc.skew, got, tc.want)
		}
	}
	// Check learns the skew from the very read that brings the activity:
	// it reads wide, then keeps the window on the server's clock.
	r := &reader{stats: append(ahead(activity(check, -900)), ahead(activity(check, 30, check, 45, check, 60))...)}
	vs, err := Check(context.Background(), r, ws, Options{Now: at(600), Location: time.UTC, SkewFrom: func() (time.Duration, bool) { return 40 * time.Second, true }})
	if err != nil || len(vs) != 1 || vs[0].Verdict != state.VerdictAccepted || len(r.periods) != 1 || !r.periods[0][0].Equal(at(0).Add(-Lookback-maxSkew)) {
		t.Errorf("Check with SkewFrom: %v %v, periods %v", vs, err, r.periods)
	}
	start, end, _ := Window(ws, Options{Now: at(600), Skew: 40 * time.Second})
	if !start.Equal(at(40).Add(-Lookback)) || !end.Equal(at(645)) {
		t.Errorf("window on the server's clock: %v to %v", start, end)
	}
}
