package testutil

import (
	"context"
	"sync"

	"github.com/auditbridge/auditbridge/normalize"
)

// Publisher is the spool's stand-in at the bridge.Publisher boundary: it
// keeps a copy of every event published (a Publisher keeps nothing the
// events refer to, so sources may reuse their storage after Publish) and
// can refuse chosen calls. Safe for concurrent use.
type Publisher struct {
	// Fail, when set, is asked first on every call (1-based call number);
	// a non-nil error is returned and nothing of that call is kept.
	Fail func(call int, events []normalize.Event) error

	mu      sync.Mutex
	calls   int
	batches [][]normalize.Event
}

// Publish records a copy of events unless Fail refuses them.
func (p *Publisher) Publish(_ context.Context, events []normalize.Event) error {
	p.mu.Lock()
	p.calls++
	call, fail := p.calls, p.Fail
	p.mu.Unlock()
	if fail != nil {
		if err := fail(call, events); err != nil {
			return err
		}
	}
	batch := make([]normalize.Event, len(events))
	for i := range events {
		batch[i] = events[i].Clone()
	}
	p.mu.Lock()
	p.batches = append(p.batches, batch)
	p.mu.Unlock()
	return nil
}

// Calls returns how many times Publish was called, refused ones included.
func (p *Publisher) Calls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls
}

// Batches returns the events of each accepted call, in order.
func (p *Publisher) Batches() [][]normalize.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([][]normalize.Event(nil), p.batches...)
}

// Events returns every accepted event, in order.
func (p *Publisher) Events() []normalize.Event {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []normalize.Event
	for _, b := range p.batches {
		out = append(out, b...)
	}
	return out
}

// IDs returns the ids of Events.
func (p *Publisher) IDs() []string {
	evs := p.Events()
	out := make([]string, len(evs))
	for i := range evs {
		out[i] = evs[i].ID
	}
	return out
}

// Meta returns the meta value under key (its JSON text, "" when absent) of
// every event published, in order.
func (p *Publisher) Meta(key string) []string {
	var out []string
	for _, e := range p.Events() {
		out = append(out, string(e.Meta.Value(key)))
	}
	return out
}
