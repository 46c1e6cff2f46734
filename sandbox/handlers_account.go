package sandbox

import (
	"net/http"
)

// stats answers GET /stats/actions?start&end: the actions the account
// executed in [start, end], oldest first. start and end are ISO 8601
// dates or times (a date means its midnight, UTC) at most 30 days apart.
func (s *Sandbox) stats(r *http.Request, acct *account) response {
	q := r.URL.Query()
	start, ok1 := parseTime(q.Get("start"))
	end, ok2 := parseTime(q.Get("end"))
	switch {
	case !ok1 || !ok2:
		return badPayload("start and end are required ISO 8601 dates or times, e.g. ?start=2026-01-01T00:00:00Z&end=2026-01-31T00:00:00Z")
	case end.Before(start):
		return badPayload("end is before start")
	case end.Sub(start) > statsWindow:
		return badPayload("the period between start and end must not exceed 30 days")
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(acct, now)
	return okResponse(acct.statsBetween(start, end))
}
