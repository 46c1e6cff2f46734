package sequence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
	"github.com/lwf-dev/lwf/runner/state"
	"github.com/lwf-dev/lwf/sandbox"
)

// loseAnswer sends workflows on, but loses the answer to the first POST
// of an action type — the request reached Linked API, lwf cannot know it,
// as when lwf is killed while sending.
type loseAnswer struct {
	API
	action string
	lost   int
}

func (l *loseAnswer) StartWorkflow(ctx context.Context, def json.RawMessage) (*linkedapi.StartedWorkflow, error) {
	sw, err := l.API.StartWorkflow(ctx, def)
	if err == nil && l.lost == 0 && bytes.Contains(def, []byte(`"`+l.action+`"`)) {
		l.lost++
		return nil, errors.New("connection reset by peer")
	}
	return sw, err
}

// TestSyncAnswerLost: the feeds' one-time sync whose submission is
// unknown (its answer lost, or lwf killed while sending it) is sent again
// — harmless for a sync, while without it the feed would report nothing —
// instead of failing this tick and every later one.
func TestSyncAnswerLost(t *testing.T) {
	for _, action := range []string{"st.syncNetwork", "st.syncInbox"} {
		t.Run(action, func(t *testing.T) {
			s := newSim(t, sandbox.Options{AcceptAfter: time.Hour, ReplyAfter: time.Hour}, connectFollowUp, people(4))
			s.advance(3 * time.Hour) // 09:00 Berlin, a working day
			lose := &loseAnswer{API: s.api, action: action}
			e := s.engine()
			e.API = lose
			tk, err := e.Run(s.ctx)
			if err != nil {
				t.Fatalf("the tick whose sync answer was lost: %v", err)
			}
			if lose.lost != 1 || len(tk.Warnings) != 1 || !strings.Contains(tk.Warnings[0], action+" of an earlier attempt") {
				t.Errorf("lost %d answers; warnings %q", lose.lost, tk.Warnings)
			}
			if tk.Sent["invite"] == 0 {
				t.Errorf("the tick sent %v", tk.Sent)
			}
			// The feeds work: acceptances and replies arrive.
			for h := 0; h < 48 && s.funnel().Events["replied"] == 0; h++ {
				s.advance(time.Hour)
				s.tick()
			}
			if f := s.funnel(); f.Events["connectionAccepted"] == 0 || f.Events["replied"] == 0 {
				t.Errorf("events after a lost sync answer: %v", f.Events)
			}
		})
	}
}

// crashStore stops a tick where lwf could be killed: before the run of
// its due steps is recorded, or after, before the pace's last write is.
type crashStore struct {
	state.Store
	beforeRun, beforePace bool
}

var errCrash = errors.New("killed")

func (c *crashStore) StartSteps(ctx context.Context, run state.Run, payloads []json.RawMessage, account string, leads []*state.Lead, events []state.LeadEvent) (*state.Run, error) {
	if c.beforeRun {
		return nil, errCrash
	}
	return c.Store.StartSteps(ctx, run, payloads, account, leads, events)
}

func (c *crashStore) SetCursor(ctx context.Context, account string, cur state.Cursor) error {
	if c.beforePace && cur.Kind == cursorPace {
		return errCrash
	}
	return c.Store.SetCursor(ctx, account, cur)
}

// TestCrashKeepsPace: a tick stopped before it recorded the run of its
// due steps sent nothing, so the next tick sends what it would have (the
// pace does not count writes never made); one stopped after sent them
// (the next tick finishes its run), so they count for the pace.
func TestCrashKeepsPace(t *testing.T) {
	// The pace of 10m lets six writes out at once.
	t.Run("before the run", func(t *testing.T) {
		s := newSim(t, sandbox.Options{}, connectFollowUp, people(10))
		s.advance(3 * time.Hour) // 09:00 UTC, a working day in Berlin
		e := s.engine()
		e.Store = &crashStore{Store: s.db, beforeRun: true}
		if _, err := e.Run(s.ctx); !errors.Is(err, errCrash) {
			t.Fatalf("the stopped tick: %v", err)
		}
		if tk := s.tick(); tk.Sent["invite"] != 6 {
			t.Errorf("the next tick sent %v, want the 6 invitations the pace allows", tk.Sent)
		}
	})
	t.Run("after the run", func(t *testing.T) {
		s := newSim(t, sandbox.Options{}, connectFollowUp, people(10))
		s.advance(3 * time.Hour)
		e := s.engine()
		e.Store = &crashStore{Store: s.db, beforePace: true}
		if _, err := e.Run(s.ctx); !errors.Is(err, errCrash) {
			t.Fatalf("the stopped tick: %v", err)
		}
		// Four minutes later, six leads more join: the six writes of the
		// stopped tick leave the pace no room for them yet.
		s.advance(4 * time.Minute)
		s.leads = people(16)
		tk := s.tick()
		if len(tk.Sent) != 0 || len(tk.Runs) != 1 {
			t.Errorf("the next tick finished %d runs and sent %v; want the stopped tick's run finished and nothing sent", len(tk.Runs), tk.Sent)
		}
		invites := 0
		for _, w := range s.srv.Sandbox.Writes() {
			if w.Action == "st.sendConnectionRequest" {
				invites++
			}
		}
		if invites != 6 {
			t.Errorf("%d invitations executed, want 6", invites)
		}
	})
}
