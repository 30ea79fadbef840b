package bridge

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

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
				b, err := d.collect(ctx, nil)
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

// TestUnknownFormatVersionIsDeadLettered: a message in a format this
// bridge does not read (here a development format, version 4) is
// dead-lettered whole with a reason naming its version; the messages around
// it are delivered.
func TestUnknownFormatVersionIsDeadLettered(t *testing.T) {
	s := openTestSpool(t, "", nil)
	sink := newRecordSink("old", nil)
	startDispatcher(t, s, sink, fastBatch())
	ctx := context.Background()
	if err := s.Publish(ctx, testEvents("before", 30)); err != nil {
		t.Fatal(err)
	}
	old := EncodeBatch(nil, testEvents("v4", 30))
	old[0] = 4
	if _, err := s.js.Publish(ctx, SpoolSubject, old); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, testEvents("after", 30)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "neighbours delivered", 20*time.Second, func() bool { return sink.count() == 60 })
	waitFor(t, "consumer idle", 20*time.Second, func() bool { return consumerIdle(t, s, "old") })
	if sink.has("v4-0") {
		t.Error("an event of the unknown format was delivered")
	}
	dls, err := s.DLQList(ctx, "old", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || dls[0].Class != ReasonUndecodable || dls[0].Encoding != EncodingSpool ||
		!bytes.Equal(dls[0].Data, old) || !strings.Contains(dls[0].Reason, "unknown format version 4") {
		t.Fatalf("dead letters = %+v, want the message verbatim with a reason naming version 4", dls)
	}
}

func TestSplitWritesSpoolFormat(t *testing.T) {
	s := openTestSpool(t, "", func(c *SpoolConfig) { c.MsgEvents = 40 })
	events := append(testEvents("s", 90), viewEvent())
	msgs, err := s.split(SpoolSubject, events, false)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("split: %d messages (err %v), want 3", len(msgs), err)
	}
	var got []normalize.Event
	for _, m := range msgs {
		if m.msg.Data[0] != codecVersion {
			t.Errorf("message version %d, want %d", m.msg.Data[0], codecVersion)
		}
		evs, err := DecodeBatch(m.msg.Data)
		if err != nil || len(evs) != m.events {
			t.Fatalf("decode: %d events (err %v), want %d", len(evs), err, m.events)
		}
		got = append(got, evs...)
	}
	if !bytes.Equal(EncodeBatch(nil, got), EncodeBatch(nil, events)) {
		t.Fatal("the messages do not hold the events")
	}
}
