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

// fakeSource runs until ctx ends (or fails at once with fail).
type fakeSource struct {
	rec  *record
	fail error
}

func (s *fakeSource) Name() string { return "fake" }
func (s *fakeSource) Run(ctx context.Context, _ bridge.Publisher) error {
	if s.fail != nil {
		return s.fail
	}
	<-ctx.Done()
	s.rec.add("source stopped")
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

type fakeSpool struct{ rec *record }

func (s fakeSpool) Close(context.Context) error { s.rec.add("spool closed"); return nil }

// fakeDispatcher mirrors bridge.Dispatcher: it sends its batches in order,
// acks a batch only when Send succeeded and ctx is still live, then idles.
func fakeDispatcher(rec *record, g *gatedSink, batches int) func(context.Context) error {
	return func(ctx context.Context) error {
		defer rec.add("dispatcher stopped")
		for i := 1; i <= batches; i++ {
			err := g.Send(ctx, []normalize.Event{{ID: "x"}})
			if ctx.Err() != nil {
				return nil // abandoned, stays in the spool
			}
			if err == nil {
				rec.add("ack %d", i)
			}
		}
		<-ctx.Done()
		return nil
	}
}

func TestPipelineShutdown(t *testing.T) {
	tests := []struct {
		name     string
		grace    time.Duration
		fail     error // the source fails at once
		release  bool  // release the first Send once draining began
		want     []string
		wantErr  string
		sinkSeen int // Sends that reached the sink
	}{
		{
			name: "in-flight batch finishes, next one held back", grace: 20 * time.Second, release: true,
			want:     []string{"source stopped", "send 1 done", "ack 1", "dispatcher stopped", "sink closed", "spool closed"},
			sinkSeen: 1,
		},
		{
			name: "grace period over: batch abandoned, not acked", grace: 50 * time.Millisecond,
			want:     []string{"source stopped", "send 1 cancelled", "dispatcher stopped", "sink closed", "spool closed"},
			sinkSeen: 1,
		},
		{
			name: "failing source stops everything", grace: 50 * time.Millisecond, fail: errors.New("listen: address in use"),
			// The first batch may or may not have reached the gate before
			// shutdown began; the closing steps are fixed.
			want:    []string{"dispatcher stopped", "sink closed", "spool closed"},
			wantErr: "source fake: listen: address in use",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &record{}
			sink := &fakeSink{rec: rec, sending: make(chan struct{}), release: make(chan struct{})}
			g := newGatedSink(sink)
			p := &pipeline{
				log: hclog.NewNullLogger(), grace: tc.grace, spool: fakeSpool{rec},
				sources: []bridge.Source{&fakeSource{rec: rec, fail: tc.fail}},
				sinks:   []*gatedSink{g}, runners: []func(context.Context) error{fakeDispatcher(rec, g, 2)},
			}
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
				<-g.draining
				close(sink.release)
			}
			err := <-done
			if tc.wantErr == "" && err != nil {
				t.Fatalf("run: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("run error %v, want %q", err, tc.wantErr)
			}
			got := rec.get()
			if tc.fail != nil {
				got = slices.DeleteFunc(got, func(s string) bool { return s == "send 1 cancelled" })
			}
			if !slices.Equal(got, tc.want) {
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
