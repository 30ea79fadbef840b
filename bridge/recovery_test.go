package bridge

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// lockedLog is a log sink for hclog that tests can read while it is written.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A sink that fails for longer than the threshold shows as degraded with
// its last error (still ready: intake stays on); once it delivers again it
// is healthy and its recovery is logged once, with how long it was down and
// how many events it caught up.
func TestSinkOutageDegradesThenRecovers(t *testing.T) {
	s := openTestSpool(t, "", nil)
	var now atomic.Int64
	now.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	s.Health().SetClock(func() time.Time { return time.Unix(0, now.Load()) })
	var down atomic.Bool
	down.Store(true)
	sink := newRecordSink("rec", func(int, []normalize.Event) error {
		if down.Load() {
			return errors.New("dial tcp 127.0.0.1:9: connection refused")
		}
		return nil
	})
	var logs lockedLog
	log := hclog.New(&hclog.LoggerOptions{Output: &logs, Level: hclog.Info})
	ctx, cancel := context.WithCancel(context.Background())
	d, err := s.NewDispatcher(ctx, sink, fastBatch(), DefaultRetryConfig(), log,
		WithSleeper(func(ctx context.Context, _ time.Duration) error {
			time.Sleep(2 * time.Millisecond) // retry at once, without spinning
			return ctx.Err()
		}))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	if err := s.Publish(context.Background(), testEvents("o", 30)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "failed attempts", 20*time.Second, func() bool {
		sink.mu.Lock()
		defer sink.mu.Unlock()
		return sink.calls >= 3
	})
	if got := s.Health().Degradations(60 * time.Second); len(got) != 0 {
		t.Fatalf("degraded before the threshold: %+v", got)
	}
	now.Add(int64(61 * time.Second))
	got := s.Health().Degradations(60 * time.Second)
	if len(got) != 1 || got[0].Component != "sink.rec" || got[0].For < 61*time.Second ||
		!strings.Contains(got[0].Note, "connection refused") {
		t.Fatalf("degradations %+v, want sink.rec failing 61s with its last error", got)
	}
	if ok, reasons := s.Health().Ready(); !ok {
		t.Fatalf("a failing sink made the bridge unready: %v", reasons)
	}

	down.Store(false)
	waitFor(t, "delivery after recovery", 20*time.Second, func() bool { return sink.count() == 30 })
	waitFor(t, "recovery log", 20*time.Second, func() bool { return strings.Contains(logs.String(), "sink recovered") })
	if got := s.Health().Degradations(0); len(got) != 0 {
		t.Errorf("still degraded after recovery: %+v", got)
	}
	out := logs.String()
	if n := strings.Count(out, "sink recovered"); n != 1 {
		t.Errorf("recovery logged %d times:\n%s", n, out)
	}
	if !strings.Contains(out, "caught_up_events=30") || !strings.Contains(out, "down_for=") {
		t.Errorf("recovery line lacks down_for or caught_up_events=30:\n%s", out)
	}
}
