package linkedapi

import (
	"testing"
	"time"
)

func TestLimiterBucket(t *testing.T) {
	l := NewLimiter(2, 2) // 2 per second, bursts of 2
	now := time.Unix(1000, 0)
	if first, second := l.reserve(now), l.reserve(now); first != 0 || second != 0 {
		t.Fatal("the burst was not available")
	}
	if d := l.reserve(now); d != 500*time.Millisecond {
		t.Errorf("third request waits %v, want 500ms", d)
	}
	if d := l.reserve(now.Add(500 * time.Millisecond)); d != 0 {
		t.Errorf("after 500ms the wait is %v, want 0", d)
	}
	// A long idle period refills only up to the burst.
	later := now.Add(time.Hour)
	for i := 0; i < 2; i++ {
		if d := l.reserve(later); d != 0 {
			t.Fatalf("request %d after idling waits %v", i, d)
		}
	}
	if d := l.reserve(later); d == 0 {
		t.Error("the bucket refilled beyond its burst")
	}
}

func TestLimiterUnlimitedAndPause(t *testing.T) {
	l := NewLimiter(-1, 1)
	now := time.Now()
	for i := 0; i < 100; i++ {
		if d := l.reserve(now); d != 0 {
			t.Fatalf("unlimited limiter made request %d wait %v", i, d)
		}
	}
	l.PauseFor(time.Hour)
	l.PauseFor(time.Minute) // a shorter pause does not shorten the first
	if d := l.reserve(time.Now()); d < 59*time.Minute {
		t.Errorf("paused limiter waits %v, want about an hour", d)
	}
}
