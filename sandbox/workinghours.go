package sandbox

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// WorkingHours are the hours in which an account runs workflows. Outside
// them a new workflow is parked — pending with pendingReason
// outsideWorkingHours and a message saying when it will start — or, with
// Reject, refused with outsideWorkingHours. A workflow already running
// when the hours close runs to its end.
type WorkingHours struct {
	// Days are the working days; nil means Monday to Friday.
	Days []time.Weekday
	// Start and End are the opening and closing times as durations since
	// midnight in Location (9h and 18h for 09:00-18:00); Start < End.
	Start, End time.Duration
	// Location is the account's time zone; nil means UTC.
	Location *time.Location
	// MaxWait, when positive, fails a workflow parked longer than this
	// with failure.reason workingHoursWaitExpired.
	MaxWait time.Duration
	// Reject refuses workflows outside working hours (HTTP 409,
	// outsideWorkingHours) instead of parking them.
	Reject bool
}

// weekdays holds the three-letter day names from Sunday, as a constant.
const weekdays = "sunmontuewedthufrisat"

func weekdayName(d time.Weekday) string { return weekdays[3*int(d) : 3*int(d)+3] }

// ParseWorkingHours reads working hours written as "[DAYS] HH:MM-HH:MM
// [ZONE]": DAYS is a range or a comma list of three-letter day names
// (Mon-Fri, Sat,Sun; default Mon-Fri) and ZONE an IANA time zone (default
// UTC). Example: "Mon-Fri 09:00-18:00 Europe/Berlin".
func ParseWorkingHours(s string) (*WorkingHours, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 || len(fields) > 3 {
		return nil, fmt.Errorf("working hours %q: want [DAYS] HH:MM-HH:MM [ZONE], e.g. Mon-Fri 09:00-18:00 Europe/Berlin", s)
	}
	w := &WorkingHours{}
	i := 0
	if !strings.Contains(fields[0], ":") {
		days, err := parseDays(fields[0])
		if err != nil {
			return nil, fmt.Errorf("working hours %q: %w", s, err)
		}
		w.Days = days
		i++
	}
	if i >= len(fields) {
		return nil, fmt.Errorf("working hours %q: missing HH:MM-HH:MM", s)
	}
	from, to, ok := strings.Cut(fields[i], "-")
	if !ok {
		return nil, fmt.Errorf("working hours %q: want HH:MM-HH:MM, got %q", s, fields[i])
	}
	var err error
	if w.Start, err = parseClock(from); err != nil {
		return nil, fmt.Errorf("working hours %q: %w", s, err)
	}
	if w.End, err = parseClock(to); err != nil {
		return nil, fmt.Errorf("working hours %q: %w", s, err)
	}
	i++
	if i < len(fields) {
		loc, err := time.LoadLocation(fields[i])
		if err != nil {
			return nil, fmt.Errorf("working hours %q: unknown time zone %q", s, fields[i])
		}
		w.Location = loc
		i++
	}
	if i != len(fields) {
		return nil, fmt.Errorf("working hours %q: unexpected %q", s, fields[i])
	}
	if err := w.validate(); err != nil {
		return nil, fmt.Errorf("working hours %q: %w", s, err)
	}
	return w, nil
}

func parseDays(s string) ([]time.Weekday, error) {
	day := func(name string) (time.Weekday, error) {
		for d := time.Sunday; d <= time.Saturday; d++ {
			if strings.EqualFold(name, weekdayName(d)) {
				return d, nil
			}
		}
		return 0, fmt.Errorf("unknown day %q (use Mon, Tue, …)", name)
	}
	var out []time.Weekday
	for _, part := range strings.Split(s, ",") {
		a, b, isRange := strings.Cut(part, "-")
		first, err := day(a)
		if err != nil {
			return nil, err
		}
		if !isRange {
			out = append(out, first)
			continue
		}
		last, err := day(b)
		if err != nil {
			return nil, err
		}
		for d := first; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == last {
				break
			}
		}
	}
	return out, nil
}

func parseClock(s string) (time.Duration, error) {
	var h, m int
	if n, err := fmt.Sscanf(s, "%d:%d", &h, &m); err != nil || n != 2 || h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("invalid time of day %q (want HH:MM)", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

func (w *WorkingHours) validate() error {
	if w.Start < 0 || w.End > 24*time.Hour || w.Start >= w.End {
		return errors.New("working hours must open before they close, within one day")
	}
	if w.MaxWait < 0 {
		return errors.New("the working hours' maximum wait must not be negative")
	}
	return nil
}

func (w *WorkingHours) loc() *time.Location {
	if w.Location == nil {
		return time.UTC
	}
	return w.Location
}

func (w *WorkingHours) workday(d time.Weekday) bool {
	if w.Days == nil {
		return d >= time.Monday && d <= time.Friday
	}
	for _, x := range w.Days {
		if x == d {
			return true
		}
	}
	return false
}

// NextOpen returns t when the working hours are open at t, else the next
// time they open.
func (w *WorkingHours) NextOpen(t time.Time) time.Time {
	lt := t.In(w.loc())
	for d := 0; d <= 7; d++ {
		day := time.Date(lt.Year(), lt.Month(), lt.Day()+d, 0, 0, 0, 0, w.loc())
		if !w.workday(day.Weekday()) {
			continue
		}
		open, close := day.Add(w.Start), day.Add(w.End)
		if t.Before(close) {
			if t.Before(open) {
				return open
			}
			return t
		}
	}
	return t // no working day at all: never parks
}

// Open reports whether the working hours are open at t.
func (w *WorkingHours) Open(t time.Time) bool { return w.NextOpen(t).Equal(t) }

// String renders the hours the way ParseWorkingHours reads them.
func (w *WorkingHours) String() string {
	days := "Mon-Fri"
	if w.Days != nil {
		var parts []string
		name := func(d time.Weekday) string { n := weekdayName(d); return strings.ToUpper(n[:1]) + n[1:] }
		for i := 0; i < len(w.Days); {
			j := i
			for j+1 < len(w.Days) && w.Days[j+1] == (w.Days[j]+1)%7 {
				j++
			}
			switch {
			case j-i >= 2:
				parts = append(parts, name(w.Days[i])+"-"+name(w.Days[j]))
			default:
				for k := i; k <= j; k++ {
					parts = append(parts, name(w.Days[k]))
				}
			}
			i = j + 1
		}
		days = strings.Join(parts, ",")
	}
	clock := func(d time.Duration) string {
		return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%s %s-%s %s", days, clock(w.Start), clock(w.End), w.loc())
}

// parkedMessage is the message of a workflow parked until at, worded like
// the real service's.
func (w *WorkingHours) parkedMessage(at time.Time) string {
	return "This workflow is scheduled and will start when the account working hours open at " + w.parkedMessageTime(at) + "."
}

// parkedMessageTime renders an opening time: "Mon, Aug 10, 09:00 (Europe/Berlin)".
func (w *WorkingHours) parkedMessageTime(at time.Time) string {
	return fmt.Sprintf("%s (%s)", at.In(w.loc()).Format("Mon, Jan 2, 15:04"), w.loc())
}
