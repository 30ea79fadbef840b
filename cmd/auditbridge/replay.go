package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	srcfile "github.com/auditbridge/auditbridge/sources/file"
	"github.com/hashicorp/go-hclog"
)

// drainPoll is how often replay asks the spool whether the sinks are done.
const drainPoll = 200 * time.Millisecond

// cmdReplay pushes records from files (stdin when none) through the spool
// to the configured sinks and waits until every sink has delivered or
// dead-lettered all of it. Exit 0: all delivered; 1: a record was bad or an
// event was dead-lettered during this run; 2: configuration error.
func cmdReplay(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	profile, args, err := cutProfileFlag(args)
	if err != nil {
		fmt.Fprintln(stderr, "auditbridge replay:", err)
		return 2
	}
	st, err := loadSettings(getenv)
	if err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	log := newLogger(st.core.LogLevel, st.core.LogFormat, stderr)
	stopProfile, err := startCPUProfile(profile)
	if err != nil {
		fmt.Fprintln(stderr, "auditbridge replay:", err)
		return 2
	}
	defer func() {
		if err := stopProfile(); err != nil {
			fmt.Fprintln(stderr, "auditbridge replay:", err)
		}
	}()
	bad := 0
	src := &srcfile.Source{Paths: args, Stdin: stdin, Log: log.Named("source.file"),
		Report: func(b srcfile.BadRecord) { bad++; fmt.Fprintln(stderr, b.String()) }}
	dead, err := replay(ctx, st, log, stdout, src)
	stats := src.Stats()
	fmt.Fprintf(stderr, "auditbridge replay: %d records, %d events published, %d bad records, %d events dead-lettered\n",
		stats.Records, stats.Events, bad, dead)
	switch {
	case err != nil:
		log.Error("replay failed", "error", err)
		return 1
	case bad > 0 || dead > 0:
		return 1
	}
	return 0
}

// replay runs the sinks' dispatchers, publishes src, waits for every sink to
// drain, stops, and returns how many events were dead-lettered meanwhile.
func replay(ctx context.Context, st *settings, log hclog.Logger, stdout io.Writer, src *srcfile.Source) (int, error) {
	spool, err := bridge.OpenSpool(ctx, st.spool, log, nil)
	if err != nil {
		return 0, fmt.Errorf("open spool: %w", err)
	}
	p := &pipeline{log: log, grace: st.core.ShutdownTimeout, pub: spool, spool: spool}
	if err := buildSinks(ctx, p, st, spool, log, stdout); err != nil {
		closeAll(p, spool)
		return 0, err
	}
	warnStaleConsumers(ctx, spool, st, log)
	before, err := dlqCounts(ctx, spool, p.sinks)
	if err != nil {
		closeAll(p, spool)
		return 0, err
	}
	// The file source is the pipeline's only source: run returns once it
	// has read everything and every sink has drained (or ctx ends).
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ds := &drainingSource{src: src, spool: spool, sinks: p.sinks, done: cancel}
	p.sources = []bridge.Source{ds}
	runErr := p.run(rctx)
	if ctx.Err() != nil || ds.after == nil {
		runErr = errors.Join(runErr, errors.New("stopped before every event was delivered"))
	}
	dead := 0
	for name, n := range ds.after {
		dead += n - before[name]
	}
	return dead, runErr
}

// drainingSource publishes the input, then waits until every sink's
// backlog is zero, then ends the run through done.
type drainingSource struct {
	src   *srcfile.Source
	spool *bridge.Spool
	sinks []*gatedSink
	done  context.CancelFunc
	after map[string]int // dead-letter counts once drained
}

func (d *drainingSource) Name() string { return d.src.Name() }

func (d *drainingSource) Run(ctx context.Context, pub bridge.Publisher) error {
	if err := d.src.Run(ctx, bridge.WithIntake(pub, "replay")); err != nil {
		return err
	}
	t := time.NewTicker(drainPoll)
	defer t.Stop()
	for {
		left := uint64(0)
		for _, g := range d.sinks {
			n, err := d.spool.Backlog(ctx, g.Name())
			if err != nil && ctx.Err() == nil {
				return err
			}
			left += n
		}
		if left == 0 && ctx.Err() == nil {
			after, err := dlqCounts(ctx, d.spool, d.sinks)
			if err != nil {
				return err
			}
			d.after = after
			d.done()
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// dlqCounts returns each sink's dead-letter count.
func dlqCounts(ctx context.Context, spool *bridge.Spool, sinks []*gatedSink) (map[string]int, error) {
	out := map[string]int{}
	for _, g := range sinks {
		n, err := spool.DLQCount(ctx, g.Name())
		if err != nil {
			return nil, err
		}
		out[g.Name()] = n
	}
	return out, nil
}
