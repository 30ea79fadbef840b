package bridge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
)

// Engine owns a bridge's lifecycle: the spool, one dispatcher per sink and
// the sources. Start runs the dispatchers before the sources (the spool
// keeps a message only for consumers that exist); Stop stops intake, lets
// every batch in flight finish and be acknowledged, then closes the sinks
// and the spool. WaitDelivered tells a caller (replay) that everything
// published so far reached every sink, from the dispatchers' own
// acknowledgements rather than from polling the spool.
//
//	e := bridge.NewEngine(spool, log)
//	e.AddSink(ctx, sink, batchCfg, retryCfg)   // for each sink
//	e.AddSource(src)                            // for each source
//	err := e.Run(ctx)                           // until ctx ends or a source fails
//
// An Engine runs once.
type Engine struct {
	spool *Spool
	log   hclog.Logger
	pub   Publisher

	sinks   []Sink
	disp    []*Dispatcher
	sources []Source

	mu      sync.Mutex
	changed chan struct{} // closed and replaced after every acknowledged batch

	started      bool
	cancelSrc    context.CancelFunc
	cancelDisp   context.CancelFunc
	stopDisp     chan struct{}
	srcWG        sync.WaitGroup
	dispWG       sync.WaitGroup
	srcDone      chan struct{} // closed when every source returned
	failed       chan error    // the first source failure
	stopOnce     sync.Once
	stopErr      error
	closeTimeout time.Duration
}

// engineCloseTimeout bounds the last stop steps (dispatchers abandon their
// batch, sinks and spool close) once the grace period is used up.
const engineCloseTimeout = 10 * time.Second

// NewEngine returns an engine on spool; sources publish to spool unless
// SetPublisher says otherwise.
func NewEngine(spool *Spool, log hclog.Logger) *Engine {
	if log == nil {
		log = hclog.NewNullLogger()
	}
	return &Engine{spool: spool, log: log, pub: spool, changed: make(chan struct{}),
		srcDone: make(chan struct{}), failed: make(chan error, 1), stopDisp: make(chan struct{}),
		closeTimeout: engineCloseTimeout}
}

// SetPublisher makes sources publish to pub (which publishes to the spool),
// say one that also feeds a tap. Call it before Start.
func (e *Engine) SetPublisher(pub Publisher) { e.pub = pub }

// AddSink creates the sink's dispatcher (and its durable consumer). Call it
// before Start. The engine closes the sink on Stop.
func (e *Engine) AddSink(ctx context.Context, sink Sink, cfg BatchConfig, retry RetryConfig,
	log hclog.Logger, opts ...DispatcherOption) error {
	d, err := e.spool.NewDispatcher(ctx, sink, cfg, retry, log, opts...)
	if err != nil {
		return err
	}
	d.onAck = e.notify
	e.sinks = append(e.sinks, sink)
	e.disp = append(e.disp, d)
	return nil
}

// AddSource adds a source; call it before Start.
func (e *Engine) AddSource(src Source) { e.sources = append(e.sources, src) }

// Sinks returns the sinks added, in order.
func (e *Engine) Sinks() []Sink { return e.sinks }

// Sources returns the sources added, in order.
func (e *Engine) Sources() []Source { return e.sources }

// notify wakes WaitDelivered.
func (e *Engine) notify() {
	e.mu.Lock()
	close(e.changed)
	e.changed = make(chan struct{})
	e.mu.Unlock()
}

