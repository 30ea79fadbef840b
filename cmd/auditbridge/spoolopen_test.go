package main

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
	"github.com/nats-io/nats-server/v2/server"
)

// TestOpenSpoolWaitsForNATS: a bridge started before its NATS server
// retries with backoff and opens the spool once the server is up, instead
// of exiting; a cancelled start gives up with the last error.
func TestOpenSpoolWaitsForNATS(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cfg := bridge.DefaultSpoolConfig("")
	cfg.NATSURL = fmt.Sprintf("nats://127.0.0.1:%d", port)

	t.Run("gives up when cancelled", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		if s, err := openSpoolRetrying(ctx, cfg, hclog.NewNullLogger(), nil, 20*time.Millisecond); err == nil {
			_ = s.Close(context.Background())
			t.Fatal("opened a spool with no server")
		}
	})
	t.Run("opens once the server is up", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		type result struct {
			s   *bridge.Spool
			err error
		}
		done := make(chan result, 1)
		go func() {
			s, err := openSpoolRetrying(ctx, cfg, hclog.NewNullLogger(), nil, 20*time.Millisecond)
			done <- result{s, err}
		}()
		select {
		case r := <-done:
			t.Fatalf("returned before the server started: %v", r.err)
		case <-time.After(200 * time.Millisecond): // a few attempts fail first
		}
		ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: port, JetStream: true,
			StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
		if err != nil {
			t.Fatal(err)
		}
		go ns.Start()
		t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
		select {
		case r := <-done:
			if r.err != nil {
				t.Fatalf("open after the server started: %v", r.err)
			}
			_ = r.s.Close(context.Background())
		case <-time.After(60 * time.Second): // generous: a hang detector
			t.Fatal("still not open 60s after the server started")
		}
	})
}
