package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
)

// benchBed is a store holding a registered sequence of n leads spread
// over its steps and statuses, as a sequence some weeks in has them.
func benchBed(b *testing.B, n int) *Server {
	b.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	const account = "0123456789abcdef0123456789abcdef"
	var rows []map[string]string
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := now.Add(-48 * time.Hour).Format(time.RFC3339)
	var leads []*state.Lead
	for i := range n {
		u := fmt.Sprintf("https://www.linkedin.com/in/bench-%05d", i)
		name := fmt.Sprintf("Person %d", i)
		rows = append(rows, map[string]string{"url": u, "name": name})
		data, _ := json.Marshal(map[string]string{"url": u, "name": name})
		l := &state.Lead{Account: account, Person: u, Sequence: "connect-thanks", Data: data, Since: now, Updated: now}
		switch i % 5 {
		case 0:
			l.Status, l.Step, l.Due = state.LeadActive, "invite", now
		case 1, 2:
			l.Status, l.Step, l.Due = state.LeadWaiting, "accepted", now.Add(5*24*time.Hour)
			l.Results = json.RawMessage(`{"steps":{"invite":{"ok":true,"at":"` + at + `"}}}`)
		case 3:
			l.Status = state.LeadDone
			l.Results = json.RawMessage(`{"steps":{"invite":{"ok":true,"at":"` + at + `"},"accepted":{"ok":true,"at":"` + at + `"},"thanks":{"ok":true,"at":"` + at + `"}},"events":{"connectionAccepted":"` + at + `"}}`)
			l.Variants = json.RawMessage(`{"thanks":"` + string(rune('A'+i%2)) + `"}`)
		case 4:
			l.Status = state.LeadExited
			l.Results = json.RawMessage(`{"steps":{"invite":{"ok":true,"at":"` + at + `"}},"events":{"$timeout":"` + at + `"}}`)
		}
		leads = append(leads, l)
	}
	if err := db.SaveLeads(ctx, account, leads, nil); err != nil {
		b.Fatal(err)
	}
	inputs, _ := json.Marshal(map[string]any{"leads": rows})
	if err := db.SaveSource(ctx, state.Source{Kind: state.SourceSequence, Name: "connect-thanks", File: "seq.yaml", Content: []byte(connectThanks),
		Inputs: inputs, Accounts: []string{account}, Created: now, Updated: now}); err != nil {
		b.Fatal(err)
	}
	s, err := New(Options{Store: db, Clock: fixedClock(now)})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

// benchPage times one page of the dashboard; the first request (which
// compiles the sequence's file once) is made before the timer starts.
func benchPage(b *testing.B, path string) {
	s := benchBed(b, 10000)
	h := s.Handler()
	if code, body, _ := get(b, h, path); code != 200 {
		b.Fatalf("%s: %d\n%s", path, code, body)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if code, _, _ := get(b, h, path); code != 200 {
			b.Fatal(code)
		}
	}
}

// BenchmarkSequencePage10k: the funnel page of a 10,000-lead sequence.
func BenchmarkSequencePage10k(b *testing.B) { benchPage(b, "/sequences/connect-thanks") }

// BenchmarkLeadsPage10k: a page of its waiting leads, far in.
func BenchmarkLeadsPage10k(b *testing.B) {
	benchPage(b, "/sequences/connect-thanks/leads?status=waiting&page=60")
}

// BenchmarkOverview10k: the home page with that sequence.
func BenchmarkOverview10k(b *testing.B) { benchPage(b, "/") }

// BenchmarkMetrics10k: a scrape of /metrics with that sequence.
func BenchmarkMetrics10k(b *testing.B) { benchPage(b, "/metrics") }
