package state

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// reference is how encoding/json writes an event from its tags, Delay in
// milliseconds: what Event.MarshalJSON must write byte for byte.
func reference(e Event) ([]byte, error) {
	type plain Event
	p := plain(e)
	p.Delay = e.Delay / time.Millisecond
	return json.Marshal(p)
}

func checkEventJSON(t *testing.T, e Event) {
	t.Helper()
	want, werr := reference(e)
	got, err := json.Marshal(e)
	if (err != nil) != (werr != nil) || !bytes.Equal(got, want) {
		t.Errorf("MarshalJSON:\n got %s (%v)\nwant %s (%v)", got, err, want, werr)
	}
	if err != nil {
		return
	}
	direct, _ := e.MarshalJSON()
	if !bytes.Equal(direct, want) {
		t.Errorf("MarshalJSON called directly:\n got %s\nwant %s", direct, want)
	}
	var back Event
	if err := json.Unmarshal(got, &back); err != nil || back.Delay != e.Delay/time.Millisecond*time.Millisecond || back.Message != e.Message && utf8Valid(e.Message) {
		t.Errorf("read back %+v (%v) from %s", back, err, got)
	}
}

func utf8Valid(s string) bool { return string([]rune(s)) == s }

func TestEventJSONIsEncodingJSONs(t *testing.T) {
	at := time.Date(2026, 11, 28, 14, 27, 31, 211417033, time.UTC)
	counts := &Counts{Total: 3, ByState: map[State]int{Running: 1, Completed: 1, Planned: 1}, Actions: 4, Errors: 1, Finished: 1}
	for _, e := range []Event{
		{},
		{Time: at, Kind: EventRunStart, RunID: "r-123fbdac5a8f", Index: -1, Counts: counts},
		{Time: at.In(time.FixedZone("", 3*3600+1800)), Kind: EventSubmitted, RunID: "r-1", Index: 12, WorkflowID: "wf-57e31fe2", State: Pending, PendingReason: "queued", Message: "waiting <for> \"the\" account & more"},
		{Time: at, Kind: EventRetry, RunID: "r-1", Index: 0, Error: "GET /workflows/x: 503\n\ttry again\\later", Delay: 1500*time.Millisecond + 999*time.Microsecond},
		{Time: at, Kind: EventRetry, Delay: 999 * time.Microsecond},
		{Time: at, Kind: EventFinished, Message: "\x00\x01\b\f\x1f\x7f é ✓ \u2028\u2029 \xff\xfe bad", Counts: &Counts{}},
		{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local), Kind: EventStatus, Counts: &Counts{ByState: map[State]int{}}},
		{Time: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), Kind: EventStatus},
		{Time: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC), Kind: EventStatus},
	} {
		checkEventJSON(t, e)
	}
}

func FuzzEventJSON(f *testing.F) {
	f.Add("r-1", "wf-1", "queued", "hello <world> & \"you\"", "\xff\u2028\n", int64(1500), int64(1764340051211417033))
	f.Fuzz(func(t *testing.T, run, id, reason, msg, errText string, delay, nanos int64) {
		checkEventJSON(t, Event{Time: time.Unix(0, nanos).UTC(), Kind: EventKind(msg), RunID: run, Index: int(delay % 1000), WorkflowID: id,
			State: State(reason), PendingReason: reason, Message: msg, Error: errText, Delay: time.Duration(delay),
			Counts: &Counts{Total: len(msg), ByState: map[State]int{State(run): 1, State(id): 2}}})
	})
}

// BenchmarkEventJSON encodes an event as the store logs it and
// --json-events writes it: by reflection as before, with MarshalJSON, and
// through json.Marshal (which validates what MarshalJSON wrote).
func BenchmarkEventJSON(b *testing.B) {
	e := Event{Time: time.Now(), Kind: EventStatus, RunID: "r-123fbdac5a8f", Index: 42, WorkflowID: "wf-57e31fe2-2f7d-4614-886e-dcfc61403f5b",
		State: Pending, PendingReason: "queued", Counts: &Counts{Total: 1000, ByState: map[State]int{Pending: 400, Running: 1, Completed: 599}, Actions: 599, Finished: 599}}
	b.Run("reflection", func(b *testing.B) {
		for range b.N {
			reference(e)
		}
	})
	b.Run("MarshalJSON", func(b *testing.B) {
		for range b.N {
			e.MarshalJSON()
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		for range b.N {
			json.Marshal(e)
		}
	})
}
