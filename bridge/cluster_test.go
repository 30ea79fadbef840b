package bridge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/nats-io/nats-server/v2/server"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startCluster runs a 3-node JetStream cluster in-process and returns a
// client URL list.
func startCluster(t *testing.T) string {
	urls, _ := startClusterNodes(t)
	return urls
}

// startClusterNodes is startCluster that also returns the servers (named
// n0, n1, n2), so a test can shut one down.
func startClusterNodes(t *testing.T) (string, []*server.Server) {
	t.Helper()
	const n = 3
	routePorts := make([]int, n)
	var routes []*url.URL
	for i := range routePorts {
		routePorts[i] = freePort(t)
		routes = append(routes, &url.URL{Scheme: "nats", Host: fmt.Sprintf("127.0.0.1:%d", routePorts[i])})
	}
	urls := ""
	var nodes []*server.Server
	for i := range n {
		opts := &server.Options{ServerName: fmt.Sprintf("n%d", i), Host: "127.0.0.1", Port: -1,
			JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true, Routes: routes,
			Cluster: server.ClusterOpts{Name: "c", Host: "127.0.0.1", Port: routePorts[i]}}
		ns, err := server.NewServer(opts)
		if err != nil {
			t.Fatal(err)
		}
		go ns.Start()
		t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
		if !ns.ReadyForConnections(30 * time.Second) {
			t.Fatal("cluster node did not start")
		}
		if urls != "" {
			urls += ","
		}
		urls += ns.ClientURL()
		nodes = append(nodes, ns)
	}
	return urls, nodes
}

func TestThreeNodeClusterReplicated(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a 3-node cluster")
	}
	cfg := DefaultSpoolConfig("")
	cfg.NATSURL, cfg.Replicas = startCluster(t), 3
	ctx := context.Background()
	var s *Spool
	// The cluster needs a moment to elect a JetStream meta leader.
	waitFor(t, "spool on the cluster", 60*time.Second, func() bool {
		octx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		var err error
		s, err = OpenSpool(octx, cfg, hclog.NewNullLogger(), nil)
		return err == nil
	})
	t.Cleanup(func() { _ = s.Close(ctx) })
	info, err := s.stream.Info(ctx)
	if err != nil || info.Config.Replicas != 3 {
		t.Fatalf("spool stream replicas = %v (err %v), want 3", info.Config.Replicas, err)
	}
	sink := newRecordSink("r3", nil)
	startDispatcher(t, s, sink, fastBatch())
	if err := s.Publish(ctx, testEvents("c", 50)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivery on the cluster", 30*time.Second, func() bool { return sink.count() == 50 })
	rev, err := s.KV().Create(ctx, "cursor.r3", []byte("1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.KV().Update(ctx, "cursor.r3", []byte("2"), rev); err != nil {
		t.Errorf("replicated KV update: %v", err)
	}
	if _, err := s.KV().Update(ctx, "cursor.r3", []byte("3"), rev); !errors.Is(err, ErrRevisionMismatch) {
		t.Errorf("stale revision on a replicated bucket: %v, want ErrRevisionMismatch", err)
	}
	l, err := s.Leaser().TryAcquire(ctx, "org-r3", "a", 2*time.Second)
	if err != nil {
		t.Fatalf("lease on the cluster: %v", err)
	}
	if err := l.Renew(ctx); err != nil {
		t.Errorf("renew on the cluster: %v", err)
	}
	if _, err := s.Leaser().TryAcquire(ctx, "org-r3", "b", 2*time.Second); !errors.Is(err, ErrLeaseHeld) {
		t.Errorf("second holder on the cluster: %v, want ErrLeaseHeld", err)
	}
}
