package hec

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/hashicorp/go-hclog"
)

// sourceName is the name of this source in logs and metrics.
const sourceName = "hec"

// busyWindow is how long the health endpoint reports a full queue after a
// publish was refused because the spool was full (unless a later publish
// succeeds first).
const busyWindow = 5 * time.Second

// Counter counts events taken into the spool from this source; bridge's
// metrics (auditbridge_events_received_total{source}) implement it. It may
// be nil.
type Counter interface {
	Received(source string, n int)
}

// worker holds the per-request parser and event slice; Server pools them.
// The events of one request use the parser's storage (AppendParse) until
// the next request on the worker resets it: by then they are published or
// refused.
type worker struct {
	parser *normalize.Parser
	events []normalize.Event
	owners []int32 // owners[i]: index of the frame events[i] came from
}

// Server is the HEC receiver. It implements bridge.Source.
type Server struct {
	cfg      Config
	log      hclog.Logger
	counter  Counter
	auth     authenticator
	slots    chan struct{}     // one per request being parsed and published
	inflight *budget           // request-body bytes in memory
	tokens   []TokenSpec       // HEC_TOKENS, in the authenticator's order
	intakes  []json.RawMessage // provenance per token: "hec:<label>"
	workers  sync.Pool         // *worker
	now      func() time.Time

	busyUntil atomic.Int64 // unix nanoseconds; spool-full health window
	closing   atomic.Bool
	addr      atomic.Pointer[net.TCPAddr]

	acks *ackChannels // indexer acknowledgement channels; nil = off (EnableAck)

	authFail authFailures // refused authentications, logged rate-limited
}

var _ bridge.Source = (*Server)(nil)

// New validates cfg and builds a Server; it opens no socket. counter may be
// nil.
func New(cfg Config, log hclog.Logger, counter Counter) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	s := &Server{
		cfg:      cfg,
		log:      log,
		counter:  counter,
		auth:     newAuthenticator(cfg.TokenList()),
		tokens:   tokenSpecs(cfg),
		slots:    make(chan struct{}, cfg.MaxConcurrent),
		inflight: newBudget(cfg.MaxInflightBytes),
		now:      time.Now,
	}
	for _, ts := range s.tokens {
		s.intakes = append(s.intakes, normalize.IntakeValue("hec:"+ts.Label))
	}
	s.workers.New = func() any { return &worker{parser: normalize.NewParser()} }
	return s, nil
}

// Name is "hec".
func (s *Server) Name() string { return sourceName }

// Addr is the address the server listens on, or nil before it listens.
func (s *Server) Addr() net.Addr {
	if a := s.addr.Load(); a != nil {
		return a
	}
	return nil
}

// Run listens on cfg.Addr and serves until ctx is done, then shuts down
// gracefully: it stops accepting, lets in-flight requests finish for up to
// cfg.ShutdownTimeout, then cancels what is left (those requests are not
// acknowledged). It returns nil after a shutdown caused by ctx.
func (s *Server) Run(ctx context.Context, pub bridge.Publisher) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("hec: listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln, pub)
}

// Serve is Run on a listener the caller opened; it closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener, pub bridge.Publisher) error {
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		s.addr.Store(a)
	}
	if s.cfg.TLSEnabled() {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("hec: load TLS certificate: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{cert},
			NextProtos:   []string{"h2", "http/1.1"},
		})
	}
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	srv := &http.Server{
		Handler:           s.Handler(pub),
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          s.log.StandardLogger(&hclog.StandardLoggerOptions{ForceLevel: hclog.Debug}),
	}
	s.log.Info("listening", "addr", ln.Addr().String(), "tls", s.cfg.TLSEnabled())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("hec: serve: %w", err)
	case <-ctx.Done():
	}
	return s.shutdown(srv, cancel, errc)
}

// shutdown stops srv: graceful first, then forced after ShutdownTimeout.
func (s *Server) shutdown(srv *http.Server, cancelRequests context.CancelFunc, errc <-chan error) error {
	s.closing.Store(true)
	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		s.log.Warn("in-flight requests cancelled at shutdown", "error", err)
		cancelRequests()
		_ = srv.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("hec: serve: %w", serr)
	}
	return nil
}

// Handler serves every endpoint with pub as the spool. Run uses it; tests
// can mount it on an httptest server.
func (s *Server) Handler(pub bridge.Publisher) http.Handler {
	mux := http.NewServeMux()
	event := s.withAck(s.ingest(pub, kindEvent))
	for _, p := range []string{"/services/collector", "/services/collector/event", "/services/collector/event/1.0"} {
		mux.Handle(p, event)
	}
	raw := s.withAck(s.ingest(pub, kindRaw))
	for _, p := range []string{"/services/collector/raw", "/services/collector/raw/1.0"} {
		mux.Handle(p, raw)
	}
	health := func(w http.ResponseWriter, r *http.Request) { s.health(w, r, pub) }
	for _, p := range []string{"/services/collector/health", "/services/collector/health/1.0"} {
		mux.HandleFunc(p, health)
	}
	mux.HandleFunc("/services/collector/ack", s.ackQuery)
	mux.Handle("/v1/events", s.ingest(pub, kindGeneric))
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		reply{code: http.StatusNotFound, status: http.StatusNotFound,
			text: "The requested URL was not found on this server.", event: -1}.write(w)
	})
	return mux
}

// spoolState is what a Publisher may tell about its spool (bridge.Spool
// does): an error while it cannot take events (connection lost, a stream
// without a leader).
type spoolState interface{ Available() error }

// health answers like Splunk's /services/collector/health: 200 code 17, or
// 503 code 18 while the spool refuses data or is unavailable, or 503 code 23
// while shutting down. It needs no token.
func (s *Server) health(w http.ResponseWriter, r *http.Request, pub bridge.Publisher) {
	st, _ := pub.(spoolState)
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost:
		methodNotAllowed(w, "GET, HEAD, POST")
	case s.closing.Load():
		replyCode(codeShuttingDown).write(w)
	case s.now().UnixNano() < s.busyUntil.Load():
		replyCode(codeUnhealthyQueueFull).write(w)
	case st != nil && st.Available() != nil:
		replyCode(codeUnhealthyQueueFull).write(w)
	default:
		replyCode(codeHealthy).write(w)
	}
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	reply{code: http.StatusMethodNotAllowed, status: http.StatusMethodNotAllowed,
		text: "Method not allowed", event: -1}.write(w)
}
