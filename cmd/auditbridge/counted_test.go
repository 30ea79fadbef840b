package main

import (
	"context"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/prometheus/client_golang/prometheus"
)

type pubFunc func(context.Context, []normalize.Event) error

func (f pubFunc) Publish(ctx context.Context, ev []normalize.Event) error { return f(ctx, ev) }

// twoBatchSource publishes two batches, the second refused by the spool.
type twoBatchSource struct{}

func (twoBatchSource) Name() string { return "tfc" }
func (twoBatchSource) Run(ctx context.Context, pub bridge.Publisher) error {
	_ = pub.Publish(ctx, make([]normalize.Event, 3))
	_ = pub.Publish(ctx, make([]normalize.Event, 2))
	return nil
}

// A source that does not count itself (the poller) still reports
// auditbridge_events_received_total{source} and its spool errors.
func TestCountedSource(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := bridge.NewMetrics(reg)
	calls := 0
	pub := pubFunc(func(context.Context, []normalize.Event) error {
		if calls++; calls == 2 {
			return bridge.ErrSpoolFull
		}
		return nil
	})
	if err := (countedSource{Source: twoBatchSource{}, m: m}).Run(context.Background(), pub); err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, mm := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range mm.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			got[key] = mm.GetCounter().GetValue()
		}
	}
	if got["auditbridge_events_received_total,source=tfc"] != 5 {
		t.Errorf("received %v, want 5", got)
	}
	if got["auditbridge_source_errors_total,reason=spool,source=tfc"] != 1 {
		t.Errorf("source errors %v, want 1", got)
	}
}
