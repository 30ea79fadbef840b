package bridge

import (
	"context"
	"math/rand/v2"
	"time"
)

// backoff computes retry delays: exponential with full jitter, a delay of
// rand in [0, min(Max, Base*2^attempt)).
type backoff struct {
	cfg  RetryConfig
	rand func() float64 // in [0, 1)
}

// delay returns the wait before retry number attempt (0 = first retry).
func (b backoff) delay(attempt int) time.Duration {
	ceil := b.cfg.Max
	if attempt < 62 {
		if d := b.cfg.Base << attempt; d > 0 && d < ceil {
			ceil = d
		}
	}
	return time.Duration(b.rand() * float64(ceil))
}

// retryDelay is the wait after err on retry number attempt: the throttle
// hint when the sink gave one (at least that long, capped at an hour),
// otherwise the jittered backoff.
func (b backoff) retryDelay(attempt int, err error) time.Duration {
	if d, ok := ThrottleDelay(err); ok && d > 0 {
		return min(d, time.Hour)
	}
	return b.delay(attempt)
}

// Sleeper waits for d or until ctx is done (then it returns ctx.Err()).
// Tests inject one that records delays and returns at once.
type Sleeper func(ctx context.Context, d time.Duration) error

// Sleep is the production Sleeper, for every component that waits with a
// context (dispatchers, sources).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// defaultRand is the production jitter source.
func defaultRand() float64 { return rand.Float64() }
