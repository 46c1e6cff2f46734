package sandbox

import (
	"net/http"
	"testing"
	"time"
)

func TestRetentionEviction(t *testing.T) {
	h := newHarness(t, Options{Retention: time.Minute})
	id := h.submit(ssi)
	h.get(id)
	h.clock.Advance(time.Minute - time.Second)
	h.get(id)
	h.clock.Advance(time.Second)
	h.do("GET", "/workflows/"+id, "").wantError(t, http.StatusNotFound, "workflowNotFound")
	if c := h.sb.Counters(); c.WorkflowsEvicted != 1 || c.WorkflowsHeld != 0 {
		t.Fatalf("counters %+v", c)
	}
}

func TestMaxWorkflows(t *testing.T) {
	h := newHarness(t, Options{MaxWorkflows: 2, Speed: time.Hour})
	a := h.submit(ssi)
	h.submit(ssi)
	r := h.do("POST", "/workflows", ssi)
	r.wantError(t, http.StatusTooManyRequests, "tooManyRequests")
	if r.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Once a workflow has finished, it makes room, even within retention.
	h.clock.Advance(2 * time.Hour)
	if v := h.get(a); v.WorkflowStatus != "completed" {
		t.Fatalf("a: %s", v.WorkflowStatus)
	}
	h.submit(ssi)
	h.do("GET", "/workflows/"+a, "").wantError(t, http.StatusNotFound, "workflowNotFound")
	if c := h.sb.Counters(); c.WorkflowsHeld != 2 || c.WorkflowsEvicted != 1 {
		t.Fatalf("counters %+v", c)
	}
}

func TestBoundedMap(t *testing.T) {
	b := newBounded[int](3)
	for i, k := range []string{"a", "b", "c", "d", "b", "e"} {
		b.put(k, i)
	}
	var keys []string
	b.each(func(k string, _ int) { keys = append(keys, k) })
	if got := len(keys); got != 3 || keys[0] != "c" || keys[1] != "d" || keys[2] != "e" {
		t.Fatalf("keys %v", keys)
	}
	if _, ok := b.get("a"); ok {
		t.Fatal("the oldest key was kept")
	}
}
