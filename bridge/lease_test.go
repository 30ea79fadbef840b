package bridge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestLeaseRenewWhileWritingCursors renews a lease from one goroutine while
// another checks it and writes a cursor, as the TFC poller does. Run with
// -race: the lease's revision is shared state. A sole holder must never see
// ErrLeaseLost (the race once made one report "lease lost" and re-poll).
func TestLeaseRenewWhileWritingCursors(t *testing.T) {
	s := openTestSpool(t, "", nil)
	ctx := context.Background()
	l, err := s.Leaser().TryAcquire(ctx, "org-race", "replica-a", 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	const rounds = 300
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range rounds {
			if err := l.Renew(ctx); err != nil {
				errs <- fmt.Errorf("renew %d: %w", i, err)
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		rev, err := s.KV().Create(ctx, "tfc.cursor.race", []byte("0"))
		if err != nil {
			errs <- err
			return
		}
		for i := range rounds {
			if err := l.Check(ctx); err != nil {
				errs <- fmt.Errorf("check before cursor write %d: %w", i, err)
				return
			}
			if rev, err = s.KV().Update(ctx, "tfc.cursor.race", fmt.Appendf(nil, "%d", i), rev); err != nil {
				errs <- fmt.Errorf("cursor write %d: %w", i, err)
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestLeaseLostAcknowledgement: a renewal that reached the bucket but whose
// acknowledgement was lost leaves the handle one revision behind. That
// revision carries the handle, so Check and the next Renew adopt it; another
// handle of the same holder (a re-acquire) supersedes it for real.
func TestLeaseLostAcknowledgement(t *testing.T) {
	s := openTestSpool(t, "", nil)
	ctx := context.Background()
	got, err := s.Leaser().TryAcquire(ctx, "org-ack", "replica-a", 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	l := got.(*lease)
	// The lost acknowledgement: the same handle writes, l does not learn the revision.
	ghost := &lease{l: l.l, key: l.key, holder: l.holder, handle: l.handle, ttl: l.ttl, rev: l.rev}
	if err := ghost.put(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Check(ctx); err != nil {
		t.Fatalf("check after a lost acknowledgement: %v", err)
	}
	if err := ghost.put(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Renew(ctx); err != nil {
		t.Fatalf("renew after a lost acknowledgement: %v", err)
	}
	other, err := s.Leaser().TryAcquire(ctx, "org-ack", "replica-a", 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for name, op := range map[string]func(context.Context) error{"check": l.Check, "renew": l.Renew} {
		if err := op(ctx); !errors.Is(err, ErrLeaseLost) {
			t.Errorf("%s of a superseded handle: %v, want ErrLeaseLost", name, err)
		}
	}
	if err := other.Check(ctx); err != nil {
		t.Errorf("the new handle: %v", err)
	}
}
