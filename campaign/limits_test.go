package campaign

import (
	"reflect"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

func TestPeriods(t *testing.T) {
	day := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		period, at, start, end string
	}{
		{schemas.PeriodDaily, "2026-03-04T23:59:59Z", "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z"},
		{schemas.PeriodDaily, "2026-03-05T00:00:00Z", "2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z"},
		// Calendar periods in UTC, whatever the zone of the time given.
		{schemas.PeriodDaily, "2026-03-05T01:00:00+02:00", "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z"},
		{schemas.PeriodWeekly, "2026-03-04T12:00:00Z", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"}, // Wednesday
		{schemas.PeriodWeekly, "2026-03-08T23:00:00Z", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"}, // Sunday
		{schemas.PeriodWeekly, "2026-03-09T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z"}, // Monday
		{schemas.PeriodMonthly, "2026-02-28T10:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{schemas.PeriodMonthly, "2026-12-31T10:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		at := day(tt.at)
		if got := PeriodStart(tt.period, at); !got.Equal(day(tt.start)) {
			t.Errorf("PeriodStart(%s, %s) = %s, want %s", tt.period, tt.at, got, tt.start)
		}
		if got := PeriodEnd(tt.period, at); !got.Equal(day(tt.end)) {
			t.Errorf("PeriodEnd(%s, %s) = %s, want %s", tt.period, tt.at, got, tt.end)
		}
	}
}

func TestEffectiveLimits(t *testing.T) {
	profile := []schemas.Limit{
		{Category: "stConnectionRequests", Period: schemas.PeriodWeekly, Max: 80, Source: `profile "work"`},
		{Category: "stMessages", Period: schemas.PeriodMonthly, Max: 500, Source: `profile "work"`},
	}
	file := []schemas.Limit{
		{Category: "stConnectionRequests", Period: schemas.PeriodWeekly, Max: 150, Source: "file"}, // the profile's 80 is lower
		{Category: "stConnectionRequests", Period: schemas.PeriodDaily, Max: 40, Source: "file"},   // above the default of 25: explicit wins
	}
	got := map[string]schemas.Limit{}
	for _, r := range EffectiveLimits(profile, file) {
		got[r.Category+" "+r.Period] = r
	}
	want := map[string]schemas.Limit{
		"stConnectionRequests daily":  {Category: "stConnectionRequests", Period: schemas.PeriodDaily, Max: 40, Source: "file"},
		"stConnectionRequests weekly": {Category: "stConnectionRequests", Period: schemas.PeriodWeekly, Max: 80, Source: `profile "work"`},
		"stMessages daily":            {Category: "stMessages", Period: schemas.PeriodDaily, Max: 50, Source: "default"},
		"stMessages monthly":          {Category: "stMessages", Period: schemas.PeriodMonthly, Max: 500, Source: `profile "work"`},
		"stPosts weekly":              {Category: "stPosts", Period: schemas.PeriodWeekly, Max: 10, Source: "default"},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: got %+v, want %+v", k, got[k], w)
		}
	}
	if len(got) != len(DefaultLimits())+1 { // stMessages monthly is the only new pair
		t.Errorf("%d rules, want %d", len(got), len(DefaultLimits())+1)
	}
}

func TestCheckLimits(t *testing.T) {
	now := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC) // a Wednesday
	rules := []schemas.Limit{
		{Category: "stConnectionRequests", Period: schemas.PeriodDaily, Max: 25, Source: "default"},
		{Category: "stConnectionRequests", Period: schemas.PeriodWeekly, Max: 100, Source: "file"},
		{Category: "stMessages", Period: schemas.PeriodDaily, Max: 50, Source: "default"},
	}
	// 20 requests sent on Monday, 10 this morning.
	sent := []struct {
		at time.Time
		n  int
	}{{time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 20}, {time.Date(2026, 3, 4, 9, 0, 0, 0, time.UTC), 10}}
	used := func(cat string, since time.Time) int {
		n := 0
		for _, s := range sent {
			if cat == "stConnectionRequests" && !s.at.Before(since) {
				n += s.n
			}
		}
		return n
	}
	got := CheckLimits(rules, map[string]int{"stConnectionRequests": 20}, used, now)
	want := []LimitCheck{
		{Limit: rules[0], Used: 10, Planned: 20, Left: 0, Exceeded: true, Resets: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)},
		{Limit: rules[1], Used: 30, Planned: 20, Left: 50, Exceeded: false, Resets: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	if s := got[0].String(); s != "stConnectionRequests daily: 10 sent today + 20 planned = 30 > 25 (default)" {
		t.Errorf("String() = %q", s)
	}
	if s := got[1].String(); s != "stConnectionRequests weekly: 30 sent this week + 20 planned = 50 ≤ 100 (file), 50 left" {
		t.Errorf("String() = %q", s)
	}
}
