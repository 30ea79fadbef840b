package bridge

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
	dto "github.com/prometheus/client_model/go"
)

func pendingGauge(s *Spool, sink string) float64 {
	var m dto.Metric
	if err := s.m.pending.WithLabelValues(sink).Write(&m); err != nil {
		panic(err)
	}
	return m.GetGauge().GetValue()
}

// auditbridge_sink_pending_events is the exact number of events a sink has
// not delivered: while the sink is down (and across a restart of its
// dispatcher), with messages of many sizes, and 0 once it has caught up.
func TestPendingGaugeIsExact(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir, func(c *SpoolConfig) { c.MsgEvents = 37 })
	var down atomic.Bool
	down.Store(true)
	sink := newRecordSink("rec", func(int, []normalize.Event) error {
		if down.Load() {
			return errors.New("connection refused")
		}
		return nil
	})
	slow := WithSleeper(func(ctx context.Context, _ time.Duration) error {
		select { // retry every 5ms, so the sink is tried often while it is down
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
		}
		return ctx.Err()
	})
	cfg := fastBatch()
	cfg.Events = 100
	stop := startDispatcher(t, s, sink, cfg, slow)
	const total = 1234
	for i, n := range []int{1, 500, 233, 500} {
		if err := s.Publish(context.Background(), testEvents(fmt.Sprint("p", i), n)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "a failed attempt", 20*time.Second, func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return sink.calls >= 2
	})
	if got := pendingGauge(s, "rec"); got != total {
		t.Fatalf("pending with the sink down: %v, want %d", got, total)
	}

	// A new dispatcher (a restart) counts the backlog from the spool.
	stop()
	s.m.setPending("rec", -1)
	d, err := s.NewDispatcher(context.Background(), sink, cfg, DefaultRetryConfig(), hclog.NewNullLogger(), slow)
	if err != nil {
		t.Fatal(err)
	}
	if got := pendingGauge(s, "rec"); got != total {
		t.Fatalf("pending counted at start: %v, want %d", got, total)
	}
	down.Store(false)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	waitFor(t, "delivery", 20*time.Second, func() bool { return sink.count() == total })
	waitFor(t, "pending 0", 20*time.Second, func() bool { return pendingGauge(s, "rec") == 0 })
}
