package vault

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/sources/internal/lines"
	"github.com/hashicorp/go-hclog"
)

const sourceName = "vault"

// socketReadBuffer is the kernel receive buffer asked for per connection.
const socketReadBuffer = 32 << 10

// publishGrace is how long a connection may still publish what it read
// after the source is told to stop.
const publishGrace = 10 * time.Second

// Counter counts events taken into the spool (bridge's metrics implement
// it); it may be nil.
type Counter interface {
	Received(source string, n int)
}

// Source is the socket audit device receiver. It implements bridge.Source.
type Source struct {
	cfg     Config
	log     hclog.Logger
	counter Counter
	addr    atomic.Pointer[net.Addr]
	conns   atomic.Int64 // connection numbers for logs
}

var _ bridge.Source = (*Source)(nil)

// New validates cfg; it opens no socket. counter may be nil.
func New(cfg Config, log hclog.Logger, counter Counter) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &Source{cfg: cfg, log: log, counter: counter}, nil
}

// Name is "vault".
func (s *Source) Name() string { return sourceName }

// Addr is the listening address, nil before Run listens.
func (s *Source) Addr() net.Addr {
	if a := s.addr.Load(); a != nil {
		return *a
	}
	return nil
}

// Run listens and serves until ctx ends. A stale unix socket file left by
// a killed process is removed first.
func (s *Source) Run(ctx context.Context, pub bridge.Publisher) error {
	network, addr, _ := s.cfg.Endpoint() // validated in New
	if network == "unix" {
		if fi, err := os.Lstat(addr); err == nil && fi.Mode()&os.ModeSocket != 0 {
			_ = os.Remove(addr)
		}
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, network, addr)
	if err != nil {
		return fmt.Errorf("vault: listen on %s %s: %w", network, addr, err)
	}
	return s.Serve(ctx, ln, pub)
}

// Serve is Run on a listener the caller opened; it closes ln. When ctx
// ends, it stops accepting, and each connection finishes publishing the
// batch it holds (lines not yet read stay unread).
func (s *Source) Serve(ctx context.Context, ln net.Listener, pub bridge.Publisher) error {
	pub = bridge.WithIntake(pub, "vault-socket") // provenance
	a := ln.Addr()
	s.addr.Store(&a)
	s.log.Info("listening", "network", a.Network(), "addr", a.String())
	var wg sync.WaitGroup
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	slots := make(chan struct{}, s.cfg.MaxConns)
	var err error
	for {
		c, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() == nil {
				err = fmt.Errorf("vault: accept: %w", aerr)
			}
			break
		}
		select {
		case slots <- struct{}{}:
		default:
			s.log.Warn("too many connections, closing the new one", "max_conns", s.cfg.MaxConns, "remote", c.RemoteAddr().String())
			c.Close()
			continue
		}
		n := s.conns.Add(1)
		wg.Go(func() {
			defer func() { <-slots }()
			s.serveConn(ctx, c, n, pub)
		})
	}
	ln.Close()
	wg.Wait()
	return err
}

// serveConn reads one connection: lines are parsed while the reader has
// them buffered (up to BatchEvents); when it runs dry or the batch is full
// the batch is published, and only then is more read. So nothing is read
// that cannot be published next, and a full spool stops the reading.
func (s *Source) serveConn(ctx context.Context, c net.Conn, n int64, pub bridge.Publisher) {
	log := s.log.With("conn", n)
	log.Debug("connection opened", "remote", c.RemoteAddr().String())
	// Reading stops when ctx ends; the batch already read still gets
	// publishGrace to reach the spool (Vault counts it written).
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		_ = c.SetReadDeadline(time.Now())
		time.AfterFunc(publishGrace, cancel)
	})
	defer stop()
	defer c.Close()
	// A small kernel receive buffer keeps what a crash can take small:
	// Vault counts an entry written once its kernel took it.
	if rb, ok := c.(interface{ SetReadBuffer(int) error }); ok {
		_ = rb.SetReadBuffer(socketReadBuffer)
	}
	// Reads are capped too, so the line buffer (sized for the longest
	// entry) does not pull megabytes ahead of what is published.
	br := bufio.NewReaderSize(capReader{c}, s.cfg.MaxLineBytes)
	b := &lines.Batch{Source: sourceName, Log: log, Pub: pub}
	where := "conn " + strconv.FormatInt(n, 10) + " line "
	lineNo := 0
	for {
		if s.cfg.IdleTimeout > 0 && b.Len() == 0 {
			_ = c.SetReadDeadline(time.Now().Add(s.cfg.IdleTimeout))
		}
		line, dropped, err := lines.ReadLine(br)
		if err == nil || errors.Is(err, lines.ErrTooLong) {
			lineNo++
		}
		switch {
		case err == nil:
			b.Add(line, where+strconv.Itoa(lineNo), int64(s.cfg.MaxLineBytes))
		case errors.Is(err, lines.ErrTooLong):
			log.Warn("audit entry longer than the limit, skipped", "line", lineNo, "bytes", dropped, "max_line_bytes", s.cfg.MaxLineBytes)
		default:
			if len(line) > 0 || dropped > 0 {
				log.Warn("connection ended in the middle of an entry (torn line), dropped", "line", lineNo+1, "bytes", len(line)+dropped)
			}
			s.flush(pctx, b, log)
			if !errors.Is(err, io.EOF) && ctx.Err() == nil {
				log.Debug("connection closed", "error", err)
			}
			return
		}
		if b.Events() >= s.cfg.BatchEvents || br.Buffered() == 0 {
			if !s.flush(pctx, b, log) {
				return
			}
		}
	}
}

// flush publishes b; false when ctx ended before the spool took it.
func (s *Source) flush(ctx context.Context, b *lines.Batch, log hclog.Logger) bool {
	n := b.Events()
	if err := b.Flush(ctx); err != nil {
		if n > 0 {
			log.Warn("stopping with entries not spooled", "events", n)
		}
		return false
	}
	if n > 0 && s.counter != nil {
		s.counter.Received(sourceName, n)
	}
	return true
}

// capReader caps each Read at socketReadBuffer bytes.
type capReader struct{ r io.Reader }

func (c capReader) Read(p []byte) (int, error) {
	if len(p) > socketReadBuffer {
		p = p[:socketReadBuffer]
	}
	return c.r.Read(p)
}
