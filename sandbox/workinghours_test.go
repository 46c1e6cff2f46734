package sandbox

import (
	"testing"
	"time"
)

func TestParseWorkingHours(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"09:00-18:00", "Mon-Fri 09:00-18:00 UTC"},
		{"Mon-Fri 09:00-18:00 Europe/Berlin", "Mon-Fri 09:00-18:00 Europe/Berlin"},
		{"sat,sun 10:30-12:00", "Sat,Sun 10:30-12:00 UTC"},
		{"Fri-Mon 00:00-24:00", "Fri-Mon 00:00-24:00 UTC"},
		{"Mon,Wed-Fri,Sun 08:00-09:00", "Mon,Wed-Fri,Sun 08:00-09:00 UTC"},
	} {
		wh, err := ParseWorkingHours(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := wh.String(); got != tt.want {
			t.Errorf("%q → %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "9-5", "Mon-Fri", "Mon-Fri 18:00-09:00", "Xyz 09:00-10:00", "09:00-18:00 Mars/Olympus", "09:00-25:00", "Mon 09:00-10:00 UTC extra"} {
		if _, err := ParseWorkingHours(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestNextOpen(t *testing.T) {
	wh, err := ParseWorkingHours("Mon-Fri 09:00-18:00")
	if err != nil {
		t.Fatal(err)
	}
	day := func(d, h, m int) time.Time { return time.Date(2026, 3, d, h, m, 0, 0, time.UTC) } // Mar 2 is a Monday
	for _, tt := range []struct{ at, want time.Time }{
		{day(4, 10, 0), day(4, 10, 0)}, // open
		{day(4, 8, 59), day(4, 9, 0)},  // before opening
		{day(4, 18, 0), day(5, 9, 0)},  // at closing
		{day(6, 19, 0), day(9, 9, 0)},  // Friday evening → Monday
		{day(7, 12, 0), day(9, 9, 0)},  // Saturday
	} {
		if got := wh.NextOpen(tt.at); !got.Equal(tt.want) {
			t.Errorf("NextOpen(%v) = %v, want %v", tt.at, got, tt.want)
		}
		if wh.Open(tt.at) != tt.at.Equal(tt.want) {
			t.Errorf("Open(%v) wrong", tt.at)
		}
	}
}
