package main

import (
	"context"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// countedSource reports auditbridge_events_received_total{source} and
// auditbridge_source_errors_total{source,reason="spool"} for a source that
// does not count itself (the poller): every event it hands to the spool is
// received, every publish the spool refuses is an error.
type countedSource struct {
	bridge.Source
	m *bridge.Metrics
}

func (c countedSource) Run(ctx context.Context, pub bridge.Publisher) error {
	return c.Source.Run(ctx, countingPublisher{next: pub, m: c.m, source: c.Name()})
}

// Check keeps the source's startup probe visible through the wrapper.
func (c countedSource) Check(ctx context.Context) error {
	if ch, ok := c.Source.(bridge.Checker); ok {
		return ch.Check(ctx)
	}
	return nil
}

type countingPublisher struct {
	next   bridge.Publisher
	m      *bridge.Metrics
	source string
}

func (p countingPublisher) Publish(ctx context.Context, events []normalize.Event) error {
	p.m.EventsReceived(p.source, len(events))
	err := p.next.Publish(ctx, events)
	if err != nil && ctx.Err() == nil {
		p.m.SourceError(p.source, "spool")
	}
	return err
}
