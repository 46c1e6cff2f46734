package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/schemas"
	"github.com/lwf-dev/lwf/worker"
)

// connectThanks invites each lead, waits for the acceptance and thanks
// them in one of two versions.
const connectThanks = `version: 1
name: connect-thanks
inputs:
  leads:
    type: array
    items: {type: object, properties: {url: {type: string}, name: {type: string}}}
sequence:
  leads: ${{ inputs.leads }}
  key: ${{ lead.url }}
  steps:
    - id: invite
      action: sendConnectionRequest
      personUrl: ${{ lead.url }}
    - id: accepted
      wait: connectionAccepted
      within: 7d
    - id: thanks
      after: 1h
      action: sendMessage
      personUrl: ${{ lead.url }}
      variants:
        text:
          - Thanks for connecting!
          - Glad to be connected!
  exitWhen: [replied]
`

// sandboxClock is the in-process sandbox's clock.
type sandboxClock struct{ sb *sandbox.Sandbox }

func (c sandboxClock) Now() time.Time { return c.sb.Now() }

// bed is a sandbox, a store with a sequence registered for the sandbox's
// account, and what a Server needs to work it.
type bed struct {
	t        *testing.T
	sb       *sandbox.Server
	dir      string
	db       state.Store
	metrics  *Metrics
	account  string
	accounts map[string]worker.Account
	people   []string
}

func newBed(t *testing.T, opts sandbox.Options, leads int) *bed {
	t.Helper()
	opts.ControllableClock = true
	if opts.AcceptAfter == 0 {
		opts.AcceptAfter = 20 * time.Hour
	}
	sb, err := sandbox.Start(context.Background(), "127.0.0.1:0", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	if _, err := sb.Sandbox.AdvanceClock(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	b := &bed{t: t, sb: sb, dir: t.TempDir(), metrics: NewMetrics()}
	b.open()
	creds := linkedapi.Credentials{LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: sandbox.DefaultIdentificationToken, Endpoint: sb.URL}
	b.account = creds.Account()
	b.accounts = b.workerAccounts(creds)
	var rows []map[string]string
	for i := range leads {
		u := fmt.Sprintf("https://www.linkedin.com/in/serve-%d", i)
		b.people = append(b.people, u)
		rows = append(rows, map[string]string{"url": u, "name": fmt.Sprintf("Person %d", i)})
	}
	b.register("seq.yaml", connectThanks, rows)
	return b
}

// open opens the store (again, after a close).
func (b *bed) open() {
	b.t.Helper()
	db, err := sqlstore.Open(context.Background(), b.dir)
	if err != nil {
		b.t.Fatal(err)
	}
	b.db = db
	b.t.Cleanup(func() { db.Close() })
}

func (b *bed) workerAccounts(creds linkedapi.Credentials) map[string]worker.Account {
	b.t.Helper()
	client, err := linkedapi.New(linkedapi.Options{BaseURL: creds.Endpoint, LinkedAPIToken: creds.LinkedAPIToken, IdentificationToken: creds.IdentificationToken,
		RatePerSecond: -1, Trace: b.metrics.Trace})
	if err != nil {
		b.t.Fatal(err)
	}
	cat, err := schemas.Default()
	if err != nil {
		b.t.Fatal(err)
	}
	p := &profile.Profile{Name: "sandbox", Credentials: creds}
	check := &campaign.Check{Catalog: cat, Store: b.db, Profile: p}
	return map[string]worker.Account{creds.Account(): {Account: creds.Account(), Label: "sandbox", API: client, Endpoint: client.BaseURL(), Check: check}}
}

// register records a sequence file for the bed's account.
func (b *bed) register(file, content string, leads []map[string]string) {
	b.t.Helper()
	inputs, _ := json.Marshal(map[string]any{"leads": leads})
	now := time.Now()
	if err := b.db.SaveSource(context.Background(), state.Source{Kind: state.SourceSequence, Name: "connect-thanks", File: file, Content: []byte(content),
		Inputs: inputs, Accounts: []string{b.account}, Created: now, Updated: now}); err != nil {
		b.t.Fatal(err)
	}
}

func (b *bed) clock() runner.Clock { return sandboxClock{b.sb.Sandbox} }

func (b *bed) policy() runner.Policy {
	return runner.Policy{PollStart: 2 * time.Millisecond, PollMax: 5 * time.Millisecond}
}

// pass makes one worker pass, as the server's loop does.
func (b *bed) pass() worker.Pass {
	b.t.Helper()
	for _, a := range b.accounts {
		a.Check.Store = b.db
	}
	w := &worker.Worker{Store: b.db, Accounts: b.accounts, Clock: b.clock(), Policy: b.policy()}
	p, err := w.Pass(context.Background())
	if err != nil {
		b.t.Fatal(err)
	}
	if len(p.Errors) > 0 {
		b.t.Fatalf("pass: %v", p.Errors)
	}
	return p
}

// midRun plays the sequence until some leads were thanked and others
// still wait for their acceptance.
func (b *bed) midRun() {
	b.t.Helper()
	b.pass() // invites
	if _, err := b.sb.Sandbox.AdvanceClock(26 * time.Hour); err != nil {
		b.t.Fatal(err)
	}
	b.pass() // acceptances seen
	if _, err := b.sb.Sandbox.AdvanceClock(2 * time.Hour); err != nil {
		b.t.Fatal(err)
	}
	b.pass() // thanks
}

// server builds a Server on the bed; without work it has no accounts.
func (b *bed) server(token string, work bool) *Server {
	b.t.Helper()
	opts := Options{Store: b.db, Token: token, Metrics: b.metrics, Clock: b.clock(), Policy: b.policy(), PollEvery: 20 * time.Millisecond,
		Logf: b.t.Logf}
	if work {
		opts.Accounts = b.accounts
	} else {
		// The dashboard alone still names the account from its profile.
		opts.Accounts = nil
	}
	s, err := New(opts)
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// get fetches a path of a handler as a browser on loopback would.
func get(t testing.TB, h http.Handler, path string, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req := httptest.NewRequest("GET", "http://127.0.0.1:8787"+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body), rec.Header()
}

// post sends a form as a browser on the dashboard's page would.
func post(t *testing.T, h http.Handler, path string, form url.Values, hdr ...string) (int, http.Header) {
	t.Helper()
	req := httptest.NewRequest("POST", "http://127.0.0.1:8787"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header()
}

// listen opens a loopback listener.
func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}
