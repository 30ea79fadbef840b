package main

import (
	"context"
	"sync"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// ackSettle is how long shutdown waits after the last Send returned before
// cancelling the dispatcher, so that the acknowledgement of that batch (sent
// right after Send returns) goes out first. A batch whose ack is lost is
// delivered again later: at-least-once either way; this only avoids a
// needless duplicate.
const ackSettle = 100 * time.Millisecond

// gatedSink wraps a sink so shutdown can let the batch in flight finish
// while no new batch starts. bridge.Dispatcher abandons a batch when its ctx
// is cancelled, so the dispatcher's ctx is cancelled only after drain.
type gatedSink struct {
	bridge.Sink
	name string // the configured sink name when it is not the kind's

	mu       sync.Mutex
	inflight bool
	closing  bool
	draining chan struct{} // closed when drain begins
	idle     chan struct{} // closed when closing and no Send in flight
	blocked  chan struct{} // closed when a Send was refused after closing
}

func newGatedSink(s bridge.Sink) *gatedSink {
	return &gatedSink{Sink: s, draining: make(chan struct{}), idle: make(chan struct{}), blocked: make(chan struct{})}
}

// Send forwards to the sink unless shutdown has begun; then it holds the
// batch back until ctx ends (the dispatcher is about to be cancelled and the
// batch stays in the spool).
func (g *gatedSink) Send(ctx context.Context, batch []normalize.Event) error {
	g.mu.Lock()
	if g.closing {
		g.closeOnce(g.blocked)
		g.mu.Unlock()
		<-ctx.Done()
		return ctx.Err()
	}
	g.inflight = true
	g.mu.Unlock()

	err := g.Sink.Send(ctx, batch)

	g.mu.Lock()
	g.inflight = false
	if g.closing {
		g.closeOnce(g.idle)
	}
	g.mu.Unlock()
	return err
}

// drain stops new batches and waits until the batch in flight (if any) is
// done and acknowledged, or ctx ends.
func (g *gatedSink) drain(ctx context.Context) {
	g.mu.Lock()
	g.closing = true
	g.closeOnce(g.draining)
	if !g.inflight {
		g.closeOnce(g.idle)
	}
	g.mu.Unlock()
	select {
	case <-g.idle:
	case <-ctx.Done():
		return
	}
	t := time.NewTimer(ackSettle)
	defer t.Stop()
	select {
	case <-g.blocked: // the dispatcher already asked for its next batch
	case <-t.C:
	case <-ctx.Done():
	}
}

// closeOnce closes ch unless it is closed; g.mu is held.
func (g *gatedSink) closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}

// Name is the configured name (sink "splunk" "soc" → soc), else the sink's.
func (g *gatedSink) Name() string {
	if g.name != "" {
		return g.name
	}
	return g.Sink.Name()
}

// check probes the wrapped sink when it can.
func (g *gatedSink) check(ctx context.Context) (bool, error) {
	c, ok := g.Sink.(bridge.Checker)
	if !ok {
		return false, nil
	}
	return true, c.Check(ctx)
}
