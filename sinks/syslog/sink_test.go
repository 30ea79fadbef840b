package syslog

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// collector is a 127.0.0.1 TCP (or TLS) syslog receiver that reads
// octet-counted frames until EOF and then closes, like syslog-ng.
type collector struct {
	ln    net.Listener
	msgs  chan []byte
	mu    sync.Mutex
	conns []net.Conn
}

// dropConns closes every accepted connection.
func (c *collector) dropConns() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, conn := range c.conns {
		conn.Close()
	}
	c.conns = nil
}

func newCollector(t testing.TB, tc *tls.Config) *collector {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if tc != nil {
		ln = tls.NewListener(ln, tc)
	}
	c := &collector{ln: ln, msgs: make(chan []byte, 1000)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			c.conns = append(c.conns, conn)
			c.mu.Unlock()
			go c.serve(conn)
		}
	}()
	return c
}

func (c *collector) serve(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	for {
		msg, err := readOctetFrame(r)
		if err != nil {
			return
		}
		c.msgs <- msg
	}
}

// next waits for one message (bounded by a deadline, not a sleep).
func (c *collector) next(t *testing.T) []byte {
	t.Helper()
	select {
	case m := <-c.msgs:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message within 5s")
		return nil
	}
}

func testConfig(addr string) Config {
	return Config{Address: addr, Network: "tcp", Format: "rfc5424", Body: "cef", JSONFormat: "native",
		Framing: "octet-counting", Confirm: "half-close", Facility: "authpriv", Hostname: "h",
		AppName: "auditbridge", UDPMaxBytes: 2048, Timeout: 5 * time.Second}
}

func batchOf(n int) []normalize.Event {
	b := make([]normalize.Event, n)
	for i := range b {
		b[i] = hostileEvent()
		b[i].ID = "ev-" + string(rune('a'+i%26)) + strings.Repeat("x", i)
	}
	return b
}

func TestSendStreamDeliversInOrder(t *testing.T) {
	pki := newTestPKI(t)
	tests := []struct {
		name    string
		tls     *tls.Config
		edit    func(*Config)
		batches int
	}{
		{"tcp half-close", nil, func(*Config) {}, 3},
		{"tcp read-check", nil, func(c *Config) { c.Confirm = "read-check" }, 3},
		{"tcp none", nil, func(c *Config) { c.Confirm = "none" }, 2},
		{"tls half-close", pki.serverTLS(t, false), func(c *Config) {
			c.Network, c.TLSCA, c.TLSServerName = "tls", pki.caFile, "syslog.test"
		}, 3},
		{"tls read-check mtls", pki.serverTLS(t, true), func(c *Config) {
			c.Network, c.TLSCA, c.TLSServerName, c.Confirm = "tls", pki.caFile, "syslog.test", "read-check"
			c.TLSCert, c.TLSKey = pki.clientCert, pki.clientKey
		}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			col := newCollector(t, tt.tls)
			cfg := testConfig(col.ln.Addr().String())
			tt.edit(&cfg)
			s, err := New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close(context.Background())
			for b := 0; b < tt.batches; b++ {
				batch := batchOf(5)
				if err := s.Send(context.Background(), batch); err != nil {
					t.Fatalf("batch %d: %v", b, err)
				}
				for i := range batch {
					want := s.enc.appendMessage(nil, &batch[i])
					if got := col.next(t); string(got) != string(want) {
						t.Fatalf("batch %d msg %d:\n got %q\nwant %q", b, i, got, want)
					}
				}
			}
		})
	}
}

