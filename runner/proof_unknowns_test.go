package runner_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/runner/unknowns"
	"github.com/lwf-dev/lwf/sandbox"
)

// fastClock runs factor times faster than the computer's clock, from a
// fixed start. The sandbox and the runner share it, so workflows take
// realistic times (seconds per action, polls seconds apart) while the
// test takes milliseconds.
type fastClock struct {
	start  time.Time
	real   time.Time
	factor time.Duration
}

func newFastClock(factor time.Duration) *fastClock {
	return &fastClock{start: time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), real: time.Now(), factor: factor}
}

func (c *fastClock) Now() time.Time { return c.start.Add(time.Since(c.real) * c.factor) }

// witness stands in front of the sandbox and records, for every POST
// /workflows, whether the sandbox accepted its payload: the truth the
// verdicts are checked against. With dropBefore it also drops that share
// of the POSTs before the sandbox sees them (the connection closes with
// the request sent and nothing done), a fault the sandbox has not.
type witness struct {
	sb         *sandbox.Sandbox
	dropBefore float64
	mu         sync.Mutex // one POST at a time, so counters tell which
	rnd        *rand.Rand
	accepted   map[string]bool // compact payload → accepted
	dropped    int
}

func (wt *witness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/workflows" {
		wt.sb.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	key := compact(body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	wt.mu.Lock()
	defer wt.mu.Unlock()
	if wt.rnd.Float64() < wt.dropBefore {
		wt.dropped++
		if _, seen := wt.accepted[key]; !seen {
			wt.accepted[key] = false
		}
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return
	}
	before := wt.sb.Counters().WorkflowsAccepted
	defer func() {
		// The sandbox's dropped connections end in a panic the server
		// recovers from; the counters have the truth by then.
		wt.accepted[key] = wt.accepted[key] || wt.sb.Counters().WorkflowsAccepted > before
	}()
	wt.sb.ServeHTTP(w, r)
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return string(b)
	}
	return buf.String()
}

