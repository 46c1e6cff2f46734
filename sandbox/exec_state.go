package sandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/lwf-dev/lwf/schemas"
)

// resolve finds what the action acts on: the entity URL among its
// parameters, else what its parent supplies.
func (x *execution) resolve(a *schemas.Action, params map[string]any, parent subject) subject {
	g := x.s.gen
	subj := parent
	set := func(u string) { subj.url = u }
	for _, k := range []string{"personUrl", "personHashedUrl"} {
		if u := str(params, k); u != "" {
			p := g.person(u)
			subj = subject{person: &p}
			set(u)
		}
	}
	if strings.Contains(a.Name, "CompanyPage") {
		for _, k := range []string{"companyUrl", "companyHashedUrl"} {
			if u := str(params, k); u != "" {
				c := g.company(u)
				subj = subject{company: &c}
				set(u)
			}
		}
	}
	if u := str(params, "postUrl"); u != "" {
		p := g.postFromURL(u, x.anchor)
		subj = subject{post: &p}
		set(u)
	}
	if u := str(params, "jobUrl"); u != "" {
		j := g.jobFromURL(u)
		subj = subject{job: &j}
		set(u)
	}
	if t := str(params, "threadId"); t != "" && subj.person == nil {
		if c := x.acct.thread(t); c != nil {
			p := g.person(c.personKey)
			subj.person = &p
		}
	}
	return subj
}

// itemSubject is what a doFor* child acts on for one list item.
func (x *execution) itemSubject(entity string, item map[string]any) subject {
	g := x.s.gen
	u := func(k string) string { s, _ := item[k].(string); return s }
	switch entity {
	case "person", "connection", "pendingRequest":
		p := g.person(u("publicUrl"))
		return subject{person: &p, url: u("publicUrl")}
	case "nvPerson":
		p := g.person(u("hashedUrl"))
		return subject{person: &p, url: u("hashedUrl")}
	case "company":
		c := g.company(u("publicUrl"))
		return subject{company: &c, url: u("publicUrl")}
	case "nvCompany":
		c := g.company(u("hashedUrl"))
		return subject{company: &c, url: u("hashedUrl")}
	case "post", "feedPost":
		p := g.postFromURL(u("url"), x.anchor)
		return subject{post: &p, url: u("url")}
	case "job":
		j := g.jobFromURL(u("jobUrl"))
		return subject{job: &j, url: u("jobUrl")}
	}
	return subject{}
}

// status is the connection status with p at time at, as this workflow
// sees it: its own changes, else the account's, else p's initial status.
// A pending request to a responsive person turns into a connection
// Options.AcceptAfter after it was sent.
func (x *execution) status(p person, at time.Time) string {
	ps, ok := x.people[p.key]
	if !ok {
		ps, ok = x.acct.people.get(p.key)
	}
	if !ok {
		return p.initialStatus
	}
	st, _ := x.s.effectiveStatus(ps, at)
	return st
}

func (s *Sandbox) effectiveStatus(ps *personState, at time.Time) (string, time.Time) {
	if ps.status == statusPending && s.opts.AcceptAfter > 0 && ps.responsive && !at.Before(ps.sentAt.Add(ps.acceptAfter)) {
		return statusConnected, ps.sentAt.Add(ps.acceptAfter)
	}
	return ps.status, ps.connectedAt
}

// delay is how long a responsive person takes to accept or to answer:
// base, plus their own share of Options.Spread (decided by their key).
func (s *Sandbox) delay(kind, key string, base time.Duration) time.Duration {
	if s.opts.Spread <= 0 || base <= 0 {
		return base
	}
	return base + time.Duration(seeded("spread", kind, key).Int64N(int64(s.opts.Spread)))
}

