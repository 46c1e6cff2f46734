package sandbox

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// post is one synthetic post. Its activity id carries its time (as
// LinkedIn's do), so a listed post and the same post opened by URL agree.
type post struct {
	id      uint64
	url     string
	at      time.Time
	text    string
	topic   string
	author  person
	repost  bool
	images  int
	video   bool
	poll    bool
	reacts  int
	comms   int
	reposts int
}

func postID(at time.Time, r *rand.Rand) uint64 {
	return uint64(at.UnixMilli())<<22 | uint64(r.IntN(1<<22))
}

func (g *generator) postFromID(id uint64) post {
	r := seeded("post", strconv.FormatUint(id, 10))
	p := post{id: id, url: fmt.Sprintf("https://www.linkedin.com/feed/update/urn:li:activity:%d", id)}
	p.at = time.UnixMilli(int64(id >> 22)).UTC()
	p.topic = pick(r, g.v.topic)
	p.text = fmt.Sprintf(pick(r, g.v.post), p.topic)
	p.author = g.person(g.randomPerson(r, kindOther))
	p.repost = r.IntN(6) == 0
	p.images = []int{0, 0, 1, 1, 2, 3}[r.IntN(6)]
	p.video = p.images == 0 && r.IntN(5) == 0
	p.poll = !p.video && p.images == 0 && r.IntN(8) == 0
	p.reacts = between(r, 0, 900)
	p.comms = between(r, 0, p.reacts/8+2)
	p.reposts = between(r, 0, p.reacts/20+1)
	return p
}

// postFromURL derives a post from its URL: a sandbox activity id (in
// urn:li:activity:<id> or a /posts/<author>_…-activity-<id>-… URL) gives
// that post, with the author the URL names; any other URL gets a post from
// its hash, dated within the last month.
func (g *generator) postFromURL(raw string, anchor time.Time) post {
	raw = strings.TrimSpace(raw)
	var p post
	if id, ok := activityID(raw); ok {
		p = g.postFromID(id)
	} else {
		r := seeded("post-url", strings.ToLower(raw))
		at := anchor.Add(-time.Duration(between(r, 1, 30*24)) * time.Hour)
		p = g.postFromID(postID(at, r))
	}
	p.url = raw
	segs := urlSegments(raw)
	for i, s := range segs {
		if s == "posts" && i+1 < len(segs) {
			if slug, _, ok := strings.Cut(segs[i+1], "_"); ok && slug != "" {
				p.author = g.person(slug)
			}
		}
	}
	return p
}

// activityID finds the sandbox activity id in a post URL.
func activityID(raw string) (uint64, bool) {
	for _, marker := range []string{"activity:", "activity-"} {
		i := strings.LastIndex(raw, marker)
		if i < 0 {
			continue
		}
		rest := raw[i+len(marker):]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if id, err := strconv.ParseUint(rest[:j], 10, 64); err == nil && id>>22 > 0 {
			return id, true
		}
	}
	return 0, false
}

// postOwner says whose posts a list shows: a person's, a company's, or the
// account's feed.
type postOwner struct {
	seed    string
	person  *person
	company *company
	feed    bool
}

// timeline returns n times counting back from anchor, newest first, that
// are not before since. Its own random source makes a shorter timeline a
// prefix of a longer one.
func timeline(seed string, n int, anchor, since time.Time, minGap, maxGap time.Duration) []time.Time {
	r := seeded("timeline", seed)
	var out []time.Time
	t := anchor.Add(-time.Duration(between(r, 1, 36)) * time.Hour)
	for i := 0; i < n; i++ {
		if !since.IsZero() && t.Before(since) {
			break
		}
		out = append(out, t)
		t = t.Add(-(minGap + time.Duration(r.Int64N(int64(maxGap-minGap)))))
	}
	return out
}

