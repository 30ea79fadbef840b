package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fakeAdmin serves /metrics whose counters grow by step per scrape, and a
// degraded /readyz, like a running bridge's admin server.
func fakeAdmin(t *testing.T, step float64) *httptest.Server {
	var n atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		k := float64(n.Add(1))
		fmt.Fprintf(w, `# HELP auditbridge_events_received_total Events received from a source, before spooling.
# TYPE auditbridge_events_received_total counter
auditbridge_events_received_total{source="hec"} %g
auditbridge_events_received_total{source="tfc"} 40
auditbridge_source_errors_total{source="tfc"} 2
auditbridge_events_delivered_total{sink="splunk"} %g
auditbridge_events_retried_total{sink="elasticsearch"} %g
auditbridge_events_dead_lettered_total{reason="permanent",sink="elasticsearch"} 3
auditbridge_events_dead_lettered_total{reason="rejected",sink="elasticsearch"} 4
auditbridge_sink_pending_events{sink="elasticsearch"} 1234
auditbridge_sink_pending_events{sink="splunk"} 0
auditbridge_spool_bytes 5.24288e+06
auditbridge_spool_full_total 0
`, 1000+k*step, 900+k*step, k*step/2)
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, "ready, degraded:\nsink.elasticsearch: failing for 2m0s: retrying: connection refused\n")
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// top shows per-source and per-sink rates and totals, backlog, retries,
// dead letters (summed over reasons), spool and readiness.
func TestTopRendersAdminState(t *testing.T) {
	srv := fakeAdmin(t, 100)
	addr := strings.TrimPrefix(srv.URL, "http://")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"top", "--addr", addr, "--once", "--interval", "200ms"},
		func(string) string { return "" }, nil, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(out.String(), "\n")
	row := func(first string) []string {
		for _, l := range lines {
			if f := strings.Fields(l); len(f) > 0 && f[0] == first {
				return f
			}
		}
		t.Fatalf("no row %q in:\n%s", first, out.String())
		return nil
	}
	// columns: SOURCE EVENTS/S RECEIVED ERRORS
	if hec := row("hec"); hec[2] != "1200" || hec[1] == "-" || hec[1] == "0.0" {
		t.Errorf("hec row %q: want a positive rate and 1200 received", hec)
	}
	if tfc := row("tfc"); tfc[1] != "0.0" || tfc[2] != "40" || tfc[3] != "2" {
		t.Errorf("tfc row %q", tfc)
	}
	// columns: SINK EVENTS/S DELIVERED BACKLOG RETRIES/S RETRIED DEAD LETTERS
	if es := row("elasticsearch"); es[3] != "1234" || es[5] != "100" || es[6] != "7" || es[4] == "0.0" {
		t.Errorf("elasticsearch row %q: want backlog 1234, retried 100, 7 dead letters, a retry rate", es)
	}
	if sp := row("splunk"); sp[2] != "1100" || sp[3] != "0" {
		t.Errorf("splunk row %q", sp)
	}
	for _, want := range []string{"spool: 5242880 bytes", "readiness: ready, degraded:",
		"sink.elasticsearch: failing for 2m0s: retrying: connection refused"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("view lacks %q:\n%s", want, out.String())
		}
	}
}

func TestTopWithoutBridge(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"top", "--addr", addr, "--once"}, func(string) string { return "" }, nil, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "no running bridge") {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}

// frameCounter cancels once it has seen want frames.
type frameCounter struct {
	frames, want int
	cancel       func()
}

func (f *frameCounter) Write(p []byte) (int, error) {
	f.frames += strings.Count(string(p), "\x1b[H\x1b[2J")
	if f.frames >= f.want {
		f.cancel()
	}
	return len(p), nil
}

// Without --once top redraws every interval until stopped.
func TestTopRefreshes(t *testing.T) {
	srv := fakeAdmin(t, 10)
	addr := strings.TrimPrefix(srv.URL, "http://")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := &frameCounter{want: 3, cancel: cancel}
	var errOut bytes.Buffer
	if code := run(ctx, []string{"top", "--addr", addr, "--interval", "50ms"}, func(string) string { return "" }, nil, out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if out.frames < 3 {
		t.Errorf("%d frames before the deadline, want 3", out.frames)
	}
}
