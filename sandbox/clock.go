package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The sandbox clock is Options.Clock plus an offset that POST
// /_sandbox/clock (or AdvanceClock, SetClock) moves forward — only on a
// sandbox started with Options.ControllableClock, and never backward — so
// that thirty days of acceptances, replies and working hours pass in
// seconds. Everything runs on it: workflow schedules, working hours,
// limits, acceptances, replies, polls, statistics, retention.

// errClockNotControllable is the error type of POST /_sandbox/clock on a
// sandbox whose clock may not be moved.
const errClockNotControllable = "clockNotControllable"

// ErrClockNotControllable is returned by AdvanceClock and SetClock on a
// sandbox started without Options.ControllableClock.
var ErrClockNotControllable = errors.New("sandbox: the clock is not controllable; start the sandbox with ControllableClock (lwf sandbox serve --control-clock)")

// now reads the sandbox clock.
func (s *Sandbox) now() time.Time { return s.opts.Clock().Add(time.Duration(s.offset.Load())) }

// Now returns the time on the sandbox clock.
func (s *Sandbox) Now() time.Time { return s.now() }

// AdvanceClock moves the sandbox clock d forward and returns the new time.
func (s *Sandbox) AdvanceClock(d time.Duration) (time.Time, error) {
	if !s.opts.ControllableClock {
		return s.now(), ErrClockNotControllable
	}
	if d < 0 {
		return s.now(), errors.New("sandbox: the clock never goes backward")
	}
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	s.offset.Add(int64(d))
	return s.now(), nil
}

// SetClock moves the sandbox clock forward to t and returns the new time;
// a t before the sandbox's now is refused.
func (s *Sandbox) SetClock(t time.Time) (time.Time, error) {
	if !s.opts.ControllableClock {
		return s.now(), ErrClockNotControllable
	}
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	now := s.now()
	if t.Before(now) {
		return now, fmt.Errorf("sandbox: %s is before the sandbox's now, %s; the clock never goes backward", iso(t), iso(now))
	}
	s.offset.Add(int64(t.Sub(now)))
	return s.now(), nil
}

// clockState is the answer of /_sandbox/clock.
type clockState struct {
	Time         string `json:"time"`
	Controllable bool   `json:"controllable"`
}

// clock serves GET and POST /_sandbox/clock.
func (s *Sandbox) clock(r *http.Request) response {
	if r.Method == http.MethodGet {
		return jsonResponse(http.StatusOK, clockState{Time: s.now().UTC().Format(time.RFC3339Nano), Controllable: s.opts.ControllableClock})
	}
	if r.Method != http.MethodPost {
		resp := errResponse(newError(http.StatusMethodNotAllowed, errMethodNotAllowed, r.Method+" is not allowed on "+r.URL.Path+"."))
		resp.header.Set("Allow", "GET, POST")
		return resp
	}
	if !s.opts.ControllableClock {
		return errResponse(newError(http.StatusForbidden, errClockNotControllable,
			"The sandbox clock cannot be moved: start the sandbox with --control-clock (Options.ControllableClock)."))
	}
	body, e := s.readBody(r)
	if e != nil {
		return errResponse(e)
	}
	v, err := decodeJSON(body)
	m, ok := v.(map[string]any)
	adv, hasAdv := m["advance"].(string)
	set, hasSet := m["set"].(string)
	if err != nil || !ok || len(m) != 1 || !hasAdv && !hasSet {
		return badPayload(`expected {"advance": "24h"} or {"set": "2026-03-20T09:00:00Z"}`)
	}
	var now time.Time
	if hasAdv {
		d, perr := parseAdvance(adv)
		if perr != nil {
			return badPayload(perr.Error())
		}
		now, err = s.AdvanceClock(d)
	} else {
		t, perr := time.Parse(time.RFC3339Nano, set)
		if perr != nil {
			return badPayload("set must be an RFC 3339 time, e.g. 2026-03-20T09:00:00Z")
		}
		now, err = s.SetClock(t)
	}
	if err != nil {
		return badPayload(strings.TrimPrefix(err.Error(), "sandbox: "))
	}
	return jsonResponse(http.StatusOK, clockState{Time: now.UTC().Format(time.RFC3339Nano), Controllable: true})
}

// parseAdvance reads a duration forward: Go's form ("36h", "90m") with
// days allowed in front ("14d", "1d12h").
func parseAdvance(s string) (time.Duration, error) {
	var d time.Duration
	rest := strings.TrimSpace(s)
	if i := strings.IndexByte(rest, 'd'); i > 0 {
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n < 0 || n > 100000 {
			return 0, fmt.Errorf("advance %q: want a duration such as 24h, 90m or 14d", s)
		}
		d, rest = time.Duration(n)*24*time.Hour, rest[i+1:]
	}
	if rest != "" {
		more, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("advance %q: want a duration such as 24h, 90m or 14d", s)
		}
		d += more
	}
	if s == "" || d < 0 {
		return 0, fmt.Errorf("advance %q: the clock never goes backward", s)
	}
	return d, nil
}
