package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// cmdDLQ inspects, resends or drops dead-lettered events:
//
//	auditbridge dlq list   [-sink NAME] [-limit N]
//	auditbridge dlq replay [-sink NAME]   (every configured sink by default)
//	auditbridge dlq purge  [-sink NAME]   (every sink's by default)
//
// With the embedded spool, stop the running bridge first (it holds the store).
func cmdDLQ(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: auditbridge dlq list|replay|purge [-sink NAME] [-limit N]")
		return 2
	}
	sub := args[0]
	rest, getenv, err := configFlag(args[1:], getenv)
	if err != nil {
		fmt.Fprintln(stderr, "auditbridge dlq:", err)
		return 2
	}
	args = append([]string{sub}, rest...)
	fs := flag.NewFlagSet("dlq "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := dlqFlagValues(fs)
	sink, limit := &o.sink, &o.limit
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() > 0 {
		return 2
	}
	if sub != "list" && sub != "replay" && sub != "purge" {
		fmt.Fprintf(stderr, "auditbridge dlq: unknown subcommand %q (list, replay, purge)\n", sub)
		return 2
	}
	st, err := loadSettings(getenv)
	if err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	log := newLogger(st.core.LogLevel, st.core.LogFormat, stderr)
	if sub == "list" && st.spool.NATSURL == "" {
		// A running bridge holds the embedded spool: ask its admin server.
		dls, err := dlqListFromAdmin(ctx, st.core.adminAddr(), *sink, *limit)
		if err == nil {
			printDeadLetters(stdout, dls)
			return 0
		}
		if !errors.Is(err, errNoAdmin) {
			fmt.Fprintf(stderr, "auditbridge dlq list: %v\n", err)
			return 1
		}
	}
	spool, closeSpool, err := openCommandSpool(ctx, st, log)
	if err != nil {
		fmt.Fprintln(stderr, "auditbridge dlq:", err)
		if sub != "list" && st.spool.NATSURL == "" {
			fmt.Fprintf(stderr, "auditbridge dlq %s changes the embedded spool, which a running bridge holds: stop it (SIGTERM; "+
				"it delivers what is in flight and keeps the rest), run dlq %s, start it again. "+
				"dlq list works while it runs.\n", sub, sub)
		}
		return 1
	}
	defer closeSpool()
	switch sub {
	case "list":
		err = dlqList(ctx, spool, *sink, *limit, stdout)
	case "purge":
		var n int
		if n, err = spool.DLQPurge(ctx, *sink); err == nil {
			fmt.Fprintf(stdout, "purged %d dead letters\n", n)
		}
	case "replay":
		err = dlqReplay(ctx, spool, st, *sink, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "auditbridge dlq %s: %v\n", sub, err)
		return 1
	}
	return 0
}

// dlqOptions are the flags of the dlq subcommands.
type dlqOptions struct {
	sink  string
	limit int
}

// dlqFlagValues defines the dlq flags on fs (list's -limit too: replay and
// purge accept and ignore it).
func dlqFlagValues(fs *flag.FlagSet) *dlqOptions {
	o := &dlqOptions{}
	fs.StringVar(&o.sink, "sink", "", "only this sink's dead letters")
	fs.IntVar(&o.limit, "limit", 100, "list at most this many (0 = all)")
	return o
}

// dlqFlags is dlq list's flag set, for its help.
func dlqFlags(fs *flag.FlagSet) { dlqFlagValues(fs) }

func dlqList(ctx context.Context, spool *bridge.Spool, sink string, limit int, w io.Writer) error {
	dls, err := spool.DLQList(ctx, sink, limit)
	if err != nil {
		return err
	}
	printDeadLetters(w, dls)
	return nil
}

// printDeadLetters writes one line per dead letter and a count.
func printDeadLetters(w io.Writer, dls []bridge.DeadLetter) {
	for _, d := range dls {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", d.Seq, d.Time.UTC().Format(time.RFC3339), printable(d.Sink),
			printable(d.Class), orDash(printable(d.EventID)), printable(d.Reason))
	}
	fmt.Fprintf(w, "%d dead letters listed\n", len(dls))
}

// dlqReplay resends the dead letters of sink, or of every configured sink.
// The running bridge's dispatchers then deliver them (to that sink only).
func dlqReplay(ctx context.Context, spool *bridge.Spool, st *settings, sink string, w io.Writer) error {
	sinks := []string{sink}
	if sink == "" {
		sinks = nil
		for _, ss := range st.sinks {
			sinks = append(sinks, ss.sinkName())
		}
	}
	for _, s := range sinks {
		n, err := spool.DLQReplay(ctx, s)
		if err != nil {
			return fmt.Errorf("sink %s: %w", s, err)
		}
		fmt.Fprintf(w, "sink %s: %d events back in the spool\n", s, n)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
