package serve

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// sessionCookie is the login cookie's name; its value is an expiry and
// an HMAC of it keyed by the token, so that it proves the token was
// given without holding it, and stops working when the token changes.
const (
	sessionCookie = "lwf_session"
	sessionLife   = 12 * time.Hour
)

// sessionValue returns the cookie value for a session that ends at exp.
func (s *Server) sessionValue(exp time.Time) string {
	e := strconv.FormatInt(exp.Unix(), 10)
	return e + "." + s.mac("lwf-serve-session-v1|"+e)
}

func (s *Server) mac(msg string) string {
	m := hmac.New(sha256.New, []byte(s.opts.Token))
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}

// validSession checks a cookie value: its HMAC, then its expiry.
func (s *Server) validSession(v string) bool {
	e, sum, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	if !hmac.Equal([]byte(sum), []byte(s.mac("lwf-serve-session-v1|"+e))) {
		return false
	}
	exp, err := strconv.ParseInt(e, 10, 64)
	return err == nil && time.Now().Unix() < exp
}

// tokenEqual compares a presented token with the server's in constant
// time, lengths included (both are hashed first).
func (s *Server) tokenEqual(given string) bool {
	a := sha256.Sum256([]byte(given))
	b := sha256.Sum256([]byte(s.opts.Token))
	return subtle.ConstantTimeCompare(a[:], b[:]) == 1
}

// authenticated reports whether a request carries the token: a bearer
// header or the login cookie. Without a token everything is.
func (s *Server) authenticated(r *http.Request) bool {
	if s.opts.Token == "" {
		return true
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		return ok && strings.EqualFold(scheme, "Bearer") && s.tokenEqual(strings.TrimSpace(tok))
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		return s.validSession(c.Value)
	}
	return false
}

// LoopbackHost reports whether a host (a Host header or a listen
// address, with or without a port) names this machine only: localhost
// or a loopback IP.
func LoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// guard lets a request through to h when it may see the dashboard:
// without a token, only requests addressed to a loopback host (a page
// elsewhere that rebinds its name to 127.0.0.1 still sends its own
// name); with one, authenticated requests. Others are sent to the login
// form (pages) or refused (metrics, forms).
func (s *Server) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Token == "" && !LoopbackHost(r.Host) {
			http.Error(w, "lwf serve without a token answers requests to a loopback address only", http.StatusForbidden)
			return
		}
		if !s.authenticated(r) {
			if r.Method == http.MethodGet && !strings.HasPrefix(r.URL.Path, "/metrics") && r.Header.Get("Authorization") == "" {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="lwf serve"`)
			http.Error(w, "unauthorized: give the token as a bearer token or log in at /login", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// checkForm refuses a form post that did not come from a dashboard page:
// one from another site (Origin, Sec-Fetch-Site) or without the page's
// anti-forgery token.
func (s *Server) checkForm(r *http.Request) bool {
	if err := s.cop.Check(r); err != nil {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(s.csrf)) == 1
}

// safeNext keeps a post-login redirect on this site: a path, not
// "//host" nor a URL.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if s.opts.Token == "" {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	next := safeNext(r.FormValue("next"))
	if r.Method != http.MethodPost {
		s.render(w, r, http.StatusOK, "login", page{Title: "Log in", Data: loginData{Next: next}})
		return
	}
	if err := s.cop.Check(r); err != nil {
		http.Error(w, "refused: this form was sent from another site", http.StatusForbidden)
		return
	}
	if !s.tokenEqual(r.PostFormValue("token")) {
		s.render(w, r, http.StatusUnauthorized, "login", page{Title: "Log in", Data: loginData{Next: next, Failed: true}})
		return
	}
	exp := time.Now().Add(sessionLife)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.sessionValue(exp), Path: "/", Expires: exp, MaxAge: int(sessionLife.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if !s.checkForm(r) {
		http.Error(w, "refused: this form did not come from the dashboard", http.StatusForbidden)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// secure says whether the browser reached the server over HTTPS (here,
// or at a proxy in front), so that the cookie is marked Secure.
func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

type loginData struct {
	Next   string
	Failed bool
}
