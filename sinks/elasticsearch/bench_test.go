package elasticsearch

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/sinks/sinktest"
	"github.com/hashicorp/go-hclog"
)

// benchURL, when set, points the benchmarks at an external counting _bulk
// server (bench/elasticsearch), so that the CPU measured is the sink's alone.
const benchURLEnv = "AUDITBRIDGE_BENCH_ES_URL"

// countingBulk is a minimal in-process _bulk server: it counts create
// actions and answers each with 201.
type countingBulk struct{ events atomic.Int64 }

func (c *countingBulk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	if !strings.HasSuffix(r.URL.Path, "/_bulk") {
		io.WriteString(w, `{"version":{"number":"8.15.0"},"index_templates":[{"index_template":{"version":1000}}]}`)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		body = zr
	}
	b, _ := io.ReadAll(body)
	n := bytes.Count(b, []byte(`{"create":`))
	c.events.Add(int64(n))
	out := append(make([]byte, 0, 40+26*n), `{"took":1,"errors":false,"items":[`...)
	for i := range n {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, `{"create":{"status":201}}`...)
	}
	w.Write(append(out, "]}"...))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSend measures events per CPU-second of encoding and sending
// batches of 500 events. With the in-process server the CPU includes the
// server's (reading, gunzip, counting); with AUDITBRIDGE_BENCH_ES_URL it is
// the sink's alone.
func BenchmarkSend(b *testing.B) {
	url := os.Getenv(benchURLEnv)
	where := "external"
	if url == "" {
		srv := httptest.NewServer(&countingBulk{})
		b.Cleanup(srv.Close)
		url, where = srv.URL, "inprocess"
	}
	const batchSize = 500
	batch := sinktest.Events(0, batchSize)
	for _, gz := range []bool{false, true} {
		b.Run(fmt.Sprintf("server=%s/gzip=%t/batch=%d", where, gz, batchSize), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Addresses, cfg.Gzip, cfg.InstallTemplate = []string{url}, gz, false
			s, err := New(cfg, hclog.NewNullLogger())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close(context.Background())
			ctx := context.Background()
			if err := s.Send(ctx, batch); err != nil { // warm up connections
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu0, wall0 := cpuTime(), time.Now()
			for b.Loop() {
				if err := s.Send(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			cpu, wall := cpuTime()-cpu0, time.Since(wall0)
			events := float64(b.N * batchSize)
			b.ReportMetric(events/cpu.Seconds(), "events/cpu-s")
			b.ReportMetric(events/wall.Seconds(), "events/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkEncode measures encoding alone (action lines + ECS rendering).
func BenchmarkEncode(b *testing.B) {
	batch := sinktest.Events(0, 500)
	var buf []byte
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		buf, _, _ = encodeBatch(buf[:0], batch, 10<<20, renderECS)
	}
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(len(buf))/float64(len(batch)), "bytes/event")
	b.ReportMetric(float64(b.N*len(batch))/cpu.Seconds(), "events/cpu-s")
}