// Start runs the dispatchers, then the sources, and returns. A source that
// fails is reported by Failed; one that returns nil is done (SourcesDone
// once all are). ctx bounds the sources only: the dispatchers run until
// Stop.
func (e *Engine) Start(ctx context.Context) {
	if e.started {
		panic("bridge: Engine started twice")
	}
	e.started = true
	dctx, cancelDisp := context.WithCancel(context.WithoutCancel(ctx))
	e.cancelDisp = cancelDisp
	for _, d := range e.disp {
		e.dispWG.Go(func() {
			if err := d.run(dctx, e.stopDisp); err != nil {
				e.log.Error("dispatcher stopped with an error", "sink", d.name, "error", err)
			}
		})
	}
	sctx, cancelSrc := context.WithCancel(ctx)
	e.cancelSrc = cancelSrc
	for _, src := range e.sources {
		e.srcWG.Go(func() {
			// Provenance: a source that sets none gets its name.
			err := src.Run(sctx, WithIntake(e.pub, src.Name()))
			if err != nil && sctx.Err() == nil {
				select {
				case e.failed <- fmt.Errorf("source %s: %w", src.Name(), err):
				default:
				}
			}
		})
	}
	go func() { e.srcWG.Wait(); close(e.srcDone) }()
	e.log.Info("running", "sources", len(e.sources), "sinks", len(e.sinks))
}

// Failed delivers the first source failure.
func (e *Engine) Failed() <-chan error { return e.failed }

// SourcesDone is closed once every source has returned.
func (e *Engine) SourcesDone() <-chan struct{} { return e.srcDone }

// WaitDelivered returns nil once every sink has finished every event
// published so far (delivered or dead-lettered, and acknowledged to the
// spool), or ctx's error. It is woken by the dispatchers' acknowledgements.
// Exact with the embedded spool (this process is the only publisher); with
// an external JetStream shared by replicas, a sink counts as finished when
// its dispatcher finds nothing left to fetch.
func (e *Engine) WaitDelivered(ctx context.Context) error {
	for {
		e.mu.Lock()
		changed := e.changed
		e.mu.Unlock()
		done := true
		for _, d := range e.disp {
			if d.pending.Load() > 0 {
				done = false
				break
			}
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		case <-time.After(time.Second): // an idle reset (external JetStream) does not notify
		}
	}
}

// Run starts the engine and stops it when ctx ends or a source fails,
// giving sources and batches in flight grace to finish. It returns the
// source failure and any stop error.
func (e *Engine) Run(ctx context.Context, grace time.Duration) error {
	e.Start(ctx)
	var runErr error
	select {
	case <-ctx.Done():
		e.log.Info("shutdown requested")
	case runErr = <-e.failed:
		e.log.Error("source failed; shutting down", "error", runErr)
	}
	return errors.Join(runErr, e.Stop(grace))
}

// Stop shuts down in order: sources stop taking input (and return), every
// dispatcher finishes its batch in flight (delivered and acknowledged)
// without fetching another, then the sinks and the spool are closed. Sources
// and batches in flight get grace; a batch not finished by then is
// abandoned un-acked and delivered after the next start. Stop without
// Start closes the sinks and the spool. Later calls return the first
// result.
func (e *Engine) Stop(grace time.Duration) error {
	e.stopOnce.Do(func() { e.stopErr = e.stop(grace) })
	return e.stopErr
}

func (e *Engine) stop(grace time.Duration) error {
	gctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	var errs []error
	if e.started {
		e.cancelSrc()
		if !waitGroup(gctx, &e.srcWG) {
			errs = append(errs, errors.New("sources did not stop within the shutdown timeout"))
		}
		e.log.Info("sources stopped")
		close(e.stopDisp)
		if !waitGroup(gctx, &e.dispWG) {
			e.log.Warn("batches still in flight at the shutdown timeout; they are delivered after the next start")
		}
	}
	// Closing gets its own short deadline even when the grace period is used up.
	cctx, cancelClose := context.WithTimeout(context.Background(), e.closeTimeout)
	defer cancelClose()
	if e.started {
		e.cancelDisp()
		if !waitGroup(cctx, &e.dispWG) {
			errs = append(errs, errors.New("dispatchers did not stop within the shutdown timeout"))
		}
		e.log.Info("dispatchers stopped")
	}
	for _, s := range e.sinks {
		if err := s.Close(cctx); err != nil {
			errs = append(errs, fmt.Errorf("close sink %s: %w", s.Name(), err))
		}
	}
	if err := e.spool.Close(cctx); err != nil {
		errs = append(errs, fmt.Errorf("close spool: %w", err))
	}
	return errors.Join(errs...)
}

// waitGroup waits for wg or ctx; it reports whether wg finished.
func waitGroup(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}
