package sandbox

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// maxPolled caps the messages or events one inbox or network poll returns.
const maxPolled = 1000

// convRequest is one entry of POST /conversations/poll.
type convRequest struct {
	PersonURL string
	Type      string
	Since     string
	since     time.Time
}

// convResult is one conversation in the answer of POST /conversations/poll.
type convResult struct {
	PersonURL string    `json:"personUrl"`
	Type      string    `json:"type"`
	Since     string    `json:"since,omitempty"`
	Messages  []message `json:"messages"`
}

func badPayload(msg string) response {
	return errResponse(newError(http.StatusBadRequest, errInvalidRequestPayload, "Invalid request body: "+msg+"."))
}

// parseConvRequests checks the body of POST /conversations/poll: an
// array of {personUrl, type: st|nv, since?}.
func parseConvRequests(v any) ([]convRequest, string) {
	arr, ok := v.([]any)
	if !ok {
		return nil, "expected an array of {personUrl, type, since?}"
	}
	var out []convRequest
	for i, item := range arr {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Sprintf("item %d is not an object", i)
		}
		c := convRequest{PersonURL: str(m, "personUrl"), Type: str(m, "type"), Since: str(m, "since")}
		if c.PersonURL == "" {
			return nil, fmt.Sprintf("item %d has no personUrl", i)
		}
		if c.Type != "st" && c.Type != "nv" {
			return nil, fmt.Sprintf("item %d: type must be st or nv", i)
		}
		if _, has := m["since"]; has {
			t, ok := parseTime(c.Since)
			if !ok {
				return nil, fmt.Sprintf("item %d: since must be an ISO 8601 time", i)
			}
			c.since = t
		}
		out = append(out, c)
	}
	return out, ""
}

