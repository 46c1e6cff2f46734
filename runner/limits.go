package runner

import (
	"fmt"
	"sort"
	"time"
)

// The periods of limits. They are calendar periods in UTC: a day from
// midnight, an ISO week from Monday midnight, a month from the 1st. A
// CI job that runs every Monday at 9:00 thus gets the whole of each
// week's budget, which a rolling seven-day window would split between
// two runs a few minutes apart.
const (
	PeriodDaily   = "daily"
	PeriodWeekly  = "weekly"
	PeriodMonthly = "monthly"
)

// Periods lists the periods, shortest first.
func Periods() []string { return []string{PeriodDaily, PeriodWeekly, PeriodMonthly} }

// PeriodStart returns when the period holding t began.
func PeriodStart(period string, t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch period {
	case PeriodWeekly:
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		return day.AddDate(0, 0, -back)
	case PeriodMonthly:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// PeriodEnd returns when the period holding t ends: the next one's start.
func PeriodEnd(period string, t time.Time) time.Time {
	s := PeriodStart(period, t)
	switch period {
	case PeriodWeekly:
		return s.AddDate(0, 0, 7)
	case PeriodMonthly:
		return s.AddDate(0, 1, 0)
	}
	return s.AddDate(0, 0, 1)
}

// PeriodNoun names the current period in messages: "today", "this week",
// "this month".
func PeriodNoun(period string) string {
	switch period {
	case PeriodWeekly:
		return "this week"
	case PeriodMonthly:
		return "this month"
	}
	return "today"
}

// LimitRule caps the actions of one Linked API limit category in one
// period.
type LimitRule struct {
	Category string `json:"category"` // stConnectionRequests, stMessages, …
	Period   string `json:"period"`   // daily, weekly or monthly
	Max      int    `json:"max"`
	// Source says where the rule comes from: "default", "file",
	// `profile "work"`.
	Source string `json:"source"`
}

// DefaultLimits are lwf's limits for an account that declares none. They
// stay well under what LinkedIn tolerates from one member, so that a
// campaign run every day or every week never gets the account restricted;
// docs/campaigns.md gives the reasons for each number.
func DefaultLimits() []LimitRule {
	d := func(cat string, daily, weekly int) []LimitRule {
		return []LimitRule{{cat, PeriodDaily, daily, "default"}, {cat, PeriodWeekly, weekly, "default"}}
	}
	var out []LimitRule
	for _, rs := range [][]LimitRule{
		d("stConnectionRequests", 25, 100),
		d("stMessages", 50, 250),
		d("nvMessages", 30, 150),
		d("stPersonProfileViews", 80, 400),
		d("nvPersonProfileViews", 150, 750),
		d("stCompanyPageViews", 100, 500),
		d("nvCompanyPageViews", 150, 750),
		d("stSearchQueries", 50, 250),
		d("stReactions", 50, 250),
		d("stComments", 30, 150),
		d("stPosts", 3, 10),
	} {
		out = append(out, rs...)
	}
	return out
}

// EffectiveLimits merges the limits of an account's profile and of a
// workflow file with the defaults. Per category and period: a default
// holds only when neither the profile nor the file says anything; when
// both do, the lower wins, so a file cannot raise what the account's
// owner capped, and a profile cannot loosen a campaign's own budget.
// Rules come out sorted by category, then period (daily, weekly,
// monthly).
func EffectiveLimits(profile, file []LimitRule) []LimitRule {
	type key struct{ cat, period string }
	explicit := map[key]LimitRule{}
	for _, src := range [][]LimitRule{profile, file} {
		for _, r := range src {
			k := key{r.Category, r.Period}
			if old, ok := explicit[k]; !ok || r.Max < old.Max {
				explicit[k] = r
			}
		}
	}
	out := make([]LimitRule, 0, len(explicit))
	for _, r := range explicit {
		out = append(out, r)
	}
	for _, r := range DefaultLimits() {
		if _, ok := explicit[key{r.Category, r.Period}]; !ok {
			out = append(out, r)
		}
	}
	order := map[string]int{PeriodDaily: 0, PeriodWeekly: 1, PeriodMonthly: 2}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Category != out[j].Category {
			return out[i].Category < out[j].Category
		}
		return order[out[i].Period] < order[out[j].Period]
	})
	return out
}

// LimitCheck is one rule applied to a plan: what the account already
// spent in the current period, what the plan adds, and what is left.
type LimitCheck struct {
	LimitRule
	Used     int       `json:"used"`     // sent (or in flight) in the current period
	Planned  int       `json:"planned"`  // what the plan may add: exact and worst case
	Left     int       `json:"left"`     // Max - Used - Planned, at least 0
	Exceeded bool      `json:"exceeded"` // Used + Planned > Max
	Resets   time.Time `json:"resets"`   // when the period ends
}

// String renders the check as lwf plan prints it, e.g.
// "stConnectionRequests daily: 30 sent today + 150 planned = 180 > 100 (profile "work")".
func (c LimitCheck) String() string {
	rel := "≤"
	if c.Exceeded {
		rel = ">"
	}
	s := fmt.Sprintf("%s %s: %d sent %s + %d planned = %d %s %d (%s)", c.Category, c.Period, c.Used, PeriodNoun(c.Period),
		c.Planned, c.Used+c.Planned, rel, c.Max, c.Source)
	if !c.Exceeded {
		s += fmt.Sprintf(", %d left", c.Left)
	}
	return s
}

// CheckLimits applies rules to a plan at time now. planned holds the
// plan's actions per category; used returns what the account spent in a
// category since a time (the start of each rule's period). Only the
// categories the plan touches are checked.
func CheckLimits(rules []LimitRule, planned map[string]int, used func(category string, since time.Time) int, now time.Time) []LimitCheck {
	var out []LimitCheck
	for _, r := range rules {
		p := planned[r.Category]
		if p == 0 {
			continue
		}
		u := used(r.Category, PeriodStart(r.Period, now))
		c := LimitCheck{LimitRule: r, Used: u, Planned: p, Exceeded: u+p > r.Max, Resets: PeriodEnd(r.Period, now)}
		c.Left = max(0, r.Max-u-p)
		out = append(out, c)
	}
	return out
}

// profileLimits reads a profile's limits: entries. Categories are checked
// against the catalog by whoever applies them.
func profileLimits(profile string, m map[string]map[string]int) ([]LimitRule, error) {
	var out []LimitRule
	for cat, periods := range m {
		for period, n := range periods {
			if period != PeriodDaily && period != PeriodWeekly && period != PeriodMonthly {
				return nil, fmt.Errorf("profile %q: limits.%s: unknown period %q (daily, weekly or monthly)", profile, cat, period)
			}
			if n < 0 {
				return nil, fmt.Errorf("profile %q: limits.%s.%s must be 0 or more", profile, cat, period)
			}
			out = append(out, LimitRule{Category: cat, Period: period, Max: n, Source: fmt.Sprintf("profile %q", profile)})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Category != out[j].Category {
			return out[i].Category < out[j].Category
		}
		return out[i].Period < out[j].Period
	})
	return out, nil
}
