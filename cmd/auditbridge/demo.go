package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/auditbridge/auditbridge/internal/simulate"
	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

const (
	demoHECToken = "demo-stream-token"
	demoTFCToken = "demo-tfc-token"
)

// cmdDemo runs the whole pipeline on one machine without Docker: an
// embedded spool in a temporary directory, a simulated audit-trail API that
// the real poller reads, simulated HCP streaming events posted to the real
// HEC receiver, and the file and stdout sinks; then a summary.
func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("auditbridge demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := demoFlagValues(fs)
	n, format, keep := &o.events, &o.format, &o.keep
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *n < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "auditbridge demo: --events must be positive and no arguments are taken")
		return 2
	}
	dir, err := os.MkdirTemp("", "auditbridge-demo-")
	if err != nil {
		fmt.Fprintf(stderr, "auditbridge demo: %v\n", err)
		return 1
	}
	if !*keep {
		defer os.RemoveAll(filepath.Join(dir, "data")) // the events file stays
	}
	if err := runDemo(ctx, demoRun{dir: dir, events: *n, format: *format, print: o.stdout, getenv: getenv, stdout: stdout, stderr: stderr}); err != nil {
		fmt.Fprintf(stderr, "auditbridge demo: %v\n", err)
		return 1
	}
	return 0
}

// demoOptions are demo's flags.
type demoOptions struct {
	events int
	format string
	stdout bool
	keep   bool
}

func demoFlagValues(fs *flag.FlagSet) *demoOptions {
	o := &demoOptions{}
	fs.IntVar(&o.events, "events", 150, "events per simulated source (audit trail backlog, HCP streaming)")
	fs.StringVar(&o.format, "format", "cim", "rendering of the events: native, ecs, ocsf or cim")
	fs.BoolVar(&o.stdout, "stdout", false, "also print every event on stdout (the file has them all)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary spool and output directory after the demo (its path is printed)")
	return o
}

// demoFlags is demo's flag set, for its help.
func demoFlags(fs *flag.FlagSet) { demoFlagValues(fs) }

type demoRun struct {
	dir    string
	events int
	format string
	print  bool // the stdout sink too
	getenv func(string) string
	stdout io.Writer
	stderr io.Writer
}

func runDemo(ctx context.Context, d demoRun) error {
	api, err := startDemoAPI(ctx, d.events)
	if err != nil {
		return err
	}
	defer api.Close()
	hecAddr, err := freeAddr()
	if err != nil {
		return err
	}
	out := filepath.Join(d.dir, "events.ndjson")
	sinks := "file"
	if d.print {
		sinks = "file,stdout"
	}
	env := map[string]string{
		"AUDITBRIDGE_DATA_DIR": filepath.Join(d.dir, "data"), "AUDITBRIDGE_SINKS": sinks,
		"AUDITBRIDGE_FILE_PATH": out, "AUDITBRIDGE_STDOUT_FORMAT": d.format,
		"AUDITBRIDGE_FILE_BATCH_WAIT": "200ms", "AUDITBRIDGE_STDOUT_BATCH_WAIT": "200ms",
		"AUDITBRIDGE_HEC_ADDR": hecAddr, "AUDITBRIDGE_HEC_TOKENS": demoHECToken,
		"AUDITBRIDGE_TFC_TOKEN": demoTFCToken, "AUDITBRIDGE_TFC_ADDRESS": "http://" + api.Addr().String(),
		"AUDITBRIDGE_TFC_INTERVAL": "1s", "AUDITBRIDGE_ADMIN_ADDR": "off",
		"AUDITBRIDGE_LOG_LEVEL": "warn", "AUDITBRIDGE_SHUTDOWN_TIMEOUT": "10s",
	}
	st, err := loadSettings(func(k string) string { return env[k] })
	if err != nil {
		return fmt.Errorf("demo settings: %w", err)
	}
	log := newLogger("warn", "text", d.stderr)
	fmt.Fprintf(d.stderr, "auditbridge demo: spool and output in %s; audit-trail API on %s; HEC receiver on %s\n", d.dir, api.Addr(), hecAddr)
	start := time.Now()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- runBridge(runCtx, st, log, d.stdout) }()
	if err := postDemoStream(runCtx, hecAddr, d.events); err != nil {
		stop()
		<-done
		return err
	}
	want := 2 * d.events
	waitErr := waitLines(runCtx, out, want, 2*time.Minute)
	stop()
	if err := <-done; err != nil {
		return err
	}
	if waitErr != nil {
		return waitErr
	}
	return printSummary(d.stdout, out, want, time.Since(start), d.print)
}

// startDemoAPI serves a simulated audit-trail API with n events of the last
// hour on a loopback port.
func startDemoAPI(ctx context.Context, n int) (net.Listener, error) {
	sim := tfcsim.New(demoTFCToken)
	gen := tfcsim.NewGenerator("org-demo0simulated", 42)
	now := time.Now()
	for i := n; i > 0; i-- {
		sim.Add(gen.Next(now.Add(-time.Duration(i) * time.Hour / time.Duration(n))))
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: sim, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(l) }()
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	return l, nil
}

// postDemoStream waits for the HEC receiver and posts n streaming events in
// batches of 50, resending a batch that was not answered 200.
func postDemoStream(ctx context.Context, addr string, n int) error {
	s, err := simulate.NewStream(7)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 10 * time.Second}
	url := "http://" + addr + "/services/collector/event"
	for sent := 0; sent < n; {
		batch := make([][]byte, min(50, n-sent))
		for i := range batch {
			batch[i] = s.Next(time.Now())
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			err := simulate.PostHEC(ctx, client, url, demoHECToken, batch)
			if err == nil {
				break
			}
			if ctx.Err() != nil || time.Now().After(deadline) {
				return fmt.Errorf("post HCP streaming events: %w", err)
			}
			time.Sleep(100 * time.Millisecond) // receiver still starting
		}
		sent += len(batch)
	}
	return nil
}

// waitLines waits until path holds at least want lines.
func waitLines(ctx context.Context, path string, want int, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		got, _ := countLines(path)
		if got >= want {
			return nil
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d events were delivered within %s", got, want, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}

// printSummary counts the delivered events by product, kind and outcome.
// The events stay in path (native rendering), which is printed last.
func printSummary(w io.Writer, path string, want int, took time.Duration, printed bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	type key struct{ product, kind, outcome string }
	counts := map[key]int{}
	ids := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var ev struct{ ID, Product, Kind, Outcome string }
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			return fmt.Errorf("file sink output: %w", err)
		}
		ids[ev.ID] = true
		counts[key{ev.Product, ev.Kind, ev.Outcome}]++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return strings.Join([]string{keys[i].product, keys[i].kind, keys[i].outcome}, " ") <
			strings.Join([]string{keys[j].product, keys[j].kind, keys[j].outcome}, " ")
	})
	sinks := "the file sink"
	if printed {
		sinks = "the file and stdout sinks"
	}
	fmt.Fprintf(w, "\n== auditbridge demo summary: %d events sent, %d distinct delivered to %s in %s\n",
		want, len(ids), sinks, took.Round(10*time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PRODUCT\tKIND\tOUTCOME\tEVENTS")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", k.product, k.kind, k.outcome, counts[k])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "events (native NDJSON): %s\n", path)
	if !printed {
		fmt.Fprintln(w, "(--stdout prints them as they are delivered, --keep keeps the spool directory too)")
	}
	if len(ids) < want {
		return errors.New("some events were not delivered")
	}
	return nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