func (s *Sandbox) pollConversations(r *http.Request, acct *account) response {
	body, e := s.readBody(r)
	if e != nil {
		return errResponse(e)
	}
	v, err := decodeJSON(body)
	if err != nil {
		return badPayload(err.Error())
	}
	reqs, msg := parseConvRequests(v)
	if msg != "" {
		return badPayload(msg)
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(acct, now)
	out := []convResult{}
	var unsynced []string
	for _, q := range reqs {
		c, ok := acct.conversations.get(q.Type + " " + personKey(q.PersonURL))
		if !ok || c.syncedAt.IsZero() {
			unsynced = append(unsynced, fmt.Sprintf("%s (%s)", q.PersonURL, q.Type))
			continue
		}
		res := convResult{PersonURL: q.PersonURL, Type: q.Type, Since: q.Since, Messages: []message{}}
		for _, m := range s.messages(acct, c, now) {
			if q.since.IsZero() || !m.at.Before(q.since) {
				res.Messages = append(res.Messages, m)
			}
		}
		out = append(out, res)
	}
	if len(unsynced) > 0 {
		return errResponse(newError(http.StatusConflict, errConversationsNotSynced, fmt.Sprintf(
			"These conversations have not been synced: %s. Run st.syncConversation (or nv.syncConversation) for them first.",
			strings.Join(unsynced, ", "))))
	}
	return okResponse(out)
}

// messages returns a conversation's messages up to now, oldest first: a
// synthetic history inside the sync window (for about half the people),
// the messages the account sent, and — with Options.ReplyAfter — the
// answers of responsive people.
func (s *Sandbox) messages(acct *account, c *conversation, now time.Time) []message {
	g := s.gen
	var out []message
	thread := c.threadID[len("thread-"):]
	if !c.syncedAt.IsZero() {
		r := seeded("history", acct.token, c.typ, c.personKey)
		window := time.Duration(max(1, c.days)) * 24 * time.Hour
		if n := r.IntN(4); c.responsive && n > 0 {
			var times []time.Time
			for i := 0; i < n; i++ {
				times = append(times, c.syncedAt.Add(-time.Duration(r.Int64N(int64(window)))).Truncate(time.Second))
			}
			sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
			for i, t := range times {
				sender, text := "them", pick(r, g.v.reply)
				if i%2 == 1 {
					sender, text = "us", pick(r, g.v.opener)
				}
				out = append(out, message{ID: fmt.Sprintf("msg-%s-h%d", thread, i+1), Sender: sender, Text: text, Time: iso(t), at: t})
			}
		}
	}
	for i, m := range c.sent {
		out = append(out, m)
		if s.opts.ReplyAfter > 0 && c.responsive {
			if r := s.replyTo(c, i); !r.at.After(now) {
				out = append(out, r)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// inboxMessage is one message of POST /inbox/poll.
type inboxMessage struct {
	ID              string `json:"id"`
	Type            string `json:"type"`
	ThreadID        string `json:"threadId"`
	PersonURL       string `json:"personUrl"`
	PersonHashedURL string `json:"personHashedUrl"`
	PersonPublicURL string `json:"personPublicUrl"`
	Sender          string `json:"sender"`
	Text            string `json:"text"`
	Time            string `json:"time"`
	at              time.Time
}

// pollFilter is the optional body of the inbox and network polls.
func (s *Sandbox) pollFilter(r *http.Request) (map[string]any, time.Time, *response) {
	body, e := s.readBody(r)
	if e != nil {
		resp := errResponse(e)
		return nil, time.Time{}, &resp
	}
	m := map[string]any{}
	if len(strings.TrimSpace(string(body))) > 0 && strings.TrimSpace(string(body)) != "null" {
		v, err := decodeJSON(body)
		obj, ok := v.(map[string]any)
		if err != nil || !ok {
			resp := badPayload("expected an object")
			return nil, time.Time{}, &resp
		}
		m = obj
	}
	var since time.Time
	if v, ok := m["since"]; ok {
		sv, _ := v.(string)
		t, ok := parseTime(sv)
		if !ok {
			resp := badPayload("since must be an ISO 8601 time")
			return nil, time.Time{}, &resp
		}
		since = t
	}
	return m, since, nil
}

// pollInbox answers the messages of every conversation of the synced
// inboxes that arrived after the inbox sync (st.syncInbox, nv.syncInbox),
// newest first; before any sync the list is empty. since is exclusive: a
// client that passes the time of its last poll, or of the newest message
// it saw, sees every message exactly once.
func (s *Sandbox) pollInbox(r *http.Request, acct *account) response {
	f, since, bad := s.pollFilter(r)
	if bad != nil {
		return *bad
	}
	typ, thread := str(f, "type"), str(f, "threadId")
	if typ != "" && typ != "st" && typ != "nv" {
		return badPayload("type must be st or nv")
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(acct, now)
	out := []inboxMessage{}
	acct.conversations.each(func(_ string, c *conversation) {
		synced, ok := acct.inboxSynced[c.typ]
		if !ok || typ != "" && c.typ != typ || thread != "" && c.threadID != thread {
			return
		}
		for _, m := range s.messages(acct, c, now) {
			if m.at.Before(synced) || !since.IsZero() && !m.at.After(since) {
				continue
			}
			out = append(out, inboxMessage{ID: m.ID, Type: c.typ, ThreadID: c.threadID, PersonURL: c.personURL,
				PersonHashedURL: c.hashedURL, PersonPublicURL: c.personURL, Sender: m.Sender, Text: m.Text, Time: m.Time, at: m.at})
		}
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.After(out[j].at) })
	if len(out) > maxPolled {
		out = out[:maxPolled]
	}
	return okResponse(map[string]any{"messages": out})
}

// pollNetwork answers the network changes detected after st.syncNetwork,
// newest first: accepted connection requests (Options.AcceptAfter) and
// accepted invitations. since is exclusive, as for the inbox.
func (s *Sandbox) pollNetwork(r *http.Request, acct *account) response {
	f, since, bad := s.pollFilter(r)
	if bad != nil {
		return *bad
	}
	typ := str(f, "type")
	switch typ {
	case "", "connectionAccepted", "connectionAdded", "connectionRequestReceived":
	default:
		return badPayload("type must be connectionAccepted, connectionAdded or connectionRequestReceived")
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(acct, now)
	out := []networkEvent{}
	if !acct.networkSynced.IsZero() {
		acct.people.each(func(k string, ps *personState) {
			if ps.status != statusPending {
				return
			}
			if st, at := s.effectiveStatus(ps, now); st == statusConnected && !at.Before(acct.networkSynced) {
				out = append(out, networkEvent{ID: "net-" + hex(seeded("accepted", acct.token, k), 16), Type: "connectionAccepted",
					PersonURL: ps.publicURL, DetectedAt: iso(at), at: at})
			}
		})
		for _, e := range acct.networkAdds {
			if !e.at.Before(acct.networkSynced) {
				out = append(out, e)
			}
		}
	}
	kept := out[:0]
	for _, e := range out {
		if (typ == "" || e.Type == typ) && (since.IsZero() || e.at.After(since)) {
			kept = append(kept, e)
		}
	}
	sort.Slice(kept, func(i, j int) bool {
		if !kept[i].at.Equal(kept[j].at) {
			return kept[i].at.After(kept[j].at)
		}
		return kept[i].ID < kept[j].ID
	})
	if len(kept) > maxPolled {
		kept = kept[:maxPolled]
	}
	return okResponse(map[string]any{"events": kept})
}

// parseTime reads an ISO 8601 date or date-time.
func parseTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