// setPerson changes the relationship with p from at on.
func (x *execution) setPerson(p person, status string, at time.Time) {
	x.s.seq++
	ps := &personState{seq: x.s.seq, status: status, changedAt: at, responsive: p.responsive, name: p.name(), publicURL: p.publicURL, headline: p.headline(),
		acceptAfter: x.s.delay("accept", p.key, x.s.opts.AcceptAfter)}
	switch status {
	case statusPending:
		ps.sentAt = at
	case statusConnected:
		ps.connectedAt = at
	}
	x.people[p.key] = ps
	key := p.key
	s := x.s
	x.later(at, func(a *account) {
		a.people.put(key, ps)
		s.watchAcceptance(a, key, ps)
	})
}

// effects records what a successful action changed on the account.
func (x *execution) effects(a *schemas.Action, params map[string]any, subj subject, at time.Time) {
	ns := a.Namespace()
	switch a.Short() {
	case "sendConnectionRequest":
		x.setPerson(*subj.person, statusPending, at)
	case "withdrawConnectionRequest", "removeConnection":
		x.setPerson(*subj.person, statusNotConnected, at)
	case "syncConversation":
		days := 30
		if d, ok := intParam(params, "days"); ok {
			days = d
		}
		x.conversation(ns, subj, at, func(_ *account, c *conversation) {
			if c.syncedAt.IsZero() || days != c.days {
				c.syncedAt, c.days = at, days
			}
		})
	case "sendMessage":
		text := str(params, "text")
		s := x.s
		x.conversation(ns, subj, at, func(acc *account, c *conversation) {
			id := fmt.Sprintf("msg-%s-%d", c.threadID[len("thread-"):], len(c.sent)+1)
			m := message{ID: id, Sender: "us", Text: text, Time: iso(at), at: at}
			c.sent = append(c.sent, m)
			s.emitMessage(acc, c, m)
			s.watchReply(acc, c, len(c.sent)-1)
		})
	case "syncInbox":
		x.later(at, func(acc *account) {
			if _, ok := acc.inboxSynced[ns]; !ok {
				acc.inboxSynced[ns] = at
			}
		})
	case "syncNetwork":
		x.later(at, func(acc *account) {
			if acc.networkSynced.IsZero() {
				acc.networkSynced = at
			}
		})
	case "acceptInvitation", "ignoreInvitation":
		key := invitationKey(params)
		accepted := a.Short() == "acceptInvitation"
		if accepted && str(params, "invitationType") == "connect" && subj.person != nil {
			x.setPerson(*subj.person, statusConnected, at)
			u := subj.person.publicURL
			s := x.s
			x.later(at, func(acc *account) {
				ev := networkEvent{ID: "net-" + key, Type: "connectionAdded", PersonURL: u, DetectedAt: iso(at), at: at}
				acc.networkAdds = append(acc.networkAdds, ev)
				if len(acc.networkAdds) > DefaultMaxListItems*10 {
					acc.networkAdds = acc.networkAdds[1:]
				}
				s.emitNetwork(acc, ev)
			})
		}
		x.later(at, func(acc *account) { acc.handled[key] = true })
	}
}

// conversation changes the ns conversation with the subject's person (or
// thread), creating it when needed.
func (x *execution) conversation(ns string, subj subject, at time.Time, f func(acc *account, c *conversation)) {
	if subj.person == nil {
		return
	}
	p := *subj.person
	ck := ns + " " + p.key
	x.later(at, func(acc *account) {
		c, ok := acc.conversations.get(ck)
		if !ok {
			c = &conversation{typ: ns, personKey: p.key, personURL: p.publicURL, hashedURL: p.hashedURL,
				threadID: "thread-" + hex(seeded("thread", acc.token, ck), 16), responsive: p.responsive}
			acc.conversations.put(ck, c)
		}
		f(acc, c)
	})
}

func invitationKey(params map[string]any) string {
	return str(params, "invitationType") + " " + str(params, "personUrl") + str(params, "companyUrl") + str(params, "newsletterUrl")
}

func intParam(params map[string]any, key string) (int, bool) {
	f, ok := numParam(params[key])
	return int(f), ok
}
