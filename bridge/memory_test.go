package bridge

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

// rssBytes reads this process's resident set size.
func rssBytes(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	t.Skip("no VmRSS")
	return 0
}

// TestMillionEventsBoundedMemory fills the spool with 1,000,000 events while
// the sink is down, then delivers them, sampling RSS throughout. It takes a
// minute and ~1 GB of disk, so it runs only with AUDITBRIDGE_BIG_TEST=1.
func TestMillionEventsBoundedMemory(t *testing.T) {
	if os.Getenv("AUDITBRIDGE_BIG_TEST") != "1" {
		t.Skip("set AUDITBRIDGE_BIG_TEST=1 to run")
	}
	const total, per, limit = 1_000_000, 500, 400 << 20
	s := openTestSpool(t, "", func(c *SpoolConfig) { c.MaxBytes = 8 << 30 })
	ctx := context.Background()
	sink := &countSink{name: "big"}
	d, err := s.NewDispatcher(ctx, sink, DefaultBatchConfig(), DefaultRetryConfig(), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	base := rssBytes(t)
	peak := base
	var heapPeak uint64
	sample := func() {
		if r := rssBytes(t); r > peak {
			peak = r
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heapPeak = max(heapPeak, ms.HeapInuse)
	}
	start := time.Now()
	for i := range total / per {
		if err := s.Publish(ctx, uniqueEvents(i, per)); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			sample()
		}
	}
	runtime.GC()
	full := rssBytes(t)
	t.Logf("published %d events in %s; rss before %d MiB, with the spool full %d MiB, peak %d MiB",
		total, time.Since(start).Round(time.Millisecond), base>>20, full>>20, peak>>20)
	start = time.Now()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = d.Run(rctx); close(done) }()
	for sink.n.Load() < total {
		time.Sleep(100 * time.Millisecond)
		sample()
	}
	cancel()
	<-done
	t.Logf("delivered %d events in %s; peak rss %d MiB, peak heap in use %d MiB",
		total, time.Since(start).Round(time.Millisecond), peak>>20, heapPeak>>20)
	if peak-base > limit {
		t.Errorf("rss grew by %d MiB holding and delivering %d events; want under %d MiB",
			(peak-base)>>20, total, limit>>20)
	}
}
