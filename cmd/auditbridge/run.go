package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// checkTimeout bounds each startup probe of a sink or source.
const checkTimeout = 10 * time.Second

// cmdRun runs the configured sources and sinks until SIGTERM/SIGINT.
func cmdRun(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	args, getenv, err := configFlag(args, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "auditbridge run:", err)
		return 2
	}
	if len(args) > 0 {
		fmt.Fprintf(stderr, "auditbridge run: unexpected arguments %q\n", args)
		return 2
	}
	st, err := loadSettings(getenv)
	if err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	log := newLogger(st.core.LogLevel, st.core.LogFormat, stderr)
	warnExposure(st, getenv, log)
	if err := runBridge(ctx, st, log, stdout); err != nil {
		log.Error("auditbridge stopped with an error", "error", err)
		return 1
	}
	log.Info("auditbridge stopped")
	return 0
}

// runBridge opens the spool, serves the admin endpoints, builds every
// enabled sink with its dispatcher and every enabled source, and runs them
// until ctx ends.
func runBridge(ctx context.Context, st *settings, log hclog.Logger, stdout io.Writer) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := bridge.NewMetrics(reg)
	spool, err := openSpoolRetrying(ctx, st.spool, log, m, time.Second)
	if err != nil {
		return fmt.Errorf("open spool: %w", err)
	}
	taps := &tapHub{}
	p := &pipeline{log: log, grace: st.core.ShutdownTimeout, engine: bridge.NewEngine(spool, log),
		unreadyAfter: st.core.SinkUnreadyAfter}
	p.engine.SetPublisher(tappingPublisher{next: spool, hub: taps})
	if err := buildSinks(ctx, p.engine, st, log, stdout); err != nil {
		closeAll(p.engine)
		return err
	}
	warnStaleConsumers(ctx, spool, st, log)
	for _, ss := range st.sources {
		src, err := ss.spec.build(ss.cfg, sourceDeps{log: log.Named("source." + ss.spec.name), metrics: m, spool: spool})
		if err != nil {
			closeAll(p.engine)
			return fmt.Errorf("source %s: %w", ss.spec.name, err)
		}
		p.engine.AddSource(src)
	}
	if len(p.engine.Sources()) == 0 {
		log.Warn("no source enabled: set AUDITBRIDGE_HEC_ADDR, AUDITBRIDGE_TFC_TOKEN, AUDITBRIDGE_VAULT_SOCKET_ADDR, AUDITBRIDGE_TAIL_PATHS or AUDITBRIDGE_CLOUDWATCH_ENABLED; only spooled events will be delivered")
	}
	p.admin, err = startAdmin(st.core.adminAddr(), adminHandler(reg, p.ready(spool), dlqRoute(spool), taps.route()), log.Named("admin"))
	if err != nil {
		closeAll(p.engine)
		return fmt.Errorf("admin server on %s: %w", st.core.AdminAddr, err)
	}
	go probe(ctx, log, p.engine.Sinks(), p.engine.Sources())
	return p.run(ctx)
}

// buildSinks builds each enabled sink and adds it to the engine, which
// creates its dispatcher (its durable consumer) before any source may
// publish.
func buildSinks(ctx context.Context, e *bridge.Engine, st *settings, log hclog.Logger, stdout io.Writer) error {
	for _, ss := range st.sinks {
		setStdout(ss.cfg, stdout)
		slog := log.Named("sink." + ss.sinkName())
		sink, err := ss.spec.build(ss.cfg, slog)
		if err != nil {
			return fmt.Errorf("sink %s: %w", ss.sinkName(), err)
		}
		if ss.name != "" {
			sink = &namedSink{Sink: sink, name: ss.name}
		}
		var opts []bridge.DispatcherOption
		if ss.filter != nil {
			opts = append(opts, bridge.WithFilter(ss.filter))
		}
		if err := e.AddSink(ctx, sink, ss.batch, st.retry, slog, opts...); err != nil {
			_ = sink.Close(ctx)
			return fmt.Errorf("sink %s: %w", ss.sinkName(), err)
		}
	}
	return nil
}

// closeAll releases what a failed startup had built: the engine's sinks
// and its spool.
func closeAll(e *bridge.Engine) { _ = e.Stop(closeTimeout) }

// probe runs every Checker once at startup and logs the result. A failing
// peer is a warning only: the spool holds the events until it is back.
func probe(ctx context.Context, log hclog.Logger, sinks []bridge.Sink, sources []bridge.Source) {
	for _, s := range sinks {
		c, ok := unwrapSink(s).(bridge.Checker)
		if !ok {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		if err := c.Check(cctx); err != nil {
			log.Warn("sink check failed; events are spooled until it recovers", "sink", s.Name(), "error", err)
		} else {
			log.Info("sink check passed", "sink", s.Name())
		}
		cancel()
	}
	for _, src := range sources {
		c, ok := src.(bridge.Checker)
		if !ok {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		if err := c.Check(cctx); err != nil {
			log.Warn("source check failed", "source", src.Name(), "error", err)
		}
		cancel()
	}
}
