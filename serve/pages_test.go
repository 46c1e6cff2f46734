package serve

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
)

// TestDashboardPages: every page of a sequence mid-run renders, with the
// funnel's numbers, and whatever a lead's list holds is shown as text.
func TestDashboardPages(t *testing.T) {
	b := newBed(t, sandbox.Options{}, 8)
	rows := []map[string]string{}
	for i, p := range b.people {
		name := "Person"
		if i == 0 {
			name = `<script>alert("x")</script><img src=x onerror=alert(1)>`
		}
		rows = append(rows, map[string]string{"url": p, "name": name})
	}
	b.register("seq.yaml", connectThanks, rows)
	b.midRun()
	s := b.server("", false)
	h := s.Handler()
	ctx := context.Background()
	ls, err := b.db.Leads(ctx, "", "connect-thanks")
	if err != nil || len(ls) != 8 {
		t.Fatalf("%d leads, %v", len(ls), err)
	}
	runs, err := b.db.Runs(ctx, 1)
	if err != nil || len(runs) == 0 {
		t.Fatal("no run", err)
	}
	hostile := url.Values{"account": {b.account}, "person": {b.people[0]}}.Encode()
	for _, c := range []struct{ path, want string }{
		{"/", "connect-thanks"},
		{"/sequences/connect-thanks", `id="funnel-table"`},
		{"/sequences/connect-thanks/leads", "Leads 1–8 of 8"},
		{"/sequences/connect-thanks/leads?status=waiting", "waiting"},
		{"/lead?" + hostile, "Timeline"},
		{"/accounts", "stConnectionRequests"},
		{"/runs", runs[0].ID},
		{"/runs/" + runs[0].ID, "Workflows"},
		{"/events", "entered"},
	} {
		code, body, hdr := get(t, h, c.path)
		if code != 200 || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want %q in\n%s", c.path, code, c.want, body)
			continue
		}
		if strings.Contains(body, "<script") || strings.Contains(body, "<img src=x") {
			t.Errorf("%s: the lead's name is written as HTML", c.path)
		}
		if !strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'none'") || !strings.Contains(body, `<html lang="en">`) {
			t.Errorf("%s: no CSP or no lang", c.path)
		}
	}
	code, body, _ := get(t, h, "/lead?"+hostile)
	if code != 200 || !strings.Contains(body, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("the lead page does not show the name as text: %d\n%s", code, body)
	}
	for _, p := range []string{"/sequences/nope", "/runs/r-nope", "/lead?account=x&person=y"} {
		if code, _, _ := get(t, h, p); code != 404 {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
	if code, _, _ := get(t, h, "/sequences/connect-thanks/leads?status=bogus"); code != 400 {
		t.Errorf("an unknown status: %d, want 400", code)
	}
}

// TestFunnelOnPageEqualsStore: the sequence page's table shows the
// store's funnel, step by step.
func TestFunnelOnPageEqualsStore(t *testing.T) {
	b := newBed(t, sandbox.Options{}, 10)
	b.midRun()
	s := b.server("", false)
	ctx := context.Background()
	q, err := s.sequence(ctx, "connect-thanks")
	if err != nil {
		t.Fatal(err)
	}
	f, err := s.funnel(ctx, q, s.now())
	if err != nil {
		t.Fatal(err)
	}
	if f.Steps[0].Done != 10 || f.Status[state.LeadDone] == 0 || f.Status[state.LeadWaiting] == 0 {
		t.Fatalf("not mid-run: %+v", f)
	}
	_, body, _ := get(t, s.Handler(), "/sequences/connect-thanks")
	for _, st := range f.Steps {
		row := `<tr data-step="` + st.ID + `">`
		i := strings.Index(body, row)
		if i < 0 {
			t.Fatalf("no row for %s", st.ID)
		}
		tr := body[i : i+strings.Index(body[i:], "</tr>")]
		for col, n := range map[string]int{"entered": st.Entered, "done": st.Done, "here": st.Here, "failed": st.Failed} {
			want := `data-col="` + col + `">` + strconv.Itoa(n) + `<`
			if !strings.Contains(tr, want) {
				t.Errorf("step %s: want %s in %s", st.ID, want, tr)
			}
		}
	}
	if !strings.Contains(body, "<svg") || !strings.Contains(body, `role="img"`) {
		t.Error("no chart")
	}
}
