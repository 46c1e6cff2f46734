package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/runner/state"
)

func TestSourcesAndAccountStates(t *testing.T) {
	ctx := context.Background()
	db := open(t, t.TempDir())
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	src := state.Source{Kind: state.SourceSequence, Name: "connect", File: "connect.yaml", Content: []byte("version: 1\n"),
		Inputs: json.RawMessage(`{"leads":[{"url":"u"}]}`), Accounts: []string{"a", "b"}, Created: t0, Updated: t0}
	if err := db.SaveSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	// A second registration replaces the content, keeps the creation time.
	src.Content, src.Accounts, src.Created, src.Updated = []byte("version: 1\n# edited\n"), []string{"a"}, t0.Add(time.Hour), t0.Add(time.Hour)
	if err := db.SaveSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSourcePaused(ctx, state.SourceSequence, "connect", true); err != nil {
		t.Fatal(err)
	}
	got, err := db.Sources(ctx, state.SourceSequence)
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
	g := got[0]
	if string(g.Content) != "version: 1\n# edited\n" || len(g.Accounts) != 1 || !g.Paused || !g.Created.Equal(t0) || !g.Updated.Equal(t0.Add(time.Hour)) ||
		string(g.Inputs) != `{"leads":[{"url":"u"}]}` {
		t.Errorf("%+v", g)
	}
	if err := db.SetSourcePaused(ctx, state.SourceSequence, "nothing", true); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("pausing what is not there: %v", err)
	}
	if err := db.SetAccountState(ctx, state.AccountState{Account: "a", Label: "work", Updated: t0}); err != nil {
		t.Fatal(err)
	}
	// A later state without a label keeps the label.
	if err := db.SetAccountState(ctx, state.AccountState{Account: "a", Stopped: "limitExceeded", Since: t0, Updated: t0}); err != nil {
		t.Fatal(err)
	}
	sts, err := db.AccountStates(ctx)
	if err != nil || len(sts) != 1 || sts[0].Label != "work" || sts[0].Stopped != "limitExceeded" || !sts[0].Since.Equal(t0) {
		t.Errorf("%+v %v", sts, err)
	}
}
