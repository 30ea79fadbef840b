package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// record keeps what happened, in order.
type record struct {
	mu  sync.Mutex
	log []string
}

func (r *record) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, fmt.Sprintf(format, args...))
}

func (r *record) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

// fakeSource publishes two events in two spool messages, then runs until
// ctx ends (or fails at once with fail).
type fakeSource struct {
	rec  *record
	fail error
}

func (s *fakeSource) Name() string { return "fake" }
func (s *fakeSource) Run(ctx context.Context, pub bridge.Publisher) error {
	if s.fail != nil {
		return s.fail
	}
	defer s.rec.add("source stopped")
	for _, id := range []string{"one", "two"} {
		if err := pub.Publish(ctx, []normalize.Event{{ID: id}}); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return nil
}

// fakeSink's first Send blocks until release or its ctx ends.
type fakeSink struct {
	rec     *record
	sending chan struct{}
	release chan struct{}
	mu      sync.Mutex
	calls   int
}

func (s *fakeSink) Name() string { return "fake" }
func (s *fakeSink) Send(ctx context.Context, _ []normalize.Event) error {
	s.mu.Lock()
	s.calls++
	n := s.calls
	s.mu.Unlock()
	if n == 1 {
		close(s.sending)
		select {
		case <-s.release:
		case <-ctx.Done():
			s.rec.add("send 1 cancelled")
			return ctx.Err()
		}
	}
	s.rec.add("send %d done", n)
	return nil
}
func (s *fakeSink) Close(context.Context) error { s.rec.add("sink closed"); return nil }

// TestPipelineShutdown runs the pipeline on an embedded spool: on shutdown
// the source stops first, the batch in flight finishes (or is abandoned
// when the grace period is over), and the sink is closed last.
func TestPipelineShutdown(t *testing.T) {
	tests := []struct {
		name     string
		grace    time.Duration
		fail     error // the source fails at once
		release  bool  // release the first Send once the source stopped
		want     []string
		wantErr  string
		sinkSeen int // Sends that reached the sink
	}{
		{
			name: "in-flight batch finishes, next one held back", grace: 20 * time.Second, release: true,
			want:     []string{"source stopped", "send 1 done", "sink closed"},
			sinkSeen: 1,
		},
		{
			name: "grace period over: batch abandoned, not acked", grace: 50 * time.Millisecond,
			want:     []string{"source stopped", "send 1 cancelled", "sink closed"},
			sinkSeen: 1,
		},
		{
			name: "failing source stops everything", grace: 50 * time.Millisecond, fail: errors.New("listen: address in use"),
			want:    []string{"sink closed"},
			wantErr: "source fake: listen: address in use",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := bridge.DefaultSpoolConfig(t.TempDir())
			spool, err := bridge.OpenSpool(context.Background(), cfg, hclog.NewNullLogger(), nil)
			if err != nil {
				t.Fatal(err)
			}
			rec := &record{}
			sink := &fakeSink{rec: rec, sending: make(chan struct{}), release: make(chan struct{})}
			e := bridge.NewEngine(spool, hclog.NewNullLogger())
			batch := bridge.DefaultBatchConfig()
			batch.Events, batch.Wait = 1, 20*time.Millisecond
			if err := e.AddSink(context.Background(), sink, batch, bridge.DefaultRetryConfig(), nil); err != nil {
				t.Fatal(err)
			}
			e.AddSource(&fakeSource{rec: rec, fail: tc.fail})
			p := &pipeline{log: hclog.NewNullLogger(), grace: tc.grace, engine: e}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan error, 1)
			go func() { done <- p.run(ctx) }()
			if tc.fail == nil {
				<-sink.sending
				if err := p.ready(okHealth{})(); err != nil {
					t.Errorf("ready while running: %v", err)
				}
				cancel()
			}
			if tc.release {
				for !slices.Contains(rec.get(), "source stopped") {
					time.Sleep(5 * time.Millisecond)
				}
				close(sink.release)
			}
			err = <-done
			if tc.wantErr == "" && err != nil {
				t.Fatalf("run: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("run error %v, want %q", err, tc.wantErr)
			}
			if got := rec.get(); !slices.Equal(got, tc.want) {
				t.Fatalf("order %q\nwant  %q", got, tc.want)
			}
			if tc.sinkSeen > 0 && sink.calls != tc.sinkSeen {
				t.Fatalf("sink got %d Sends, want %d", sink.calls, tc.sinkSeen)
			}
			if err := p.ready(okHealth{})(); err == nil || err.Error() != "shutting down" {
				t.Fatalf("ready after stop: %v", err)
			}
		})
	}
}

type okHealth struct{}

func (okHealth) Ready() (bool, []string) { return true, nil }

func TestPipelineReady(t *testing.T) {
	p := &pipeline{}
	if err := p.ready(okHealth{})(); err == nil || err.Error() != "starting" {
		t.Fatalf("before start: %v", err)
	}
	p.started.Store(true)
	h := bridge.NewHealth()
	h.Set("sink.splunk", errors.New("configuration: token rejected"))
	h.Degraded("sink.file", "retrying: disk full")
	err := p.ready(h)()
	if err == nil || err.Error() != "sink.splunk: configuration: token rejected" {
		t.Fatalf("ready = %v", err)
	}
	h.Set("sink.splunk", nil)
	if err := p.ready(h)(); err != nil {
		t.Fatalf("ready = %v", err)
	}
}
