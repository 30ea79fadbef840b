package bridge

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestKVCompareAndSet(t *testing.T) {
	s := openTestSpool(t, "", nil)
	ctx := context.Background()
	kv := s.KV()
	if _, _, err := kv.Get(ctx, "cursor.org1"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("get of a missing key: %v, want ErrKeyNotFound", err)
	}
	rev1, err := kv.Create(ctx, "cursor.org1", []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name    string
		do      func() (uint64, error)
		wantErr error
	}{
		{"create existing", func() (uint64, error) { return kv.Create(ctx, "cursor.org1", []byte("x")) }, ErrRevisionMismatch},
		{"update at current revision", func() (uint64, error) { return kv.Update(ctx, "cursor.org1", []byte("b"), rev1) }, nil},
		{"update at stale revision", func() (uint64, error) { return kv.Update(ctx, "cursor.org1", []byte("c"), rev1) }, ErrRevisionMismatch},
	}
	for _, st := range steps {
		_, err := st.do()
		if !errors.Is(err, st.wantErr) {
			t.Errorf("%s: err = %v, want %v", st.name, err, st.wantErr)
		}
	}
	v, rev, err := kv.Get(ctx, "cursor.org1")
	if err != nil || string(v) != "b" || rev <= rev1 {
		t.Fatalf("get = %q rev %d err %v; want \"b\" at a revision above %d", v, rev, err, rev1)
	}
}

func TestLeaseTakeoverAfterExpiry(t *testing.T) {
	s := openTestSpool(t, "", nil)
	if !s.keyTTL {
		t.Fatal("the embedded server (2.15) should support per-key TTL")
	}
	tests := []struct {
		name   string
		keyTTL bool
	}{
		{"per-key TTL", true},
		{"fallback: expiry in the value", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testLeaseTakeover(t, s, &leaser{js: s.js, kv: s.kv, keyTTL: tt.keyTTL}, tt.keyTTL)
		})
	}
}

func testLeaseTakeover(t *testing.T, s *Spool, ls Leaser, keyTTL bool) {
	ctx := context.Background()
	const ttl = 2 * time.Second
	a, err := ls.TryAcquire(ctx, "org1", "replica-a", ttl)
	if err != nil {
		t.Fatalf("a acquires: %v", err)
	}
	if _, err := ls.TryAcquire(ctx, "org1", "replica-b", ttl); !errors.Is(err, ErrLeaseHeld) {
		t.Fatalf("b while a holds: %v, want ErrLeaseHeld", err)
	}
	again, err := ls.TryAcquire(ctx, "org1", "replica-a", ttl)
	if err != nil {
		t.Fatalf("a re-acquires its own lease: %v", err)
	}
	if err := again.Renew(ctx); err != nil {
		t.Fatalf("renew: %v", err)
	}
	if err := again.Check(ctx); err != nil {
		t.Fatalf("check: %v", err)
	}
	if err := a.Check(ctx); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("the superseded handle still checks ok: %v", err)
	}
	// a stops renewing: b takes over once the TTL has passed, not before.
	start := time.Now()
	if keyTTL {
		waitFor(t, "JetStream removes the expired lease", 10*time.Second, func() bool {
			_, _, err := s.KV().Get(ctx, leaseKey("org1"))
			return errors.Is(err, ErrKeyNotFound)
		})
	}
	var b Lease
	waitFor(t, "takeover", 10*time.Second, func() bool {
		b, err = ls.TryAcquire(ctx, "org1", "replica-b", ttl)
		return err == nil
	})
	if waited := time.Since(start); waited < ttl/2 {
		t.Errorf("takeover after %s, before the %s TTL could pass", waited, ttl)
	}
	if err := again.Renew(ctx); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("old holder renews after takeover: %v, want ErrLeaseLost", err)
	}
	if err := again.Check(ctx); !errors.Is(err, ErrLeaseLost) {
		t.Errorf("old holder checks after takeover: %v, want ErrLeaseLost", err)
	}
	if err := b.Release(ctx); err != nil {
		t.Fatalf("release: %v", err)
	}
	c, err := ls.TryAcquire(ctx, "org1", "replica-c", ttl)
	if err != nil {
		t.Fatalf("acquire right after release: %v", err)
	}
	if err := c.Release(ctx); err != nil {
		t.Fatalf("release c: %v", err)
	}
}

func TestLeaseRejectsTinyTTL(t *testing.T) {
	s := openTestSpool(t, "", nil)
	if _, err := s.Leaser().TryAcquire(context.Background(), "x", "h", 10*time.Millisecond); err == nil {
		t.Fatal("a 10ms lease was accepted")
	}
}

func TestLeaseKey(t *testing.T) {
	tests := []struct{ name, want string }{
		{"org-1", "lease.org-1"},
		{"tfc/acme.prod", "lease.tfc/acme.prod"},
		{"a b", "lease.=612062"},
		{"=41", "lease.=3d3431"},
		{"", "lease.="},
		{".x", "lease.=2e78"},
	}
	for _, tt := range tests {
		if got := leaseKey(tt.name); got != tt.want {
			t.Errorf("leaseKey(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
