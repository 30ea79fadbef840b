package bridge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names of the JetStream objects the bridge uses.
const (
	SpoolStream    = "AUDITBRIDGE_SPOOL"
	SpoolSubject   = "auditbridge.spool"
	ReplayPrefix   = "auditbridge.replay." // + sink: DLQ replays for one sink only
	DLQStream      = "AUDITBRIDGE_DLQ"
	DLQPrefix      = "auditbridge.dlq." // + sink
	StateBucket    = "auditbridge_state"
	ConsumerPrefix = "AUDITBRIDGE_SINK_"
)

// embeddedMaxPayload is the embedded server's largest message.
const embeddedMaxPayload = 8 << 20

// pubAckTimeout bounds the wait for one PubAck.
const pubAckTimeout = 30 * time.Second

// stateMaxBytes bounds the state bucket.
const stateMaxBytes = 64 << 20

// Spool is the durable JetStream spool: a Publisher for sources, the source
// of every sink's consumer, the dead-letter stream and the state bucket.
type Spool struct {
	cfg    SpoolConfig
	log    hclog.Logger
	m      *Metrics
	health *Health
	ns     *server.Server // nil with an external server
	lock   *os.File       // the data dir lock of the embedded server
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	dlq    jetstream.Stream
	kv     jetstream.KeyValue
	keyTTL bool // the state bucket supports per-key TTL
	closed chan struct{}

	pubTimeout time.Duration // publishTimeout; shorter in tests
	unavailAt  atomic.Int64  // unix ns of the latest unanswered publish; 0 after a success

	bufs chan *workBufs // idle buffers of split, up to maxIdleBufs

	pending pendingCounts // events each sink has not finished (exact gauge)

	mu         sync.Mutex // guards the usage cache below
	sample     usageSample
	refreshing bool
}

// OpenSpool starts the embedded JetStream server in cfg.DataDir (or connects
// to cfg.NATSURL), then creates or updates the spool and dead-letter streams
// and the state bucket. m may be nil (no metrics).
func OpenSpool(ctx context.Context, cfg SpoolConfig, log hclog.Logger, m *Metrics) (*Spool, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if log == nil {
		log = hclog.NewNullLogger()
	}
	s := &Spool{cfg: cfg, log: log.Named("spool"), m: m, health: NewHealth(), closed: make(chan struct{}),
		pubTimeout: publishTimeout, bufs: make(chan *workBufs, maxIdleBufs)}
	if err := s.connect(); err != nil {
		return nil, err
	}
	if err := s.setup(ctx); err != nil {
		s.shutdown(ctx)
		return nil, err
	}
	s.log.Info("spool open", "embedded", s.ns != nil, "replicas", s.cfg.Replicas, "max_bytes", cfg.MaxBytes, "sync", cfg.Sync)
	return s, nil
}

func (s *Spool) connect() error {
	opts := []nats.Option{nats.Name("auditbridge"), nats.MaxReconnects(-1),
		nats.ClosedHandler(func(*nats.Conn) { close(s.closed) }),
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if nc.IsClosed() || nc.IsDraining() {
				return // our own Close: not a lost connection
			}
			if err == nil {
				err = errors.New("disconnected")
			}
			s.log.Warn("nats connection lost; reconnecting", "error", err)
			s.health.Set("spool", fmt.Errorf("nats connection lost: %w", err))
		}),
		nats.ReconnectHandler(func(*nats.Conn) {
			s.log.Info("nats connection restored")
			s.health.Set("spool", nil)
		}),
	}
	url := s.cfg.NATSURL
	if url != "" {
		auth, err := s.cfg.NATSAuth.options()
		if err != nil {
			return err
		}
		opts = append(opts, auth...)
	}
	if url == "" {
		if err := os.MkdirAll(s.cfg.DataDir, 0o750); err != nil {
			return fmt.Errorf("spool: data dir: %w", err)
		}
		lock, err := lockDataDir(s.cfg.DataDir)
		if err != nil {
			return err
		}
		s.lock = lock
		ns, err := startEmbedded(s.cfg)
		if err != nil {
			s.unlock()
			return err
		}
		s.ns = ns
		opts = append(opts, nats.InProcessServer(ns))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		if s.ns != nil {
			s.ns.Shutdown()
			s.unlock()
		}
		return fmt.Errorf("spool: connect to nats %s: %w", RedactURL(url), redactErr(err, url))
	}
	s.nc = nc
	// A PubAck lost in a reconnect must fail the publish, not hang it.
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncTimeout(pubAckTimeout))
	if err != nil {
		return fmt.Errorf("spool: jetstream: %w", err)
	}
	s.js = js
	s.cfg.Replicas = replicas(s.cfg.Replicas, s.ns != nil, nc.ConnectedClusterName(), len(nc.Servers()))
	return nil
}

