package unknowns

import (
	"net/http"
	"sort"
	"sync"
	"time"
)

// ClockWatch is an http.RoundTripper that measures how far the server's
// clock is from lwf's, from the Date header of its answers. The
// activity's times are the server's and a run's records are lwf's, so a
// difference of more than Options.Tolerance would place actions wrongly;
// Options.Skew takes the measurement.
type ClockWatch struct {
	// Next sends the requests.
	Next http.RoundTripper
	mu   sync.Mutex
	seen []time.Duration // the last observations
	next int
}

// watched bounds the observations kept.
const watched = 64

// RoundTrip sends r with Next and notes the server's clock.
func (c *ClockWatch) RoundTrip(r *http.Request) (*http.Response, error) {
	sent := time.Now()
	resp, err := c.Next.RoundTrip(r)
	if err != nil {
		return resp, err
	}
	got := time.Now()
	if d, perr := http.ParseTime(resp.Header.Get("Date")); perr == nil {
		// Date is whole seconds: the server's time was in [d, d+1s), at a
		// moment between sending and receiving.
		skew := d.Add(500 * time.Millisecond).Sub(sent.Add(got.Sub(sent) / 2))
		c.mu.Lock()
		if len(c.seen) < watched {
			c.seen = append(c.seen, skew)
		} else {
			c.seen[c.next] = skew
			c.next = (c.next + 1) % watched
		}
		c.mu.Unlock()
	}
	return resp, nil
}

// Skew is the median of the differences seen (server minus lwf); ok is
// false before any answer with a Date.
func (c *ClockWatch) Skew() (d time.Duration, ok bool) {
	c.mu.Lock()
	s := append([]time.Duration(nil), c.seen...)
	c.mu.Unlock()
	if len(s) == 0 {
		return 0, false
	}
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2], true
}
