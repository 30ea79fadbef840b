package testutil

import (
	"context"
	"sync"

	"github.com/auditbridge/auditbridge/normalize"
)

// Sink is a bridge.Sink for tests: it keeps a copy of every event it
// accepts and answers each Send with Respond (nil: accept the batch). A
// *bridge.PartialError from Respond is not interpreted: the batch counts as
// not accepted. Safe for concurrent use.
type Sink struct {
	SinkName string
	// Respond, when set, answers each Send (1-based call number).
	Respond func(ctx context.Context, call int, batch []normalize.Event) error

	mu     sync.Mutex
	calls  int
	events []normalize.Event
	closed bool
}

// Name returns SinkName.
func (s *Sink) Name() string { return s.SinkName }

// Send records a copy of batch when Respond accepts it.
func (s *Sink) Send(ctx context.Context, batch []normalize.Event) error {
	s.mu.Lock()
	s.calls++
	call, respond := s.calls, s.Respond
	s.mu.Unlock()
	if respond != nil {
		if err := respond(ctx, call, batch); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range batch {
		s.events = append(s.events, batch[i].Clone())
	}
	return nil
}

// Close marks the sink closed.
func (s *Sink) Close(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// Closed reports whether Close was called.
func (s *Sink) Closed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Calls returns how many times Send was called.
func (s *Sink) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// Events returns every accepted event, in order.
func (s *Sink) Events() []normalize.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]normalize.Event(nil), s.events...)
}

// Count returns how many times the event with id was accepted.
func (s *Sink) Count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for i := range s.events {
		if s.events[i].ID == id {
			n++
		}
	}
	return n
}
