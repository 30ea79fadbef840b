package syslog

import (
	"context"
	"fmt"
	"net"
	"time"
)

// preWriteCheck is how long a read-check connection is probed before it is
// reused: a close or reset the peer sent while we were idle is already
// queued, so a millisecond is enough.
const preWriteCheck = time.Millisecond

// sendStream writes the framed batch in s.buf over TCP or TLS and confirms it
// as configured. Any failure closes the connection; the next Send re-dials.
func (s *Sink) sendStream(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err // a kept connection would otherwise let the write through
	}
	if s.conn != nil && s.cfg.Confirm != "none" {
		if err := peerGone(s.conn, preWriteCheck); err != nil {
			s.log.Warn("idle connection lost, reconnecting", "error", err)
			s.drop()
		}
	}
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	deadline := s.deadline(ctx)
	if err := conn.SetWriteDeadline(deadline); err != nil {
		s.drop()
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()
	if _, err := conn.Write(s.buf); err != nil {
		s.drop()
		return fmt.Errorf("write: %w", err)
	}
	switch s.cfg.Confirm {
	case "half-close":
		err = halfCloseConfirm(conn, deadline)
		s.drop()
		if err == nil {
			err = s.redialAfterConfirm(ctx)
		}
	case "read-check":
		if err = peerGone(conn, readCheckWait); err != nil {
			s.drop()
			err = fmt.Errorf("connection lost after write: %w", err)
		}
	}
	return err
}

// redialAfterConfirm opens the connection for the next batch right after a
// half-close confirmation and fails the batch when it cannot. A collector
// that is exiting also closes our connection after reading it, without
// having processed what it read (syslog-ng does this during its shutdown);
// by then its listener is gone too, so the dial is refused and the batch is
// resent instead of being counted delivered.
func (s *Sink) redialAfterConfirm(ctx context.Context) error {
	c, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("collector gone right after closing: %w", err)
	}
	s.conn = c
	return nil
}

// sendUDP writes one datagram per message.
func (s *Sink) sendUDP(ctx context.Context, msgs [][]byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	conn, err := s.connect(ctx)
	if err != nil {
		return err
	}
	if err := conn.SetWriteDeadline(s.deadline(ctx)); err != nil {
		s.drop()
		return err
	}
	for _, m := range msgs {
		if _, err := conn.Write(m); err != nil {
			s.drop()
			return fmt.Errorf("write datagram: %w", err)
		}
	}
	return nil
}

// Close closes the connection, if any; Send fails afterwards.
func (s *Sink) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.drop()
	return nil
}

// Check probes the collector: a TCP connection (with the TLS handshake and
// certificate checks) that is closed at once. UDP has no handshake, so only
// the address is resolved.
func (s *Sink) Check(ctx context.Context) error {
	if s.cfg.Network == "udp" {
		if _, err := net.ResolveUDPAddr("udp", s.cfg.Address); err != nil {
			return fmt.Errorf("syslog: resolve %s: %w", s.cfg.Address, err)
		}
		return nil
	}
	c, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("syslog: dial %s %s: %w", s.cfg.Network, s.cfg.Address, err)
	}
	return c.Close()
}
