package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/hashicorp/go-hclog"
)

// cmdDropSink deletes the spool consumer of a sink that is no longer in
// AUDITBRIDGE_SINKS, so the spool stops keeping a backlog for it (see
// warnStaleConsumers). It refuses a sink the configuration still names.
// With the embedded spool, stop `run` first (the data directory is locked).
func cmdDropSink(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	args, getenv, err := configFlag(args, getenv)
	if err != nil || len(args) != 1 || args[0] == "" {
		fmt.Fprintln(stderr, "usage: auditbridge drop-sink NAME   (a sink no longer in AUDITBRIDGE_SINKS)")
		return 2
	}
	name := strings.ToLower(args[0])
	st, err := loadSettings(getenv)
	if err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	for _, ss := range st.sinks {
		if ss.sinkName() == name {
			fmt.Fprintf(stderr, "auditbridge drop-sink: %q is in AUDITBRIDGE_SINKS; remove it there first\n", name)
			return 2
		}
	}
	log := newLogger(st.core.LogLevel, st.core.LogFormat, stderr)
	spool, closeSpool, err := openCommandSpool(ctx, st, log)
	if err != nil {
		fmt.Fprintln(stderr, "auditbridge drop-sink:", err)
		return 1
	}
	defer closeSpool()
	if err := spool.DropSinkConsumer(ctx, name); err != nil {
		fmt.Fprintln(stderr, "auditbridge drop-sink:", err)
		return 1
	}
	fmt.Fprintf(stdout, "dropped the spool consumer of sink %s; its undelivered backlog is released (its dead letters stay)\n", name)
	return 0
}

// openCommandSpool opens the spool for a one-shot command (dlq, drop-sink)
// and returns how to close it again.
func openCommandSpool(ctx context.Context, st *settings, log hclog.Logger) (*bridge.Spool, func(), error) {
	spool, err := bridge.OpenSpool(ctx, st.spool, log, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("open spool: %w", err)
	}
	return spool, func() {
		cctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
		defer cancel()
		_ = spool.Close(cctx)
	}, nil
}
