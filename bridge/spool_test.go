package bridge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
	dto "github.com/prometheus/client_model/go"
)

// bigEvents makes n events of about size bytes each, also once compressed
// (the spool stores batches compressed): Raw is a string of random letters.
func bigEvents(prefix string, n, size int) []normalize.Event {
	evs := testEvents(prefix, n)
	h := fnv.New64a()
	h.Write([]byte(prefix))
	rng := rand.New(rand.NewPCG(h.Sum64(), 1))
	for i := range evs {
		pad := make([]byte, size)
		for j := range pad {
			pad[j] = byte('a' + rng.IntN(26))
		}
		evs[i].Raw = json.RawMessage(`"` + string(pad) + `"`)
	}
	return evs
}

func TestSpoolFullPushesBack(t *testing.T) {
	s := openTestSpool(t, "", func(c *SpoolConfig) { c.MaxBytes = 1 << 20 })
	sink := newRecordSink("slow", nil)
	ctx := context.Background()
	// The consumer exists (so the spool keeps messages) but nobody delivers yet.
	if _, err := s.NewDispatcher(ctx, sink, fastBatch(), DefaultRetryConfig(), hclog.NewNullLogger()); err != nil {
		t.Fatal(err)
	}
	accepted := 0
	var err error
	for i := 0; i < 200 && err == nil; i++ {
		evs := bigEvents("b"+string(rune('a'+i%26))+string(rune('a'+i/26)), 10, 1000)
		if err = s.Publish(ctx, evs); err == nil {
			accepted += len(evs)
		}
	}
	if !errors.Is(err, ErrSpoolFull) {
		t.Fatalf("publishing 2 MB into a 1 MiB spool: err = %v, want ErrSpoolFull", err)
	}
	if accepted < 500 || accepted > 1100 {
		t.Errorf("accepted %d events of ~1 KB before full; want about 1 MiB worth", accepted)
	}
	startDispatcher(t, s, sink, fastBatch())
	waitFor(t, "spool drained", 20*time.Second, func() bool { return sink.count() == accepted })
	waitFor(t, "intake accepted again", 20*time.Second, func() bool {
		return s.Publish(ctx, testEvents("after", 3)) == nil
	})
	waitFor(t, "new events delivered", 20*time.Second, func() bool { return sink.has("after-2") })
}

func TestRestartRedeliversUnacked(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	edit := func(c *SpoolConfig) { c.AckWait = 30 * time.Second }
	s1 := openTestSpool(t, dir, edit)
	first := newRecordSink("rec", nil)
	stop := startDispatcher(t, s1, first, fastBatch())
	if err := s1.Publish(ctx, testEvents("acked", 20)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "first batch acked", 20*time.Second, func() bool {
		return first.count() == 20 && consumerIdle(t, s1, "rec")
	})
	first.setRespond(func(int, []normalize.Event) error { return errors.New("sink down") })
	if err := s1.Publish(ctx, testEvents("pending", 20)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "second batch attempted", 20*time.Second, func() bool { return len(first.sent()) >= 2 })
	stop()
	if err := s1.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}

	s2 := openTestSpool(t, dir, edit)
	second := newRecordSink("rec", nil)
	startDispatcher(t, s2, second, fastBatch())
	waitFor(t, "un-acked batch redelivered", 30*time.Second, func() bool { return second.count() == 20 })
	waitFor(t, "consumer idle", 10*time.Second, func() bool { return consumerIdle(t, s2, "rec") })
	for _, ev := range testEvents("acked", 20) {
		if second.has(ev.ID) {
			t.Errorf("acked event %s delivered again after a clean restart", ev.ID)
		}
	}
	for _, ev := range testEvents("pending", 20) {
		if !second.has(ev.ID) {
			t.Errorf("un-acked event %s not redelivered", ev.ID)
		}
	}
}

