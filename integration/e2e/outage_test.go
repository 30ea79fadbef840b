package e2e

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bench/loadgen"
)

// The sink outage: the file sink's directory is renamed away (the sink
// reopens its path before every batch, so writes fail with "no such file or
// directory" instead of going to the moved file) and renamed back later.
// Renaming works for root too, unlike chmod.
func sinkDown(t *testing.T, b *bridge) (restore func()) {
	t.Helper()
	dir := filepath.Dir(b.outPath)
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.Rename(dir+".away", dir); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOutageSpoolLimit: with the sink down, intake answers 200 until the
// spool is full, then 503; after the sink recovers every acknowledged event
// is delivered and intake answers 200 again.
func TestOutageSpoolLimit(t *testing.T) {
	b := newBridge(t, t.TempDir(), "AUDITBRIDGE_SPOOL_MAX_BYTES=4194304", "AUDITBRIDGE_RETRY_MAX=1s")
	restore := sinkDown(t, b)
	b.start()
	defer b.kill()

	g := loadgen.Generator{Prefix: "limit"}
	c := &loadgen.Client{URL: b.hecURL(), Token: hecToken}
	ctx := context.Background()
	const per = 100
	var acked []string
	full := 0
	for r := 0; full < 3; r++ {
		if r > 2000 {
			t.Fatalf("no 503 after %d requests (%d events acknowledged)", r, len(acked))
		}
		code, reply, err := c.Post(ctx, g.Body(r*per, (r+1)*per, false), false)
		switch {
		case err != nil:
			t.Fatalf("request %d: %v", r, err)
		case code == http.StatusOK && full == 0:
			for i := r * per; i < (r+1)*per; i++ {
				acked = append(acked, g.ID(i))
			}
		case code == http.StatusServiceUnavailable:
			full++
		default:
			t.Fatalf("request %d: %d %s (after %d 503s); want 200 until the spool is full, then 503", r, code, reply, full)
		}
	}
	if len(acked) < 1000 {
		t.Fatalf("only %d events acknowledged before 503: the spool limit was hit too early", len(acked))
	}
	if got := len(b.delivered()); got != 0 {
		t.Fatalf("%d events delivered while the sink was down", got)
	}
	t.Logf("acknowledged %d events before the spool reached its limit", len(acked))

	restore()
	var missing int
	ok := waitFor(90*time.Second, func() bool {
		got := b.delivered()
		missing = 0
		for _, id := range acked {
			if got[id] == 0 {
				missing++
			}
		}
		return missing == 0
	})
	if !ok {
		t.Fatalf("%d of %d acknowledged events not delivered after recovery\n%s", missing, len(acked), b.logs.String())
	}
	// The spool drained: intake is accepted again.
	after := loadgen.Generator{Prefix: "after"}
	ok = waitFor(30*time.Second, func() bool {
		code, _, err := c.Post(ctx, after.Body(0, 10, false), false)
		return err == nil && code == http.StatusOK
	})
	if !ok {
		t.Fatal("intake still refused after the spool drained")
	}
	if err := b.stop(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, b.logs.String())
	}
}

// TestOutageMillionEventsBoundedMemory: the sink is down while clients post
// a million events; the bridge's resident memory is sampled throughout and
// must stay bounded; after recovery all million are delivered.
func TestOutageMillionEventsBoundedMemory(t *testing.T) {
	const (
		n        = 1_000_000
		rssBound = 400 << 10 // KiB
	)
	b := newBridge(t, t.TempDir(), "AUDITBRIDGE_SPOOL_MAX_BYTES=8589934592", "AUDITBRIDGE_RETRY_MAX=1s",
		"AUDITBRIDGE_FILE_BATCH_EVENTS=5000", "AUDITBRIDGE_LOG_LEVEL=error")
	restore := sinkDown(t, b)
	b.start()
	defer b.kill()

	var peak atomic.Int64
	stopSampling := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			if kib, err := rssKiB(b.pid()); err == nil && kib > peak.Load() {
				peak.Store(kib)
			}
			select {
			case <-stopSampling:
				return
			case <-tick.C:
			}
		}
	})
	defer func() { close(stopSampling); wg.Wait() }()

	g := loadgen.Generator{Prefix: "million"}
	c := &loadgen.Client{URL: b.hecURL(), Token: hecToken, HTTP: &http.Client{Timeout: time.Minute}}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	st, err := c.Load(ctx, g, n, 1000, 4, true)
	if err != nil {
		t.Fatalf("posting: %v (%d acknowledged)\n%s", err, st.Events, b.logs.String())
	}
	spooled := b.metric("auditbridge_events_spooled_total")
	delivered := b.metric("auditbridge_events_delivered_total", `sink="file"`)
	peakFull := peak.Load()
	t.Logf("posted %d events in %s (%.0f events/s, %d retried requests); spooled=%.0f delivered=%.0f; peak VmRSS while filling: %d KiB",
		st.Events, st.Elapsed.Round(time.Millisecond), float64(st.Events)/st.Elapsed.Seconds(), st.Retries, spooled, delivered, peakFull)
	if spooled < n || delivered != 0 {
		t.Fatalf("spooled %.0f (want ≥ %d), delivered %.0f (want 0) while the sink is down", spooled, n, delivered)
	}

	restore()
	if !waitFor(4*time.Minute, func() bool {
		return b.metric("auditbridge_events_delivered_total", `sink="file"`) >= n
	}) {
		t.Fatalf("only %.0f of %d delivered after recovery\n%s",
			b.metric("auditbridge_events_delivered_total", `sink="file"`), n, b.logs.String())
	}
	got := b.delivered()
	missing := 0
	for i := range n {
		if got[g.ID(i)] == 0 {
			missing++
		}
	}
	t.Logf("after recovery: %d distinct events in the file sink, %d missing; peak VmRSS overall: %d KiB (bound %d KiB)",
		len(got), missing, peak.Load(), rssBound)
	if missing > 0 {
		t.Errorf("%d acknowledged events missing", missing)
	}
	if peak.Load() > rssBound {
		t.Errorf("peak VmRSS %d KiB exceeds %d KiB", peak.Load(), rssBound)
	}
	if err := b.stop(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
}