// posts lists an owner's posts, newest first. A person's posts have
// /posts/<slug>_…-activity-<id> URLs that carry the author, so opening
// one shows the same post by the same person.
func (g *generator) posts(o postOwner, n int, anchor, since time.Time) []map[string]any {
	items := []map[string]any{}
	for i, at := range timeline("posts "+o.seed, n, anchor, since, 6*time.Hour, 9*24*time.Hour) {
		r := seeded("posts", o.seed, strconv.Itoa(i))
		p := g.postFromID(postID(at, r))
		if o.person != nil {
			p.author = *o.person
			p.url = fmt.Sprintf("https://www.linkedin.com/posts/%s_%s-activity-%d-%s", o.person.key, slugify(p.topic), p.id, hex(r, 4))
		}
		d := g.postData(p, true)
		if o.company != nil {
			d["author"] = map[string]any{"type": "company", "name": o.company.name, "companyUrl": o.company.publicURL}
		}
		if o.feed {
			ctx := pick(r, g.v.feedCtx)
			if r.IntN(2) == 0 {
				ctx = fmt.Sprintf(ctx, pick(r, g.v.first)+" "+pick(r, g.v.last))
			} else {
				ctx = ""
			}
			d["feedContext"] = ctx
		}
		items = append(items, d)
	}
	return items
}

func (g *generator) personComments(p person, n int, anchor, since time.Time) []map[string]any {
	items := []map[string]any{}
	for i, at := range timeline("person-comments "+p.key, n, anchor, since, 3*time.Hour, 6*24*time.Hour) {
		r := seeded("person-comments", p.key, strconv.Itoa(i))
		id := postID(at.Add(-time.Duration(between(r, 1, 48))*time.Hour), r)
		items = append(items, map[string]any{
			"postUrl": fmt.Sprintf("https://www.linkedin.com/feed/update/urn:li:activity:%d", id),
			"time":    iso(at), "text": pick(r, g.v.comment), "image": nil, "reactionsCount": between(r, 0, 40),
		})
	}
	return items
}

// reactionType draws a reaction, likes being the most common.
func reactionType(r *rand.Rand) string {
	return [...]string{"like", "like", "like", "celebrate", "support", "love", "insightful", "funny"}[r.IntN(8)]
}

func (g *generator) personReactions(p person, n int, anchor, since time.Time) []map[string]any {
	items := []map[string]any{}
	for i, at := range timeline("person-reactions "+p.key, n, anchor, since, 2*time.Hour, 4*24*time.Hour) {
		r := seeded("person-reactions", p.key, strconv.Itoa(i))
		id := postID(at.Add(-time.Duration(between(r, 1, 48))*time.Hour), r)
		items = append(items, map[string]any{
			"postUrl":      fmt.Sprintf("https://www.linkedin.com/feed/update/urn:li:activity:%d", id),
			"time":         iso(at),
			"reactionType": reactionType(r),
		})
	}
	return items
}

func (g *generator) postComments(p post, n int, replies bool, anchor time.Time) []map[string]any {
	r := seeded("post-comments", strconv.FormatUint(p.id, 10))
	items := []map[string]any{}
	at := p.at
	for i := 0; i < n; i++ {
		at = at.Add(time.Duration(between(r, 5, 600)) * time.Minute)
		if at.After(anchor) {
			at = anchor
		}
		c := g.person(g.randomPerson(r, kindOther))
		id := digitString(r, 19)
		urn := fmt.Sprintf("urn:li:comment:(urn:li:activity:%d,%s)", p.id, id)
		items = append(items, map[string]any{
			"commenterUrl": c.publicURL, "commenterName": c.name(), "commenterHeadline": c.headline(),
			"commenterType": "person", "time": iso(at), "text": pick(r, g.v.comment), "image": nil,
			"isReply": replies && i%3 == 2, "reactionsCount": between(r, 0, 30), "repliesCount": between(r, 0, 3),
			"commentUrn": urn, "commentUrl": p.url + "?commentUrn=" + urlEscape(urn),
		})
	}
	return items
}

func (g *generator) postReactions(p post, n int) []map[string]any {
	r := seeded("post-reactions", strconv.FormatUint(p.id, 10))
	items := []map[string]any{}
	for i := 0; i < n; i++ {
		e := g.person(g.randomPerson(r, kindOther))
		items = append(items, map[string]any{
			"engagerUrl": e.publicURL, "engagerName": e.name(), "engagerHeadline": e.headline(),
			"engagerType": "person", "type": reactionType(r),
		})
	}
	return items
}
