package vault

import (
	"context"
	"net"
	"sync"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

// intakes records the provenance of every published event.
type intakes struct {
	mu  sync.Mutex
	got []string
}

func (r *intakes) Publish(_ context.Context, evs []normalize.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		r.got = append(r.got, string(e.Meta[normalize.MetaIntake]))
	}
	return nil
}

func (r *intakes) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// TestEventsRecordVaultSocket: events received on the socket record
// "vault-socket" as their intake.
func TestEventsRecordVaultSocket(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &intakes{}
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
	waitFor(t, "every line published", func() bool { return len(rec.all()) == len(lines) })
	for _, got := range rec.all() {
		if got != `"vault-socket"` {
			t.Fatalf("meta.intake = %s, want \"vault-socket\"", got)
		}
	}
}
