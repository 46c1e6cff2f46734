package linkedapi

import (
	"context"
	"sync"
	"time"
)

// Limiter bounds the request rate of every call made through a Client,
// whichever goroutine makes it: a token bucket that a 429 response can
// also pause as a whole. It is safe for concurrent use.
type Limiter struct {
	mu       sync.Mutex
	interval time.Duration // time per token; 0 = unlimited
	burst    int
	tokens   float64
	last     time.Time
	paused   time.Time // no request before this
}

// NewLimiter returns a limiter allowing perSecond requests a second on
// average, with bursts of up to burst. perSecond <= 0 means no bound.
func NewLimiter(perSecond float64, burst int) *Limiter {
	if burst < 1 {
		burst = 1
	}
	l := &Limiter{burst: burst, tokens: float64(burst)}
	if perSecond > 0 {
		l.interval = time.Duration(float64(time.Second) / perSecond)
	}
	return l
}

// Wait blocks until a request may be made or ctx ends.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		d := l.reserve(time.Now())
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// reserve takes a token if one is available at now and returns 0, or
// returns how long to wait before trying again.
func (l *Limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.paused) {
		return l.paused.Sub(now)
	}
	if l.interval == 0 {
		return 0
	}
	if l.last.IsZero() {
		l.last = now
	}
	l.tokens += float64(now.Sub(l.last)) / float64(l.interval)
	if l.tokens > float64(l.burst) {
		l.tokens = float64(l.burst)
	}
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		return 0
	}
	return time.Duration((1 - l.tokens) * float64(l.interval))
}

// PauseFor holds every request for d from now, as a server's Retry-After
// asks. A shorter pause never shortens a longer one already in force.
func (l *Limiter) PauseFor(d time.Duration) {
	if d <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if until := time.Now().Add(d); until.After(l.paused) {
		l.paused = until
	}
}
