package sandbox

import (
	"fmt"
	"sort"
	"strconv"
	"time"
)

// knownPeople returns the account's people as this workflow sees them.
func (x *execution) knownPeople() map[string]*personState {
	out := map[string]*personState{}
	x.acct.people.each(func(k string, ps *personState) { out[k] = ps })
	for k, ps := range x.people {
		out[k] = ps
	}
	return out
}

// connections lists the account's connections, newest first: the ones
// made in the sandbox, then its synthetic network (people whose generated
// slug marks them as connected), without the ones removed since.
func (x *execution) connections(params, filter map[string]any, since, at time.Time) []map[string]any {
	g := x.s.gen
	type conn struct {
		name, url, headline, location string
		at                            time.Time
		seq                           int64
	}
	var list []conn
	known := x.knownPeople()
	for _, ps := range known {
		if st, when := x.s.effectiveStatus(ps, at); st == statusConnected && !when.IsZero() {
			p := g.person(ps.publicURL)
			list = append(list, conn{ps.name, ps.publicURL, ps.headline, p.location, when, ps.seq})
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].at.Equal(list[j].at) {
			return list[i].at.After(list[j].at)
		}
		return list[i].seq > list[j].seq
	})
	for i, t := range timeline("connections "+x.acct.token, defaultConnectionCount, x.anchor, time.Time{}, 20*time.Hour, 20*24*time.Hour) {
		p := g.person(g.randomPerson(seeded("connections", x.acct.token, strconv.Itoa(i)), kindConnection))
		if ps, ok := known[p.key]; ok {
			if st, _ := x.s.effectiveStatus(ps, at); st != statusConnected {
				continue
			}
			if !ps.connectedAt.IsZero() {
				continue // listed above
			}
		}
		list = append(list, conn{p.name(), p.publicURL, p.headline(), p.location, t, 0})
	}
	n := len(list)
	if l, ok := intParam(params, "limit"); ok {
		n = l
	}
	w := wantPeople(filter, "")
	items := []map[string]any{}
	for _, c := range list {
		if len(items) >= min(n, x.s.opts.MaxListItems) {
			break
		}
		if !since.IsZero() && c.at.Before(since) {
			continue
		}
		if len(filter) > 0 && !matchPerson(g.person(c.url), w) {
			continue
		}
		item := map[string]any{"name": c.name, "publicUrl": c.url, "headline": c.headline, "location": c.location}
		if !since.IsZero() {
			item["connectedAt"] = iso(c.at)
		}
		items = append(items, item)
	}
	return items
}

// pendingRequests lists the connection requests the account sent in the
// sandbox that are still pending, newest first.
func (x *execution) pendingRequests(at time.Time) []map[string]any {
	var list []*personState
	for _, ps := range x.knownPeople() {
		if st, _ := x.s.effectiveStatus(ps, at); st == statusPending {
			list = append(list, ps)
		}
	}
	sort.Slice(list, func(i, j int) bool {
		if !list[i].sentAt.Equal(list[j].sentAt) {
			return list[i].sentAt.After(list[j].sentAt)
		}
		return list[i].seq > list[j].seq
	})
	items := []map[string]any{}
	for _, ps := range list {
		if len(items) >= x.s.opts.MaxListItems {
			break
		}
		items = append(items, map[string]any{"name": ps.name, "publicUrl": ps.publicURL, "headline": ps.headline,
			"sentTime": ago(at.Sub(ps.sentAt))})
	}
	return items
}

// ago renders a duration the way LinkedIn shows request ages.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return quantity(int(d/time.Minute), "minute") + " ago"
	case d < 24*time.Hour:
		return quantity(int(d/time.Hour), "hour") + " ago"
	case d < 7*24*time.Hour:
		return quantity(int(d/(24*time.Hour)), "day") + " ago"
	case d < 30*24*time.Hour:
		return quantity(int(d/(7*24*time.Hour)), "week") + " ago"
	}
	return quantity(int(d/(30*24*time.Hour)), "month") + " ago"
}

// invitations lists the account's incoming invitations that it has not
// accepted or ignored yet: a few connection requests, a company follow
// and a newsletter subscription, the same for every run.
func (x *execution) invitations() []map[string]any {
	g := x.s.gen
	r := seeded("invitations", x.acct.token)
	items := []map[string]any{}
	add := func(item map[string]any, url string) {
		if !x.acct.handled[invitationKey(map[string]any{"invitationType": item["invitationType"], "personUrl": url})] &&
			!x.acct.handled[invitationKey(map[string]any{"invitationType": item["invitationType"], "companyUrl": url})] &&
			!x.acct.handled[invitationKey(map[string]any{"invitationType": item["invitationType"], "newsletterUrl": url})] {
			items = append(items, item)
		}
	}
	for i := 0; i < 3; i++ {
		p := g.person(g.randomPerson(r, kindInviter))
		add(map[string]any{"invitationType": "connect", "name": p.name(), "publicUrl": p.publicURL,
			"headline": p.headline(), "note": pick(r, g.v.opener)}, p.publicURL)
	}
	inviter := g.person(g.randomPerson(r, kindOther))
	c := g.company(pick(r, g.v.coA) + "-" + pick(r, g.v.coB))
	add(map[string]any{"invitationType": "companyFollow", "name": inviter.name(), "publicUrl": inviter.publicURL,
		"companyUrl": c.publicURL, "companyName": c.name}, c.publicURL)
	topic := pick(r, g.v.topic)
	nl := fmt.Sprintf("https://www.linkedin.com/newsletters/%s-%s", slugify(topic), digitString(r, 19))
	add(map[string]any{"invitationType": "newsletterSubscribe", "name": inviter.name(), "publicUrl": inviter.publicURL,
		"newsletterUrl": nl, "newsletterName": "Notes on " + topic}, nl)
	return items
}
