package bridge

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// openTestSpool opens an embedded spool in dir (t.TempDir() when "").
func openTestSpool(t testing.TB, dir string, edit func(*SpoolConfig)) *Spool {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	cfg := DefaultSpoolConfig(dir)
	if edit != nil {
		edit(&cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := OpenSpool(ctx, cfg, hclog.NewNullLogger(), NewMetrics(nil))
	if err != nil {
		t.Fatalf("open spool: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// testEvents makes n distinct events with ids prefix-0 … prefix-(n-1).
func testEvents(prefix string, n int) []normalize.Event {
	evs := make([]normalize.Event, n)
	for i := range evs {
		evs[i] = normalize.Event{
			ID:      fmt.Sprintf("%s-%d", prefix, i),
			Time:    time.Date(2024, 1, 18, 19, 50, 55, i, time.UTC),
			Product: normalize.ProductTerraform, Kind: normalize.KindTFCAuditTrail,
			Action: "workspace.update", Verb: normalize.VerbUpdate, Outcome: normalize.OutcomeUnknown,
			Actor: normalize.Actor{ID: "user-1", Type: normalize.ActorUser},
			Meta:  normalize.MetaOf(map[string]json.RawMessage{"k": json.RawMessage(`"v"`)}),
			Raw:   json.RawMessage(fmt.Sprintf(`{"id":"%s-%d"}`, prefix, i)),
		}
	}
	return evs
}

// recordSink is the dispatcher's peer in tests: it records what it got and
// answers with the result of respond (nil: accept everything).
type recordSink struct {
	name    string
	mu      sync.Mutex
	got     map[string]int // event id → times delivered
	calls   int
	batches [][]string // ids of each Send, in order
	respond func(call int, batch []normalize.Event) error
	notify  chan struct{}
}

func newRecordSink(name string, respond func(int, []normalize.Event) error) *recordSink {
	return &recordSink{name: name, got: map[string]int{}, respond: respond, notify: make(chan struct{}, 1)}
}

func (r *recordSink) Name() string                    { return r.name }
func (r *recordSink) Close(ctx context.Context) error { return nil }

func (r *recordSink) Send(ctx context.Context, batch []normalize.Event) error {
	r.mu.Lock()
	r.calls++
	call := r.calls
	ids := make([]string, len(batch))
	for i := range batch {
		ids[i] = batch[i].ID
	}
	r.batches = append(r.batches, ids)
	r.mu.Unlock()
	r.mu.Lock()
	respond := r.respond
	r.mu.Unlock()
	var err error
	if respond != nil {
		err = respond(call, batch)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	failed := map[int]bool{}
	pe, partial := err.(*PartialError)
	if partial {
		for _, f := range pe.Failed {
			failed[f.Index] = true
		}
	}
	if err == nil || partial {
		for i, ev := range batch {
			if !failed[i] {
				r.got[ev.ID]++
			}
		}
	}
	select {
	case r.notify <- struct{}{}:
	default:
	}
	return err
}

// count returns how many distinct ids were delivered.
func (r *recordSink) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func (r *recordSink) has(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[id] > 0
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// startDispatcher runs a dispatcher for sink until the test ends.
func startDispatcher(t testing.TB, s *Spool, sink Sink, cfg BatchConfig, opts ...DispatcherOption) context.CancelFunc {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d, err := s.NewDispatcher(ctx, sink, cfg, DefaultRetryConfig(), hclog.NewNullLogger(), opts...)
	if err != nil {
		t.Fatalf("new dispatcher: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return func() { cancel(); <-done }
}

// fastBatch is a batch config with a short wait for tests.
func fastBatch() BatchConfig {
	b := DefaultBatchConfig()
	b.Wait = 20 * time.Millisecond
	return b
}

// noSleep records requested delays and returns at once.
type noSleep struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (n *noSleep) sleep(ctx context.Context, d time.Duration) error {
	n.mu.Lock()
	n.delays = append(n.delays, d)
	n.mu.Unlock()
	return ctx.Err()
}

func (n *noSleep) recorded() []time.Duration {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]time.Duration(nil), n.delays...)
}

// setRespond swaps the sink's behaviour.
func (r *recordSink) setRespond(f func(int, []normalize.Event) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.respond = f
}

// sent returns the ids of every Send so far.
func (r *recordSink) sent() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]string(nil), r.batches...)
}

// times returns how often id was delivered.
func (r *recordSink) times(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.got[id]
}

// consumerIdle reports whether sink's consumer has nothing pending or un-acked.
func consumerIdle(t testing.TB, s *Spool, sink string) bool {
	t.Helper()
	c, err := s.js.Consumer(context.Background(), SpoolStream, ConsumerName(sink))
	if err != nil {
		t.Fatalf("consumer: %v", err)
	}
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatalf("consumer info: %v", err)
	}
	return info.NumPending == 0 && info.NumAckPending == 0
}
