package schemas

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/lwf-dev/lwf/diag"
)

// urlKindsFile holds the kinds of LinkedIn URL the catalog's parameters
// take: data, like the action files.
//
//go:embed urls.json
var urlKindsFile []byte

// The URL kinds of urls.json, as a parameter's x-lwf-url names them.
const (
	URLPerson  = "person"
	URLCompany = "company"
	URLPost    = "post"
	URLJob     = "job"
)

// URLKind is a kind of LinkedIn URL (a person's, a company's, …) and the
// forms it comes in.
type URLKind struct {
	Name  string
	Forms []URLForm
	once  sync.Once // compiles the forms' expressions when first matched
	err   error
}

// URLForm is one form of a kind of URL: "public or hashed", "Sales
// Navigator", ….
type URLForm struct {
	Name    string `json:"name"`
	Path    string `json:"path"` // a regular expression on the URL's path
	Example string `json:"example"`
	re      *regexp.Regexp
}

// loadURLKinds reads urls.json.
func loadURLKinds() (map[string]*URLKind, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(urlKindsFile, &raw); err != nil {
		return nil, fmt.Errorf("urls.json: %w", err)
	}
	kinds := map[string]*URLKind{}
	for name, body := range raw {
		if strings.HasPrefix(name, "$") {
			continue
		}
		var k struct{ Forms []URLForm }
		if err := json.Unmarshal(body, &k); err != nil {
			return nil, fmt.Errorf("urls.json %s: %w", name, err)
		}
		kinds[name] = &URLKind{Name: name, Forms: k.Forms}
	}
	return kinds, nil
}

// compile compiles the forms' expressions, once; Load reports an error,
// and a kind whose forms do not compile matches nothing.
func (k *URLKind) compile() error {
	k.once.Do(func() {
		for i := range k.Forms {
			re, err := regexp.Compile("(?i)" + k.Forms[i].Path)
			if err != nil {
				k.err = fmt.Errorf("urls.json %s: %w", k.Name, err)
				return
			}
			k.Forms[i].re = re
		}
	})
	return k.err
}

// URLKinds returns the kinds of URL, sorted by name.
func (c *Catalog) URLKinds() []*URLKind { return slices.Clone(c.kindList) }

// sortedKinds lists kinds by name.
func sortedKinds(kinds map[string]*URLKind) []*URLKind {
	out := make([]*URLKind, 0, len(kinds))
	for _, k := range kinds {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// URLKind returns the kind of URL a parameter takes ("" for a parameter
// that is no LinkedIn URL): its x-lwf-url keyword.
func (p Param) URLKind() string {
	k, _ := p.Schema["x-lwf-url"].(string)
	return k
}

// linkedInPath returns the path of s when s is a URL on linkedin.com or
// one of its subdomains (http, https or no scheme).
func linkedInPath(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if host != "linkedin.com" && !strings.HasSuffix(host, ".linkedin.com") {
		return "", false
	}
	return u.Path, true
}

// ClassifyURL says which kind of LinkedIn URL s is: the kind's name, ""
// for a LinkedIn URL of no kind the catalog knows (a feed, a search), and
// linkedIn false for anything that is no LinkedIn URL.
func (c *Catalog) ClassifyURL(s string) (kind string, linkedIn bool) {
	path, ok := linkedInPath(s)
	if !ok {
		return "", false
	}
	for _, k := range c.kindList {
		if k.matches(path) {
			return k.Name, true
		}
	}
	return "", true
}

func (k *URLKind) matches(path string) bool {
	if k.compile() != nil {
		return false
	}
	for _, f := range k.Forms {
		if f.re.MatchString(path) {
			return true
		}
	}
	return false
}

// checkURLs checks the parameters of a that take a LinkedIn URL: each
// string given must be a URL of the parameter's kind. Values not known
// yet, and empty ones (minLength reports those), are left alone.
func (c *Catalog) checkURLs(ptr string, a *Action, params map[string]any) []Problem {
	var ps []Problem
	for _, p := range a.Params {
		kind := c.urlKinds[p.URLKind()]
		s, isStr := params[p.Name].(string)
		if kind == nil || !isStr || strings.TrimSpace(s) == "" {
			continue
		}
		got, linkedIn := c.ClassifyURL(s)
		var msg string
		switch {
		case got == kind.Name:
			continue
		case !linkedIn:
			msg = fmt.Sprintf("%s: %s is not a LinkedIn URL", p.Name, show(s))
		case got != "":
			msg = fmt.Sprintf("%s: %s is a %s URL, not a %s URL", p.Name, show(s), got, kind.Name)
		default:
			msg = fmt.Sprintf("%s: %s is not the URL of a LinkedIn %s", p.Name, show(s), kind.Name)
		}
		ps = append(ps, Problem{Pointer: pointerJoin(ptr, p.Name), At: AtValue, Code: string(diag.CodeParamValue),
			Message: msg, Hint: kind.hint()})
	}
	return ps
}

// hint shows what a URL of the kind looks like.
func (k *URLKind) hint() string {
	var ex []string
	for _, f := range k.Forms {
		ex = append(ex, f.Example+" ("+f.Name+")")
	}
	return fmt.Sprintf("a %s URL looks like %s", k.Name, strings.Join(ex, " or "))
}
