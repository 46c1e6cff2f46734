package serve

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/lwf-dev/lwf/results"
)

//go:embed templates/*.html static/style.css
var assets embed.FS

// pageNames are the dashboard's pages, one template file each, each
// rendered inside layout.html.
var pageNames = []string{"overview", "sequence", "leads", "lead", "accounts", "runs", "run", "events", "login", "error"}

var funcs = template.FuncMap{
	// path escapes one segment of a URL path.
	"path": url.PathEscape,
	"when": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"iso":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"plural":  results.Plural,
	"percent": percent,
	"add":     func(a, b int) int { return a + b },
	"duration": func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return d.String()
	},
}

func parseTemplates() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/partials.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("serve: template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// securityHeaders are sent with every page: no scripts at all, styles
// from this server only, forms posted here only, no framing.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}

// render executes a page into a buffer first, so that a template error
// never sends half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, p page) {
	var buf bytes.Buffer
	if err := s.tmpl[name].Execute(&buf, p); err != nil {
		s.logf("rendering %s: %v", name, err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	securityHeaders(w.Header())
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) style(w http.ResponseWriter, r *http.Request) {
	b, _ := assets.ReadFile("static/style.css")
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "max-age=3600")
	_, _ = w.Write(b)
}
