package runner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
)

// proofPolicy keeps every interval in milliseconds.
func proofPolicy() runner.Policy {
	return runner.Policy{
		PollStart: 2 * time.Millisecond, PollMax: 10 * time.Millisecond, Park: 10 * time.Millisecond,
		RetryBase: time.Millisecond, RetryMax: 10 * time.Millisecond, RetryAfterCap: 10 * time.Millisecond,
		CancelCheck: 5 * time.Millisecond, GiveUpAfter: 1000,
	}
}

// campaign stores a run of n one-action workflows against srv and
// returns the store, the run and a client for it.
func campaign(t *testing.T, srv *sandbox.Server, n int) (*sqlstore.DB, *state.Run, *linkedapi.Client) {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var ps []json.RawMessage
	for i := 0; i < n; i++ {
		ps = append(ps, json.RawMessage(fmt.Sprintf(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/proof-%d"}`, i)))
	}
	creds := linkedapi.Credentials{LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: sandbox.DefaultIdentificationToken, Endpoint: srv.URL}
	key, err := state.RunKey(creds.Account(), ps)
	if err != nil {
		t.Fatal(err)
	}
	run, _, err := db.Attach(context.Background(), state.Run{Key: key, Name: "proof", Account: creds.Account(), Endpoint: srv.URL}, ps, false)
	if err != nil {
		t.Fatal(err)
	}
	client, err := linkedapi.New(linkedapi.Options{
		BaseURL: srv.URL, LinkedAPIToken: creds.LinkedAPIToken, IdentificationToken: creds.IdentificationToken,
		RatePerSecond: -1, RetryAfterCap: 5 * time.Millisecond, RequestTimeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return db, run, client
}

// TestFaultsNeverDuplicate drives a campaign through each fault of the
// sandbox alone and all together. Every workflow must end completed, or
// unknown where a fault struck a POST after the sandbox had processed it;
// the sandbox must never have received a payload twice; and every
// workflow it accepted must be one lwf knows or reports as unknown.
func TestFaultsNeverDuplicate(t *testing.T) {
	const n = 30
	all := sandbox.Faults{RateLimit: 0.1, ServerError: 0.1, Drop: 0.1, Truncate: 0.1, Latency: time.Millisecond, SlowBody: 2 * time.Millisecond}
	reads := all
	reads.Endpoints = []string{sandbox.EndpointGetWorkflow}
	tests := []struct {
		name        string
		faults      sandbox.Faults
		mayBeUnsure bool // faults after processing can hit POST /workflows
	}{
		{"none", sandbox.Faults{}, false},
		{"latency", sandbox.Faults{Latency: 3 * time.Millisecond}, false},
		{"slow body", sandbox.Faults{SlowBody: 5 * time.Millisecond}, false},
		{"rate limit", sandbox.Faults{RateLimit: 0.4}, false},
		{"server errors", sandbox.Faults{ServerError: 0.3}, true},
		{"drop", sandbox.Faults{Drop: 0.3}, true},
		{"truncate", sandbox.Faults{Truncate: 0.3}, true},
		{"all together", all, true},
		{"all together on reads only", reads, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.faults.Seed = int64(i + 1)
			srv, err := sandbox.Start(context.Background(), "127.0.0.1:0", sandbox.Options{Speed: 2 * time.Millisecond, Faults: tc.faults})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			db, run, client := campaign(t, srv, n)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			out, err := runner.Drive(ctx, runner.Config{API: client, Store: db, Policy: proofPolicy()}, run.ID)
			if err != nil || out.Stopped || !out.Settled() {
				t.Fatalf("drive: err %v, outcome %+v", err, out)
			}
			completed, unknown := out.Counts.ByState[state.Completed], out.Counts.ByState[state.Unknown]
			c := srv.Sandbox.Counters()
			if completed+unknown != n || (!tc.mayBeUnsure && unknown > 0) {
				t.Errorf("%d completed, %d unknown of %d (counts %+v)", completed, unknown, n, out.Counts)
			}
			if c.DuplicatePayloads != 0 {
				t.Errorf("the sandbox received %d duplicate payloads", c.DuplicatePayloads)
			}
			if extra := int(c.WorkflowsAccepted) - completed; extra < 0 || extra > unknown {
				t.Errorf("the sandbox accepted %d workflows; lwf completed %d and reports %d unknown", c.WorkflowsAccepted, completed, unknown)
			}
			if c.Faults["rateLimit"]+c.Faults["serverError500"]+c.Faults["serverError502"]+c.Faults["serverError503"]+c.Faults["drop"]+c.Faults["truncate"] == 0 && tc.faults.RateLimit+tc.faults.ServerError+tc.faults.Drop+tc.faults.Truncate > 0 {
				t.Error("no fault was injected")
			}
			// Driving it again sends nothing.
			posts := c.Requests[sandbox.EndpointPostWorkflows]
			if _, err := runner.Drive(ctx, runner.Config{API: client, Store: db, Policy: proofPolicy()}, run.ID); err != nil {
				t.Fatal(err)
			}
			if again := srv.Sandbox.Counters().Requests[sandbox.EndpointPostWorkflows]; again != posts {
				t.Errorf("re-attaching sent %d new POSTs", again-posts)
			}
			t.Logf("%d completed, %d unknown; sandbox: %d requests, faults %v", completed, unknown, total(c.Requests), c.Faults)
		})
	}
}

func total(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
