package cloudwatch

import (
	"context"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

// TestEventsRecordTheirLogGroup: events read by Run record
// "cloudwatch:<log group>" as their intake.
func TestEventsRecordTheirLogGroup(t *testing.T) {
	srv, hs := newCWServer(t, group)
	now := time.Now().UnixMilli()
	msgs := messages(t, 5)
	for i, m := range msgs {
		srv.add("stream-0", cwEvent{TS: now - int64(60000-i*100), Msg: m})
	}
	s := newSource(t, hs.URL, newMemKV())
	rec := &testutil.Publisher{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, rec) }()
	deadline := time.Now().Add(30 * time.Second)
	for len(rec.Meta(normalize.MetaIntake)) < len(msgs) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	got := rec.Meta(normalize.MetaIntake)
	if len(got) < len(msgs) {
		t.Fatalf("published %d events, want %d", len(got), len(msgs))
	}
	for _, g := range got {
		if g != `"cloudwatch:`+group+`"` {
			t.Fatalf("meta.intake = %s, want \"cloudwatch:%s\"", g, group)
		}
	}
}
