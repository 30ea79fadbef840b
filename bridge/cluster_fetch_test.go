package bridge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go/jetstream"
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

// TestClusterReplicasByDefault: SPOOL_REPLICAS unset (0) on a 3-node
// cluster gives the streams, the consumers and the state bucket 3
// replicas, even when NATS_URL names a single node (the client learns the
// others from it).
func TestClusterReplicasByDefault(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	s := openClusterSpool(t, func(c *SpoolConfig) {
		c.NATSURL, c.Replicas = strings.Split(c.NATSURL, ",")[0], 0
	})
	ctx := context.Background()
	for _, st := range []jetstream.Stream{s.stream, s.dlq} {
		info, err := st.Info(ctx)
		if err != nil || info.Config.Replicas != 3 {
			t.Errorf("stream replicas = %v (err %v), want 3", info.Config.Replicas, err)
		}
	}
	kv, err := s.kv.Status(ctx)
	if err != nil || kv.(*jetstream.KeyValueBucketStatus).StreamInfo().Config.Replicas != 3 {
		t.Errorf("state bucket status %v (err %v), want 3 replicas", kv, err)
	}
	cons, err := s.ensureConsumer(ctx, "r3default")
	if err != nil {
		t.Fatal(err)
	}
	if info, err := cons.Info(ctx); err != nil || info.Config.Replicas != 3 {
		t.Errorf("consumer replicas = %v (err %v), want 3", info.Config.Replicas, err)
	}
}

func TestReplicasResolution(t *testing.T) {
	tests := []struct {
		name       string
		configured int
		embedded   bool
		cluster    string
		servers    int
		want       int
	}{
		{"configured wins", 5, false, "c", 3, 5},
		{"configured 1 on a cluster", 1, false, "c", 3, 1},
		{"embedded", 0, true, "", 1, 1},
		{"single external server", 0, false, "", 1, 1},
		{"three-node cluster", 0, false, "c", 3, 3},
		{"five-node cluster", 0, false, "c", 5, 3},
		{"two-node cluster", 0, false, "c", 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := replicas(tt.configured, tt.embedded, tt.cluster, tt.servers); got != tt.want {
				t.Errorf("replicas = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestClusterPublishBoundedWhenLeaderDies: a bridge connected to the node
// that leads the spool stream publishes with a request deadline, as the HEC
// receiver does, while that node is killed and later while the cluster has
// no quorum. Every Publish must answer (nil or ErrSpoolUnavailable) before
// the caller's deadline: a stream-info request lost in the reconnect once
// waited out a HEC request's whole 60 s. The spool then reports itself
// unavailable (HEC health, /readyz).
func TestClusterPublishBoundedWhenLeaderDies(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	urls, nodes := startClusterNodes(t)
	setup := openClusterSpool(t, func(c *SpoolConfig) { c.NATSURL = urls })
	ctx := context.Background()
	if _, err := setup.ensureConsumer(ctx, "bounded"); err != nil {
		t.Fatal(err)
	}
	info, err := setup.stream.Info(ctx)
	if err != nil || info.Cluster == nil {
		t.Fatalf("stream info: %v", err)
	}
	leader := info.Cluster.Leader
	node := func(name string) *server.Server {
		for _, ns := range nodes {
			if ns.Name() == name {
				return ns
			}
		}
		t.Fatalf("no node %s", name)
		return nil
	}
	s := openClusterSpool(t, func(c *SpoolConfig) { c.NATSURL = node(leader).ClientURL() })
	s.pubTimeout = 3 * time.Second
	// publish publishes with a 30 s request deadline and checks the answer
	// came before it.
	publish := func(prefix string) error {
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		err := s.Publish(rctx, testEvents(prefix, 5))
		if rctx.Err() != nil { // Errorf: also called from a goroutine
			t.Errorf("publish %s answered only at the request deadline: %v", prefix, err)
		} else if err != nil && !errors.Is(err, ErrSpoolUnavailable) {
			t.Errorf("publish %s: %v, want nil or ErrSpoolUnavailable", prefix, err)
		}
		return err
	}
	done := make(chan struct{})
	go func() { // publishes across the leader's death and the election
		defer close(done)
		for i := range 20 {
			_ = publish(fmt.Sprintf("leader%d", i))
			time.Sleep(100 * time.Millisecond)
		}
	}()
	time.Sleep(300 * time.Millisecond)
	node(leader).Shutdown()
	<-done
	// A second node down: no quorum, no leader; every publish fails in time.
	for _, ns := range nodes {
		if ns.Running() {
			ns.Shutdown()
			break
		}
	}
	for i := range 2 {
		if err := publish(fmt.Sprintf("noquorum%d", i)); err == nil {
			t.Fatal("publish without quorum succeeded")
		}
	}
	if err := s.Available(); !errors.Is(err, ErrSpoolUnavailable) {
		t.Errorf("Available after unanswered publishes: %v", err)
	}
	if ok, reasons := s.Ready(); ok || len(reasons) == 0 {
		t.Errorf("Ready = %v %v, want unready with a reason", ok, reasons)
	}
}
