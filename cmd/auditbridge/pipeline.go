package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
)

// closeTimeout bounds closing what a failed startup built, and the admin
// server's shutdown.
const closeTimeout = 10 * time.Second

// pipeline is a built bridge: the engine (spool, one dispatcher per sink,
// sources) and the admin server. The engine owns the start and stop order.
type pipeline struct {
	log    hclog.Logger
	grace  time.Duration
	engine *bridge.Engine
	admin  *adminServer

	// unreadyAfter is AUDITBRIDGE_SINK_UNREADY_AFTER: a component failing
	// this long shows as degraded on /readyz (still 200: intake stays on).
	unreadyAfter time.Duration

	started  atomic.Bool // sources running (readiness)
	stopping atomic.Bool
}

// run starts the engine, waits until ctx ends or a source fails, and stops
// it (sources and batches in flight get the grace period; see
// bridge.Engine.Stop), then the admin server. It returns the first failure.
func (p *pipeline) run(ctx context.Context) error {
	p.engine.Start(ctx)
	p.started.Store(true)
	var runErr error
	select {
	case <-ctx.Done():
		p.log.Info("shutdown requested")
	case runErr = <-p.engine.Failed():
		p.log.Error("source failed; shutting down", "error", runErr)
	}
	return errors.Join(runErr, p.stop())
}

// stop stops the engine, then the admin server.
func (p *pipeline) stop() error {
	p.stopping.Store(true)
	err := p.engine.Stop(p.grace)
	cctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	if aerr := p.admin.shutdown(cctx); aerr != nil {
		err = errors.Join(err, fmt.Errorf("admin server: %w", aerr))
	}
	return err
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