// TestSendFailsWhenPeerDoesNotRead covers the delivery gap: the peer takes
// the connection but exits without reading (reset), or never closes.
func TestSendFailsWhenPeerDoesNotRead(t *testing.T) {
	done := make(chan struct{})
	defer close(done)
	tests := []struct {
		name    string
		confirm string
		serve   func(net.Conn, net.Listener)
	}{
		{"half-close, peer reads everything and exits", "half-close", func(c net.Conn, ln net.Listener) {
			_, _ = io.Copy(io.Discard, c)
			ln.Close() // the process exits: listener and connection go
			c.Close()
		}},
		{"half-close, peer resets with unread data", "half-close", func(c net.Conn, _ net.Listener) {
			_, _ = c.Read(make([]byte, 1)) // one byte, the rest stays unread
			c.Close()                      // unread data: the kernel sends RST
		}},
		{"half-close, peer never closes", "half-close", func(c net.Conn, _ net.Listener) {
			_, _ = io.Copy(io.Discard, c)
			<-done
		}},
		{"read-check, peer resets at once", "read-check", func(c net.Conn, _ net.Listener) {
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					go tt.serve(c, ln)
				}
			}()
			cfg := testConfig(ln.Addr().String())
			cfg.Confirm, cfg.Timeout = tt.confirm, 500*time.Millisecond
			s, err := New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), batchOf(50))
			if err == nil {
				t.Fatal("Send returned nil though the peer did not read the batch")
			}
			if bridge.IsPermanent(err) {
				t.Errorf("error is permanent, want retryable: %v", err)
			}
			if s.conn != nil {
				t.Error("connection kept after a failed send")
			}
		})
	}
}

func TestSendReconnectsAfterPeerClosed(t *testing.T) {
	col := newCollector(t, nil)
	cfg := testConfig(col.ln.Addr().String())
	cfg.Confirm = "read-check"
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if err := s.Send(context.Background(), batchOf(1)); err != nil {
		t.Fatal(err)
	}
	col.next(t)
	old := s.conn
	col.dropConns() // the collector restarts and drops the idle connection
	// Wait (bounded) until our side has seen the FIN; EOF stays readable.
	if err := peerGone(old, 5*time.Second); err == nil {
		t.Fatal("the collector's close did not arrive")
	}
	if err := s.Send(context.Background(), batchOf(2)); err != nil {
		t.Fatalf("send after peer close: %v", err)
	}
	col.next(t)
	col.next(t)
	if s.conn == old {
		t.Error("dead connection was reused")
	}
}

func TestSendUDP(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	cfg := testConfig(pc.LocalAddr().String())
	cfg.Network, cfg.UDPMaxBytes = "udp", 1200
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	batch := batchOf(3)
	batch[1].ID = strings.Repeat("i", 2000) // too large for one datagram; ids are never cut
	err = s.Send(context.Background(), batch)
	var pe *bridge.PartialError
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[0].Index != 1 ||
		!bridge.IsPermanent(pe.Failed[0].Err) || !errors.Is(pe.Failed[0].Err, ErrTooLarge) {
		t.Fatalf("want a partial error naming event 1 as too large, got %v", err)
	}
	buf := make([]byte, 65536)
	for _, i := range []int{0, 2} {
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		if want := s.enc.appendMessage(nil, &batch[i]); string(buf[:n]) != string(want) {
			t.Errorf("datagram %d:\n got %q\nwant %q", i, buf[:n], want)
		}
	}
}

func TestTLSUntrustedIsConfigError(t *testing.T) {
	good, other := newTestPKI(t), newTestPKI(t)
	col := newCollector(t, good.serverTLS(t, false))
	tests := []struct {
		name string
		edit func(*Config)
	}{
		{"unknown CA", func(c *Config) { c.TLSCA, c.TLSServerName = other.caFile, "syslog.test" }},
		{"wrong server name", func(c *Config) { c.TLSCA, c.TLSServerName = good.caFile, "other.test" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(col.ln.Addr().String())
			cfg.Network = "tls"
			tt.edit(&cfg)
			s, err := New(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), batchOf(1))
			var ce *bridge.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("want a ConfigError, got %v", err)
			}
			if err := s.Check(context.Background()); !errors.As(err, &ce) {
				t.Errorf("Check: want a ConfigError, got %v", err)
			}
		})
	}
}

func TestSendCancelledContext(t *testing.T) {
	col := newCollector(t, nil)
	s, err := New(testConfig(col.ln.Addr().String()), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, when := range []string{"no connection yet", "connection kept from the last batch"} {
		if err := s.Send(ctx, batchOf(1)); err == nil || bridge.IsPermanent(err) {
			t.Fatalf("%s: want a retryable error for a cancelled context, got %v", when, err)
		}
		if err := s.Send(context.Background(), batchOf(1)); err != nil {
			t.Fatal(err)
		}
		col.next(t)
	}
	select {
	case m := <-col.msgs:
		t.Fatalf("a cancelled Send delivered %q", m)
	default:
	}
}
