package bridge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// funcSource publishes with run.
type funcSource struct {
	name string
	run  func(ctx context.Context, pub Publisher) error
}

func (f funcSource) Name() string                                 { return f.name }
func (f funcSource) Run(ctx context.Context, pub Publisher) error { return f.run(ctx, pub) }

// publishAll is a source that publishes events in chunks of per, then returns.
func publishAll(events []normalize.Event, per int) funcSource {
	return funcSource{name: "file", run: func(ctx context.Context, pub Publisher) error {
		for len(events) > 0 {
			n := min(per, len(events))
			if err := pub.Publish(ctx, events[:n]); err != nil {
				return err
			}
			events = events[n:]
		}
		return nil
	}}
}

// closeOrder records the order sinks are closed in, and whether a Send was
// still running then.
type slowSink struct {
	*recordSink
	delay   time.Duration
	sending atomic.Int32
	closed  atomic.Bool
	badEnd  atomic.Bool // closed while a Send ran, or Send after Close
}

func (s *slowSink) Send(ctx context.Context, batch []normalize.Event) error {
	s.sending.Add(1)
	defer s.sending.Add(-1)
	if s.closed.Load() {
		s.badEnd.Store(true)
	}
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.recordSink.Send(ctx, batch)
}

func (s *slowSink) Close(ctx context.Context) error {
	if s.sending.Load() > 0 {
		s.badEnd.Store(true)
	}
	s.closed.Store(true)
	return nil
}

// TestEngineReplayNeverReturnsEarly is `auditbridge replay` many times in a
// row on one DATA_DIR with sinks that acknowledge slowly: every time
// WaitDelivered returns, each sink already has every event of that run.
func TestEngineReplayNeverReturnsEarly(t *testing.T) {
	dir := t.TempDir()
	runs := 40
	if testing.Short() {
		runs = 10
	}
	for run := range runs {
		s := openTestSpool(t, dir, nil)
		e := NewEngine(s, hclog.NewNullLogger())
		cfg := fastBatch()
		cfg.Events = 7
		sinks := []*slowSink{
			{recordSink: newRecordSink("a", nil), delay: 5 * time.Millisecond},
			{recordSink: newRecordSink("b", nil), delay: time.Duration(run%4) * time.Millisecond},
		}
		ctx := context.Background()
		for _, sk := range sinks {
			if err := e.AddSink(ctx, sk, cfg, DefaultRetryConfig(), nil); err != nil {
				t.Fatal(err)
			}
		}
		events := testEvents(fmt.Sprintf("r%d", run), 23+run%5)
		e.AddSource(publishAll(events, 5))
		e.Start(ctx)
		select {
		case <-e.SourcesDone():
		case err := <-e.Failed():
			t.Fatal(err)
		}
		wctx, cancel := context.WithTimeout(ctx, time.Minute)
		if err := e.WaitDelivered(wctx); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		cancel()
		for _, sk := range sinks {
			for _, ev := range events {
				if !sk.has(ev.ID) {
					t.Fatalf("run %d: WaitDelivered returned before sink %s got %s (%d of %d)",
						run, sk.name, ev.ID, sk.count(), len(events))
				}
			}
		}
		if err := e.Stop(time.Minute); err != nil {
			t.Fatalf("run %d: stop: %v", run, err)
		}
		for _, sk := range sinks {
			if sk.badEnd.Load() {
				t.Fatalf("run %d: sink %s closed while sending", run, sk.name)
			}
		}
	}
	// Everything was acknowledged: nothing is left for a next run.
	s := openTestSpool(t, dir, nil)
	for _, name := range []string{"a", "b"} {
		if _, err := s.NewDispatcher(context.Background(), newRecordSink(name, nil), fastBatch(), DefaultRetryConfig(), nil); err != nil {
			t.Fatal(err)
		}
		if n := s.pending.register(name).Load(); n != 0 {
			t.Errorf("sink %s has %d events left in the spool after the runs", name, n)
		}
	}
}

// TestEngineStopFinishesTheBatchInFlight: Stop lets a Send in progress
// finish, acknowledges its batch, fetches nothing more, and closes the sink
// only then; the next start does not get that batch again.
func TestEngineStopFinishesTheBatchInFlight(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir, nil)
	e := NewEngine(s, hclog.NewNullLogger())
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	sink := &slowSink{recordSink: newRecordSink("slow", func(call int, _ []normalize.Event) error {
		once.Do(func() { close(entered) })
		<-release
		return nil
	})}
	cfg := fastBatch()
	cfg.Events = 10
	ctx := context.Background()
	if err := e.AddSink(ctx, sink, cfg, DefaultRetryConfig(), nil); err != nil {
		t.Fatal(err)
	}
	var intakeStopped atomic.Bool
	published := make(chan struct{})
	e.AddSource(funcSource{name: "src", run: func(ctx context.Context, pub Publisher) error {
		events := testEvents("f", 30)
		for i := 0; i < len(events); i += 10 { // three spool messages
			if err := pub.Publish(ctx, events[i:i+10]); err != nil {
				return err
			}
		}
		close(published)
		<-ctx.Done()
		intakeStopped.Store(true)
		return nil
	}})
	e.Start(ctx)
	<-entered
	<-published
	stopped := make(chan error, 1)
	go func() { stopped <- e.Stop(time.Minute) }()
	waitFor(t, "intake stopped", 20*time.Second, intakeStopped.Load)
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while a batch was in flight", err)
	default:
	}
	close(release)
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if sink.badEnd.Load() {
		t.Fatal("the sink was closed while sending, or sent after it was closed")
	}
	if got := sink.count(); got != 10 {
		t.Fatalf("sink got %d events, want the one batch in flight (10)", got)
	}
	s2 := openTestSpool(t, dir, nil)
	again := newRecordSink("slow", nil)
	startDispatcher(t, s2, again, fastBatch())
	waitFor(t, "the rest delivered", 20*time.Second, func() bool { return again.count() == 20 })
	for i := range 10 {
		if again.has(fmt.Sprintf("f-%d", i)) {
			t.Errorf("event f-%d of the finished batch was delivered again", i)
		}
	}
}

// TestEngineRunStopsOnSourceFailure: a failing source ends Run with its
// error, after the engine stopped.
func TestEngineRunStopsOnSourceFailure(t *testing.T) {
	s := openTestSpool(t, "", nil)
	e := NewEngine(s, hclog.NewNullLogger())
	if err := e.AddSink(context.Background(), newRecordSink("x", nil), fastBatch(), DefaultRetryConfig(), nil); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	e.AddSource(funcSource{name: "bad", run: func(context.Context, Publisher) error { return boom }})
	err := e.Run(context.Background(), time.Minute)
	if !errors.Is(err, boom) {
		t.Fatalf("Run = %v, want the source's error", err)
	}
	if err := s.Publish(context.Background(), testEvents("late", 1)); err == nil {
		t.Fatal("the spool still takes events after Run returned")
	}
}
