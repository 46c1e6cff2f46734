package sandbox

import (
	"fmt"
	"net/http"
	"runtime"
	"testing"
	"time"
)

// mediumWorkflow completes with about 100 KB: 100 people, each opened.
const mediumWorkflow = `{"actionType":"st.searchPeople","term":"CTO %d","limit":100,"then":{"actionType":"st.doForPeople","then":{"actionType":"st.openPersonPage","basicInfo":true}}}`

// heldBytes adds up, under the lock, what the held workflows keep, to
// check the sandbox's running count against.
func (s *Sandbox) heldBytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for _, w := range s.workflows {
		n += int64(len(w.body) + len(w.completion))
	}
	return n
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestHeldBytesStayBounded: small requests with large completions are
// kept in memory up to MaxHeldBytes, counted exactly; beyond it the oldest
// finished workflows are evicted, and the heap the sandbox keeps alive
// stays near the bound however many are submitted.
func TestHeldBytesStayBounded(t *testing.T) {
	const bound = 1 << 20
	h := newHarness(t, Options{MaxHeldBytes: bound})
	before := liveHeap()
	var first, last string
	var completions int64
	for i := range 60 {
		id := h.submit(fmt.Sprintf(mediumWorkflow, i))
		v := h.get(id)
		if v.WorkflowStatus != "completed" {
			t.Fatalf("workflow %d: %s", i, v.WorkflowStatus)
		}
		completions += int64(len(v.Completion))
		c := h.sb.Counters()
		if c.BytesHeld > bound || c.BytesHeld != h.sb.heldBytes() {
			t.Fatalf("after workflow %d: %d bytes held by the count, %d in fact; the bound is %d", i, c.BytesHeld, h.sb.heldBytes(), bound)
		}
		if i == 0 {
			first = id
		}
		last = id
	}
	if completions < 4*bound {
		t.Fatalf("the completions add up to %d bytes; the test needs several times the bound", completions)
	}
	grown := int64(liveHeap()) - int64(before)
	c := h.sb.Counters()
	t.Logf("60 completions of %d bytes in all; held: %d workflows, %d bytes; live heap grew by %d bytes", completions, c.WorkflowsHeld, c.BytesHeld, grown)
	if c.WorkflowsEvicted == 0 || c.WorkflowsHeld+c.WorkflowsEvicted != 60 {
		t.Errorf("counters %+v", c)
	}
	// The account's own memory (people seen, statistics) grows too, within
	// its own bounds; the completions must not come on top of it.
	if grown > 2*bound+completions/4 {
		t.Errorf("the live heap grew by %d bytes for %d bytes of completions and a %d-byte bound", grown, completions, bound)
	}
	if v := h.get(last); v.WorkflowStatus != "completed" {
		t.Errorf("the latest workflow: %s", v.WorkflowStatus)
	}
	h.do("GET", "/workflows/"+first, "").wantError(t, http.StatusNotFound, "workflowNotFound")
}

// TestHeldBytesOfWorkflowsInProgress: bodies of workflows not yet run
// count too; when the workflows in progress alone fill the bound, POST
// answers 429 until some finish.
func TestHeldBytesOfWorkflowsInProgress(t *testing.T) {
	body := fmt.Sprintf(mediumWorkflow, 1)
	h := newHarness(t, Options{MaxHeldBytes: int64(2*len(body) + 10), Speed: time.Hour, Retention: 10000 * time.Hour})
	a := h.submit(body)
	b := h.submit(fmt.Sprintf(mediumWorkflow, 2))
	r := h.do("POST", "/workflows", fmt.Sprintf(mediumWorkflow, 3))
	r.wantError(t, http.StatusTooManyRequests, "tooManyRequests")
	want := fmt.Sprintf("The workflows in progress hold %d bytes, the sandbox's limit is %d; retry once some have finished.", 2*len(body), 2*len(body)+10)
	if r.env.Error.Message != want || r.header.Get("Retry-After") == "" {
		t.Errorf("429: %q (Retry-After %q); want %q", r.env.Error.Message, r.header.Get("Retry-After"), want)
	}
	// Both finish (the second runs after the first). Each completion is
	// larger than the bound: the older is evicted, the newer stays, the
	// only one, to be read — until a new workflow needs the room.
	h.clock.Advance(1000 * time.Hour)
	h.do("GET", "/workflows/"+a, "").wantError(t, http.StatusNotFound, "workflowNotFound")
	if v := h.get(b); v.WorkflowStatus != "completed" {
		t.Errorf("the last finished workflow: %s", v.WorkflowStatus)
	}
	if c := h.sb.Counters(); c.WorkflowsEvicted != 1 || c.BytesHeld != h.sb.heldBytes() || c.BytesHeld <= int64(len(body)) {
		t.Errorf("counters %+v; held %d", c, h.sb.heldBytes())
	}
	h.submit(fmt.Sprintf(mediumWorkflow, 4))
	h.do("GET", "/workflows/"+b, "").wantError(t, http.StatusNotFound, "workflowNotFound")
	if c := h.sb.Counters(); c.BytesHeld != int64(len(body)) || c.BytesHeld != h.sb.heldBytes() {
		t.Errorf("counters %+v; held %d", c, h.sb.heldBytes())
	}
}