// TestUnknownVerdictsAreRight drives a 45-workflow campaign through each
// fault that can leave a submission unknown, judges the unknown ones from
// the account's activity, and checks every verdict against what the
// sandbox did: a workflow judged accepted was accepted, one judged not
// accepted was not. It logs, per fault, how many submissions were unknown
// and how many the activity settled (BENCHMARKS.md has the table).
func TestUnknownVerdictsAreRight(t *testing.T) {
	const n = 45
	all := sandbox.Faults{RateLimit: 0.1, ServerError: 0.1, Drop: 0.1, Truncate: 0.1}
	tests := []struct {
		name       string
		faults     sandbox.Faults
		dropBefore float64
		mixed      bool // workflows of one or two actions of two kinds, not one check each
	}{
		{"server errors", sandbox.Faults{ServerError: 0.3}, 0, false},
		{"drop", sandbox.Faults{Drop: 0.3}, 0, false},
		{"truncate", sandbox.Faults{Truncate: 0.3}, 0, false},
		{"drop before processing", sandbox.Faults{}, 0.3, false},
		{"all together", all, 0.1, false},
		{"all together, mixed workflows", all, 0.1, true},
	}
	var rows []string
	unknownTotal, settled := 0, 0
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := newFastClock(1000)
			tc.faults.Seed = int64(i + 1)
			tc.faults.RetryAfter = time.Second
			sb, err := sandbox.New(sandbox.Options{Speed: 20 * time.Second, Clock: clock.Now, Faults: tc.faults})
			if err != nil {
				t.Fatal(err)
			}
			wt := &witness{sb: sb, dropBefore: tc.dropBefore, rnd: rand.New(rand.NewPCG(uint64(i), 7)), accepted: map[string]bool{}}
			srv := httptest.NewServer(wt)
			defer srv.Close()
			db, run, client := proofCampaign(t, srv.URL, n, tc.mixed)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			out, err := runner.Drive(ctx, runner.Config{API: client, Store: db, Policy: proofPolicy(), Clock: clock}, run.ID)
			if err != nil || !out.Settled() {
				t.Fatalf("drive: err %v, outcome %+v", err, out)
			}
			if c := sb.Counters(); c.DuplicatePayloads != 0 {
				t.Fatalf("the sandbox received %d duplicate payloads", c.DuplicatePayloads)
			}
			ws, err := db.WorkflowsFull(ctx, run.ID)
			if err != nil {
				t.Fatal(err)
			}
			verdicts, err := unknowns.Check(ctx, client, ws, unknowns.Options{Now: clock.Now(), RetryDelay: time.Millisecond, Location: time.UTC})
			if err != nil {
				t.Fatal(err)
			}
			tally := map[state.Verdict]int{}
			truly, wrong := 0, 0
			for _, v := range verdicts {
				accepted := wt.accepted[compact(ws[v.Index].Payload)]
				if accepted {
					truly++
				}
				tally[v.Verdict]++
				if (v.Verdict == state.VerdictAccepted && !accepted) || (v.Verdict == state.VerdictNotAccepted && accepted) {
					wrong++
					t.Errorf("#%d: %s: %s — but the sandbox accepted it: %v", v.Index+1, v.Verdict, v.Evidence, accepted)
				}
			}
			row := fmt.Sprintf("| %s | %d | %d (%d accepted) | %d | %d | %d | %d |", tc.name, n, len(verdicts), truly,
				tally[state.VerdictAccepted], tally[state.VerdictNotAccepted], tally[state.VerdictUnknown], wrong)
			rows = append(rows, row)
			unknownTotal += len(verdicts)
			settled += tally[state.VerdictAccepted] + tally[state.VerdictNotAccepted]
			for _, v := range verdicts {
				t.Logf("#%d %s: %s", v.Index+1, v.Verdict, v.Evidence)
			}
		})
	}
	// Right verdicts are the point; but a judge that always says "still
	// unknown" is right too, and useless.
	if settled*2 < unknownTotal {
		t.Errorf("only %d of %d unknown submissions got a verdict", settled, unknownTotal)
	}
	t.Logf("\n| fault (30%% of requests; all together 10%% of each) | submissions | unknown before | almost certainly accepted | not accepted | still unknown | wrong verdicts |\n|---|---|---|---|---|---|---|\n%s", joinLines(rows))
}

func joinLines(rows []string) string {
	var b bytes.Buffer
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	return b.String()
}

// proofCampaign stores a run of n one-action workflows for the API at
// url and returns the store, the run and a client for it.
func proofCampaign(t *testing.T, url string, n int, mixed bool) (*sqlstore.DB, *state.Run, *linkedapi.Client) {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var ps []json.RawMessage
	for i := 0; i < n; i++ {
		check := fmt.Sprintf(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/proof-%d"}`, i)
		open := fmt.Sprintf(`{"actionType":"st.openPersonPage","personUrl":"https://www.linkedin.com/in/proof-%d"}`, i)
		switch {
		case !mixed || i%3 == 0:
			ps = append(ps, json.RawMessage(check))
		case i%3 == 1:
			ps = append(ps, json.RawMessage(open))
		default:
			ps = append(ps, json.RawMessage("["+open+","+check+"]"))
		}
	}
	creds := linkedapi.Credentials{LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: sandbox.DefaultIdentificationToken, Endpoint: url}
	key, err := state.RunKey(creds.Account(), ps)
	if err != nil {
		t.Fatal(err)
	}
	run, _, err := db.Attach(context.Background(), state.Run{Key: key, Name: "proof", Account: creds.Account(), Endpoint: url}, ps, false)
	if err != nil {
		t.Fatal(err)
	}
	client, err := linkedapi.New(linkedapi.Options{
		BaseURL: url, LinkedAPIToken: creds.LinkedAPIToken, IdentificationToken: creds.IdentificationToken,
		RatePerSecond: -1, RetryAfterCap: 5 * time.Millisecond, RequestTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, run, client
}