func TestBlockedSinkDoesNotBlockOthers(t *testing.T) {
	s := openTestSpool(t, "", nil)
	ctx := context.Background()
	blocked := newRecordSink("blocked", func(int, []normalize.Event) error { return errors.New("connection refused") })
	healthy := newRecordSink("healthy", nil)
	startDispatcher(t, s, blocked, fastBatch(), WithSleeper((&noSleep{}).sleep))
	startDispatcher(t, s, healthy, fastBatch())
	const batches = 20
	for i := range batches {
		if err := s.Publish(ctx, testEvents("p"+string(rune('a'+i)), 50)); err != nil {
			t.Fatalf("publish %d while a sink is blocked: %v", i, err)
		}
	}
	waitFor(t, "healthy sink delivered all", 20*time.Second, func() bool { return healthy.count() == batches*50 })
	if n := blocked.count(); n != 0 {
		t.Errorf("blocked sink accepted %d events", n)
	}
	if ok, reasons := s.Health().Ready(); !ok {
		t.Errorf("a retrying sink made the bridge unready: %v", reasons)
	}
	waitFor(t, "blocked sink reported degraded", 20*time.Second, func() bool {
		return strings.Contains(s.Health().Status()["sink.blocked"], "retrying: connection refused")
	})
	waitFor(t, "pending gauge shows the blocked sink's backlog", 20*time.Second, func() bool {
		var m dto.Metric
		_ = s.m.pending.WithLabelValues("blocked").Write(&m)
		return m.GetGauge().GetValue() == batches*50
	})
	blocked.setRespond(nil)
	waitFor(t, "blocked sink recovered", 20*time.Second, func() bool { return blocked.count() == batches*50 })
}

func TestConfigErrorMarksSinkUnready(t *testing.T) {
	s := openTestSpool(t, "", nil)
	bad := &ConfigError{Err: errors.New("401 invalid token")}
	sink := newRecordSink("splunk", func(int, []normalize.Event) error { return bad })
	// A real but short wait, so the retry loop does not spin.
	short := func(ctx context.Context, _ time.Duration) error { return Sleep(ctx, 5*time.Millisecond) }
	startDispatcher(t, s, sink, fastBatch(), WithSleeper(short))
	if err := s.Publish(context.Background(), testEvents("c", 7)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "sink unready", 20*time.Second, func() bool { ok, _ := s.Health().Ready(); return !ok })
	_, reasons := s.Health().Ready()
	if len(reasons) != 1 || !strings.Contains(reasons[0], "sink.splunk") || !strings.Contains(reasons[0], "401 invalid token") {
		t.Errorf("reasons = %v, want the sink and its configuration error", reasons)
	}
	waitFor(t, "several attempts", 20*time.Second, func() bool { return len(sink.sent()) >= 3 })
	if dls, err := s.DLQList(context.Background(), "splunk", 0); err != nil || len(dls) != 0 {
		t.Fatalf("configuration error dead-lettered %d events (err %v)", len(dls), err)
	}
	sink.setRespond(nil)
	waitFor(t, "delivered after the fix", 20*time.Second, func() bool { return sink.count() == 7 })
	waitFor(t, "ready again", 20*time.Second, func() bool { ok, _ := s.Health().Ready(); return ok })
}

