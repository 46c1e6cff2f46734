package serve

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/sequence"
)

const testToken = "a-test-token-of-some-length"

// TestTokenRequired: with a token, pages send to the login form, the
// metrics and forms answer 401, the token opens them as a bearer token
// or through the login form's cookie; health checks stay open.
func TestTokenRequired(t *testing.T) {
	b := newBed(t, sandbox.Options{}, 2)
	h := b.server(testToken, false).Handler()
	code, _, hdr := get(t, h, "/sequences/connect-thanks")
	if code != http.StatusSeeOther || hdr.Get("Location") != "/login?next=%2Fsequences%2Fconnect-thanks" {
		t.Errorf("a page without the token: %d %s", code, hdr.Get("Location"))
	}
	for _, p := range []string{"/metrics", "/"} {
		if code, _, _ := get(t, h, p, "Authorization", "Bearer wrong-token-of-some-length"); code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong bearer token: %d", p, code)
		}
		if code, _, _ := get(t, h, p, "Authorization", "Bearer "+testToken); code != http.StatusOK {
			t.Errorf("%s with the bearer token: %d", p, code)
		}
	}
	if code, _ := post(t, h, "/sequences/connect-thanks/pause", url.Values{}); code != http.StatusUnauthorized {
		t.Errorf("a form without the token: %d", code)
	}
	for _, p := range []string{"/healthz", "/readyz", "/static/style.css", "/login"} {
		if code, _, _ := get(t, h, p); code != http.StatusOK {
			t.Errorf("%s: %d", p, code)
		}
	}
	// The login form.
	code, hdr = post(t, h, "/login", url.Values{"token": {"not it"}, "next": {"/runs"}})
	if code != http.StatusUnauthorized || hdr.Get("Set-Cookie") != "" {
		t.Errorf("a wrong token at the login form: %d, cookie %q", code, hdr.Get("Set-Cookie"))
	}
	code, hdr = post(t, h, "/login", url.Values{"token": {testToken}, "next": {"//evil.example/"}})
	if code != http.StatusSeeOther || hdr.Get("Location") != "/" {
		t.Errorf("login: %d to %q (a next that leaves the site goes home)", code, hdr.Get("Location"))
	}
	ck := (&http.Response{Header: hdr}).Cookies()
	if len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode || strings.Contains(ck[0].Value, testToken) {
		t.Fatalf("the login cookie: %+v", ck)
	}
	if code, _, _ := get(t, h, "/runs", "Cookie", ck[0].Name+"="+ck[0].Value); code != http.StatusOK {
		t.Errorf("a page with the cookie: %d", code)
	}
	forged := ck[0].Value[:len(ck[0].Value)-1] + "0"
	if forged == ck[0].Value {
		forged = ck[0].Value[:len(ck[0].Value)-1] + "1"
	}
	if code, _, _ := get(t, h, "/runs", "Cookie", ck[0].Name+"="+forged); code != http.StatusSeeOther {
		t.Errorf("a page with a forged cookie: %d", code)
	}
	// Another token makes the cookie worthless.
	b.metrics = NewMetrics() // a Metrics serves one Server
	h2 := b.server("another-token-of-some-length", false).Handler()
	if code, _, _ := get(t, h2, "/runs", "Cookie", ck[0].Name+"="+ck[0].Value); code != http.StatusSeeOther {
		t.Errorf("the cookie of another token: %d", code)
	}
}

// TestLoopbackOnlyWithoutToken: without a token the dashboard answers
// requests to loopback names only (a rebound name is refused).
func TestLoopbackOnlyWithoutToken(t *testing.T) {
	b := newBed(t, sandbox.Options{}, 1)
	h := b.server("", false).Handler()
	for host, want := range map[string]int{"127.0.0.1:8787": 200, "localhost:8787": 200, "[::1]:8787": 200, "evil.example:8787": 403, "10.0.0.5:8787": 403} {
		req := httptest.NewRequest("GET", "http://"+host+"/", nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %s: %d, want %d", host, rec.Code, want)
		}
	}
}

