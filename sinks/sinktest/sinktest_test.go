package sinktest_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
)

// memSink renders events natively and hands the bytes to a peer goroutine
// that decodes them into a Collector, like a network peer would.
type memSink struct {
	mu     sync.Mutex
	closed bool
	wire   chan []byte
	stall  chan struct{} // when non-nil, Send blocks on it
	done   chan struct{}
}

func newMemSink(c *sinktest.Collector) *memSink {
	s := &memSink{wire: make(chan []byte), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		for b := range s.wire {
			var ev normalize.Event
			if err := json.Unmarshal(b, &ev); err != nil {
				panic(err)
			}
			c.Add(sinktest.Received{ID: ev.ID, Message: ev.Message})
		}
	}()
	return s
}

func (s *memSink) Name() string { return "mem" }

func (s *memSink) Send(ctx context.Context, batch []normalize.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errors.New("mem: closed")
	}
	if s.stall != nil {
		select {
		case <-s.stall:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for i := range batch {
		select {
		case s.wire <- normalize.AppendJSON(nil, &batch[i], normalize.FormatNative):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

func (s *memSink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		close(s.wire)
		<-s.done
	}
	return nil
}

var _ bridge.Sink = (*memSink)(nil)

func TestRunOnReferenceSink(t *testing.T) {
	var current *memSink
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) (bridge.Sink, sinktest.Peer) {
			c := &sinktest.Collector{}
			current = newMemSink(c)
			return current, c
		},
		Stall: func(t *testing.T) func() {
			ch := make(chan struct{})
			current.stall = ch
			return func() { close(ch) }
		},
	})
}

func TestValidUTF8(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a\xffb", "a\uFFFDb"},
		{"\xff\xfe", "\uFFFD\uFFFD"},
		{"cut \xe2\x82", "cut \uFFFD\uFFFD"},
		{"ok é 🤖", "ok é 🤖"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := sinktest.ValidUTF8(tc.in); got != tc.want {
				t.Fatalf("ValidUTF8(%q) = %q, want %q", tc.in, got, tc.want)
			}
			// encoding/json agrees.
			b, _ := json.Marshal(tc.in)
			var back string
			_ = json.Unmarshal(b, &back)
			if back != tc.want {
				t.Fatalf("encoding/json round trip %q, ValidUTF8 %q", back, tc.want)
			}
		})
	}
}
