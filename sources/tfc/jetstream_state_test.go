package tfc

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
	"github.com/hashicorp/go-hclog"
)

// These tests run the poller against the real state store: the spool's
// JetStream KV bucket and leases on an embedded server.

func openSpool(t *testing.T, dir string) *bridge.Spool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := bridge.OpenSpool(ctx, bridge.DefaultSpoolConfig(dir), hclog.NewNullLogger(), bridge.NewMetrics(nil))
	if err != nil {
		t.Fatalf("open spool: %v", err)
	}
	return s
}

func TestCursorSurvivesSpoolRestart(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	g := tfcsim.NewGenerator("org-js", 11)
	want := f.addRange(g, 1700, f.now.Add(-2*time.Hour), 3*time.Second)

	s := openSpool(t, dir)
	mustCycle(t, f.poller(t, s.KV()))
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	want = append(want, f.addRange(g, 30, f.now, time.Second)...)

	s = openSpool(t, dir)
	defer s.Close(context.Background())
	p := f.poller(t, s.KV())
	mustCycle(t, p)
	mustCycle(t, p)
	assertExactlyOnce(t, f.pub.IDs(), want)
}

// undying wraps the real leaser so a cancelled poller does not release its
// lease: the replica "dies" holding it, and the other must wait the TTL out.
type undying struct{ bridge.Leaser }

func (u undying) TryAcquire(ctx context.Context, name, holder string, ttl time.Duration) (bridge.Lease, error) {
	l, err := u.Leaser.TryAcquire(ctx, name, holder, ttl)
	if err != nil {
		return nil, err
	}
	return undyingLease{l}, nil
}

type undyingLease struct{ bridge.Lease }

func (undyingLease) Release(context.Context) error { return nil }

func TestLeaseLetsOneReplicaPollAndAnotherTakeOver(t *testing.T) {
	f := newFixture(t)
	f.now = time.Now().UTC().Truncate(time.Second) // Run uses the real clock: records inside its backfill
	f.cfg.Interval = time.Second
	f.cfg.LeaseTTL = 2 * time.Second
	g := tfcsim.NewGenerator("org-lease", 12)
	want := f.addRange(g, 50, f.now.Add(-time.Minute), time.Second)
	s := openSpool(t, t.TempDir())
	defer s.Close(context.Background())

	replica := func(agent string, leaser bridge.Leaser) (*Source, *recordingPublisher) {
		cfg := f.cfg
		cfg.UserAgent = agent
		src, err := New(cfg, State{KV: s.KV(), Leaser: leaser}, nil, hclog.NewNullLogger())
		if err != nil {
			t.Fatal(err)
		}
		return src, &recordingPublisher{}
	}
	a, pubA := replica("replica-a", undying{s.Leaser()})
	ctxA, killA := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = a.Run(ctxA, pubA) }()
	waitFor(t, 10*time.Second, "replica a publishes the backlog", func() bool { return len(pubA.IDs()) == len(want) })

	b, pubB := replica("replica-b", s.Leaser())
	ctxB, stopB := context.WithCancel(context.Background())
	defer stopB()
	go func() { defer wg.Done(); _ = b.Run(ctxB, pubB) }()
	// b must not poll while a holds the lease: give it several intervals.
	waitFor(t, 10*time.Second, "replica a polls twice more", func() bool { return countAgent(f.sim, "replica-a") >= 3 })
	if n := countAgent(f.sim, "replica-b"); n != 0 {
		t.Fatalf("replica b sent %d requests while a held the lease", n)
	}

	killA()
	died := time.Now()
	late := f.addRange(g, 20, f.now.Add(time.Minute), time.Second)
	want = append(want, late...)
	waitFor(t, 15*time.Second, "replica b takes over and delivers the new events", func() bool {
		return len(pubB.IDs()) == len(late)
	})
	takeover := time.Since(died)
	if takeover > f.cfg.LeaseTTL+f.cfg.LeaseTTL/3+2*f.cfg.Interval {
		t.Errorf("takeover took %s, want about one lease TTL (%s)", takeover, f.cfg.LeaseTTL)
	}
	t.Logf("takeover after %s (lease ttl %s)", takeover.Round(10*time.Millisecond), f.cfg.LeaseTTL)
	stopB()
	wg.Wait()
	assertExactlyOnce(t, append(pubA.IDs(), pubB.IDs()...), want)
}

func countAgent(sim *tfcsim.Server, agent string) int {
	n := 0
	for _, r := range sim.Requests() {
		if r.Agent == agent {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds or the deadline passes (real servers and
// real leases: there is no clock to inject here).
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting until %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
