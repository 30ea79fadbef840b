// Command syslogsend is a test driver for the integration tests in
// integration/syslog: it reads native events (NDJSON) on stdin and sends
// them through the syslog sink configured by AUDITBRIDGE_SYSLOG_*, in
// batches, retrying a failed batch after a short pause the way the delivery
// engine does. For every event it prints "delivered <id>" once the Send
// that carried it returned success (or "dead <id>" for a permanent
// failure), so a test knows exactly what the sink counted as delivered.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/syslog"
	"github.com/kelseyhightower/envconfig"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "syslogsend:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, stdin io.Reader, stdout, stderr io.Writer) error {
	batchSize := flag.Int("batch", 50, "events per Send")
	retryWait := flag.Duration("retry-wait", 50*time.Millisecond, "pause before resending a failed batch")
	pace := flag.Duration("pace", 0, "pause between batches (to spread a run over time)")
	pauseEvery := flag.Int("pause-every", 0, `after every N events print "paused N" and wait for SIGUSR1`)
	flag.Parse()
	var cfg syslog.Config
	if err := envconfig.Process("AUDITBRIDGE", &cfg); err != nil {
		return err
	}
	sink, err := syslog.New(cfg, nil)
	if err != nil {
		return err
	}
	defer sink.Close(context.Background())
	events, err := readEvents(stdin)
	if err != nil {
		return err
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	resume := make(chan os.Signal, 1)
	signal.Notify(resume, syscall.SIGUSR1)
	defer signal.Stop(resume)
	for start := 0; start < len(events); start += *batchSize {
		batch := events[start:min(start+*batchSize, len(events))]
		if err := sendUntilDone(ctx, sink, batch, *retryWait, out, stderr); err != nil {
			return err
		}
		if sent := start + len(batch); *pauseEvery > 0 && sent%*pauseEvery == 0 && sent < len(events) {
			fmt.Fprintln(out, "paused", sent)
			out.Flush()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-resume:
			}
		}
		if *pace > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(*pace):
			}
		}
	}
	return nil
}

// sendUntilDone resends batch until Send reports every event delivered or
// dead-lettered.
func sendUntilDone(ctx context.Context, sink *syslog.Sink, batch []normalize.Event, wait time.Duration, out *bufio.Writer, stderr io.Writer) error {
	for attempt := 1; ; attempt++ {
		err := sink.Send(ctx, batch)
		var pe *bridge.PartialError
		switch {
		case err == nil:
			for _, ev := range batch {
				fmt.Fprintln(out, "delivered", ev.ID)
			}
			return out.Flush()
		case errors.As(err, &pe):
			dead := map[int]bool{}
			for _, f := range pe.Failed {
				dead[f.Index] = true
			}
			for i, ev := range batch {
				if dead[i] {
					fmt.Fprintln(out, "dead", ev.ID)
				} else {
					fmt.Fprintln(out, "delivered", ev.ID)
				}
			}
			return out.Flush()
		}
		fmt.Fprintf(stderr, "retry attempt=%d error=%v\n", attempt, err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func readEvents(r io.Reader) ([]normalize.Event, error) {
	dec := json.NewDecoder(r)
	var events []normalize.Event
	for {
		var ev normalize.Event
		if err := dec.Decode(&ev); err == io.EOF {
			return events, nil
		} else if err != nil {
			return nil, fmt.Errorf("event %d: %w", len(events)+1, err)
		}
		events = append(events, ev)
	}
}
