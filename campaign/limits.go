package campaign

import (
	"fmt"
	"sort"
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

// Limits are counted in calendar periods in UTC: a day from midnight, an
// ISO week from Monday midnight, a month from the 1st. A CI job that runs
// every Monday at 9:00 thus gets the whole of each week's budget, which a
// rolling seven-day window would split between two runs a few minutes
// apart.

// PeriodStart returns when the period holding t began.
func PeriodStart(period string, t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch period {
	case schemas.PeriodWeekly:
		back := (int(day.Weekday()) + 6) % 7 // days since Monday
		return day.AddDate(0, 0, -back)
	case schemas.PeriodMonthly:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return day
}

// PeriodEnd returns when the period holding t ends: the next one's start.
func PeriodEnd(period string, t time.Time) time.Time {
	s := PeriodStart(period, t)
	switch period {
	case schemas.PeriodWeekly:
		return s.AddDate(0, 0, 7)
	case schemas.PeriodMonthly:
		return s.AddDate(0, 1, 0)
	}
	return s.AddDate(0, 0, 1)
}

// PeriodNoun names the current period in messages: "today", "this week",
// "this month".
func PeriodNoun(period string) string {
	switch period {
	case schemas.PeriodWeekly:
		return "this week"
	case schemas.PeriodMonthly:
		return "this month"
	}
	return "today"
}

// DefaultLimits are lwf's limits for an account that declares none. They
// stay well under what LinkedIn tolerates from one member, so that a
// campaign run every day or every week never gets the account restricted;
// docs/campaigns.md gives the reasons for each number.
func DefaultLimits() []schemas.Limit {
	d := func(cat string, daily, weekly int) []schemas.Limit {
		return []schemas.Limit{{Category: cat, Period: schemas.PeriodDaily, Max: daily, Source: "default"}, {Category: cat, Period: schemas.PeriodWeekly, Max: weekly, Source: "default"}}
	}
	var out []schemas.Limit
	for _, rs := range [][]schemas.Limit{
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
func EffectiveLimits(profile, file []schemas.Limit) []schemas.Limit {
	type key struct{ cat, period string }
	explicit := map[key]schemas.Limit{}
	for _, src := range [][]schemas.Limit{profile, file} {
		for _, r := range src {
			k := key{r.Category, r.Period}
			if old, ok := explicit[k]; !ok || r.Max < old.Max {
				explicit[k] = r
			}
		}
	}
	out := make([]schemas.Limit, 0, len(explicit))
	for _, r := range explicit {
		out = append(out, r)
	}
	for _, r := range DefaultLimits() {
		if _, ok := explicit[key{r.Category, r.Period}]; !ok {
			out = append(out, r)
		}
	}
	order := map[string]int{schemas.PeriodDaily: 0, schemas.PeriodWeekly: 1, schemas.PeriodMonthly: 2}
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
	schemas.Limit
	Used     int       `json:"used"`     // sent (or in flight) in the current period
	Planned  int       `json:"planned"`  // what the plan may add: exact and worst case
	Left     int       `json:"left"`     // Max - Used - Planned, at least 0
	Exceeded bool      `json:"exceeded"` // Used + Planned > Max
	Resets   time.Time `json:"resets"`   // when the period ends
	// Later is the part of Planned that named loops send, item by item:
	// lwf stops sending them at the limit and leaves the items past it
	// for a later run, so that part alone never makes a plan refused.
	Later int `json:"later,omitempty"`
}

// Refuses reports whether the check makes lwf run refuse the plan: the
// limit is passed by what is sent whole, before any item is known.
func (c LimitCheck) Refuses() bool { return c.Exceeded && c.Used+c.Planned-c.Later > c.Max }

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
func CheckLimits(rules []schemas.Limit, planned map[string]int, used func(category string, since time.Time) int, now time.Time) []LimitCheck {
	var out []LimitCheck
	for _, r := range rules {
		p := planned[r.Category]
		if p == 0 {
			continue
		}
		u := used(r.Category, PeriodStart(r.Period, now))
		c := LimitCheck{Limit: r, Used: u, Planned: p, Exceeded: u+p > r.Max, Resets: PeriodEnd(r.Period, now)}
		c.Left = max(0, r.Max-u-p)
		out = append(out, c)
	}
	return out
}
