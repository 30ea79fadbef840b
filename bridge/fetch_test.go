package bridge

import (
	"context"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

// TestCollectDoesNotReadAhead: compressed messages are small on the wire,
// so a Fetch bounded by bytes alone would take dozens of them at once. The
// dispatcher asks for what the batch needs at the mean events per message.
func TestCollectDoesNotReadAhead(t *testing.T) {
	tests := []struct {
		name       string
		msgEvents  int
		batch      int
		wantMsgs   int // messages in each collect
		wantEvents int
	}{
		{"message holds the batch", 100, 100, 1, 100},
		{"message holds more than the batch", 100, 40, 1, 100},
		{"four messages a batch", 25, 100, 4, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openTestSpool(t, "", func(c *SpoolConfig) { c.MsgEvents = tt.msgEvents })
			cfg := fastBatch()
			cfg.Events = tt.batch
			ctx := context.Background()
			d, err := s.NewDispatcher(ctx, newRecordSink("ahead", nil), cfg, DefaultRetryConfig(), nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Publish(ctx, testEvents("a", 20*tt.msgEvents)); err != nil {
				t.Fatal(err)
			}
			for i := range 3 { // the first while the mean is unknown
				b, err := d.collect(ctx)
				if err != nil || len(b.msgs) != tt.wantMsgs || b.events != tt.wantEvents {
					t.Fatalf("collect %d: %d messages, %d events (err %v), want %d, %d",
						i, len(b.msgs), b.events, err, tt.wantMsgs, tt.wantEvents)
				}
			}
		})
	}
}

func TestSendBatchIsAViewOfARun(t *testing.T) {
	msg := testEvents("m", 6)
	other := testEvents("o", 2)
	refs := func(evs []normalize.Event, idx ...int) []evRef {
		var out []evRef
		for _, i := range idx {
			out = append(out, evRef{ev: &evs[i], seq: 7, idx: i, msg: evs})
		}
		return out
	}
	run := sendBatch(refs(msg, 1, 2, 3))
	if &run[0] != &msg[1] || len(run) != 3 || cap(run) != 3 {
		t.Errorf("a run of one message was not passed as a capped view of it")
	}
	for name, rs := range map[string][]evRef{
		"gap":            refs(msg, 1, 3, 4),
		"two messages":   append(refs(msg, 4, 5), refs(other, 0)...),
		"out of order":   refs(msg, 2, 1),
		"past the end":   append(refs(msg, 5), evRef{ev: &other[0], seq: 7, idx: 6, msg: msg}),
		"foreign events": {{ev: &other[0], seq: 7, idx: 0, msg: msg}},
	} {
		got := sendBatch(rs)
		if len(got) != len(rs) {
			t.Fatalf("%s: %d events, want %d", name, len(got), len(rs))
		}
		for i := range rs {
			if &got[i] == rs[i].ev || got[i].ID != rs[i].ev.ID {
				t.Errorf("%s: event %d is not a copy of %s", name, i, rs[i].ev.ID)
			}
		}
	}
}
