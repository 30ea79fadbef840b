package hec

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/nats-io/nats-server/v2/server"
)

// TestHealthReportsALostSpool: the health endpoint answers 503 code 18
// while the spool's NATS server is gone and 200 once it is back (a real
// bridge.Spool on a real nats-server, stopped and restarted on its port).
func TestHealthReportsALostSpool(t *testing.T) {
	dir := t.TempDir()
	start := func(port int) *server.Server {
		ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true,
			StoreDir: dir, NoLog: true, NoSigs: true})
		if err != nil {
			t.Fatal(err)
		}
		go ns.Start()
		if !ns.ReadyForConnections(30 * time.Second) {
			t.Fatal("nats-server did not start")
		}
		return ns
	}
	ns := start(-1)
	port := ns.Addr().(*net.TCPAddr).Port
	cfg := bridge.DefaultSpoolConfig("")
	cfg.NATSURL = ns.ClientURL()
	ctx := context.Background()
	spool, err := bridge.OpenSpool(ctx, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = spool.Close(ctx) })
	_, ts := newTestServer(t, DefaultConfig("127.0.0.1:0", testToken), spool, nil)
	health := ts.URL + "/services/collector/health"
	if code, body := get(t, health); code != 200 {
		t.Fatalf("health with the spool up: %d %s", code, body)
	}
	ns.Shutdown()
	ns.WaitForShutdown()
	waitUntil(t, "health reports the lost spool", func() bool {
		code, body := get(t, health)
		return code == 503 && body == `{"text":"HEC is unhealthy, queues are full","code":18}`
	})
	ns = start(port)
	t.Cleanup(ns.Shutdown)
	waitUntil(t, "health after the spool is back", func() bool { code, _ := get(t, health); return code == 200 })
}

// waitUntil polls cond with a generous deadline (not a timing assertion).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
