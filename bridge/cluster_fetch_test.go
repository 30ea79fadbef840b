package bridge

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
)

// openClusterSpool opens a spool with edit applied on a fresh in-process
// 3-node cluster, waiting for the cluster to elect its meta leader.
func openClusterSpool(t *testing.T, edit func(*SpoolConfig)) *Spool {
	t.Helper()
	cfg := DefaultSpoolConfig("")
	cfg.NATSURL, cfg.Replicas = startCluster(t), 3
	if edit != nil {
		edit(&cfg)
	}
	var s *Spool
	waitFor(t, "spool on the cluster", 60*time.Second, func() bool {
		octx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var err error
		s, err = OpenSpool(octx, cfg, hclog.NewNullLogger(), NewMetrics(nil))
		return err == nil
	})
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// TestClusterBacklogOfSmallMessages is the regression test of a replicated
// consumer answering a multi-message Fetch: with a byte bound on the
// request, nats-server (2.12+) could send the "batch completed" status
// ahead of the messages, the client dropped them, and each waited out the
// ack wait (30 s) again and again, so a backlog of small messages took many
// minutes. The deadline below is generous (several ack waits' worth of
// slack for a slow machine), not a timing assertion: the bug never
// finishes within it.
func TestClusterBacklogOfSmallMessages(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	s := openClusterSpool(t, func(c *SpoolConfig) { c.MsgEvents = 10 })
	ctx := context.Background()
	sink := newRecordSink("backlog", nil)
	d, err := s.NewDispatcher(ctx, sink, fastBatch(), DefaultRetryConfig(), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	const msgs, per = 400, 10
	for i := range msgs / 10 { // 10 messages of 10 events per publish
		if err := s.Publish(ctx, testEvents(fmt.Sprintf("b%d", i), 10*per)); err != nil {
			t.Fatal(err)
		}
	}
	runDispatcher(t, d)
	waitFor(t, "the backlog delivered from the R3 consumer", 90*time.Second,
		func() bool { return sink.count() == msgs*per })
	for i := range msgs / 10 {
		for j := range 10 * per {
			if id := fmt.Sprintf("b%d-%d", i, j); !sink.has(id) {
				t.Fatalf("event %s missing", id)
			}
		}
	}
}

// runDispatcher runs d until the test ends.
func runDispatcher(t *testing.T, d *Dispatcher) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}
