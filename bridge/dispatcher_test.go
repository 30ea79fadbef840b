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
	}{
		{"one event", 1, 500, 500, "1s"},
		{"split into messages", 1234, 100, 500, "1s"},
		{"batch smaller than message", 700, 500, 64, "1s"},
		{"strict sync mode", 1000, 500, 500, "always"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestSpool(t, "", func(c *SpoolConfig) { c.MsgEvents, c.Sync = tt.msgEvents, tt.sync })
			sink := newRecordSink("rec", nil)
			cfg := fastBatch()
			cfg.Events = tt.batch
			startDispatcher(t, s, sink, cfg)
			if err := s.Publish(context.Background(), testEvents("e", tt.events)); err != nil {
				t.Fatalf("publish: %v", err)
			}
			waitFor(t, "delivery", 20*time.Second, func() bool { return sink.count() == tt.events })
			for _, b := range sink.sent() {
				if len(b) > tt.batch {
					t.Errorf("a Send got %d events, more than BATCH_EVENTS %d", len(b), tt.batch)
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
