package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
	"github.com/nats-io/nats.go/jetstream"
)

// maxFetch bounds the messages asked for by one Fetch.
const maxFetch = 256

// Dispatcher delivers the spool to one sink through its durable consumer
// AUDITBRIDGE_SINK_<NAME>. Create every dispatcher before any source
// publishes: the spool keeps a message only while some consumer is
// interested in it (interest retention).
type Dispatcher struct {
	spool    *Spool
	sink     Sink
	name     string
	cfg      BatchConfig
	backoff  backoff
	sleep    Sleeper
	log      hclog.Logger
	cons     jetstream.Consumer
	avgEv    float64       // running mean of events per spool message
	avgBytes float64       // running mean of approxSize bytes per spool message
	outage   outage        // the current delivery outage, logged once it is over
	pending  *atomic.Int64 // events not yet finished (spool.pending)
	filter   *Filter       // nil: every event goes to the sink
	onAck    func()        // called after each acknowledged batch (Engine)
}

// DispatcherOption changes a Dispatcher (used by tests).
type DispatcherOption func(*Dispatcher)

// WithSleeper replaces the wait between retries.
func WithSleeper(s Sleeper) DispatcherOption { return func(d *Dispatcher) { d.sleep = s } }

// WithFilter makes the dispatcher send only the events f matches; the
// others are acknowledged for this sink and counted as filtered, never
// dead-lettered.
func WithFilter(f *Filter) DispatcherOption { return func(d *Dispatcher) { d.filter = f } }

// WithJitter replaces the jitter source (values in [0, 1)).
func WithJitter(r func() float64) DispatcherOption {
	return func(d *Dispatcher) { d.backoff.rand = r }
}

// ConsumerName is the durable consumer of a sink.
func ConsumerName(sink string) string { return ConsumerPrefix + strings.ToUpper(sink) }

