package sandbox

import (
	"net/url"
	"slices"
	"strings"
)

// Linked API answers personNotFound (companyNotFound, postNotFound, …)
// for a URL that cannot name a LinkedIn member (company, post, …): one
// on another host, or a bare name. The sandbox checks the kind of every
// URL parameter by its host and path.

// urlKind returns the error of a URL parameter of the wrong kind and the
// path prefixes of its kind.
func urlKind(param string) (errType string, prefixes []string) {
	switch param {
	case "personUrl", "personHashedUrl":
		return "personNotFound", []string{"/in/", "/sales/lead/", "/sales/people/"}
	case "companyUrl", "companyHashedUrl":
		return "companyNotFound", []string{"/company/", "/sales/company/", "/school/", "/showcase/"}
	case "postUrl":
		return "postNotFound", []string{"/feed/update/", "/posts/", "/pulse/"}
	case "commentUrl": // its shape is not documented: any LinkedIn page
		return "commentNotFound", []string{"/"}
	case "jobUrl":
		return "jobNotFound", []string{"/jobs/view/", "/jobs/"}
	}
	return "", nil
}

// linkedInURL reports whether raw is an http(s) URL on a LinkedIn host
// (linkedin.com or a subdomain; the scheme may be left out) whose path
// starts with one of the prefixes and names something after it.
func linkedInURL(raw string, prefixes []string) bool {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.User != nil {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if host != "linkedin.com" && !strings.HasSuffix(host, ".linkedin.com") {
		return false
	}
	path := strings.ToLower(u.Path)
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(path, p); ok && strings.Trim(rest, "/") != "" {
			return true
		}
	}
	// A job opened from a collection: /jobs/…?currentJobId=123.
	return strings.HasPrefix(path, "/jobs/") && u.Query().Get("currentJobId") != "" && slices.Contains(prefixes, "/jobs/")
}

// wrongURL returns the error of the first URL parameter that cannot name
// what it should, if the action lists that error.
func wrongURL(params map[string]any, listed func(string) bool) string {
	for _, k := range []string{"personUrl", "personHashedUrl", "companyUrl", "companyHashedUrl", "postUrl", "commentUrl", "jobUrl"} {
		v, ok := params[k].(string)
		if !ok {
			continue
		}
		if e, prefixes := urlKind(k); !linkedInURL(v, prefixes) && listed(e) {
			return e
		}
	}
	return ""
}
