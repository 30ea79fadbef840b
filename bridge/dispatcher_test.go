package bridge

import (
	"context"
	"testing"
	"time"
)

func TestPublishDeliver(t *testing.T) {
	tests := []struct {
		name      string
		events    int
		msgEvents int
		batch     int
		sync      string
		bytes     int
	}{
		{"one event", 1, 500, 500, "1s", 4 << 20},
		{"split into messages", 1234, 100, 500, "1s", 4 << 20},
		{"batch smaller than message", 700, 500, 64, "1s", 4 << 20},
		{"strict sync mode", 1000, 500, 500, "always", 4 << 20},
		{"byte-bounded batches", 100, 500, 500, "1s", 2048},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestSpool(t, "", func(c *SpoolConfig) { c.MsgEvents, c.Sync = tt.msgEvents, tt.sync })
			sink := newRecordSink("rec", nil)
			cfg := fastBatch()
			cfg.Events, cfg.Bytes = tt.batch, tt.bytes
			startDispatcher(t, s, sink, cfg)
			if err := s.Publish(context.Background(), testEvents("e", tt.events)); err != nil {
				t.Fatalf("publish: %v", err)
			}
			waitFor(t, "delivery", 20*time.Second, func() bool { return sink.count() == tt.events })
			size := map[string]int{}
			for _, ev := range testEvents("e", tt.events) {
				size[ev.ID] = approxSize(&ev)
			}
			for _, b := range sink.sent() {
				total := 0
				for _, id := range b {
					total += size[id]
				}
				if len(b) > tt.batch || (len(b) > 1 && total > tt.bytes) {
					t.Errorf("a Send got %d events of %d bytes; limits are %d events, %d bytes",
						len(b), total, tt.batch, tt.bytes)
				}
			}
			sink.mu.Lock()
			defer sink.mu.Unlock()
			for id, n := range sink.got {
				if n != 1 {
					t.Errorf("event %s delivered %d times", id, n)
				}
			}
		})
	}
}
