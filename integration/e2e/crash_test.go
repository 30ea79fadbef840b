package e2e

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bench/loadgen"
)

// ackLog records which requests got a 200.
type ackLog struct {
	mu     sync.Mutex
	acked  [][2]int // [from, to) ranges answered 200
	failed int      // requests that got no 200 (refused, reset, 503)
}

func (a *ackLog) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.acked)
}

func (a *ackLog) add(from, to int, ok bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if ok {
		a.acked = append(a.acked, [2]int{from, to})
	} else {
		a.failed++
	}
}

// postNumbered posts events [from, from+per) per request from clients workers
// until ctx ends, recording every reply. A request that gets no 200 is not
// retried: its events may or may not arrive; they were never acknowledged.
func postNumbered(ctx context.Context, url string, g loadgen.Generator, per, clients int, log *ackLog) *sync.WaitGroup {
	var next int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			c := &loadgen.Client{URL: url, Token: hecToken, HTTP: &http.Client{Timeout: 30 * time.Second}}
			for ctx.Err() == nil {
				mu.Lock()
				from := next
				next += per
				mu.Unlock()
				code, _, err := c.Post(ctx, g.Body(from, from+per, false), false)
				ok := err == nil && code == http.StatusOK
				if ctx.Err() != nil && !ok {
					return
				}
				log.add(from, from+per, ok)
				if !ok {
					time.Sleep(20 * time.Millisecond) // the bridge is restarting
				}
			}
		})
	}
	return &wg
}

// TestCrashKill9WhilePosting kills the bridge with SIGKILL at random moments
// while clients post, restarts it each time, and then checks that every event
// of every request answered 200 reached the file sink.
func TestCrashKill9WhilePosting(t *testing.T) {
	const kills = 20
	b := newBridge(t, t.TempDir())
	b.start()
	g := loadgen.Generator{Prefix: "crash"}
	log := &ackLog{}
	ctx, cancel := context.WithCancel(context.Background())
	wg := postNumbered(ctx, b.hecURL(), g, 100, 3, log)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	for k := range kills {
		time.Sleep(time.Duration(150+rng.IntN(600)) * time.Millisecond)
		b.kill()
		t.Logf("kill %d: %d requests acknowledged so far", k+1, log.count())
		b.start()
	}
	time.Sleep(300 * time.Millisecond)
	cancel()
	wg.Wait()
	if len(log.acked) < kills {
		t.Fatalf("only %d requests were acknowledged over %d kills: the test proved little\n%s", len(log.acked), kills, b.logs.String())
	}

	var want []string
	for _, r := range log.acked {
		for i := r[0]; i < r[1]; i++ {
			want = append(want, g.ID(i))
		}
	}
	var missing []string
	ok := waitFor(120*time.Second, func() bool {
		got := b.delivered()
		missing = missing[:0]
		for _, id := range want {
			if got[id] == 0 {
				missing = append(missing, id)
			}
		}
		return len(missing) == 0
	})
	if !ok {
		t.Fatalf("%d of %d acknowledged events never reached the file sink, e.g. %q\n%s",
			len(missing), len(want), missing[:min(5, len(missing))], b.logs.String())
	}
	got := b.delivered()
	dups := 0
	for _, n := range got {
		dups += n - 1
	}
	t.Logf("kills=%d acknowledged_requests=%d acknowledged_events=%d failed_requests=%d delivered_unique=%d duplicates=%d missing=%d",
		kills, len(log.acked), len(want), log.failed, len(got), dups, len(missing))
	if err := b.stop(); err != nil {
		t.Errorf("bridge exit after SIGTERM: %v\n%s", err, b.logs.String())
	}
}
