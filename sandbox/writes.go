package sandbox

import (
	"crypto/sha256"
	hexenc "encoding/hex"
	"sort"
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

// DefaultWriteLog is how many executed writes the sandbox remembers for
// GET /_sandbox/actions; older ones are forgotten.
const DefaultWriteLog = 10000

// Write is one write action the sandbox executed: who received what. GET
// /_sandbox/actions serves them as JSON.
type Write struct {
	// Account labels the account that wrote (AccountLabel of its
	// identification token), never the token itself.
	Account string `json:"account"`
	// Action is the actionType (st.sendConnectionRequest, …).
	Action string `json:"action"`
	// Target is the URL written to: the person's public profile URL
	// (whichever URL the action was given), the post, the comment, the
	// company or newsletter of an invitation, a created post; a thread id
	// for a thread the sandbox does not know.
	Target string `json:"target"`
	// Text is the note, message, comment or post text; empty for actions
	// without text (reactions, withdrawals, …).
	Text string `json:"text"`
	// Time is when the action ran on the sandbox clock (RFC 3339).
	Time string `json:"time"`

	at  time.Time
	seq int64
}

// AccountLabel is the label of an account in the write log: a short hash
// of its identification token, so that a client can find its own writes
// without the log holding any token.
func AccountLabel(identificationToken string) string {
	sum := sha256.Sum256([]byte("lwf sandbox account\x00" + identificationToken))
	return "acct-" + hexenc.EncodeToString(sum[:4])
}

// writeLog is the ring of executed writes. Sandbox.mu guards it.
type writeLog struct {
	ring []Write
	next int // the slot the next write takes once the ring is full
	cap  int
}

func (l *writeLog) add(w Write) {
	if len(l.ring) < l.cap {
		l.ring = append(l.ring, w)
		return
	}
	l.ring[l.next] = w
	l.next = (l.next + 1) % l.cap
}

// logWrite records a successful write action when the clock passes it: a
// cancelled workflow logs only the writes it executed.
func (x *execution) logWrite(a *schemas.Action, params map[string]any, subj subject, data any, at time.Time) {
	if !a.Write {
		return
	}
	w := Write{Account: AccountLabel(x.acct.token), Action: a.Name, Target: writeTarget(params, subj, data), Time: iso(at), at: at}
	for _, k := range []string{"note", "text"} {
		if t := str(params, k); t != "" {
			w.Text = t
		}
	}
	s := x.s
	x.later(at, func(*account) {
		s.seq++
		w.seq = s.seq
		s.writes.add(w)
	})
}

// writeTarget is the URL a write reached.
func writeTarget(params map[string]any, subj subject, data any) string {
	switch {
	case subj.person != nil:
		return subj.person.publicURL
	case str(params, "commentUrl") != "":
		return str(params, "commentUrl")
	case subj.post != nil:
		return subj.post.url
	}
	if d, ok := data.(map[string]any); ok {
		if u, ok := d["postUrl"].(string); ok {
			return u // a created post
		}
	}
	for _, k := range []string{"personUrl", "companyUrl", "newsletterUrl"} {
		if u := str(params, k); u != "" {
			return u
		}
	}
	return str(params, "threadId")
}

// Writes returns the write actions the sandbox executed up to now, oldest
// first, at most DefaultWriteLog of them.
func (s *Sandbox) Writes() []Write {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.accounts {
		s.advance(a, now)
	}
	out := make([]Write, len(s.writes.ring))
	copy(out, s.writes.ring)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].at.Equal(out[j].at) {
			return out[i].at.Before(out[j].at)
		}
		return out[i].seq < out[j].seq
	})
	return out
}
