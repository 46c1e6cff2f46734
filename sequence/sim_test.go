package sequence

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/profile"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
	"github.com/lwf-dev/lwf/schemas"
)

// connectFollowUp is the sequence of the sequences issue: invite, wait
// for the acceptance (withdraw after 14 days), thank, follow up unless
// they replied.
const connectFollowUp = `version: 1
name: connect-and-follow-up
inputs:
  leads:
    type: array
    items: {type: object, properties: {url: {type: string}, first: {type: string}}}
sequence:
  leads: ${{ inputs.leads }}
  key: ${{ lead.url }}
  steps:
    - id: invite
      action: sendConnectionRequest
      personUrl: ${{ lead.url }}
      note: Hi ${{ lead.first }}, glad to connect.
    - id: accepted
      wait: connectionAccepted
      within: 14d
      onTimeout:
        action: withdrawConnectionRequest
        personUrl: ${{ lead.url }}
    - id: hello
      after: 1d
      action: sendMessage
      personUrl: ${{ lead.url }}
      text: Thanks for connecting, ${{ lead.first }}!
    - id: follow-up
      after: 3d
      if: ${{ steps.hello.ok }}
      action: sendMessage
      personUrl: ${{ lead.url }}
      variants:
        text: ["Any thoughts, ${{ lead.first }}?", "Shall we talk, ${{ lead.first }}?"]
  exitWhen: [replied]
  schedule:
    workingHours: Mon-Fri 09:00-18:00 Europe/Berlin
    pace: 10m
`

// sim is a sequence played on a sandbox whose clock the test moves.
type sim struct {
	t     testing.TB
	ctx   context.Context
	srv   *sandbox.Server
	db    *sqlstore.DB
	api   *linkedapi.Client
	creds linkedapi.Credentials
	src   string
	leads []any
	start time.Time
	// acceptance and checkEvery set the engine's way of detecting
	// acceptances.
	acceptance string
	checkEvery time.Duration
	cache      *Cache // kept from tick to tick, as lwf run --follow does
}

// simStart is a Monday 06:00 UTC in the future of the machine's clock
// (the sandbox clock only moves forward).
func simStart() time.Time {
	t := time.Now().UTC().AddDate(0, 0, 8)
	t = time.Date(t.Year(), t.Month(), t.Day(), 6, 0, 0, 0, time.UTC)
	for t.Weekday() != time.Monday {
		t = t.AddDate(0, 0, 1)
	}
	return t
}

func newSim(t testing.TB, o sandbox.Options, src string, leads []any) *sim {
	t.Helper()
	ctx := context.Background()
	o.ControllableClock = true
	srv, err := sandbox.Start(ctx, "127.0.0.1:0", o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	start := simStart()
	if _, err := srv.Sandbox.SetClock(start); err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	creds := linkedapi.Credentials{LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: sandbox.DefaultIdentificationToken, Endpoint: srv.URL}
	api, err := linkedapi.New(linkedapi.Options{BaseURL: srv.URL, LinkedAPIToken: creds.LinkedAPIToken, IdentificationToken: creds.IdentificationToken, RatePerSecond: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &sim{t: t, ctx: ctx, srv: srv, db: db, api: api, creds: creds, src: src, leads: leads, start: start}
}

// people makes n leads.
func people(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = map[string]any{"url": fmt.Sprintf("https://www.linkedin.com/in/lead-%04d", i+1), "first": fmt.Sprintf("Lead%d", i+1)}
	}
	return out
}

func (s *sim) now() time.Time { return s.srv.Sandbox.Now() }

// engine compiles the sequence as it is now.
func (s *sim) engine() *Engine {
	s.t.Helper()
	plan, ds := compiler.Compile(s.ctx, "seq.yaml", []byte(s.src), compiler.Options{InputValues: map[string]any{"leads": s.leads}})
	if plan == nil || ds.HasErrors() {
		s.t.Fatalf("compile: %v", ds)
	}
	cat, _ := schemas.Default()
	return &Engine{
		Plan: plan, File: "seq.yaml", Store: s.db, API: s.api, Account: s.creds.Account(), Endpoint: s.srv.URL,
		Check:      &campaign.Check{Catalog: cat, Store: s.db, Profile: &profile.Profile{Credentials: s.creds}},
		Clock:      s.srv.Sandbox,
		Policy:     runner.Policy{PollStart: time.Millisecond, PollMax: 2 * time.Millisecond, CancelCheck: 50 * time.Millisecond, RetryBase: time.Millisecond, RetryMax: 5 * time.Millisecond},
		Acceptance: s.acceptance, CheckEvery: s.checkEvery, Cache: s.cache,
	}
}

func (s *sim) tick() Tick {
	s.t.Helper()
	t, err := s.engine().Run(s.ctx)
	if err != nil {
		s.t.Fatalf("tick at %s: %v", s.now().Format(time.RFC3339), err)
	}
	return t
}

func (s *sim) advance(d time.Duration) {
	if _, err := s.srv.Sandbox.AdvanceClock(d); err != nil {
		s.t.Fatal(err)
	}
}

func (s *sim) funnel() *Funnel {
	s.t.Helper()
	e := s.engine()
	f, err := ReadFunnel(s.ctx, s.db, e.Account, e.Plan.Name, e.Plan.Sequence, s.now())
	if err != nil {
		s.t.Fatal(err)
	}
	return f
}

func (f *Funnel) step(id string) StepCount {
	for _, s := range f.Steps {
		if s.ID == id {
			return s
		}
	}
	return StepCount{}
}

// syncNetwork runs st.syncNetwork for the test itself, so that the
// network feed tells the truth about acceptances whatever the engine
// reads.
func (s *sim) syncNetwork() {
	s.t.Helper()
	w, err := s.api.StartWorkflow(s.ctx, json.RawMessage(`{"actionType":"st.syncNetwork"}`))
	if err != nil {
		s.t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		r, err := s.api.Workflow(s.ctx, w.WorkflowID)
		if err != nil {
			s.t.Fatal(err)
		}
		if r.WorkflowStatus == linkedapi.StatusCompleted {
			return
		}
		time.Sleep(time.Millisecond)
	}
	s.t.Fatal("st.syncNetwork did not complete")
}
