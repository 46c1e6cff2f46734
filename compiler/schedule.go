package compiler

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	// Time zones are part of the language: a machine without a zone
	// database still reads "Europe/Berlin".
	_ "time/tzdata"

	"github.com/lwf-dev/lwf/diag"
	"github.com/lwf-dev/lwf/dsl"
	"github.com/lwf-dev/lwf/lang"
)

// WorkingHours are when an account's writes may go out: some days of the
// week, between two times of day, in a time zone — "Mon-Fri 09:00-18:00
// Europe/Berlin".
type WorkingHours struct {
	Days       [7]bool // by time.Weekday
	Start, End int     // minutes after midnight; End > Start
	Zone       string
	loc        *time.Location
	text       string
}

// MarshalJSON writes the hours as written.
func (w *WorkingHours) MarshalJSON() ([]byte, error) { return json.Marshal(w.text) }

// String returns the hours as written.
func (w *WorkingHours) String() string { return w.text }

var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWorkingHours reads "Mon-Fri 09:00-18:00 Europe/Berlin": days (a
// range, or a comma list: Mon,Wed,Fri), a time range, and an IANA zone
// (UTC when left out).
func ParseWorkingHours(s string) (*WorkingHours, error) {
	f := strings.Fields(s)
	if len(f) < 2 || len(f) > 3 {
		return nil, fmt.Errorf("%q is not DAYS HH:MM-HH:MM ZONE", s)
	}
	w := &WorkingHours{text: s, Zone: "UTC"}
	for _, part := range strings.Split(strings.ToLower(f[0]), ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, b := dayIndex(from), dayIndex(to)
		if !isRange {
			b = a
		}
		if a < 0 || b < 0 {
			return nil, fmt.Errorf("%q: days are Mon, Tue, …, Sun, as a range (Mon-Fri) or a list (Mon,Wed)", f[0])
		}
		for d := a; ; d = (d + 1) % 7 {
			w.Days[d] = true
			if d == b {
				break
			}
		}
	}
	from, to, ok := strings.Cut(f[1], "-")
	start, err1 := clockMinutes(from)
	end, err2 := clockMinutes(to)
	if !ok || err1 != nil || err2 != nil || end <= start {
		return nil, fmt.Errorf("%q: the hours are HH:MM-HH:MM, the end after the start", f[1])
	}
	w.Start, w.End = start, end
	if len(f) == 3 {
		w.Zone = f[2]
	}
	loc, err := time.LoadLocation(w.Zone)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", w.Zone)
	}
	w.loc = loc
	return w, nil
}

func dayIndex(s string) int {
	s = strings.TrimSpace(s)
	if len(s) >= 3 {
		s = s[:3]
	}
	for i, d := range weekdays {
		if d == s {
			return i
		}
	}
	return -1
}

func clockMinutes(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Location is the hours' time zone.
func (w *WorkingHours) Location() *time.Location {
	if w == nil || w.loc == nil {
		return time.UTC
	}
	return w.loc
}

// Open reports whether t is within the working hours.
func (w *WorkingHours) Open(t time.Time) bool {
	if w == nil {
		return true
	}
	l := t.In(w.loc)
	m := l.Hour()*60 + l.Minute()
	return w.Days[l.Weekday()] && m >= w.Start && m < w.End
}

// Next returns the first moment at or after t within the working hours.
func (w *WorkingHours) Next(t time.Time) time.Time {
	if w == nil || w.Open(t) {
		return t
	}
	l := t.In(w.loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, w.loc)
	for i := 0; i < 8; i++ {
		d := day.AddDate(0, 0, i)
		open := d.Add(time.Duration(w.Start) * time.Minute)
		if w.Days[d.Weekday()] && !open.Before(l) {
			return open
		}
		if w.Days[d.Weekday()] && l.Before(d.Add(time.Duration(w.End)*time.Minute)) && !l.Before(open) {
			return t
		}
	}
	return t // no working day at all: cannot happen once parsed
}

// scheduleField reads a sequence's schedule:.
func (c *compilation) scheduleField(n *dsl.Node) SeqSchedule {
	var s SeqSchedule
	if c.mapping(n, lang.SeqSchedule) == nil {
		return s
	}
	for _, p := range n.Pairs {
		switch p.Key.Value {
		case lang.SchedWorkingHours:
			wh, err := ParseWorkingHours(p.Value.Value)
			if p.Value.Kind != dsl.ScalarNode || err != nil {
				msg := "workingHours must be DAYS HH:MM-HH:MM ZONE"
				if err != nil {
					msg = "workingHours: " + err.Error()
				}
				c.errorAt(p.Value, diag.CodeFieldValue, msg, "for example: Mon-Fri 09:00-18:00 Europe/Berlin")
				continue
			}
			s.WorkingHours = wh
		case lang.SchedPace:
			s.Pace = c.durationField(n, lang.SchedPace)
		default:
			c.errorAt(p.Key, diag.CodeUnknownField, fmt.Sprintf("unknown field %q in schedule", p.Key.Value), suggest(p.Key.Value, lang.ScheduleKeys()))
		}
	}
	return s
}