// NewDispatcher validates the configuration and creates (or updates) the
// sink's durable consumer. It reads both the spool subject and the sink's
// own replay subject, so `dlq replay` reaches that sink only.
func (s *Spool) NewDispatcher(ctx context.Context, sink Sink, cfg BatchConfig, retry RetryConfig,
	log hclog.Logger, opts ...DispatcherOption) (*Dispatcher, error) {
	name := sink.Name()
	if err := errors.Join(checkSinkName(name), cfg.Validate(), retry.Validate()); err != nil {
		return nil, err
	}
	if cfg.Wait > s.cfg.AckWait/2 {
		return nil, fmt.Errorf("%s%sBATCH_WAIT: %s must be at most half of %sSPOOL_ACK_WAIT (%s)",
			envPrefix, cfg.EnvPrefix, cfg.Wait, envPrefix, s.cfg.AckWait)
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	cons, err := s.ensureConsumer(ctx, name)
	if err != nil {
		return nil, err
	}
	if err := s.redeliverOrphans(ctx, cons, name, log); err != nil {
		return nil, err
	}
	pending := s.pending.register(name)
	n, err := s.countBacklog(ctx, cons, name)
	if err != nil {
		return nil, fmt.Errorf("spool: count the backlog of %s: %w", name, err)
	}
	pending.Store(n)
	s.m.setPending(name, float64(n))
	d := &Dispatcher{spool: s, sink: sink, name: name, cfg: cfg, cons: cons, pending: pending,
		backoff: backoff{cfg: retry, rand: defaultRand}, sleep: Sleep,
		log: log.Named("dispatch").With("sink", name)}
	for _, o := range opts {
		o(d)
	}
	return d, nil
}

func (s *Spool) ensureConsumer(ctx context.Context, sink string) (jetstream.Consumer, error) {
	if err := checkSinkName(sink); err != nil {
		return nil, err
	}
	cons, err := s.js.CreateOrUpdateConsumer(ctx, SpoolStream, jetstream.ConsumerConfig{
		Durable:        ConsumerName(sink),
		Description:    "auditbridge delivery to sink " + sink,
		FilterSubjects: []string{SpoolSubject, ReplayPrefix + sink},
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        s.cfg.AckWait,
		MaxDeliver:     -1,
		MaxAckPending:  10000,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		Replicas:       s.cfg.Replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("spool: consumer %s: %w", ConsumerName(sink), err)
	}
	return cons, nil
}

// redeliverOrphans makes batches left un-acked by a previous process
// deliverable at once instead of after the ack wait. Only with the embedded
// server: it is then certain that no other process is working on them. With
// an external cluster, replicas share consumers and the ack wait decides.
func (s *Spool) redeliverOrphans(ctx context.Context, cons jetstream.Consumer, sink string, log hclog.Logger) error {
	if s.ns == nil {
		return nil
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return fmt.Errorf("spool: consumer %s: %w", ConsumerName(sink), err)
	}
	if info.NumAckPending == 0 {
		return nil
	}
	if _, err := s.js.ResetConsumer(ctx, SpoolStream, ConsumerName(sink)); err != nil {
		return fmt.Errorf("spool: reset consumer %s: %w", ConsumerName(sink), err)
	}
	log.Info("redelivering batches left un-acked by the previous run", "sink", sink,
		"messages", info.NumAckPending)
	return nil
}

// RunSink is NewDispatcher followed by Run.
func (s *Spool) RunSink(ctx context.Context, sink Sink, cfg BatchConfig, retry RetryConfig, log hclog.Logger) error {
	d, err := s.NewDispatcher(ctx, sink, cfg, retry, log)
	if err != nil {
		return err
	}
	return d.Run(ctx)
}

// Run delivers until ctx is cancelled, then returns nil. A batch in flight
// at cancellation is abandoned un-acked and redelivered later (after the
// consumer's ack wait, or at the next start): at-least-once. Engine stops a
// dispatcher gracefully instead (see run).
func (d *Dispatcher) Run(ctx context.Context) error { return d.run(ctx, nil) }

// run is Run that also ends when stop is closed: then it fetches no more,
// finishes the batch in flight (every event delivered or dead-lettered, the
// acknowledgement confirmed by the server) and returns nil. Cancelling ctx
// still abandons the batch at once.
func (d *Dispatcher) run(ctx context.Context, stop <-chan struct{}) error {
	d.log.Info("dispatcher started")
	defer func() {
		d.log.Info("dispatcher stopped", "events_left_in_spool", max(0, d.pending.Load()))
	}()
	fails := 0
	for ctx.Err() == nil && !isClosed(stop) {
		b, err := d.collect(ctx, stop)
		if err != nil && ctx.Err() == nil {
			d.log.Warn("fetch from spool failed", "error", err)
			d.spool.health.Degraded("sink."+d.name, "spool fetch: "+err.Error())
			if d.sleep(ctx, d.backoff.delay(fails)) != nil {
				break
			}
			fails++
		} else if err == nil && fails > 0 {
			fails = 0
			d.spool.health.Set("sink."+d.name, nil) // the next attempt reports the sink itself
		}
		if len(b.msgs) == 0 {
			continue
		}
		if err := d.deliver(ctx, b); err != nil {
			break // ctx cancelled: the batch stays un-acked
		}
		final := isClosed(stop)
		for _, m := range b.msgs {
			var err error
			if final { // the last batch before the spool closes: wait for the server
				err = m.msg.DoubleAck(ctx)
			} else {
				err = m.msg.Ack()
			}
			if err != nil {
				d.log.Warn("ack failed; batch will be redelivered", "error", err)
				continue
			}
			d.pending.Add(-int64(len(m.events)))
		}
		d.spool.m.setPending(d.name, float64(max(0, d.pending.Load())))
		if d.onAck != nil {
			d.onAck()
		}
		if b.after == 0 {
			d.outage.idle(d.log)
		}
	}
	return nil
}

// inflight is one fetched spool message and its events.
type inflight struct {
	msg    jetstream.Msg
	seq    uint64
	events []normalize.Event
	sizes  []int // approxSize of each event
}

// batch is what one collect gathered.
type batch struct {
	msgs   []inflight
	events int
	bytes  int
	after  uint64 // messages pending behind the last one fetched
}

// collect fetches messages until the batch holds cfg.Events events or
// cfg.Bytes bytes, or cfg.Wait has passed since its first message, or stop
// is closed (what it has is then delivered).
func (d *Dispatcher) collect(ctx context.Context, stop <-chan struct{}) (batch, error) {
	var b batch
	var deadline time.Time
	for b.events < d.cfg.Events && b.bytes < d.cfg.Bytes && ctx.Err() == nil && !isClosed(stop) {
		wait := d.cfg.Wait
		if !deadline.IsZero() {
			if wait = time.Until(deadline); wait < time.Millisecond {
				break
			}
		}
		mb, err := d.fetch(wait, &b)
		if err != nil {
			return b, err
		}
		got := 0
		for msg := range mb.Messages() {
			got++
			if deadline.IsZero() {
				deadline = time.Now().Add(d.cfg.Wait)
			}
			d.add(ctx, &b, msg)
		}
		if err := mb.Error(); err != nil {
			return b, err
		}
		if got == 0 && len(b.msgs) == 0 {
			if d.spool.ns == nil { // shared JetStream: others' publishes are not counted here
				d.pending.Store(0)
			}
			d.spool.m.setPending(d.name, float64(max(0, d.pending.Load())))
			_, _ = d.spool.usage(ctx, false) // keeps auditbridge_spool_bytes current when idle
			return b, nil                    // idle: let Run check ctx
		}
	}
	return b, nil
}

// fetch asks for the next messages of b, waiting at most wait: as many as
// the rest of the batch needs at the mean events and the mean event bytes
// per message (one while those are unknown), rounding a shortfall under a
// tenth of a message down. A compressed message is small on the wire, so a
// bound on wire bytes would read far ahead of the batch; the count alone
// bounds the request (at most maxFetch messages of at most the max
// payload). No FetchMaxBytes: against a replicated consumer nats-server
// (2.12+) can send a byte-bounded request's "batch completed" status ahead
// of its messages; the client then drops them and each waits out the ack
// wait, again and again (TestClusterBacklogOfSmallMessages).
func (d *Dispatcher) fetch(wait time.Duration, b *batch) (jetstream.MessageBatch, error) {
	n := 1
	if d.avgEv > 0 {
		left := d.cfg.Events - b.events
		n = max(1, min(int(float64(left)/d.avgEv+0.9), left, maxFetch))
		if d.avgBytes > 0 {
			n = max(1, min(n, int(float64(d.cfg.Bytes-b.bytes)/d.avgBytes+0.9)))
		}
	}
	// FetchMaxWait, not a context: the server ends the request, so no
	// message it sent is dropped by a client giving up first (that
	// message would wait for the ack wait to be redelivered).
	return d.cons.Fetch(n, jetstream.FetchMaxWait(wait))
}

// add decodes msg into b; an undecodable message is dead-lettered whole.
func (d *Dispatcher) add(ctx context.Context, b *batch, msg jetstream.Msg) {
	meta, err := msg.Metadata()
	if err != nil {
		d.log.Error("spool message without metadata; leaving it for redelivery", "error", err)
		return
	}
	events, sizes, err := decodeBatch(msg.Data())
	if err != nil {
		d.pending.Add(-int64(msgEvents(msg.Headers(), nil)))
		d.deadLetterRaw(ctx, msg, meta.Sequence.Stream, err)
		return
	}
	if d.avgEv == 0 {
		d.avgEv = float64(len(events))
	} else {
		d.avgEv = d.avgEv*0.9 + float64(len(events))*0.1
	}
	b.after = meta.NumPending
	size := 0
	for _, n := range sizes {
		size += n
	}
	b.bytes += size
	if d.avgBytes == 0 {
		d.avgBytes = float64(size)
	} else {
		d.avgBytes = d.avgBytes*0.9 + float64(size)*0.1
	}
	b.msgs = append(b.msgs, inflight{msg: msg, seq: meta.Sequence.Stream, events: events, sizes: sizes})
	b.events += len(events)
}

// approxSize estimates an event's rendered size for the batch byte bound
// (the decoder counts the same while decoding).
const (
	sizeBase     = 300 // field names and punctuation of a JSON rendering
	metaPairSize = 4   // a meta pair's quotes, colon and comma
)

func approxSize(ev *normalize.Event) int {
	n := sizeBase + len(ev.Raw)
	for _, p := range eventStrings(ev) {
		n += len(*p)
	}
	for _, p := range eventStrings2(ev) {
		n += len(*p)
	}
	for _, m := range ev.Meta {
		n += len(m.Key) + len(m.Value) + metaPairSize
	}
	return n
}

// refreshPending updates the pending gauge while a batch is being retried
// (no fetch happens then), from the exact count (spool.pending).
func (d *Dispatcher) refreshPending(context.Context) {
	d.spool.m.setPending(d.name, float64(max(0, d.pending.Load())))
}

// isClosed reports whether ch is closed (never, for a nil ch).
func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
