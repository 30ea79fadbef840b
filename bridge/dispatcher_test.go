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
	}{
		{"one event", 1, 500, 500},
		{"split into messages", 1234, 100, 500},
		{"batch smaller than message", 700, 500, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestSpool(t, "", func(c *SpoolConfig) { c.MsgEvents = tt.msgEvents })
			sink := newRecordSink("rec", nil)
			cfg := fastBatch()
			cfg.Events = tt.batch
			startDispatcher(t, s, sink, cfg)
			if err := s.Publish(context.Background(), testEvents("e", tt.events)); err != nil {
				t.Fatalf("publish: %v", err)
			}
			waitFor(t, "delivery", 20*time.Second, func() bool { return sink.count() == tt.events })
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
