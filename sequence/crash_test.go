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
