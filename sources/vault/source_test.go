package vault

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// recorder is the shared recording Publisher, counted by raw record.
type recorder struct{ testutil.Publisher }

func (r *recorder) count(marker string) int {
	n := 0
	for _, e := range r.Events() {
		if strings.Contains(string(e.Raw), marker) {
			n++
		}
	}
	return n
}

func (r *recorder) total() int { return len(r.Events()) }

// vaultLines returns the published fixture lines, copy k of line i with its
// request id (or, for the entry without one, its path) made unique, so every
// line sent can be accounted for.
func vaultLines(t *testing.T, copies int) [][]byte {
	t.Helper()
	b, err := os.ReadFile("testdata/vault-audit.log")
	if err != nil {
		t.Fatal(err)
	}
	base := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	var out [][]byte
	for k := 0; k < copies; k++ {
		for i, l := range base {
			m := fmt.Sprintf("m-%04d-%02d", k, i)
			switch {
			case bytes.Contains(l, []byte(`"request":{"id":"`)):
				l = bytes.Replace(l, []byte(`"request":{"id":"`), []byte(`"request":{"id":"`+m+`-`), 1)
			default:
				l = bytes.Replace(l, []byte(`"path":"`), []byte(`"path":"`+m+`-`), 1)
			}
			out = append(out, l)
		}
	}
	return out
}

func marker(k, i int) string { return fmt.Sprintf("m-%04d-%02d", k, i) }

func startSource(t *testing.T, cfg Config, ln net.Listener, pub bridge.Publisher) (*Source, func()) {
	t.Helper()
	s, err := New(cfg, hclog.NewNullLogger(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln, pub) }()
	return s, func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}

// waitFor polls cond with a generous deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestReplayLikeVaultSocketDevice writes the published lines the way
// Vault's socket device does: one connection, newline-delimited entries;
// after a failure it reconnects and writes the failed entry again. Here
// every 40 lines the writer drops the connection in the middle of an entry
// (a torn line) and writes that entry whole on a new connection. Every
// complete line must arrive exactly once; no torn fragment may.
func TestReplayLikeVaultSocketDevice(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			addr := "127.0.0.1:0"
			if network == "unix" {
				addr = filepath.Join(t.TempDir(), "vault.sock")
			}
			ln, err := net.Listen(network, addr)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{}
			cfg := DefaultConfig(map[string]string{"tcp": "127.0.0.1:1", "unix": addr}[network])
			_, stop := startSource(t, cfg, ln, rec)
			defer stop()

			const copies = 30
			lines := vaultLines(t, copies)
			conn, err := net.Dial(network, ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			for n, l := range lines {
				if n > 0 && n%40 == 0 {
					conn.Write(l[:len(l)/2]) // torn: the connection fails mid-entry
					conn.Close()
					if conn, err = net.Dial(network, ln.Addr().String()); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := conn.Write(append(l, '\n')); err != nil {
					t.Fatal(err)
				}
			}
			conn.Close()
			base := len(lines) / copies
			waitFor(t, "every line", func() bool { return rec.total() >= len(lines) })
			for k := 0; k < copies; k++ {
				for i := 0; i < base; i++ {
					if got := rec.count(marker(k, i)); got != 1 {
						t.Fatalf("line %d of copy %d delivered %d times, want 1", i, k, got)
					}
				}
			}
			if rec.total() != len(lines) {
				t.Fatalf("%d events for %d lines: a torn fragment became a record", rec.total(), len(lines))
			}
		})
	}
}

// TestSpoolFullStopsReadingThenDelivers: the spool refuses the first
// publishes; the receiver retries the same batch (nothing read meanwhile
// is lost) and delivers every line once the spool takes them.
func TestSpoolFullStopsReadingThenDelivers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	rec.Fail = func(call int, _ []normalize.Event) error {
		if call <= 3 {
			return fmt.Errorf("test: %w", bridge.ErrSpoolFull)
		}
		return nil
	}
	_, stop := startSource(t, DefaultConfig("127.0.0.1:1"), ln, rec)
	defer stop()
	lines := vaultLines(t, 5)
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(conn)
	for _, l := range lines {
		w.Write(append(l, '\n'))
	}
	w.Flush()
	conn.Close()
	waitFor(t, "every line", func() bool { return rec.total() >= len(lines) })
	if rec.total() != len(lines) {
		t.Fatalf("%d events, want %d", rec.total(), len(lines))
	}
	calls := rec.Calls()
	if calls < 4 {
		t.Fatalf("%d publish calls: the refused batch was not retried", calls)
	}
}

// TestOverlongAndBadLinesDoNotTakeNeighboursDown.
func TestOverlongAndBadLinesDoNotTakeNeighboursDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	cfg := DefaultConfig("127.0.0.1:1")
	cfg.MaxLineBytes = 4096
	_, stop := startSource(t, cfg, ln, rec)
	defer stop()
	lines := vaultLines(t, 1)
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	body.Write(append(lines[0], '\n'))
	body.WriteString(`{"time":"` + strings.Repeat("x", 10000) + `"}` + "\n") // over the limit
	body.Write(append(lines[1], '\n'))
	body.WriteString("{\"broken\":\n") // not JSON
	body.Write(append(lines[2], '\n'))
	conn.Write(body.Bytes())
	conn.Close()
	waitFor(t, "the good lines", func() bool { return rec.count(marker(0, 2)) == 1 })
	for i := 0; i < 3; i++ {
		if rec.count(marker(0, i)) != 1 {
			t.Fatalf("good line %d missing", i)
		}
	}
	if rec.count(strings.Repeat("x", 100)) != 0 {
		t.Fatal("the overlong line was taken")
	}
}

// TestConnectionLimit: a connection beyond MaxConns is closed at once.
func TestConnectionLimit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig("127.0.0.1:1")
	cfg.MaxConns = 1
	_, stop := startSource(t, cfg, ln, &recorder{})
	defer stop()
	first, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	time.Sleep(0) // the first connection is accepted before the second below
	waitFor(t, "second connection refused", func() bool {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return false
		}
		defer c.Close()
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, err = c.Read(make([]byte, 1))
		return err != nil && !isTimeout(err)
	})
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		addr, network, want string
		ok                  bool
	}{
		{"127.0.0.1:9090", "tcp", "127.0.0.1:9090", true},
		{"tcp://:9090", "tcp", ":9090", true},
		{"/run/vault/audit.sock", "unix", "/run/vault/audit.sock", true},
		{"unix:///tmp/a.sock", "unix", "/tmp/a.sock", true},
		{"nonsense", "", "", false},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			cfg := DefaultConfig(tc.addr)
			n, a, err := cfg.Endpoint()
			if (err == nil) != tc.ok || n != tc.network || a != tc.want {
				t.Fatalf("got %q %q %v", n, a, err)
			}
			if (cfg.Validate() == nil) != tc.ok {
				t.Fatalf("Validate: %v", cfg.Validate())
			}
		})
	}
	bad := Config{SocketAddr: ":1"}
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "VAULT_SOCKET_MAX_LINE_BYTES") || !strings.Contains(err.Error(), "VAULT_SOCKET_MAX_CONNS") {
		t.Fatalf("Validate: %v", err)
	}
}