// replicas resolves SPOOL_REPLICAS: a configured factor stays; automatic
// (0) is 3 on a cluster, or one per known node when it has fewer, and 1 on
// a single server or embedded. A cluster's client learns its other nodes
// from the server it connected to (servers lists them all).
func replicas(configured int, embedded bool, cluster string, servers int) int {
	switch {
	case configured > 0:
		return configured
	case embedded || cluster == "":
		return 1
	default:
		return max(1, min(3, servers))
	}
}

// startEmbedded runs an in-process server without a network listener.
func startEmbedded(cfg SpoolConfig) (*server.Server, error) {
	interval, always, _ := cfg.syncSetting()
	opts := &server.Options{
		ServerName:   "auditbridge",
		DontListen:   true,
		JetStream:    true,
		StoreDir:     cfg.DataDir,
		SyncInterval: interval,
		SyncAlways:   always,
		MaxPayload:   embeddedMaxPayload,
		// Reserve exactly what the streams may hold, so the server does not
		// refuse a limit because of its own estimate of free disk space.
		JetStreamMaxStore: cfg.MaxBytes + cfg.DLQMaxBytes + stateMaxBytes,
		NoSigs:            true,
		NoLog:             true,
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("spool: embedded server: %w", err)
	}
	go ns.Start()
	// Recovering a large store takes seconds (3.4 s at 1.4 M messages).
	if !ns.ReadyForConnections(5 * time.Minute) {
		ns.Shutdown()
		return nil, errors.New("spool: embedded server did not start within 5m")
	}
	return ns, nil
}

func (s *Spool) setup(ctx context.Context) error {
	var err error
	s.stream, err = s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        SpoolStream,
		Description: "auditbridge spool: one message per batch of normalized events",
		Subjects:    []string{SpoolSubject, ReplayPrefix + ">"},
		Retention:   jetstream.InterestPolicy,
		MaxBytes:    s.cfg.MaxBytes,
		MaxAge:      s.cfg.MaxAge,
		Discard:     jetstream.DiscardNew,
		Duplicates:  s.cfg.DedupWindow,
		Storage:     jetstream.FileStorage,
		Replicas:    s.cfg.Replicas,
	})
	if err != nil {
		return fmt.Errorf("spool: stream %s: %w", SpoolStream, err)
	}
	s.dlq, err = s.js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:        DLQStream,
		Description: "auditbridge dead letters: one message per event a sink rejected",
		Subjects:    []string{DLQPrefix + ">"},
		Retention:   jetstream.LimitsPolicy,
		MaxBytes:    s.cfg.DLQMaxBytes,
		Discard:     jetstream.DiscardNew,
		Duplicates:  s.cfg.DedupWindow,
		Storage:     jetstream.FileStorage,
		Replicas:    s.cfg.Replicas,
	})
	if err != nil {
		return fmt.Errorf("spool: stream %s: %w", DLQStream, err)
	}
	return s.setupKV(ctx)
}

// Health is the readiness registry the spool's dispatchers report to; the
// admin server's /readyz reads it.
func (s *Spool) Health() *Health { return s.health }

// Metrics returns the metrics given to OpenSpool (possibly nil).
func (s *Spool) Metrics() *Metrics { return s.m }

// Close drains the connection (pending acks and publishes are flushed) and
// shuts the embedded server down. Stop every dispatcher (cancel its ctx)
// before calling Close.
func (s *Spool) Close(ctx context.Context) error {
	err := s.drain(ctx)
	s.shutdown(ctx)
	s.log.Info("spool closed")
	return err
}

func (s *Spool) drain(ctx context.Context) error {
	if s.nc == nil || s.nc.IsClosed() {
		return nil
	}
	if err := s.nc.Drain(); err != nil {
		s.nc.Close()
		return fmt.Errorf("spool: drain: %w", err)
	}
	select {
	case <-s.closed:
		return nil
	case <-ctx.Done():
		s.nc.Close()
		return fmt.Errorf("spool: drain: %w", ctx.Err())
	}
}

func (s *Spool) shutdown(ctx context.Context) {
	if s.nc != nil && !s.nc.IsClosed() {
		s.nc.Close()
	}
	if s.ns == nil {
		return
	}
	s.ns.Shutdown()
	done := make(chan struct{})
	go func() { s.ns.WaitForShutdown(); close(done) }()
	select {
	case <-done:
		s.unlock()
	case <-ctx.Done(): // keep the lock: the store may still be written
	}
}

// unlock releases the data dir lock.
func (s *Spool) unlock() {
	if s.lock != nil {
		_ = s.lock.Close()
		s.lock = nil
	}
}
