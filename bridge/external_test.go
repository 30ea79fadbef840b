package bridge

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/nats-io/nats-server/v2/server"
)

// startNATS runs a standalone JetStream server on a random loopback port,
// standing in for an external cluster.
func startNATS(t *testing.T) *server.Server {
	t.Helper()
	return startNATSAt(t, -1, t.TempDir())
}

func startNATSAt(t *testing.T, port int, dir string) *server.Server {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true,
		StoreDir: dir, NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		t.Fatal("nats server did not start")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	return ns
}

func TestExternalServerSameCodePath(t *testing.T) {
	ns := startNATS(t)
	cfg := DefaultSpoolConfig("")
	cfg.NATSURL = ns.ClientURL()
	ctx := context.Background()
	s, err := OpenSpool(ctx, cfg, hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatalf("open external spool: %v", err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	if s.ns != nil {
		t.Fatal("an embedded server was started although NATS_URL is set")
	}
	sink := newRecordSink("ext", nil)
	startDispatcher(t, s, sink, fastBatch())
	if err := s.Publish(ctx, testEvents("x", 25)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "delivery through the external server", 20*time.Second, func() bool { return sink.count() == 25 })
	if _, err := s.KV().Create(ctx, "cursor.ext", []byte("1")); err != nil {
		t.Errorf("kv on the external server: %v", err)
	}
	// Two bridges sharing the cluster share the sink's consumer.
	s2, err := OpenSpool(ctx, cfg, hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Close(ctx) })
	sink2 := newRecordSink("ext", nil)
	startDispatcher(t, s2, sink2, fastBatch())
	for i := range 10 {
		if err := s2.Publish(ctx, testEvents("y"+string(rune('a'+i)), 10)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "shared consumer delivered everything once", 20*time.Second, func() bool {
		return sink.count()+sink2.count() == 125
	})
	for _, ev := range testEvents("x", 25) {
		if sink2.has(ev.ID) {
			t.Errorf("event %s acked by the first bridge was delivered again by the second", ev.ID)
		}
	}
}

func TestExternalServerOutage(t *testing.T) {
	dir := t.TempDir()
	ns := startNATSAt(t, -1, dir)
	port := ns.Addr().(*net.TCPAddr).Port
	cfg := DefaultSpoolConfig("")
	cfg.NATSURL = ns.ClientURL()
	ctx := context.Background()
	s, err := OpenSpool(ctx, cfg, hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(ctx) })
	sink := newRecordSink("out", nil)
	startDispatcher(t, s, sink, fastBatch())

	ns.Shutdown()
	ns.WaitForShutdown()
	waitFor(t, "spool unready", 20*time.Second, func() bool { ok, _ := s.Health().Ready(); return !ok })
	pctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	err = s.Publish(pctx, testEvents("down", 1))
	cancel()
	if err == nil {
		t.Fatal("publish succeeded while the server was down")
	}

	startNATSAt(t, port, dir)
	waitFor(t, "spool ready again", 30*time.Second, func() bool { ok, _ := s.Health().Ready(); return ok })
	waitFor(t, "publish after reconnect", 20*time.Second, func() bool {
		return s.Publish(ctx, testEvents("up", 5)) == nil
	})
	waitFor(t, "delivery after reconnect", 20*time.Second, func() bool { return sink.has("up-4") })
}
