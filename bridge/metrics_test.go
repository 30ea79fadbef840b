package bridge

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func TestMetricsCountDelivery(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	m := NewMetrics(reg)
	ctx := context.Background()
	s, err := OpenSpool(ctx, DefaultSpoolConfig(t.TempDir()), hclog.NewNullLogger(), m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	sink := newRecordSink("es", respondSeq(errors.New("eof"), &PartialError{Failed: []EventError{
		{Index: 2, Err: Permanent(errors.New("bad doc"))}}}))
	startDispatcher(t, s, sink, fastBatch(), WithSleeper((&noSleep{}).sleep))
	m.EventsReceived("hec", 4)
	if err := s.Publish(ctx, testEvents("m", 4)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivery", 20*time.Second, func() bool { return consumerIdle(t, s, "es") && sink.count() == 3 })
	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"auditbridge_events_received_total", map[string]string{"source": "hec"}, 4},
		{"auditbridge_events_spooled_total", nil, 4},
		{"auditbridge_events_delivered_total", map[string]string{"sink": "es"}, 3},
		{"auditbridge_events_retried_total", map[string]string{"sink": "es"}, 4},
		{"auditbridge_events_dead_lettered_total", map[string]string{"sink": "es", "reason": ReasonRejected}, 1},
		{"auditbridge_batch_duration_seconds", map[string]string{"sink": "es"}, 2}, // sample count: 2 attempts
		{"auditbridge_sink_pending_events", map[string]string{"sink": "es"}, 0},
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		got, ok := metricValue(mfs, tt.name, tt.labels)
		if !ok || got != tt.want {
			t.Errorf("%s%v = %v (found %v), want %v", tt.name, tt.labels, got, ok, tt.want)
		}
	}
}

// metricValue finds the series of name with exactly labels: a counter or
// gauge value, or a histogram's sample count.
func metricValue(mfs []*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			if len(m.GetLabel()) != len(labels) {
				continue
			}
			for _, lp := range m.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue series
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue(), true
			case m.Gauge != nil:
				return m.Gauge.GetValue(), true
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount()), true
			}
		}
	}
	return 0, false
}

func TestNilMetricsAreSafe(t *testing.T) {
	var m *Metrics
	m.EventsReceived("x", 1)
	m.eventsDelivered("x", 1)
	m.setPending("x", 1)
	m.observeBatch("x", 1)
}
