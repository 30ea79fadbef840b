package vault

import (
	"net"
	"testing"

	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

// TestEventsRecordVaultSocket: events received on the socket record
// "vault-socket" as their intake.
func TestEventsRecordVaultSocket(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &testutil.Publisher{}
	_, stop := startSource(t, DefaultConfig("127.0.0.1:1"), ln, rec)
	defer stop()
	lines := vaultLines(t, 1)
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if _, err := conn.Write(append(l, '\n')); err != nil {
			t.Fatal(err)
		}
	}
	conn.Close()
	waitFor(t, "every line published", func() bool { return len(rec.Meta(normalize.MetaIntake)) == len(lines) })
	for _, got := range rec.Meta(normalize.MetaIntake) {
		if got != `"vault-socket"` {
			t.Fatalf("meta.intake = %s, want \"vault-socket\"", got)
		}
	}
}
