package tfc

import (
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// startJetStream runs a JetStream server in the test process on a random
// loopback port, as the shared external spool of several bridges.
func startJetStream(t *testing.T, dir string) string {
	t.Helper()
	s, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: dir, NoSigs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}
