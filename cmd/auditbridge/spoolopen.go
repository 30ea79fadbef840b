package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
)

// spoolRetryMax caps the wait between attempts to reach an external NATS.
const spoolRetryMax = 30 * time.Second

// openSpoolRetrying opens the spool. With an external NATS (NATS_URL) a
// failure is retried with exponential backoff (base doubling up to 30 s,
// with jitter) until ctx ends: a bridge that starts before its NATS
// cluster, or while the cluster has no JetStream leader, waits for it
// instead of exiting. The embedded spool gets one attempt (its failures,
// such as a data dir locked by another process, do not pass by waiting).
func openSpoolRetrying(ctx context.Context, cfg bridge.SpoolConfig, log hclog.Logger, m *bridge.Metrics,
	base time.Duration) (*bridge.Spool, error) {
	delay := base
	for attempt := 1; ; attempt++ {
		spool, err := bridge.OpenSpool(ctx, cfg, log, m)
		if err == nil || cfg.NATSURL == "" {
			return spool, err
		}
		if err := cfg.Validate(); err != nil {
			return nil, err // configuration: waiting does not help
		}
		wait := delay/2 + time.Duration(rand.Int64N(int64(delay/2)+1))
		log.Warn("nats not reachable; retrying", "attempt", attempt, "delay", wait, "error", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("gave up after %d attempts: %w", attempt, err)
		case <-time.After(wait):
		}
		delay = min(2*delay, spoolRetryMax)
	}
}
