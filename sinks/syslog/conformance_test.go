package syslog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
)

// decodeBody reads the event id and message back from a syslog MSG.
func decodeBody(t *testing.T, body string, msg []byte) sinktest.Received {
	switch body {
	case "cef":
		_, ext := parseCEF(t, string(msg))
		return sinktest.Received{ID: ext["externalId"], Message: ext["msg"]}
	case "leef":
		_, attrs := parseLEEF(t, string(msg))
		// LEEF has no escapes of its own: the reader undoes our \u00XX.
		return sinktest.Received{ID: undoControlEscapes(attrs["id"]), Message: undoControlEscapes(attrs["msg"])}
	}
	var ev normalize.Event
	if err := json.Unmarshal(msg, &ev); err != nil {
		t.Errorf("body is not a native event: %v", err)
	}
	return sinktest.Received{ID: ev.ID, Message: ev.Message}
}

// undoControlEscapes turns each \u00XX control escape back into its byte.
func undoControlEscapes(s string) string {
	var out []byte
	for i := 0; i < len(s); i++ {
		if c, ok := controlEscape(s[i:]); ok {
			out = append(out, c)
			i += 5
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

// streamPeer is a TCP collector feeding a sinktest.Collector; stall stops
// it from reading.
type streamPeer struct {
	sinktest.Collector
	gate sync.RWMutex
}

func serveStream(t *testing.T, body string) (*streamPeer, string) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &streamPeer{}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				r := bufio.NewReader(conn)
				for {
					p.gate.RLock() // held by Stall
					//lint:ignore SA2001 a gate: waits while Stall holds the lock
					p.gate.RUnlock()
					msg, err := readOctetFrame(r)
					if err != nil {
						return
					}
					m, err := parse5424(msg)
					if err != nil {
						t.Errorf("collector: %v", err)
						return
					}
					p.Add(decodeBody(t, body, m.msg))
				}
			}()
		}
	}()
	return p, ln.Addr().String()
}

// udpPeer reads datagrams.
func serveUDP(t *testing.T, body string) (*sinktest.Collector, string) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := pc.(*net.UDPConn); ok {
		_ = u.SetReadBuffer(8 << 20)
	}
	t.Cleanup(func() { pc.Close() })
	c := &sinktest.Collector{}
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			m, err := parse5424(bytes.Clone(buf[:n]))
			if err != nil {
				t.Errorf("collector: %v", err)
				return
			}
			c.Add(decodeBody(t, body, m.msg))
		}
	}()
	return c, pc.LocalAddr().String()
}

func TestConformance(t *testing.T) {
	leefExpect := func(s string) string {
		return strings.NewReplacer("\t", " ", "\r", " ", "\n", " ").Replace(sinktest.ValidUTF8(s))
	}
	tests := []struct {
		name, network, body, confirm string
		many                         int
		expect                       func(string) string
	}{
		{"tcp_json_half-close", "tcp", "json", "half-close", 0, nil},
		{"tcp_cef_read-check", "tcp", "cef", "read-check", 0, nil},
		{"tcp_leef_none", "tcp", "leef", "none", 0, leefExpect},
		{"udp_json", "udp", "json", "", 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := sinktest.Harness{Many: tt.many, Expect: tt.expect}
			if tt.network == "udp" {
				h.HugeBytes = 32 << 10 // within one datagram
			}
			var last *streamPeer // the stream peer of the current case
			// Only half-close notices a collector that stops reading: the
			// other modes count bytes in kernel buffers as delivered
			// (documented), so they do not run stalled_peer.
			if tt.confirm == "half-close" {
				h.Stall = func(t *testing.T) func() {
					last.gate.Lock() // the collector stops reading
					return last.gate.Unlock
				}
			}
			h.New = func(t *testing.T) (bridge.Sink, sinktest.Peer) {
				var peer sinktest.Peer
				var addr string
				if tt.network == "udp" {
					peer, addr = serveUDP(t, tt.body)
				} else {
					last, addr = serveStream(t, tt.body)
					peer = last
				}
				cfg := testConfig(addr)
				cfg.Network, cfg.Body = tt.network, tt.body
				// The suite checks that hostile strings arrive unchanged:
				// limits high enough that nothing is shrunk (shrinking has
				// its own tests in shrink_test.go).
				cfg.MaxMessageBytes, cfg.UDPMaxBytes = maxStreamBytes, maxUDPBytes
				if tt.confirm != "" {
					cfg.Confirm = tt.confirm
				}
				s, err := New(cfg, nil)
				if err != nil {
					t.Fatal(err)
				}
				return s, peer
			}
			sinktest.Run(t, h)
		})
	}
}
