package sandbox

import (
	"container/heap"
	"crypto/sha256"
	"fmt"
	"sort"
	"time"
)

// hookEvent is one event on its way to the webhooks: made under s.mu when
// the sandbox clock passes it, delivered by the dispatcher.
type hookEvent struct {
	id, typ string
	at      time.Time // when it happened, on the sandbox clock
	seq     int64     // orders events of the same instant
	token   string    // the account's identification token; "" for webhook.test
	ws      string    // webhook.test only: the workspace (linked-api-token)
	account string    // AccountLabel of the account, for the delivery log
	data    any       // the data of the thin payload
	fat     any       // the data of the fat payload, when it differs
}

// emit queues an event for the webhooks. Callers hold s.mu; events are
// made only while some workspace has a webhook, so that nothing piles up
// otherwise.
func (s *Sandbox) emit(e hookEvent) {
	if !s.hooksOn {
		return
	}
	s.seq++
	e.seq = s.seq
	if e.token != "" && e.account == "" {
		e.account = AccountLabel(e.token)
	}
	s.events = append(s.events, e)
	s.nudge()
}

// AccountID is the accountId of an account in webhook deliveries and POST
// /admin/accounts.getAll: a UUID-shaped id derived from the
// identification token, stable across runs, which does not reveal the
// token.
func AccountID(identificationToken string) string {
	b := sha256.Sum256([]byte("lwf sandbox account id\x00" + identificationToken))
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// workflowData is the data of the workflow.* events.
type workflowData struct {
	WorkflowID string `json:"workflowId"`
	AccountID  string `json:"accountId"`
	Status     string `json:"status"`
	Result     *view  `json:"result,omitempty"`
}

// emitWorkflow emits a workflow.* event at t. The fat form of
// workflow.completed carries the workflow as GET /workflows/{id} would
// show it: the completion, or the failure (the shape is the sandbox's
// decision; docs/sandbox.md).
func (s *Sandbox) emitWorkflow(w *workflow, typ, status string, t time.Time) {
	if !s.hooksOn {
		return
	}
	d := workflowData{WorkflowID: w.id, AccountID: AccountID(w.acct.token), Status: status}
	e := hookEvent{id: typ + ":" + w.id, typ: typ, at: t, token: w.acct.token, data: d}
	if typ == "workflow.completed" {
		v := w.viewAt(w.finish, nil)
		fat := d
		fat.Result = &v
		e.fat = fat
	}
	s.emit(e)
}

// inboxData is the data of the inbox.* events, the fields of POST
// /inbox/poll plus accountId and messageId.
type inboxData struct {
	AccountID       string `json:"accountId"`
	Type            string `json:"type"`
	ThreadID        string `json:"threadId"`
	PersonURL       string `json:"personUrl"`
	PersonHashedURL string `json:"personHashedUrl"`
	PersonPublicURL string `json:"personPublicUrl"`
	MessageID       string `json:"messageId"`
	Sender          string `json:"sender"`
	Text            string `json:"text"`
	Time            string `json:"time"`
}

// emitMessage emits inbox.messageSent or inbox.messageReceived for a
// message of c — only when POST /inbox/poll would return it: the inbox of
// its type was synced (st.syncInbox, nv.syncInbox) no later than the
// message.
func (s *Sandbox) emitMessage(a *account, c *conversation, m message) {
	if !s.hooksOn {
		return
	}
	synced, ok := a.inboxSynced[c.typ]
	if !ok || m.at.Before(synced) {
		return
	}
	typ := "inbox.messageReceived"
	if m.Sender == "us" {
		typ = "inbox.messageSent"
	}
	s.emit(hookEvent{id: typ + ":" + m.ID, typ: typ, at: m.at, token: a.token, data: inboxData{
		AccountID: AccountID(a.token), Type: c.typ, ThreadID: c.threadID, PersonURL: c.personURL,
		PersonHashedURL: c.hashedURL, PersonPublicURL: c.personURL, MessageID: m.ID, Sender: m.Sender, Text: m.Text, Time: m.Time}})
}

// networkData is the data of the network.* events.
type networkData struct {
	AccountID  string `json:"accountId"`
	PersonURL  string `json:"personUrl"`
	DetectedAt string `json:"detectedAt"`
}

// emitNetwork emits a network.* event — only when POST /network/poll
// would return it: st.syncNetwork ran no later than the change. Its id
// ends with the poll's event id.
func (s *Sandbox) emitNetwork(a *account, ev networkEvent) {
	if !s.hooksOn || a.networkSynced.IsZero() || ev.at.Before(a.networkSynced) {
		return
	}
	typ := "network." + ev.Type
	s.emit(hookEvent{id: typ + ":" + ev.ID, typ: typ, at: ev.at, token: a.token,
		data: networkData{AccountID: AccountID(a.token), PersonURL: ev.PersonURL, DetectedAt: ev.DetectedAt}})
}

// timed is a check of an effect due later on the sandbox clock: an
// acceptance or a reply, which the sandbox otherwise computes only when
// asked.
type timed struct {
	at   time.Time
	seq  int64
	acct *account
	fire func(a *account) // called under s.mu once the clock passed at
}

// checkHeap orders the timed checks by time.
type checkHeap []timed

// Len implements heap.Interface.
func (t checkHeap) Len() int { return len(t) }

// Less implements heap.Interface.
func (t checkHeap) Less(i, j int) bool {
	if !t[i].at.Equal(t[j].at) {
		return t[i].at.Before(t[j].at)
	}
	return t[i].seq < t[j].seq
}

// Swap implements heap.Interface.
func (t checkHeap) Swap(i, j int) { t[i], t[j] = t[j], t[i] }

// Push implements heap.Interface.
func (t *checkHeap) Push(x any) { *t = append(*t, x.(timed)) }

// Pop implements heap.Interface.
func (t *checkHeap) Pop() any {
	old := *t
	x := old[len(old)-1]
	old[len(old)-1] = timed{}
	*t = old[:len(old)-1]
	return x
}

var _ heap.Interface = (*checkHeap)(nil)

// later schedules a check at t. Callers hold s.mu.
func (s *Sandbox) later(a *account, t time.Time, fire func(a *account)) {
	if !s.hooksOn {
		return
	}
	s.seq++
	heap.Push(&s.checks, timed{at: t, seq: s.seq, acct: a, fire: fire})
}

// watchAcceptance schedules the network.connectionAccepted of a pending
// request to a responsive person: it happens Options.AcceptAfter (plus
// the person's share of Spread) after the request, unless by then the
// request was withdrawn. Callers hold s.mu.
func (s *Sandbox) watchAcceptance(a *account, key string, ps *personState) {
	if ps.status != statusPending || !ps.responsive || s.opts.AcceptAfter <= 0 {
		return
	}
	at := ps.sentAt.Add(ps.acceptAfter)
	s.later(a, at, func(a *account) {
		cur, ok := a.people.get(key)
		if !ok || cur != ps && !cur.changedAt.After(at) {
			return // withdrawn (or forgotten) before it was accepted
		}
		s.emitNetwork(a, networkEvent{ID: acceptanceID(a, key), Type: "connectionAccepted", PersonURL: ps.publicURL, DetectedAt: iso(at), at: at})
	})
}

// acceptanceID is the id of an acceptance in POST /network/poll.
func acceptanceID(a *account, key string) string {
	return "net-" + hex(seeded("accepted", a.token, key), 16)
}

// watchReply schedules the inbox.messageReceived of the answer a
// responsive person gives to the i-th message the account sent them.
// Callers hold s.mu.
func (s *Sandbox) watchReply(a *account, c *conversation, i int) {
	if s.opts.ReplyAfter <= 0 || !c.responsive {
		return
	}
	r := s.replyTo(c, i)
	s.later(a, r.at, func(a *account) { s.emitMessage(a, c, r) })
}

// replyTo is the answer to the i-th message the account sent in c.
func (s *Sandbox) replyTo(c *conversation, i int) message {
	m := c.sent[i]
	thread := c.threadID[len("thread-"):]
	at := m.at.Add(s.delay("reply", c.personKey, s.opts.ReplyAfter))
	text := pick(seeded("reply", thread, m.ID), s.gen.v.reply)
	return message{ID: fmt.Sprintf("msg-%s-r%d", thread, i+1), Sender: "them", Text: text, Time: iso(at), at: at}
}

// collect brings every account up to the sandbox's now, fires the timed
// checks the clock passed and returns the events made since the last
// call, in the order they happened, with the time of the next known
// change (zero when none is known).
func (s *Sandbox) collect() ([]hookEvent, time.Time) {
	now := s.now()
	s.mu.Lock()
	tokens := make([]string, 0, len(s.accounts))
	for t := range s.accounts {
		tokens = append(tokens, t)
	}
	sort.Strings(tokens) // the same order every time, for the fault dice
	for _, t := range tokens {
		s.advance(s.accounts[t], now)
	}
	for s.checks.Len() > 0 && !s.checks[0].at.After(now) {
		it := heap.Pop(&s.checks).(timed)
		it.fire(it.acct)
	}
	evs := s.events
	s.events = nil
	var next time.Time
	soonest := func(t time.Time) {
		if t.After(now) && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	if s.checks.Len() > 0 {
		soonest(s.checks[0].at)
	}
	for _, a := range s.accounts {
		if len(a.queue) == 0 {
			continue
		}
		w := a.queue[0]
		switch {
		case !w.started:
			soonest(w.planned)
		case w.applied < len(w.events):
			soonest(w.events[w.applied].at)
		default:
			soonest(w.finish)
		}
	}
	s.mu.Unlock()
	sort.SliceStable(evs, func(i, j int) bool {
		if !evs[i].at.Equal(evs[j].at) {
			return evs[i].at.Before(evs[j].at)
		}
		return evs[i].seq < evs[j].seq
	})
	return evs, next
}

// enableEvents starts making events: every account is brought up to now
// first, so that what happened before the first webhook is not delivered,
// then the acceptances and replies still to come are scheduled. Callers
// hold s.mu.
func (s *Sandbox) enableEvents(now time.Time) {
	if s.hooksOn {
		return
	}
	for _, a := range s.accounts {
		s.advance(a, now)
	}
	s.hooksOn = true
	for _, a := range s.accounts {
		a.people.each(func(key string, ps *personState) {
			if ps.sentAt.Add(ps.acceptAfter).After(now) {
				s.watchAcceptance(a, key, ps)
			}
		})
		a.conversations.each(func(_ string, c *conversation) {
			for i := range c.sent {
				if s.opts.ReplyAfter > 0 && c.responsive && s.replyTo(c, i).at.After(now) {
					s.watchReply(a, c, i)
				}
			}
		})
	}
}
