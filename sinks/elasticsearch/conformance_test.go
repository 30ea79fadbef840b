package elasticsearch

import (
	"sync"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
)

func TestConformance(t *testing.T) {
	var (
		mu   sync.Mutex
		last *fakeES
	)
	sinktest.Run(t, sinktest.Harness{
		New: func(t *testing.T) (bridge.Sink, sinktest.Peer) {
			f := newFakeES(t)
			c := &sinktest.Collector{}
			f.set(func(f *fakeES) { f.collector = c })
			mu.Lock()
			last = f
			mu.Unlock()
			return newTestSink(t, f.URL(), nil), c
		},
		Stall: func(t *testing.T) func() {
			mu.Lock()
			f := last
			mu.Unlock()
			ch := make(chan struct{})
			f.set(func(f *fakeES) { f.stall = ch })
			var once sync.Once
			return func() { once.Do(func() { close(ch) }) }
		},
	})
}