// TestActions: pause and resume a sequence and an account, cancel a
// run — each only with the page's anti-forgery token, from this site.
func TestActions(t *testing.T) {
	b := newBed(t, sandbox.Options{}, 3)
	b.pass()
	s := b.server("", false)
	h := s.Handler()
	ctx := context.Background()
	ok := url.Values{"csrf": {s.csrf}}
	paused := func() bool {
		srcs, err := b.db.Sources(ctx, state.SourceSequence)
		if err != nil || len(srcs) != 1 {
			t.Fatal(srcs, err)
		}
		return srcs[0].Paused
	}
	for _, c := range []struct {
		name string
		form url.Values
		hdr  []string
	}{
		{"no token", url.Values{}, nil},
		{"a wrong token", url.Values{"csrf": {"nope"}}, nil},
		{"another site", ok, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}},
	} {
		if code, _ := post(t, h, "/sequences/connect-thanks/pause", c.form, c.hdr...); code != http.StatusForbidden || paused() {
			t.Errorf("%s: %d, paused %v", c.name, code, paused())
		}
	}
	code, hdr := post(t, h, "/sequences/connect-thanks/pause", ok, "Sec-Fetch-Site", "same-origin", "Origin", "http://127.0.0.1:8787")
	if code != http.StatusSeeOther || !paused() {
		t.Fatalf("pause: %d, paused %v", code, paused())
	}
	if _, body, _ := get(t, h, hdr.Get("Location")); !strings.Contains(body, "Resume connect-thanks") || !strings.Contains(body, `role="status"`) {
		t.Errorf("after the pause the page offers no resume, or says nothing:\n%s", body)
	}
	if p := b.pass(); p.Ticks != 0 {
		t.Errorf("a paused sequence was ticked: %+v", p)
	}
	if code, _ := post(t, h, "/sequences/connect-thanks/resume", ok); code != http.StatusSeeOther || paused() {
		t.Errorf("resume: %d, paused %v", code, paused())
	}
	if code, _ := post(t, h, "/sequences/nope/pause", ok); code != http.StatusNotFound {
		t.Errorf("pause of no sequence: %d", code)
	}

	// An account.
	if code, _ := post(t, h, "/accounts/"+b.account+"/pause", ok); code != http.StatusSeeOther {
		t.Fatalf("account pause: %d", code)
	}
	st := accountState(t, b)
	if !strings.HasPrefix(st.Stopped, sequence.StopPaused) {
		t.Errorf("account state after the pause: %+v", st)
	}
	requests := func() (n int64) {
		for _, v := range b.sb.Sandbox.Counters().Requests {
			n += v
		}
		return n
	}
	if _, err := b.sb.Sandbox.AdvanceClock(30 * time.Hour); err != nil {
		t.Fatal(err)
	}
	before := requests()
	b.pass()
	if after := requests(); after != before {
		t.Errorf("a paused account's sequence made %d requests", after-before)
	}
	if code, _ := post(t, h, "/accounts/"+b.account+"/resume", ok); code != http.StatusSeeOther || accountState(t, b).Stopped != "" {
		t.Errorf("account resume: %d, %+v", code, accountState(t, b))
	}
	b.pass()
	if requests() == before {
		t.Error("the resumed account's sequence made no request")
	}

	// A run.
	runs, err := b.db.Runs(ctx, 1)
	if err != nil || len(runs) == 0 {
		t.Fatal(err)
	}
	if code, _ := post(t, h, "/runs/"+runs[0].ID+"/cancel", url.Values{}); code != http.StatusForbidden {
		t.Errorf("cancel without the token: %d", code)
	}
	if code, _ := post(t, h, "/runs/"+runs[0].ID+"/cancel", ok); code != http.StatusSeeOther {
		t.Errorf("cancel: %d", code)
	}
	if yes, err := b.db.CancelRequested(ctx, runs[0].ID); err != nil || !yes {
		t.Errorf("cancel not recorded: %v %v", yes, err)
	}
}

func accountState(t *testing.T, b *bed) state.AccountState {
	t.Helper()
	sts, err := b.db.AccountStates(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		if st.Account == b.account {
			return st
		}
	}
	return state.AccountState{}
}
