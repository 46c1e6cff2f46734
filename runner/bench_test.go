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

// BenchmarkTrack submits and tracks a campaign of 1,000 and of 10,000
// one-action workflows on one account of an in-process sandbox, with
// lwf's default polling and no rate bound, and reports requests per
// completed workflow. The sandbox runs one account's workflows one after
// another (as Linked API queues them), so most of them wait "queued";
// Speed is kept at a millisecond so the campaign lasts seconds. CPU and
// memory would include the sandbox: measure those with the sandbox in its
// own process (lwf sandbox serve). Run with
//
//	go test -run '^$' -bench Track -benchtime 1x ./runner
func BenchmarkTrack(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				trackOnce(b, n, time.Millisecond)
			}
		})
	}
}

func trackOnce(b *testing.B, n int, speed time.Duration) {
	srv, err := sandbox.Start(context.Background(), "127.0.0.1:0", sandbox.Options{Speed: speed, MaxWorkflows: 2 * n})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	db, err := sqlstore.Open(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ps := make([]json.RawMessage, n)
	for i := range ps {
		ps[i] = json.RawMessage(fmt.Sprintf(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/bench-%d"}`, i))
	}
	creds := linkedapi.Credentials{IdentificationToken: sandbox.DefaultIdentificationToken, Endpoint: srv.URL}
	key, _ := state.RunKey(creds.Account(), ps)
	run, _, err := db.Attach(context.Background(), state.Run{Key: key, Account: creds.Account(), Endpoint: srv.URL}, ps, false)
	if err != nil {
		b.Fatal(err)
	}
	client, _ := linkedapi.New(linkedapi.Options{BaseURL: srv.URL, LinkedAPIToken: sandbox.DefaultLinkedAPIToken,
		IdentificationToken: sandbox.DefaultIdentificationToken, RatePerSecond: -1})
	b.ResetTimer()
	_, err = runner.Drive(context.Background(), runner.Config{API: client, Store: db}, run.ID)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	c := srv.Sandbox.Counters()
	var reqs int64
	for _, v := range c.Requests {
		reqs += v
	}
	b.ReportMetric(float64(reqs)/float64(c.WorkflowsCompleted), "requests/workflow")
	b.ReportMetric(float64(c.DuplicatePayloads), "duplicates")
}
