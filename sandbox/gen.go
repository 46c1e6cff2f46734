package sandbox

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"time"
)

// generator makes the synthetic data. Every value is a pure function of
// its seed parts (a URL, a search, an index) and of the anchor — the start
// of the sandbox clock's current UTC day, from which dates are counted
// back — so the same input gives the same data on every run.
type generator struct {
	v                       *vocab
	people, companies, jobs *codec
}

func newGenerator() *generator {
	v := newVocab()
	return &generator{
		v: v,
		people: newCodec("person", "", 36, 64,
			slot{vocab: v.first, words: 3, shown: true},
			slot{vocab: v.last, words: 3, shown: true},
			slot{vocab: v.title, words: 8},
			slot{vocab: v.coSlug, words: 12},
			slot{vocab: v.city, words: 6},
			slot{n: 3},  // kind
			slot{n: 32}, // nonce
		),
		companies: newCodec("company", "", 36, 32,
			slot{vocab: v.coA, shown: true},
			slot{vocab: v.coB, words: 4, shown: true},
			slot{vocab: v.city, words: 6},
			slot{vocab: v.industry, words: 8},
			slot{n: len(v.sizes) + 1}, // 0: by hash, else a bucket
			slot{n: 16},               // nonce
		),
		jobs: newCodec("job", "4", 10, 8,
			slot{vocab: v.title, words: 8},
			slot{vocab: v.coSlug, words: 12},
			slot{vocab: v.city, words: 6},
			slot{n: len(enum(workplaceTypes))},
			slot{n: len(enum(employmentTypes))},
			slot{n: 2}, // easy apply
			slot{n: len(enum(applicantBuckets))},
			slot{n: len(v.posted)},
			slot{n: 2}, // promoted
			slot{n: 2}, // salary shown
			slot{n: 8}, // nonce
		),
	}
}

// seeded returns a random source determined by parts.
func seeded(parts ...string) *rand.Rand {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return rand.New(rand.NewPCG(binary.LittleEndian.Uint64(h[:8]), binary.LittleEndian.Uint64(h[8:16])))
}

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// between returns an int in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// hex returns n random lower-case hex digits.
func hex(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

// digits returns n random decimal digits, the first not zero.
func digitString(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}

// canonical renders v as JSON with sorted keys, for seeds.
func canonical(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// urlSegments returns the non-empty path segments of a LinkedIn URL (or of
// a bare slug), without query or fragment.
func urlSegments(raw string) []string {
	raw = strings.TrimSpace(raw)
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		raw = u.Path
	} else if i := strings.IndexAny(raw, "?#"); i >= 0 {
		raw = raw[:i]
	}
	var segs []string
	for _, s := range strings.Split(raw, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	return segs
}

// lastSegment is the last path segment of a URL, lower-cased: the token
// the error triggers look at.
func lastSegment(raw string) string {
	segs := urlSegments(raw)
	if len(segs) == 0 {
		return ""
	}
	s := segs[len(segs)-1]
	if i := strings.IndexByte(s, ','); i >= 0 { // Sales Navigator: /sales/lead/ID,NAME_SEARCH,xyz
		s = s[:i]
	}
	return strings.ToLower(s)
}

// Hashed URLs carry their public slug, so that a hashed URL and the public
// URL of the same person (or company) give the same entity.
const (
	personTokenPrefix  = "ACoAA"
	companyTokenPrefix = "ACwAA"
)

func token(prefix, slug string) string {
	return prefix + base64.RawURLEncoding.EncodeToString([]byte(slug))
}

// untoken returns the slug a sandbox token carries, or "".
func untoken(prefix, s string) string {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || !isSlug(string(b)) {
		return ""
	}
	return string(b)
}

func isSlug(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

// entityKey turns a person or company URL (public or hashed, or a bare
// slug) into the key its data derives from.
func entityKey(raw, marker, prefix string) string {
	segs := urlSegments(raw)
	id := ""
	for i, s := range segs {
		if (s == marker || s == "lead" || s == "people" || s == "company") && i+1 < len(segs) {
			id = segs[i+1]
		}
	}
	if id == "" && len(segs) > 0 {
		id = segs[len(segs)-1]
	}
	if i := strings.IndexByte(id, ','); i >= 0 {
		id = id[:i]
	}
	for _, p := range []string{personTokenPrefix, companyTokenPrefix} {
		if slug := untoken(p, id); slug != "" {
			return slug
		}
	}
	if strings.HasPrefix(id, personTokenPrefix) || strings.HasPrefix(id, companyTokenPrefix) {
		return id // a real hashed id: case matters
	}
	if id == "" {
		return strings.ToLower(strings.TrimSpace(raw))
	}
	return strings.ToLower(id)
}

func personKey(raw string) string  { return entityKey(raw, "in", personTokenPrefix) }
func companyKey(raw string) string { return entityKey(raw, "company", companyTokenPrefix) }

// nameWords returns the leading words of a slug made of letters only
// (two at least): "jane-doe-4f2a1c" → [jane doe].
func nameWords(slug string) []string {
	var out []string
	for _, p := range words(slug) {
		alpha := len(p) >= 2
		for _, r := range p {
			alpha = alpha && r >= 'a' && r <= 'z'
		}
		if !alpha {
			break
		}
		out = append(out, p)
	}
	return out
}

// slugify writes text as URL words: "São Paulo, Brazil" → sao-paulo-brazil.
func slugify(s string) string { return strings.Join(words(s), "-") }

// iso renders a time the way the API does.
func iso(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// dayAnchor is the start of t's UTC day: generated dates count back from
// it, so they stay the same all day (and forever with a fixed clock).
func dayAnchor(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

func quantity(n int, unit string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", unit)
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
