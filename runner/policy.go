package runner

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/lwf-dev/lwf/linkedapi"
)

// Policy sets the runner's timing. Tests shrink every interval to
// milliseconds; nothing else depends on wall-clock time.
type Policy struct {
	// PollStart is the first interval between polls of a workflow.
	PollStart time.Duration
	// PollFactor multiplies the interval after each poll.
	PollFactor float64
	// PollMax caps the interval (before jitter).
	PollMax time.Duration
	// Jitter spreads each interval uniformly by ±Jitter (a fraction), so
	// that thousands of workflows submitted together do not poll in step.
	Jitter float64
	// Park is the interval while a workflow waits for the account's working
	// hours (pendingReason outsideWorkingHours); it is never exceeded.
	Park time.Duration
	// RetryBase and RetryMax bound the full-jitter backoff after a
	// transient failure: a delay drawn from [0, min(RetryMax, RetryBase·2ⁿ)].
	RetryBase time.Duration
	RetryMax  time.Duration
	// RetryAfterCap caps the delay a server's Retry-After can impose.
	RetryAfterCap time.Duration
	// Concurrency bounds the requests in flight at once (the client's
	// limiter bounds their rate).
	Concurrency int
	// SubmitConcurrency bounds the POST /workflows in flight at once. Each
	// one in flight when the process is killed becomes an unknown
	// submission, so the default is 1.
	SubmitConcurrency int
	// CancelCheck is how often the store is asked whether `lwf cancel` was
	// requested.
	CancelCheck time.Duration
	// GiveUpAfter is how many consecutive non-transient errors (other than
	// auth errors) reading one workflow are tolerated before it is marked
	// failed.
	GiveUpAfter int
	// GroupCommit is how long a change other than a submission's may wait
	// to be committed to the store together with others, in one
	// transaction. The intent before a POST /workflows and the POST's
	// outcome never wait (see Drive). Negative: every change is committed
	// on its own, at once.
	GroupCommit time.Duration
}

// DefaultPolicy returns the timing lwf uses: polls start at 2 s and back
// off ×1.5 to 60 s (±10% jitter), so a 10-minute workflow costs about 18
// requests and an hour-long one about 68; parked workflows are re-checked
// every 10 minutes at most; what polls find is committed to the store once
// a second.
func DefaultPolicy() Policy {
	return Policy{
		PollStart:         2 * time.Second,
		PollFactor:        1.5,
		PollMax:           60 * time.Second,
		Jitter:            0.1,
		Park:              10 * time.Minute,
		RetryBase:         time.Second,
		RetryMax:          2 * time.Minute,
		RetryAfterCap:     linkedapi.DefaultRetryAfterCap,
		Concurrency:       16,
		SubmitConcurrency: 1,
		CancelCheck:       2 * time.Second,
		GiveUpAfter:       5,
		GroupCommit:       time.Second,
	}
}

// withDefaults fills zero fields from DefaultPolicy.
func (p Policy) withDefaults() Policy {
	d := DefaultPolicy()
	if p.PollStart <= 0 {
		p.PollStart = d.PollStart
	}
	if p.PollFactor < 1 {
		p.PollFactor = d.PollFactor
	}
	if p.PollMax <= 0 {
		p.PollMax = d.PollMax
	}
	if p.Jitter < 0 || p.Jitter >= 1 {
		p.Jitter = d.Jitter
	}
	if p.Park <= 0 {
		p.Park = d.Park
	}
	if p.RetryBase <= 0 {
		p.RetryBase = d.RetryBase
	}
	if p.RetryMax <= 0 {
		p.RetryMax = d.RetryMax
	}
	if p.RetryAfterCap <= 0 {
		p.RetryAfterCap = d.RetryAfterCap
	}
	if p.Concurrency <= 0 {
		p.Concurrency = d.Concurrency
	}
	if p.SubmitConcurrency <= 0 {
		p.SubmitConcurrency = d.SubmitConcurrency
	}
	if p.CancelCheck <= 0 {
		p.CancelCheck = d.CancelCheck
	}
	if p.GiveUpAfter <= 0 {
		p.GiveUpAfter = d.GiveUpAfter
	}
	if p.GroupCommit == 0 {
		p.GroupCommit = d.GroupCommit
	}
	return p
}

// nextInterval is the un-jittered interval after one of length cur.
func (p Policy) nextInterval(cur time.Duration) time.Duration {
	if cur <= 0 {
		return p.PollStart
	}
	return min(time.Duration(float64(cur)*p.PollFactor), p.PollMax)
}

// intervalForAge is the un-jittered interval a workflow submitted age ago
// would have reached, so that re-attaching to an old run does not restart
// every workflow at the quick first interval.
func (p Policy) intervalForAge(age time.Duration) time.Duration {
	iv, elapsed := p.PollStart, time.Duration(0)
	for elapsed+iv <= age && iv < p.PollMax {
		elapsed += iv
		iv = p.nextInterval(iv)
	}
	return iv
}

// jitter spreads d uniformly over d·[1-Jitter, 1+Jitter].
func (p Policy) jitter(d time.Duration, r *rand.Rand) time.Duration {
	return time.Duration(float64(d) * (1 + p.Jitter*(2*r.Float64()-1)))
}

// parkDelay is the next check of a parked workflow: jittered downwards
// only, so the Park bound holds.
func (p Policy) parkDelay(r *rand.Rand) time.Duration {
	return time.Duration(float64(p.Park) * (1 - p.Jitter*r.Float64()))
}

// retryDelay is the full-jitter backoff after the n-th consecutive
// transient failure (n ≥ 1), never shorter than a capped Retry-After.
func (p Policy) retryDelay(n int, retryAfter time.Duration, r *rand.Rand) time.Duration {
	ceil := float64(p.RetryBase) * math.Pow(2, float64(n-1))
	ceil = min(ceil, float64(p.RetryMax))
	d := time.Duration(r.Float64() * ceil)
	if retryAfter > 0 {
		d = max(d, min(retryAfter, p.RetryAfterCap))
	}
	return d
}
