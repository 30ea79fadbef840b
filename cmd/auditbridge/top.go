package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// topOptions are top's flags.
type topOptions struct {
	addr     string
	interval time.Duration
	once     bool
}

func topFlagValues(fs *flag.FlagSet) *topOptions {
	o := &topOptions{}
	fs.StringVar(&o.addr, "addr", "", "admin server of the bridge (default: AUDITBRIDGE_ADMIN_ADDR, else 127.0.0.1:9880)")
	fs.DurationVar(&o.interval, "interval", time.Second, "refresh interval")
	fs.BoolVar(&o.once, "once", false, "print one view (rates over one interval) and exit")
	return o
}

// topFlags is top's flag set, for its help.
func topFlags(fs *flag.FlagSet) { topFlagValues(fs) }

// cmdTop shows a running bridge's rates, backlog, retries, dead letters and
// readiness, read from its admin server every interval, until ctx ends.
func cmdTop(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("auditbridge top", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := topFlagValues(fs)
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || o.interval <= 0 {
		return 2
	}
	addr := adminAddrFor(o.addr, getenv)
	prev, err := scrape(ctx, addr)
	if err != nil {
		fmt.Fprintf(stderr, "auditbridge top: %s: %v\n", addr, err)
		return 1
	}
	t := time.NewTicker(o.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return 0
		case <-t.C:
		}
		cur, err := scrape(ctx, addr)
		if err != nil {
			if ctx.Err() != nil {
				return 0
			}
			fmt.Fprintf(stderr, "auditbridge top: %s: %v\n", addr, err)
			return 1
		}
		var frame bytes.Buffer
		if !o.once {
			frame.WriteString("\x1b[H\x1b[2J") // home, clear screen
		}
		renderTop(&frame, addr, prev, cur)
		_, _ = stdout.Write(frame.Bytes())
		if o.once {
			return 0
		}
		prev = cur
	}
}

// adminAddrFor is flag, else AUDITBRIDGE_ADMIN_ADDR, else the default.
func adminAddrFor(flagAddr string, getenv func(string) string) string {
	if flagAddr != "" {
		return flagAddr
	}
	if v := strings.TrimSpace(getenv(envPrefix + "ADMIN_ADDR")); v != "" && v != "off" {
		return v
	}
	return "127.0.0.1:9880"
}

// sample is one scrape of the admin server.
type sample struct {
	at      time.Time
	metrics map[string]float64 // `name{labels}` as exposed → value
	ready   string             // /readyz body
}

func scrape(ctx context.Context, addr string) (sample, error) {
	body, err := adminGet(ctx, addr, "/metrics")
	if err != nil {
		return sample{}, err
	}
	s := sample{at: time.Now(), metrics: parseMetrics(body)}
	r, err := adminGet(ctx, addr, "/readyz")
	if err != nil {
		s.ready = strings.TrimSpace(strings.TrimPrefix(err.Error(), "admin server /readyz: 503 Service Unavailable: "))
		if !strings.HasPrefix(s.ready, "not ready") {
			s.ready = "not ready: " + s.ready
		}
	} else {
		s.ready = strings.TrimSpace(string(r))
	}
	return s, nil
}

// parseMetrics reads the Prometheus text format: every sample line as
// "name{labels}" → value (comments and histograms' buckets kept as is).
func parseMetrics(b []byte) map[string]float64 {
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		out[line[:i]] = v
	}
	return out
}

// byLabel sums the samples of metric by the value of label.
func (s sample) byLabel(metric, label string) map[string]float64 {
	out := map[string]float64{}
	for k, v := range s.metrics {
		name, labels, _ := strings.Cut(k, "{")
		if name != metric {
			continue
		}
		for part := range strings.SplitSeq(strings.TrimSuffix(labels, "}"), ",") {
			if lk, lv, ok := strings.Cut(part, "="); ok && lk == label {
				out[strings.Trim(lv, `"`)] += v
			}
		}
	}
	return out
}

// renderTop writes one view: rates over the interval between prev and cur.
func renderTop(w io.Writer, addr string, prev, cur sample) {
	secs := cur.at.Sub(prev.at).Seconds()
	rate := func(metric, label, key string) string {
		d := cur.byLabel(metric, label)[key] - prev.byLabel(metric, label)[key]
		if secs <= 0 || d < 0 {
			return "-"
		}
		return strconv.FormatFloat(d/secs, 'f', 1, 64)
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }
	fmt.Fprintf(w, "auditbridge top  %s  %s\n\n", addr, cur.at.Format("15:04:05"))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	received := cur.byLabel("auditbridge_events_received_total", "source")
	errs := cur.byLabel("auditbridge_source_errors_total", "source")
	fmt.Fprintln(tw, "SOURCE\tEVENTS/S\tRECEIVED\tERRORS")
	for _, src := range slices.Sorted(maps.Keys(received)) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", src, rate("auditbridge_events_received_total", "source", src),
			num(received[src]), num(errs[src]))
	}
	_ = tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	delivered := cur.byLabel("auditbridge_events_delivered_total", "sink")
	pending := cur.byLabel("auditbridge_sink_pending_events", "sink")
	retried := cur.byLabel("auditbridge_events_retried_total", "sink")
	dead := cur.byLabel("auditbridge_events_dead_lettered_total", "sink")
	sinks := map[string]bool{}
	for _, m := range []map[string]float64{delivered, pending, retried, dead} {
		for k := range m {
			sinks[k] = true
		}
	}
	fmt.Fprintln(tw, "SINK\tEVENTS/S\tDELIVERED\tBACKLOG\tRETRIES/S\tRETRIED\tDEAD LETTERS")
	for _, sink := range slices.Sorted(maps.Keys(sinks)) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", sink, rate("auditbridge_events_delivered_total", "sink", sink),
			num(delivered[sink]), num(pending[sink]), rate("auditbridge_events_retried_total", "sink", sink),
			num(retried[sink]), num(dead[sink]))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "\nspool: %s bytes, %s publishes refused (full)\n",
		num(cur.metrics["auditbridge_spool_bytes"]), num(cur.metrics["auditbridge_spool_full_total"]))
	fmt.Fprintf(w, "readiness: %s\n", strings.ReplaceAll(cur.ready, "\n", "\n  "))
}