func TestUndecodableMessageIsDeadLettered(t *testing.T) {
	s := openTestSpool(t, "", nil)
	sink := newRecordSink("rec", nil)
	startDispatcher(t, s, sink, fastBatch())
	ctx := context.Background()
	if _, err := s.js.Publish(ctx, SpoolSubject, []byte("not a batch")); err != nil {
		t.Fatal(err)
	}
	if err := s.Publish(ctx, testEvents("ok", 3)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "good neighbour delivered", 20*time.Second, func() bool { return sink.count() == 3 })
	waitFor(t, "consumer idle", 20*time.Second, func() bool { return consumerIdle(t, s, "rec") })
	dls, err := s.DLQList(ctx, "rec", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(dls) != 1 || dls[0].Class != ReasonUndecodable || dls[0].Encoding != EncodingSpool ||
		string(dls[0].Data) != "not a batch" || !strings.Contains(dls[0].Reason, "bad spool batch") {
		t.Fatalf("dead letters = %+v, want the raw message with its decode error", dls)
	}
}

func TestPublishDedup(t *testing.T) {
	s := openTestSpool(t, "", nil)
	sink := newRecordSink("rec", nil)
	ctx := context.Background()
	if _, err := s.NewDispatcher(ctx, sink, fastBatch(), DefaultRetryConfig(), nil); err != nil {
		t.Fatal(err)
	}
	evs := testEvents("d", 10)
	for range 3 {
		if err := s.Publish(ctx, evs); err != nil {
			t.Fatal(err)
		}
	}
	info, err := s.stream.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 1 {
		t.Errorf("three publishes of the same events stored %d messages, want 1", info.State.Msgs)
	}
	var m dto.Metric
	_ = s.m.spooled.Write(&m)
	if got := m.GetCounter().GetValue(); got != 10 {
		t.Errorf("auditbridge_events_spooled_total = %v after re-publishing 10 events twice, want 10", got)
	}
}

func TestPublishRejectsOversizedEvent(t *testing.T) {
	s := openTestSpool(t, "", func(c *SpoolConfig) { c.MsgBytes = 4096 })
	if _, err := s.NewDispatcher(context.Background(), newRecordSink("r", nil), fastBatch(), DefaultRetryConfig(), nil); err != nil {
		t.Fatal(err)
	}
	evs := append(testEvents("small", 2), bigEvents("huge", 2, 10000)...)
	evs = append(evs, testEvents("tail", 1)...)
	err := s.Publish(context.Background(), evs)
	if err == nil || !strings.Contains(err.Error(), `"huge-0"`) {
		t.Fatalf("err = %v, want it to name the oversized event", err)
	}
	var tooBig *EventTooLargeError
	if !errors.As(err, &tooBig) || !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("err = %#v, want an *EventTooLargeError wrapping ErrEventTooLarge", err)
	}
	if fmt.Sprint(tooBig.Events, tooBig.IDs) != "[2 3] [huge-0 huge-1]" || tooBig.Limit > 4096 || tooBig.Sizes[0] <= tooBig.Limit {
		t.Fatalf("too large: events %v ids %v sizes %v limit %d", tooBig.Events, tooBig.IDs, tooBig.Sizes, tooBig.Limit)
	}
	st, err := s.stream.Info(context.Background())
	if err != nil || st.State.Msgs != 0 {
		t.Fatalf("stored %v messages after a refused publish (%v), want none", st.State.Msgs, err)
	}
	// Without the oversized events, the rest is stored.
	if err := s.Publish(context.Background(), append(evs[:2:2], evs[4])); err != nil {
		t.Fatalf("publish of the small neighbours: %v", err)
	}
}

func TestPublishWithoutConsumerIsRefused(t *testing.T) {
	s := openTestSpool(t, "", nil)
	ctx := context.Background()
	if err := s.Publish(ctx, testEvents("lost", 2)); !errors.Is(err, ErrNoConsumer) {
		t.Fatalf("publish with no sink consumer: %v, want ErrNoConsumer", err)
	}
	sink := newRecordSink("late", nil)
	startDispatcher(t, s, sink, fastBatch())
	if err := s.Publish(ctx, testEvents("kept", 2)); err != nil {
		t.Fatalf("publish right after the dispatcher was created: %v", err)
	}
	waitFor(t, "delivery", 20*time.Second, func() bool { return sink.count() == 2 })
}

func TestDataDirLockedWhileOpen(t *testing.T) {
	dir := t.TempDir()
	s := openTestSpool(t, dir, nil)
	ctx := context.Background()
	if s2, err := OpenSpool(ctx, DefaultSpoolConfig(dir), hclog.NewNullLogger(), nil); err == nil {
		_ = s2.Close(ctx)
		t.Fatal("a second embedded server opened the same data dir")
	} else if !strings.Contains(err.Error(), "in use by another auditbridge process") {
		t.Fatalf("err = %v, want it to say the data dir is in use", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	s3, err := OpenSpool(ctx, DefaultSpoolConfig(dir), hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatalf("reopen after close: %v", err)
	}
	_ = s3.Close(ctx)
}
