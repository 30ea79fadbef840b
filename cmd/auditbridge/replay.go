package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/auditbridge/auditbridge/bridge"
	srcfile "github.com/auditbridge/auditbridge/sources/file"
	"github.com/hashicorp/go-hclog"
)

// cmdReplay pushes records from files (stdin when none) through the spool
// to the configured sinks and waits until every sink has delivered or
// dead-lettered all of it. Exit 0: all delivered; 1: a record was bad or an
// event was dead-lettered during this run; 2: configuration error.
func cmdReplay(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	args, getenv, err := configFlag(args, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "auditbridge replay:", err)
		return 2
	}
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

// replay runs the engine with the sinks and src as its only source, waits
// until src has read everything and the engine reports every sink finished
// what was published (delivered or dead-lettered, and acknowledged), stops,
// and returns how many events were dead-lettered meanwhile.
func replay(ctx context.Context, st *settings, log hclog.Logger, stdout io.Writer, src *srcfile.Source) (int, error) {
	spool, err := bridge.OpenSpool(ctx, st.spool, log, nil)
	if err != nil {
		return 0, fmt.Errorf("open spool: %w", err)
	}
	e := bridge.NewEngine(spool, log)
	if err := buildSinks(ctx, e, st, log, stdout); err != nil {
		closeAll(e)
		return 0, err
	}
	warnStaleConsumers(ctx, spool, st, log)
	before, err := dlqCounts(ctx, spool, e.Sinks())
	if err != nil {
		closeAll(e)
		return 0, err
	}
	e.AddSource(replaySource{src})
	e.Start(ctx)
	var runErr error
	var after map[string]int
	select {
	case <-e.SourcesDone():
		select { // a failing source reports before it is done
		case runErr = <-e.Failed():
		default:
		}
		if runErr == nil {
			if runErr = e.WaitDelivered(ctx); runErr == nil {
				after, runErr = dlqCounts(ctx, spool, e.Sinks())
			}
		}
	case runErr = <-e.Failed():
	case <-ctx.Done():
	}
	runErr = errors.Join(runErr, e.Stop(st.core.ShutdownTimeout))
	if after == nil {
		runErr = errors.Join(runErr, errors.New("stopped before every event was delivered"))
	}
	dead := 0
	for name, n := range after {
		dead += n - before[name]
	}
	return dead, runErr
}

// replaySource is the file source with provenance "replay".
type replaySource struct{ src *srcfile.Source }

func (r replaySource) Name() string { return r.src.Name() }

func (r replaySource) Run(ctx context.Context, pub bridge.Publisher) error {
	return r.src.Run(ctx, bridge.WithIntake(pub, "replay"))
}

// dlqCounts returns each sink's dead-letter count.
func dlqCounts(ctx context.Context, spool *bridge.Spool, sinks []bridge.Sink) (map[string]int, error) {
	out := map[string]int{}
	for _, s := range sinks {
		n, err := spool.DLQCount(ctx, s.Name())
		if err != nil {
			return nil, err
		}
		out[s.Name()] = n
	}
	return out, nil
}
