package bridge

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Dead-letter reasons (the low-cardinality `reason` label; the full reason
// text is in the dead letter's Auditbridge-Reason header).
const (
	ReasonPermanent   = "permanent"   // the sink rejected the whole batch
	ReasonRejected    = "rejected"    // the sink rejected this event of a batch
	ReasonUndecodable = "undecodable" // the spool message could not be decoded
)

// Metrics are the bridge's Prometheus metrics. Every method is safe on a nil
// *Metrics (no-op), so tests and tools may pass nil.
type Metrics struct {
	received     *prometheus.CounterVec
	sourceErrors *prometheus.CounterVec
	spooled      prometheus.Counter
	delivered    *prometheus.CounterVec
	retried      *prometheus.CounterVec
	deadLettered *prometheus.CounterVec
	pending      *prometheus.GaugeVec
	batchSeconds *prometheus.HistogramVec
	spoolBytes   prometheus.Gauge
	spoolFull    prometheus.Counter
	dlqFull      *prometheus.GaugeVec
	dlqDropped   *prometheus.CounterVec
	filtered     *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		received: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditbridge_events_received_total",
			Help: "Events received from a source, before spooling."}, []string{"source"}),
		spooled: prometheus.NewCounter(prometheus.CounterOpts{Name: "auditbridge_events_spooled_total",
			Help: "Events durably stored in the spool."}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditbridge_events_delivered_total",
			Help: "Events a sink accepted."}, []string{"sink"}),
		retried: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditbridge_events_retried_total",
			Help: "Events scheduled for another delivery attempt."}, []string{"sink"}),
		deadLettered: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditbridge_events_dead_lettered_total",
			Help: "Events written to the dead-letter stream."}, []string{"sink", "reason"}),
		pending: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "auditbridge_sink_pending_events",
			Help: "Events in the spool not yet delivered to (or dead-lettered by) a sink: exact with the embedded spool."}, []string{"sink"}),
		batchSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "auditbridge_batch_duration_seconds",
			Help: "Duration of one delivery attempt (one Send).", Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}, []string{"sink"}),
		spoolBytes: prometheus.NewGauge(prometheus.GaugeOpts{Name: "auditbridge_spool_bytes",
			Help: "Bytes stored in the spool stream (sampled)."}),
		spoolFull: prometheus.NewCounter(prometheus.CounterOpts{Name: "auditbridge_spool_full_total",
			Help: "Publishes refused because the spool was at its byte limit."}),
		dlqFull: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "auditbridge_dlq_full",
			Help: "1 while a sink waits because the dead-letter stream is at AUDITBRIDGE_DLQ_MAX_BYTES, else 0."}, []string{"sink"}),
		dlqDropped: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditbridge_dlq_dropped_total",
			Help: "Oldest dead letters deleted to make room (AUDITBRIDGE_DLQ_FULL=drop-oldest), by the sink they belonged to."}, []string{"sink"}),
		filtered: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditbridge_events_filtered_total",
			Help: "Events a sink's filter excluded (acknowledged for that sink without sending)."}, []string{"sink"}),
	}
	m.sourceErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "auditbridge_source_errors_total",
		Help: "Requests or events a source refused or could not spool, by reason (auth: a HEC request with a missing or wrong token; spool: a publish the spool refused)."},
		[]string{"source", "reason"})
	if reg != nil {
		reg.MustRegister(m.sourceErrors)
		reg.MustRegister(m.received, m.spooled, m.delivered, m.retried, m.deadLettered,
			m.pending, m.batchSeconds, m.spoolBytes, m.spoolFull, m.dlqFull, m.dlqDropped, m.filtered)
	}
	return m
}

// SourceError counts one error of source (a refused request, a failed
// publish) with a low-cardinality reason.
func (m *Metrics) SourceError(source, reason string) {
	if m != nil {
		m.sourceErrors.WithLabelValues(source, reason).Inc()
	}
}

// EventsReceived counts n events received by source (sources call it).
func (m *Metrics) EventsReceived(source string, n int) {
	if m != nil {
		m.received.WithLabelValues(source).Add(float64(n))
	}
}

func (m *Metrics) eventsSpooled(n int) {
	if m != nil {
		m.spooled.Add(float64(n))
	}
}

func (m *Metrics) eventsDelivered(sink string, n int) {
	if m != nil && n > 0 {
		m.delivered.WithLabelValues(sink).Add(float64(n))
	}
}

func (m *Metrics) eventsRetried(sink string, n int) {
	if m != nil && n > 0 {
		m.retried.WithLabelValues(sink).Add(float64(n))
	}
}

func (m *Metrics) eventsDeadLettered(sink, reason string, n int) {
	if m != nil && n > 0 {
		m.deadLettered.WithLabelValues(sink, reason).Add(float64(n))
	}
}

func (m *Metrics) setPending(sink string, n float64) {
	if m != nil {
		m.pending.WithLabelValues(sink).Set(n)
	}
}

func (m *Metrics) observeBatch(sink string, seconds float64) {
	if m != nil {
		m.batchSeconds.WithLabelValues(sink).Observe(seconds)
	}
}

func (m *Metrics) setSpoolBytes(n uint64) {
	if m != nil {
		m.spoolBytes.Set(float64(n))
	}
}

func (m *Metrics) spoolFullHit() {
	if m != nil {
		m.spoolFull.Inc()
	}
}

func (m *Metrics) setDLQFull(sink string, full bool) {
	if m != nil {
		v := 0.0
		if full {
			v = 1
		}
		m.dlqFull.WithLabelValues(sink).Set(v)
	}
}

func (m *Metrics) dlqDroppedOne(sink string) {
	if m != nil {
		m.dlqDropped.WithLabelValues(sink).Inc()
	}
}

func (m *Metrics) eventsFiltered(sink string, n int) {
	if m != nil && n > 0 {
		m.filtered.WithLabelValues(sink).Add(float64(n))
	}
}
