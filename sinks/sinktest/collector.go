package sinktest

import (
	"sync"
	"testing"
	"time"
)

// Received is one event as the test peer got it.
type Received struct {
	// ID is the event id as the peer read it back (normalize.Event.ID).
	ID string
	// Message is the event's message as the peer decoded it (JSON string
	// unescaped, CEF/LEEF/structured-data escapes undone).
	Message string
}

// Peer reads back what the sink's test peer received.
type Peer interface {
	// Wait returns every record received so far once there are at least n,
	// failing the test if they do not arrive within the suite's deadline.
	// Wait(t, 0) returns at once with what is there.
	Wait(t *testing.T, n int) []Received
}

// Collector is a goroutine-safe Peer: the test server calls Add for each
// event it decodes; the suite calls Wait.
type Collector struct {
	// Timeout bounds Wait; zero means 10 seconds.
	Timeout time.Duration

	mu      sync.Mutex
	got     []Received
	changed chan struct{} // closed and replaced on every Add
}

var _ Peer = (*Collector)(nil)

// Add records events received by the peer.
func (c *Collector) Add(r ...Received) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, r...)
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}

// Snapshot returns a copy of what was received so far.
func (c *Collector) Snapshot() []Received {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Received(nil), c.got...)
}

// Wait implements Peer.
func (c *Collector) Wait(t *testing.T, n int) []Received {
	t.Helper()
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		c.mu.Lock()
		if len(c.got) >= n {
			out := append([]Received(nil), c.got...)
			c.mu.Unlock()
			return out
		}
		if c.changed == nil {
			c.changed = make(chan struct{})
		}
		ch, have := c.changed, len(c.got)
		c.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("sinktest: peer received %d records, want at least %d after %s", have, n, timeout)
		}
	}
}
