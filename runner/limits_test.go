package runner

import (
	"reflect"
	"strings"
	"testing"
	"time"
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
		{PeriodDaily, "2026-03-04T23:59:59Z", "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z"},
		{PeriodDaily, "2026-03-05T00:00:00Z", "2026-03-05T00:00:00Z", "2026-03-06T00:00:00Z"},
		// Calendar periods in UTC, whatever the zone of the time given.
		{PeriodDaily, "2026-03-05T01:00:00+02:00", "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z"},
		{PeriodWeekly, "2026-03-04T12:00:00Z", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"}, // Wednesday
		{PeriodWeekly, "2026-03-08T23:00:00Z", "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z"}, // Sunday
		{PeriodWeekly, "2026-03-09T00:00:00Z", "2026-03-09T00:00:00Z", "2026-03-16T00:00:00Z"}, // Monday
		{PeriodMonthly, "2026-02-28T10:00:00Z", "2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"},
		{PeriodMonthly, "2026-12-31T10:00:00Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
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
	profile := []LimitRule{
		{"stConnectionRequests", PeriodWeekly, 80, `profile "work"`},
		{"stMessages", PeriodMonthly, 500, `profile "work"`},
	}
	file := []LimitRule{
		{"stConnectionRequests", PeriodWeekly, 150, "file"}, // the profile's 80 is lower
		{"stConnectionRequests", PeriodDaily, 40, "file"},   // above the default of 25: explicit wins
	}
	got := map[string]LimitRule{}
	for _, r := range EffectiveLimits(profile, file) {
		got[r.Category+" "+r.Period] = r
	}
	want := map[string]LimitRule{
		"stConnectionRequests daily":  {"stConnectionRequests", PeriodDaily, 40, "file"},
		"stConnectionRequests weekly": {"stConnectionRequests", PeriodWeekly, 80, `profile "work"`},
		"stMessages daily":            {"stMessages", PeriodDaily, 50, "default"},
		"stMessages monthly":          {"stMessages", PeriodMonthly, 500, `profile "work"`},
		"stPosts weekly":              {"stPosts", PeriodWeekly, 10, "default"},
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
	rules := []LimitRule{
		{"stConnectionRequests", PeriodDaily, 25, "default"},
		{"stConnectionRequests", PeriodWeekly, 100, "file"},
		{"stMessages", PeriodDaily, 50, "default"},
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
		{LimitRule: rules[0], Used: 10, Planned: 20, Left: 0, Exceeded: true, Resets: time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)},
		{LimitRule: rules[1], Used: 30, Planned: 20, Left: 50, Exceeded: false, Resets: time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)},
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

func TestProfileLimits(t *testing.T) {
	cfg := writeConfig(t, 0o600, configText+`  capped:
    linked-api-token: lat-capped-secret
    identification-token: idt-capped-secret
    limits:
      stConnectionRequests: {daily: 20, weekly: 80}
`)
	c, err := LoadProfile(cfg, "capped")
	if err != nil {
		t.Fatal(err)
	}
	want := []LimitRule{{"stConnectionRequests", PeriodDaily, 20, `profile "capped"`}, {"stConnectionRequests", PeriodWeekly, 80, `profile "capped"`}}
	if c.Profile != "capped" || !reflect.DeepEqual(c.Limits, want) {
		t.Errorf("profile %q limits %+v, want %+v", c.Profile, c.Limits, want)
	}
	bad := writeConfig(t, 0o600, "profiles:\n  p:\n    linked-api-token: a\n    identification-token: b\n    limits: {stMessages: {hourly: 5}}\n")
	if _, err := LoadProfile(bad, "p"); err == nil || !strings.Contains(err.Error(), `profile "p": limits.stMessages: unknown period "hourly" (daily, weekly or monthly)`) {
		t.Errorf("bad period: %v", err)
	}
}
