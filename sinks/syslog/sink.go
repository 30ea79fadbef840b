package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

var (
	_ bridge.Sink    = (*Sink)(nil)
	_ bridge.Checker = (*Sink)(nil)
)

// ErrTooLarge is the reason an event is dead-lettered when its message does
// not fit the size limit even after shrinking (see shrink).
var ErrTooLarge = errors.New("message larger than the syslog size limit even after shrinking (AUDITBRIDGE_SYSLOG_MAX_MESSAGE_BYTES)")

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("syslog: sink closed")

// Sink writes events to a syslog collector. Send makes one attempt; it is
// safe for concurrent use (calls are serialized).
type Sink struct {
	cfg Config
	log hclog.Logger
	enc encoder
	tls *tls.Config

	mu     sync.Mutex
	closed bool
	conn   net.Conn // open connection, nil when none
	msg    []byte   // scratch for one message
	buf    []byte   // scratch for a framed batch
}

// New validates cfg and builds the sink. It does no network I/O.
func New(cfg Config, log hclog.Logger) (*Sink, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	facility, _ := parseFacility(cfg.Facility) // checked by Validate
	tmpl, _ := parseTemplates(cfg.AppName, cfg.Facility)
	host := cfg.Hostname
	if host == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("syslog: hostname: %w", err)
		}
		host = h
	}
	s := &Sink{cfg: cfg, log: log.Named("sink.syslog"), enc: encoder{
		rfc3164:    cfg.Format == "rfc3164",
		body:       cfg.Body,
		jsonFormat: normalize.Format(cfg.JSONFormat),
		facility:   facility,
		hostname:   host,
		appName:    cfg.AppName,
		tmpl:       tmpl,
		procID:     strconv.Itoa(os.Getpid()),
		bom:        cfg.BOM,
		appendJSON: normalize.AppendJSON,
	}}
	if cfg.Network == "tls" {
		tc, err := buildTLSConfig(cfg)
		if err != nil {
			return nil, fmt.Errorf("syslog: %w", err)
		}
		s.tls = tc
	}
	return s, nil
}

// Name is the sink's name in AUDITBRIDGE_SINKS.
func (s *Sink) Name() string { return "syslog" }

// Send renders every event and writes the batch in one attempt. Events that
// do not fit in a UDP datagram are reported as permanent failures in a
// *bridge.PartialError; a transport error closes the
// connection and fails the whole batch as retryable.
func (s *Sink) Send(ctx context.Context, batch []normalize.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	msgs, failed := s.render(batch)
	if len(msgs) > 0 {
		var err error
		if s.cfg.Network == "udp" {
			err = s.sendUDP(ctx, msgs)
		} else {
			err = s.sendStream(ctx)
		}
		if err != nil {
			return fmt.Errorf("syslog: send %d events: %w", len(msgs), err)
		}
	}
	if len(failed) > 0 {
		return &bridge.PartialError{Failed: failed}
	}
	return nil
}

// render encodes the batch. For stream transports the framed batch is left
// in s.buf; for UDP the messages are returned. msgs has one entry per
// event to send; failed names the events too large for a datagram.
func (s *Sink) render(batch []normalize.Event) (msgs [][]byte, failed []bridge.EventError) {
	s.buf = s.buf[:0]
	for i := range batch {
		msg := s.enc.appendMessage(s.msg[:0], &batch[i])
		fits := true
		if limit := s.cfg.messageLimit(); len(msg) > limit {
			msg, fits = s.enc.shrink(msg, &batch[i], limit)
		}
		s.msg = msg
		switch {
		case !fits:
			failed = append(failed, bridge.EventError{Index: i, Err: bridge.Permanent(
				fmt.Errorf("syslog: event %d (id %q): %d bytes after shrinking, limit %d: %w", i, batch[i].ID, len(msg), s.cfg.messageLimit(), ErrTooLarge))})
		case s.cfg.Network == "udp":
			msgs = append(msgs, append([]byte(nil), msg...))
		case s.cfg.Framing == "newline":
			s.buf = appendNewlineFramed(s.buf, msg)
			msgs = append(msgs, nil)
		default:
			s.buf = appendOctetCounted(s.buf, msg)
			msgs = append(msgs, nil)
		}
	}
	return msgs, failed
}

// deadline is the earlier of ctx's deadline and now+Timeout.
func (s *Sink) deadline(ctx context.Context) time.Time {
	d := time.Now().Add(s.cfg.Timeout)
	if cd, ok := ctx.Deadline(); ok && cd.Before(d) {
		return cd
	}
	return d
}

// connect returns the open connection, dialing when there is none.
func (s *Sink) connect(ctx context.Context) (net.Conn, error) {
	if s.conn != nil {
		return s.conn, nil
	}
	c, err := s.dial(ctx)
	if err != nil {
		return nil, fmt.Errorf("dial %s %s: %w", s.cfg.Network, s.cfg.Address, err)
	}
	s.conn = c
	return c, nil
}

// drop closes and forgets the connection.
func (s *Sink) drop() {
	if s.conn != nil {
		_ = s.conn.Close()
		s.conn = nil
	}
}
