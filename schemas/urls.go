package schemas

import (
	"net/url"
	"strings"
)

// NormalizePersonURL gives the one form of a LinkedIn person URL that the
// contact ledger compares: lower-case, without query, fragment or
// trailing slash, and, on LinkedIn's own hosts (linkedin.com,
// de.linkedin.com, …), with https://www.linkedin.com in front. A URL
// without a scheme gets https.
func NormalizePersonURL(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return ""
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return strings.TrimRight(s, "/")
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.User = "", "", "", nil
	if u.Host == "linkedin.com" || strings.HasSuffix(u.Host, ".linkedin.com") {
		u.Scheme, u.Host = "https", "www.linkedin.com"
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String()
}

// personPaths are the path prefixes of LinkedIn member URLs: /in/…
// (public and hashed), and Sales Navigator's /sales/lead/… and
// /sales/people/….
var personPaths = []string{"/in/", "/sales/lead/", "/sales/people/"}

// IsPersonURL reports whether a URL names a LinkedIn member.
func IsPersonURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	p := strings.ToLower(u.Path)
	for _, pre := range personPaths {
		if strings.HasPrefix(p, pre) && len(p) > len(pre) {
			return true
		}
	}
	return false
}

// LooksLikePersonURL reports whether text holds a LinkedIn member URL,
// with or without a scheme: what a lead list's cell holds.
func LooksLikePersonURL(text string) bool {
	l := strings.ToLower(text)
	for _, pre := range personPaths {
		if strings.Contains(l, "linkedin.com"+pre) {
			return true
		}
	}
	return false
}

// PersonParams are the parameters by which an action names the person it
// reaches, in the order lwf prefers them: the public URL first, since
// that is what lead lists hold.
var personParams = []string{"personUrl", "personHashedUrl"}

// PersonParams returns the parameters by which an action names the
// person it reaches; none for actions about companies, posts and jobs.
func (a *Action) PersonParams() []string {
	var out []string
	for _, p := range personParams {
		if _, ok := a.Param(p); ok {
			out = append(out, p)
		}
	}
	return out
}

// ReachesPerson reports whether an action reaches a person in a way the
// contact ledger remembers: a write action that names its person and
// counts against a LinkedIn limit (connection requests, messages, Sales
// Navigator messages). Withdrawing a request or removing a connection
// contacts nobody; comments and reactions address posts, not people.
func (a *Action) ReachesPerson() bool {
	return a.Write && a.Category != "" && len(a.PersonParams()) > 0
}

// PersonIn returns the person a step's parameters name: the first of
// personUrl and personHashedUrl that is a non-empty string.
func PersonIn(params map[string]any) string {
	for _, k := range personParams {
		if s, ok := params[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}
