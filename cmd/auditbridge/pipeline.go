package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
)

// closeTimeout bounds the last shutdown steps (dispatchers return, sinks
// and spool close) after the grace period.
const closeTimeout = 10 * time.Second

// pipeline is a built bridge: spool, one dispatcher per sink, sources. It is
// started and stopped in a fixed order (see run and stop).
type pipeline struct {
	log     hclog.Logger
	grace   time.Duration
	pub     bridge.Publisher
	sources []bridge.Source
	sinks   []*gatedSink
	runners []func(ctx context.Context) error // one dispatcher Run per sink
	spool   interface {
		Close(ctx context.Context) error
	}
	admin *adminServer

	// unreadyAfter is AUDITBRIDGE_SINK_UNREADY_AFTER: a component failing
	// this long shows as degraded on /readyz (still 200: intake stays on).
	unreadyAfter time.Duration

	started  atomic.Bool // sources running (readiness)
	stopping atomic.Bool
}

// run starts the dispatchers, then the sources, waits until ctx ends or a
// source fails, and stops everything. It returns the first failure.
func (p *pipeline) run(ctx context.Context) error {
	dctx, cancelDispatch := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelDispatch()
	var dwg sync.WaitGroup
	for i, run := range p.runners {
		dwg.Go(func() {
			if err := run(dctx); err != nil {
				p.log.Error("dispatcher stopped with an error", "sink", p.sinks[i].Name(), "error", err)
			}
		})
	}

	sctx, cancelSources := context.WithCancel(ctx)
	defer cancelSources()
	failed := make(chan error, len(p.sources))
	var swg sync.WaitGroup
	for _, src := range p.sources {
		swg.Go(func() {
			// Provenance: a source that sets none gets its name (bridge.WithIntake).
			err := src.Run(sctx, bridge.WithIntake(p.pub, src.Name()))
			if err != nil && sctx.Err() == nil {
				failed <- fmt.Errorf("source %s: %w", src.Name(), err)
			}
		})
	}
	p.started.Store(true)
	p.log.Info("running", "sources", len(p.sources), "sinks", len(p.sinks))

	var runErr error
	select {
	case <-ctx.Done():
		p.log.Info("shutdown requested")
	case runErr = <-failed:
		p.log.Error("source failed; shutting down", "error", runErr)
	}
	stopErr := p.stop(cancelSources, &swg, cancelDispatch, &dwg)
	return errors.Join(runErr, stopErr)
}

// stop shuts down in order: sources stop taking input (HEC finishes its
// in-flight requests), every dispatcher finishes its batch in flight, the
// sinks and the spool are closed, and the admin server goes last. All of it
// Sources and batches in flight get the grace period; what is not delivered
// by then stays in the spool for the next start.
func (p *pipeline) stop(cancelSources context.CancelFunc, swg *sync.WaitGroup,
	cancelDispatch context.CancelFunc, dwg *sync.WaitGroup) error {
	p.stopping.Store(true)
	gctx, cancel := context.WithTimeout(context.Background(), p.grace)
	defer cancel()
	var errs []error

	cancelSources()
	if !waitGroup(gctx, swg) {
		errs = append(errs, errors.New("sources did not stop within the shutdown timeout"))
	}
	p.log.Info("sources stopped")

	var drains sync.WaitGroup
	for _, g := range p.sinks {
		drains.Go(func() { g.drain(gctx) })
	}
	drains.Wait()
	// Cancelling makes the dispatchers return at once; closing flushes acks.
	// These get their own short deadline even when the grace period is used up.
	cctx, cancelClose := context.WithTimeout(context.Background(), closeTimeout)
	defer cancelClose()
	cancelDispatch()
	if !waitGroup(cctx, dwg) {
		errs = append(errs, errors.New("dispatchers did not stop within the shutdown timeout"))
	}
	p.log.Info("dispatchers stopped")

	for _, g := range p.sinks {
		if err := g.Close(cctx); err != nil {
			errs = append(errs, fmt.Errorf("close sink %s: %w", g.Name(), err))
		}
	}
	if err := p.spool.Close(cctx); err != nil {
		errs = append(errs, fmt.Errorf("close spool: %w", err))
	}
	if err := p.admin.shutdown(cctx); err != nil {
		errs = append(errs, fmt.Errorf("admin server: %w", err))
	}
	return errors.Join(errs...)
}

// ready is the /readyz check: the pipeline is running and every component
// registered in health is ready.
func (p *pipeline) ready(health interface{ Ready() (bool, []string) }) func() error {
	return func() error {
		switch {
		case p.stopping.Load():
			return errors.New("shutting down")
		case !p.started.Load():
			return errors.New("starting")
		}
		if ok, reasons := health.Ready(); !ok {
			errs := make([]error, len(reasons))
			for i, r := range reasons {
				errs[i] = errors.New(r)
			}
			return errors.Join(errs...)
		}
		if d, ok := health.(degradations); ok && p.unreadyAfter > 0 {
			return degradedErr(d.Degradations(p.unreadyAfter))
		}
		return nil
	}
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
