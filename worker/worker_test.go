package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/runner/state/sqlstore"
	"github.com/lwf-dev/lwf/sandbox"
)

// TestPassDrivesAccountsSideBySide: a pass drives the queued runs of
// different accounts at once — the second account's workflow is sent
// before the first account's has finished — while one account's runs go
// one after another.
func TestPassDrivesAccountsSideBySide(t *testing.T) {
	idents := []string{"id-one", "id-two", "id-three"}
	sb, err := sandbox.Start(context.Background(), "127.0.0.1:0", sandbox.Options{Speed: time.Second,
		Tokens: map[string][]string{sandbox.DefaultLinkedAPIToken: idents}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	accounts := map[string]Account{}
	var runs []string
	for i, id := range idents {
		creds := linkedapi.Credentials{LinkedAPIToken: sandbox.DefaultLinkedAPIToken, IdentificationToken: id, Endpoint: sb.URL}
		client, err := linkedapi.New(linkedapi.Options{BaseURL: sb.URL, LinkedAPIToken: creds.LinkedAPIToken, IdentificationToken: id, RatePerSecond: -1})
		if err != nil {
			t.Fatal(err)
		}
		acc := creds.Account()
		accounts[acc] = Account{Account: acc, Label: id, API: client, Endpoint: sb.URL}
		// The first account has two runs: they go one after another.
		for r := range 1 + boolInt(i == 0) {
			payload := json.RawMessage(fmt.Sprintf(`{"actionType":"st.checkConnectionStatus","personUrl":"https://www.linkedin.com/in/side-%d-%d"}`, i, r))
			key, _ := state.RunKey(acc, []json.RawMessage{payload})
			run, _, err := db.Attach(ctx, state.Run{Key: key, Name: fmt.Sprintf("%s-%d", id, r), Account: acc, Endpoint: sb.URL, Created: time.Now()}, []json.RawMessage{payload}, false)
			if err != nil {
				t.Fatal(err)
			}
			runs = append(runs, run.ID)
		}
	}
	w := &Worker{Store: db, Accounts: accounts, Policy: runner.Policy{PollStart: 20 * time.Millisecond, PollMax: 50 * time.Millisecond}}
	p, err := w.Pass(ctx)
	if err != nil || len(p.Errors) > 0 {
		t.Fatalf("pass: %v %v", err, p.Errors)
	}
	if p.Runs != len(runs) {
		t.Fatalf("%d runs driven, want %d", p.Runs, len(runs))
	}
	type span struct{ accepted, finished time.Time }
	spans := make([]span, len(runs))
	for i, id := range runs {
		ws, err := db.Workflows(ctx, id)
		if err != nil || len(ws) != 1 || ws[0].State != state.Completed {
			t.Fatalf("run %s: %v %+v", id, err, ws)
		}
		resp, err := http.Get(sb.URL + "/_sandbox/workflows/" + ws[0].WorkflowID)
		if err != nil {
			t.Fatal(err)
		}
		var sc sandbox.Schedule
		err = json.NewDecoder(resp.Body).Decode(&sc)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		spans[i].accepted, _ = time.Parse(time.RFC3339Nano, sc.AcceptedAt)
		spans[i].finished, _ = time.Parse(time.RFC3339Nano, sc.FinishedAt)
	}
	// runs: one-0, one-1, two-0, three-0.
	if !spans[1].accepted.After(spans[0].finished) && !spans[0].accepted.After(spans[1].finished) {
		t.Errorf("one account's two runs overlapped: %+v %+v", spans[0], spans[1])
	}
	first := spans[0]
	if spans[1].accepted.Before(first.accepted) {
		first = spans[1]
	}
	for _, other := range spans[2:] {
		if !other.accepted.Before(first.finished) {
			t.Errorf("another account's workflow was sent at %s, after the first account's finished at %s: accounts driven one at a time",
				other.accepted.Format(time.StampMilli), first.finished.Format(time.StampMilli))
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
