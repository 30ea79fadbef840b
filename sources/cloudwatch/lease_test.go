package cloudwatch

import (
	"context"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/hashicorp/go-hclog"
)

// TestLeasePerLogGroup: two replicas share one spool's KV bucket and
// leases (an embedded JetStream server). Only the lease holder reads the
// group; when it stops, the other takes over; every event is published
// once in all.
func TestLeasePerLogGroup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	spool, err := bridge.OpenSpool(ctx, bridge.DefaultSpoolConfig(t.TempDir()), hclog.NewNullLogger(), bridge.NewMetrics(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer spool.Close(context.Background())
	srv, hs := newCWServer(t, group)
	msgs := messages(t, 20)
	now := time.Now().UnixMilli()
	for i, m := range msgs[:10] {
		srv.add("s", cwEvent{TS: now - 10000 + int64(i), Msg: m})
	}
	replica := func(key string) (*Source, *recorder) {
		cfg := DefaultConfig()
		cfg.Region, cfg.Endpoint, cfg.Interval, cfg.LeaseTTL = "us-east-1", hs.URL, 20*time.Millisecond, 2*time.Second
		api, err := NewClient(ctx, cfg, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(key, "secret", "")))
		if err != nil {
			t.Fatal(err)
		}
		s, err := New(cfg, api, State{KV: spool.KV(), Leaser: spool.Leaser()}, hclog.NewNullLogger(), nil)
		if err != nil {
			t.Fatal(err)
		}
		return s, &recorder{}
	}
	run := func(s *Source, r *recorder) (stop func()) {
		rctx, rcancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); _ = s.Run(rctx, r) }()
		return func() { rcancel(); <-done }
	}
	total := func(recs ...*recorder) map[string]int {
		out := map[string]int{}
		for _, r := range recs {
			for id, n := range r.ids() {
				out[id] += n
			}
		}
		return out
	}
	wait := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	a, ra := replica("AKIDREPLICAA")
	b, rb := replica("AKIDREPLICAB")
	stopA := run(a, ra)
	wait("the first events", func() bool { return len(total(ra)) == 10 })
	stopB := run(b, rb)
	defer stopB()
	time.Sleep(200 * time.Millisecond) // many intervals: b must not read while a holds the lease
	srv.mu.Lock()
	bCalls := srv.byKey["AKIDREPLICAB"]
	srv.mu.Unlock()
	if n := len(total(rb)); n != 0 || bCalls != 0 {
		t.Fatalf("the replica without the lease published %d events, made %d calls", n, bCalls)
	}
	stopA() // releases the lease
	for i, m := range msgs[10:] {
		srv.add("s", cwEvent{TS: now + int64(i), Msg: m})
	}
	wait("the takeover", func() bool { return len(total(ra, rb)) == 20 })
	for id, n := range total(ra, rb) {
		if n != 1 {
			t.Fatalf("event %s published %d times", id, n)
		}
	}
	if len(total(rb)) != 10 {
		t.Fatalf("replica b published %d events after the takeover, want 10", len(total(rb)))
	}
}
