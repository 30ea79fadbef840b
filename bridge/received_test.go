package bridge

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// TestPublishStampsReceivedTime: an event without a time gets the time it
// entered the spool, with meta.time_source "received", and a redelivery
// (the first Send fails) carries the same time, not a later one.
func TestPublishStampsReceivedTime(t *testing.T) {
	s := openTestSpool(t, "", nil)
	var mu sync.Mutex
	var seen []time.Time
	var source []string
	sink := newRecordSink("rec", func(call int, batch []normalize.Event) error {
		mu.Lock()
		defer mu.Unlock()
		for _, ev := range batch {
			seen = append(seen, ev.Time)
			source = append(source, string(ev.Meta.Value("time_source")))
		}
		if call == 1 {
			return errors.New("first delivery fails")
		}
		return nil
	})
	ctx := context.Background()
	sl := &noSleep{}
	startDispatcher(t, s, sink, fastBatch(), WithSleeper(sl.sleep))
	evs := testEvents("r", 1)
	evs[0].Time, evs[0].Meta = time.Time{}, nil
	before := time.Now()
	if err := s.Publish(ctx, evs); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a redelivery", 30*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(seen) >= 2 })
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 2 {
		t.Fatalf("saw %d deliveries, want 2", len(seen))
	}
	if seen[0].IsZero() || seen[0].Before(before.Add(-time.Second)) {
		t.Errorf("delivered time %v: not the time it entered the spool (after %v)", seen[0], before)
	}
	if !seen[1].Equal(seen[0]) {
		t.Errorf("redelivery time %v differs from the first %v", seen[1], seen[0])
	}
	if source[0] != `"received"` || source[1] != `"received"` {
		t.Errorf("meta.time_source = %v, want \"received\"", source)
	}
}
