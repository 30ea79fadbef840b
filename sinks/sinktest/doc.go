// Package sinktest is the conformance suite every bridge.Sink passes.
//
// A sink's test builds a Harness — a constructor for the sink pointed at a
// fresh test peer (a temp file, an httptest _bulk server, a 127.0.0.1 syslog
// listener, an httptest HEC server) and a Peer that reads back what that peer
// received — and calls Run:
//
//	func TestConformance(t *testing.T) {
//		sinktest.Run(t, sinktest.Harness{
//			New: func(t *testing.T) (bridge.Sink, sinktest.Peer) {
//				peer := newPeer(t)            // records into a *sinktest.Collector
//				s, err := New(Config{URL: peer.URL}, hclog.NewNullLogger())
//				if err != nil { t.Fatal(err) }
//				return s, peer.collector
//			},
//		})
//	}
//
// Cases: Name is stable; an empty batch sends nothing; one event; many
// events (each delivered exactly once); hostile strings (quotes, newlines,
// NUL and control characters, invalid UTF-8, U+2028, markup, a huge field)
// either arrive intact or are dead-lettered alone, never taking a neighbour
// down; Send honours ctx cancellation with a retryable error; Close is
// idempotent; Send after Close fails without dead-lettering.
//
// Collector is a ready-made, goroutine-safe Peer for servers that record
// events as they arrive; its Wait blocks (without sleeping) until the
// expected number of records is there or a deadline passes.
package sinktest
