package bridge

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// countSink accepts everything and counts events.
type countSink struct {
	name string
	n    atomic.Int64
}

func (c *countSink) Name() string                { return c.name }
func (c *countSink) Close(context.Context) error { return nil }
func (c *countSink) Send(_ context.Context, b []normalize.Event) error {
	c.n.Add(int64(len(b)))
	return nil
}

// uniqueEvents makes n realistic (~800 byte) events with ids unique to op.
func uniqueEvents(op, n int) []normalize.Event {
	evs := benchEvents(n)
	for i := range evs {
		evs[i].ID = fmt.Sprintf("op%d-%d", op, i)
	}
	return evs
}

// cpuTime is this process's user+system CPU time (the embedded server
// included), so a figure holds on a loaded machine where wall time does not.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchSpool(b *testing.B) *Spool {
	return openTestSpool(b, "", func(c *SpoolConfig) { c.MaxBytes = 8 << 30 })
}

// BenchmarkPublish measures Publish (encode, publish, wait for the PubAck)
// into an embedded spool with one sink consumer (so messages are kept).
func BenchmarkPublish(b *testing.B) {
	for _, per := range []int{1, 50, 500} {
		b.Run(fmt.Sprintf("events_per_call=%d", per), func(b *testing.B) {
			s := benchSpool(b)
			ctx := context.Background()
			if _, err := s.NewDispatcher(ctx, &countSink{name: "bench"}, DefaultBatchConfig(), DefaultRetryConfig(), nil); err != nil {
				b.Fatal(err)
			}
			batches := make([][]normalize.Event, 64)
			for i := range batches {
				batches[i] = uniqueEvents(i, per)
			}
			op := 0
			b.ReportAllocs()
			cpu0 := cpuTime(b)
			for b.Loop() {
				evs := batches[op%len(batches)]
				for i := range evs { // keep ids unique so dedup does not skip work
					evs[i].ID = fmt.Sprintf("op%d-%d", op, i)
				}
				if err := s.Publish(ctx, evs); err != nil {
					b.Fatal(err)
				}
				op++
			}
			b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N*per), "cpu-ns/event")
		})
	}
}

// BenchmarkDispatch measures delivery from a filled spool to a sink that
// accepts everything: fetch, decode, batch, Send, ack.
func BenchmarkDispatch(b *testing.B) {
	s := benchSpool(b)
	ctx := context.Background()
	sink := &countSink{name: "bench"}
	d, err := s.NewDispatcher(ctx, sink, DefaultBatchConfig(), DefaultRetryConfig(), hclog.NewNullLogger())
	if err != nil {
		b.Fatal(err)
	}
	const per = 500
	for i := range b.N {
		if err := s.Publish(ctx, uniqueEvents(i, per)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	cpu0 := cpuTime(b)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = d.Run(rctx); close(done) }()
	want := int64(b.N * per)
	for sink.n.Load() < want {
		time.Sleep(time.Millisecond)
	}
	b.StopTimer()
	cpu := cpuTime(b) - cpu0
	cancel()
	<-done
	b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(cpu)/float64(want), "cpu-ns/event")
}
