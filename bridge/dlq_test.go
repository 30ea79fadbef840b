package bridge

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// rejectIDs makes a sink answer that rejects (permanently) the given ids.
func rejectIDs(reject map[string]bool) func(int, []normalize.Event) error {
	return func(_ int, batch []normalize.Event) error {
		var pe PartialError
		for i, ev := range batch {
			if reject[ev.ID] {
				pe.Failed = append(pe.Failed, EventError{Index: i, Err: Permanent(errors.New("field limit exceeded"))})
			}
		}
		if len(pe.Failed) == 0 {
			return nil
		}
		return &pe
	}
}

func TestDLQListReplayPurge(t *testing.T) {
	s := openTestSpool(t, "", nil)
	ctx := context.Background()
	picky := newRecordSink("picky", rejectIDs(map[string]bool{"r-1": true, "r-3": true, "r-5": true}))
	other := newRecordSink("other", nil)
	startDispatcher(t, s, picky, fastBatch())
	startDispatcher(t, s, other, fastBatch())
	if err := s.Publish(ctx, testEvents("r", 6)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both sinks done", 20*time.Second, func() bool {
		return consumerIdle(t, s, "picky") && consumerIdle(t, s, "other") && other.count() == 6
	})

	t.Run("list", func(t *testing.T) {
		tests := []struct {
			sink  string
			limit int
			want  []string
		}{
			{"picky", 0, []string{"r-1", "r-3", "r-5"}},
			{"picky", 2, []string{"r-1", "r-3"}},
			{"", 0, []string{"r-1", "r-3", "r-5"}},
			{"other", 0, nil},
		}
		for _, tt := range tests {
			dls, err := s.DLQList(ctx, tt.sink, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, dl := range dls {
				got = append(got, dl.EventID)
			}
			if len(got) != len(tt.want) || (len(got) > 0 && !equalStrings(got, tt.want)) {
				t.Errorf("DLQList(%q, %d) = %v, want %v", tt.sink, tt.limit, got, tt.want)
			}
		}
		if _, err := s.DLQList(ctx, "bad.name", 0); err == nil {
			t.Error("a sink name with a dot was accepted")
		}
	})

	t.Run("replay reaches that sink only", func(t *testing.T) {
		picky.setRespond(nil)
		n, err := s.DLQReplay(ctx, "picky")
		if err != nil || n != 3 {
			t.Fatalf("replay = %d, %v; want 3, nil", n, err)
		}
		waitFor(t, "replayed events delivered", 20*time.Second, func() bool { return picky.count() == 6 })
		waitFor(t, "consumers idle", 20*time.Second, func() bool {
			return consumerIdle(t, s, "picky") && consumerIdle(t, s, "other")
		})
		for _, id := range []string{"r-1", "r-3", "r-5"} {
			if n := other.times(id); n != 1 {
				t.Errorf("other sink got %s %d times; replay must target picky only", id, n)
			}
		}
		if dls, _ := s.DLQList(ctx, "picky", 0); len(dls) != 0 {
			t.Errorf("replayed entries still listed: %d", len(dls))
		}
	})

	t.Run("purge", func(t *testing.T) {
		picky.setRespond(rejectIDs(map[string]bool{"q-0": true, "q-1": true}))
		if err := s.Publish(ctx, testEvents("q", 2)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "dead letters written", 20*time.Second, func() bool {
			dls, _ := s.DLQList(ctx, "picky", 0)
			return len(dls) == 2
		})
		n, err := s.DLQPurge(ctx, "picky")
		if err != nil || n != 2 {
			t.Fatalf("purge = %d, %v; want 2, nil", n, err)
		}
		if dls, _ := s.DLQList(ctx, "", 0); len(dls) != 0 {
			t.Errorf("%d entries left after purge", len(dls))
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestBacklogAndDLQCount(t *testing.T) {
	s := openTestSpool(t, "", nil)
	ctx := context.Background()
	sink := newRecordSink("bk", rejectIDs(map[string]bool{"k-2": true}))
	if _, err := s.NewDispatcher(ctx, sink, fastBatch(), DefaultRetryConfig(), nil); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := s.Publish(ctx, testEvents("k"+string(rune('a'+i)), 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Publish(ctx, testEvents("k", 4)); err != nil {
		t.Fatal(err)
	}
	// The server counts a consumer's pending messages after it stored them,
	// not before it acknowledged the publish: under load the count can lag.
	waitFor(t, "a backlog of 4 messages before delivery", 5*time.Second, func() bool {
		n, err := s.Backlog(ctx, "bk")
		return err == nil && n == 4
	})
	startDispatcher(t, s, sink, fastBatch())
	waitFor(t, "backlog drained", 20*time.Second, func() bool {
		n, err := s.Backlog(ctx, "bk")
		return err == nil && n == 0
	})
	if n, err := s.DLQCount(ctx, "bk"); err != nil || n != 1 {
		t.Errorf("dlq count = %d, %v; want 1", n, err)
	}
	if _, err := s.Backlog(ctx, "nosuch"); err == nil {
		t.Error("backlog of a sink without consumer gave no error")
	}
}
