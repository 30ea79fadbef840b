package bridge

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// bigEvents are n events of about size bytes of native JSON each.
func paddedEvents(prefix string, n, size int) []normalize.Event {
	evs := testEvents(prefix, n)
	for i := range evs {
		evs[i].Message = strings.Repeat("x", size)
	}
	return evs
}

func rejectAll(int, []normalize.Event) error { return Permanent(errors.New("mapping conflict")) }

// shortSleep waits a little in real time, so a blocked dispatcher retries
// without spinning.
func shortSleep(ctx context.Context, _ time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(20 * time.Millisecond):
		return nil
	}
}

func TestDLQFullBlockShowsOnReadyz(t *testing.T) {
	s := openTestSpool(t, "", func(c *SpoolConfig) { c.DLQMaxBytes, c.DLQFull = 1<<20, DLQFullBlock })
	ctx := context.Background()
	sink := newRecordSink("picky", rejectAll)
	b := fastBatch()
	b.Events = 1
	startDispatcher(t, s, sink, b, WithSleeper(shortSleep))
	if err := s.Publish(ctx, paddedEvents("big", 20, 100<<10)); err != nil {
		t.Fatal(err)
	}
	var reasons []string
	waitFor(t, "the sink is unready because the DLQ is full", 30*time.Second, func() bool {
		var ok bool
		ok, reasons = s.Health().Ready()
		return !ok
	})
	if len(reasons) != 1 || !strings.Contains(reasons[0], "sink.picky: dead-letter queue full") || !strings.Contains(reasons[0], "DLQ_FULL=block") {
		t.Fatalf("readyz reasons = %q, want the sink unready with the DLQ-full reason", reasons)
	}
	if v := seriesValue(t, s.m.dlqFull.WithLabelValues("picky")); v != 1 {
		t.Errorf("auditbridge_dlq_full = %v, want 1", v)
	}
	kept, err := s.DLQCount(ctx, "picky")
	if err != nil || kept == 0 || kept >= 20 {
		t.Fatalf("dlq holds %d (%v), want some but not all 20", kept, err)
	}
	// The operator purges: the sink goes on and every event is accounted for.
	if _, err := s.DLQPurge(ctx, ""); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rest is dead-lettered and the sink ready", 30*time.Second, func() bool {
		ok, _ := s.Health().Ready()
		n, _ := s.DLQCount(ctx, "picky")
		return ok && n == 20-kept && consumerIdle(t, s, "picky")
	})
	if v := seriesValue(t, s.m.dlqFull.WithLabelValues("picky")); v != 0 {
		t.Errorf("auditbridge_dlq_full = %v after the purge, want 0", v)
	}
}

func TestDLQFullDropOldestCounts(t *testing.T) {
	s := openTestSpool(t, "", func(c *SpoolConfig) { c.DLQMaxBytes = 1 << 20 })
	if s.cfg.DLQFull != DLQFullDropOldest {
		t.Fatalf("default DLQ_FULL = %q, want drop-oldest", s.cfg.DLQFull)
	}
	ctx := context.Background()
	sink := newRecordSink("picky", rejectAll)
	b := fastBatch()
	b.Events = 1
	startDispatcher(t, s, sink, b, WithSleeper(shortSleep))
	if err := s.Publish(ctx, paddedEvents("big", 20, 100<<10)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every event dead-lettered or dropped", 30*time.Second, func() bool { return consumerIdle(t, s, "picky") })
	kept, err := s.DLQCount(ctx, "picky")
	if err != nil {
		t.Fatal(err)
	}
	dropped := int(seriesValue(t, s.m.dlqDropped.WithLabelValues("picky")))
	if dropped == 0 || kept+dropped != 20 {
		t.Fatalf("dlq keeps %d, dropped %d: want some dropped and 20 in all", kept, dropped)
	}
	dls, err := s.DLQList(ctx, "picky", 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := "big-" + strconv.Itoa(dropped); dls[0].EventID != want {
		t.Errorf("oldest kept = %s, want %s (the oldest were dropped)", dls[0].EventID, want)
	}
	if ok, reasons := s.Health().Ready(); !ok {
		t.Errorf("unready after drop-oldest: %q", reasons)
	}
}

// An event whose native JSON exceeds a NATS message is dead-lettered as its
// first KiB with id, reason and size, instead of blocking the sink.
func TestOversizedDeadLetterIsTruncated(t *testing.T) {
	s := openTestSpool(t, "", nil)
	ctx := context.Background()
	sink := newRecordSink("picky", rejectAll)
	startDispatcher(t, s, sink, fastBatch(), WithSleeper(shortSleep))
	evs := testEvents("huge", 2)
	evs[0].Message = strings.Repeat("\x01", 300<<10) // \u0001 each: 1.8 MB of JSON
	if err := s.Publish(ctx, evs); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both dead-lettered", 30*time.Second, func() bool {
		n, _ := s.DLQCount(ctx, "picky")
		return n == 2
	})
	dls, err := s.DLQList(ctx, "picky", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, dl := range dls {
		if dl.EventID != "huge-0" {
			continue
		}
		if dl.Encoding != EncodingTruncated || len(dl.Data) != truncatedKeep || dl.Size < 1<<20 || !strings.Contains(dl.Reason, "mapping conflict") {
			t.Fatalf("huge-0 stored as %s, %d bytes of %d, reason %q; want truncated to 1 KiB with size and reason", dl.Encoding, len(dl.Data), dl.Size, dl.Reason)
		}
		if _, err := dl.Events(); err == nil {
			t.Error("a truncated dead letter decoded as an event")
		}
		return
	}
	t.Fatal("huge-0 not in the dlq")
}

func seriesValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		t.Fatal(err)
	}
	if out.Gauge != nil {
		return out.Gauge.GetValue()
	}
	return out.Counter.GetValue()
}
