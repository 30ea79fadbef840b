package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
)

// cmdCheck validates the configuration, then probes every enabled sink and
// source (reachability, credentials) and the spool's storage. It prints one
// line per component and exits 1 if any probe failed, 2 on a configuration
// error.
func cmdCheck(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	args, getenv, err := configFlag(args, getenv)
	if err != nil {
		fmt.Fprintln(stderr, "auditbridge check:", err)
		return 2
	}
	if len(args) > 0 {
		fmt.Fprintf(stderr, "auditbridge check: unexpected arguments %q\n", args)
		return 2
	}
	st, err := loadSettings(getenv)
	if err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	fmt.Fprintln(stdout, "configuration: ok")
	printRouting(stdout, st)
	log := newLogger(st.core.LogLevel, st.core.LogFormat, stderr)
	failed := false
	report := func(component, note string, err error) {
		switch {
		case err != nil:
			failed = true
			fmt.Fprintf(stdout, "%s: FAILED: %v\n", component, err)
		case note != "":
			fmt.Fprintf(stdout, "%s: ok (%s)\n", component, note)
		default:
			fmt.Fprintf(stdout, "%s: ok\n", component)
		}
	}
	note, err := checkSpool(ctx, st, log)
	report("spool", note, err)
	for _, ss := range st.sinks {
		note, err := checkSink(ctx, ss, log, stdout)
		report("sink "+ss.sinkName(), note, err)
	}
	for _, ss := range st.sources {
		note, err := checkSource(ctx, ss, log)
		report("source "+ss.spec.name, note, err)
	}
	if failed {
		return 1
	}
	return 0
}

// checkSpool connects to an external JetStream, or checks that the embedded
// store's directory is writable (opening it would contend with a running
// bridge).
func checkSpool(ctx context.Context, st *settings, log hclog.Logger) (string, error) {
	if st.spool.NATSURL == "" {
		dir := st.spool.DataDir
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", err
		}
		f, err := os.CreateTemp(dir, ".check-*")
		if err != nil {
			return "", fmt.Errorf("data directory not writable: %w", err)
		}
		f.Close()
		os.Remove(f.Name())
		abs, _ := filepath.Abs(dir)
		return "embedded JetStream in " + abs, nil
	}
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	spool, err := bridge.OpenSpool(cctx, st.spool, log, nil)
	if err != nil {
		return "", err
	}
	_ = spool.Close(cctx)
	return "external JetStream reachable", nil
}

func checkSink(ctx context.Context, ss sinkSettings, log hclog.Logger, stdout io.Writer) (string, error) {
	setStdout(ss.cfg, stdout)
	sink, err := ss.spec.build(ss.cfg, log.Named("sink."+ss.sinkName()))
	if err != nil {
		return "", err
	}
	defer sink.Close(context.Background())
	c, ok := sink.(bridge.Checker)
	if !ok {
		return "configured; this sink has no probe", nil
	}
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	return "", c.Check(cctx)
}

// reporter is a Checker that also says what it found in plain words.
type reporter interface {
	CheckReport(ctx context.Context) (string, error)
}

func checkSource(ctx context.Context, ss sourceSettings, log hclog.Logger) (string, error) {
	src, err := ss.spec.build(ss.cfg, sourceDeps{log: log.Named("source." + ss.spec.name)})
	if err != nil {
		return "", err
	}
	if r, ok := src.(reporter); ok {
		cctx, cancel := context.WithTimeout(ctx, checkTimeout)
		defer cancel()
		return r.CheckReport(cctx)
	}
	c, ok := src.(bridge.Checker)
	if !ok {
		return "configured; this source has no probe", nil
	}
	cctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	return "", c.Check(cctx)
}
