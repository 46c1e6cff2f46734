// Command stages measures the same campaign run two ways against one
// sandbox speed: with its loops on the server (one workflow) and staged
// (the loops named with as:, run by lwf: one workflow per stage). For
// each it reports the workflows sent, the HTTP requests (the sandbox's
// counters), the actions executed and the wall time, with lwf's default
// polling policy.
//
//	go run ./bench/stages -speed 200ms
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/lwf-dev/lwf/campaign"
	"github.com/lwf-dev/lwf/compiler"
	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
)

// campaignFile is 10 companies × 5 employees, a connection request each;
// asItems names the loops (staged) or leaves them on the server.
func campaignFile(staged bool) string {
	company, person, note := "", "", "Hi, I'd love to connect."
	if staged {
		company, person, note = "\n    as: company", "\n          as: person", "Hi ${{ split(person.name, ' ')[0] }}, I saw ${{ company.name }} is growing."
	}
	return fmt.Sprintf(`version: 1
name: bench-stages
workflow:
  action: searchCompanies
  term: AI
  limit: 10
  filter: {locations: [San Francisco]}
  then:
    action: doForCompanies%s
    then:
      action: openCompanyPage
      then:
        action: retrieveCompanyEmployees
        limit: 5
        then:
          action: doForPeople%s
          then:
            action: openPersonPage
            then:
              action: sendConnectionRequest
              note: "%s"
`, company, person, note)
}

type outcome struct {
	workflows       int
	requests, polls int64
	actions         int
	wall            time.Duration
	stateCounts     map[state.State]int
}

func measure(ctx context.Context, staged bool, speed time.Duration) (outcome, error) {
	var o outcome
	srv, err := sandbox.Start(ctx, "127.0.0.1:0", sandbox.Options{Speed: speed})
	if err != nil {
		return o, err
	}
	defer srv.Close()
	dir, err := os.MkdirTemp("", "lwf-bench-stages")
	if err != nil {
		return o, err
	}
	defer os.RemoveAll(dir)
	db, err := sqlstore.Open(ctx, dir)
	if err != nil {
		return o, err
	}
	defer db.Close()
	plan, ds := compiler.Compile(ctx, "bench.yaml", []byte(campaignFile(staged)), compiler.Options{})
	if ds.HasErrors() {
		return o, fmt.Errorf("%v", ds)
	}
	key, _ := campaign.RunKey("bench", plan)
	pts := make([][]state.Point, len(plan.Points))
	for i, ps := range plan.Points {
		for _, p := range ps {
			pts[i] = append(pts[i], state.Point{Pointer: p.Pointer, Loop: p.Loop, Instance: p.Instance, Item: p.Item})
		}
	}
	run, _, err := db.Attach(ctx, state.Run{Key: key, Name: "bench", Account: "bench", Endpoint: srv.URL, Points: pts}, plan.Payloads, true)
	if err != nil {
		return o, err
	}
	client, err := linkedapi.New(linkedapi.Options{BaseURL: srv.URL, LinkedAPIToken: sandbox.DefaultLinkedAPIToken,
		IdentificationToken: sandbox.DefaultIdentificationToken, RatePerSecond: -1})
	if err != nil {
		return o, err
	}
	cfg := runner.Config{API: client, Store: db}
	if staged {
		cfg.Expand = (&campaign.Stager{Plan: plan, Store: db, RunID: run.ID}).Expand
	}
	start := time.Now()
	out, err := runner.Drive(ctx, cfg, run.ID)
	if err != nil {
		return o, err
	}
	o.wall = time.Since(start)
	c := srv.Sandbox.Counters()
	for _, n := range c.Requests {
		o.requests += n
	}
	o.polls = c.Requests[sandbox.EndpointGetWorkflow]
	o.workflows, o.actions, o.stateCounts = out.Counts.Total, out.Counts.Actions, out.Counts.ByState
	return o, nil
}

func main() {
	speed := flag.Duration("speed", 200*time.Millisecond, "sandbox time per action")
	flag.Parse()
	ctx := context.Background()
	fmt.Printf("10 companies × 5 employees, a connection request each; sandbox %s per action; lwf's default polling\n\n", *speed)
	fmt.Println("| form | workflows | requests (GET polls) | actions | wall |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	var res [2]outcome
	for i, staged := range []bool{false, true} {
		o, err := measure(ctx, staged, *speed)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		res[i] = o
		name := "server-side (one workflow)"
		if staged {
			name = "staged (as: company, as: person)"
		}
		fmt.Printf("| %s | %d | %d (%d) | %d | %.1f s |\n", name, o.workflows, o.requests, o.polls, o.actions, o.wall.Seconds())
	}
	fmt.Printf("\nstaged / server-side: %.2f× the requests, %.2f× the wall time\n",
		float64(res[1].requests)/float64(res[0].requests), res[1].wall.Seconds()/res[0].wall.Seconds())
}
