package splunkhec

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
	"github.com/hashicorp/go-hclog"
)

// BenchmarkSend measures the sink (CIM rendering, HEC envelope, optional
// gzip, POST) against an in-process counting HEC server, 500 events per
// Send. Both share the process, so ns/op and events/cpu-s (process CPU time
// from getrusage, less sensitive to a busy machine than wall time) include
// the server's work.
func BenchmarkSend(b *testing.B) {
	for _, gz := range []bool{false, true} {
		name := "plain"
		if gz {
			name = "gzip"
		}
		b.Run(name, func(b *testing.B) {
			var events atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var body io.Reader = r.Body
				if r.Header.Get("Content-Encoding") == "gzip" {
					zr, err := gzip.NewReader(r.Body)
					if err != nil {
						w.WriteHeader(400)
						return
					}
					body = zr
				}
				data, _ := io.ReadAll(body)
				events.Add(int64(bytes.Count(data, []byte("}\n"))))
				io.WriteString(w, `{"text":"Success","code":0}`)
			}))
			defer srv.Close()
			cfg := testConfig(srv.URL)
			cfg.Gzip = gz
			s, err := New(cfg, hclog.NewNullLogger())
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close(context.Background())
			batch := sinktest.Events(0, 500)
			for i := range batch {
				batch[i].Product = []string{normalize.ProductTerraform, normalize.ProductHCP, normalize.ProductBoundary}[i%3]
			}
			b.ReportAllocs()
			cpu0 := processCPU(b)
			b.ResetTimer()
			for b.Loop() {
				if err := s.Send(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			cpu := processCPU(b) - cpu0
			if got, want := events.Load(), int64(b.N)*int64(len(batch)); got != want {
				b.Fatalf("server counted %d events, want %d", got, want)
			}
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(b.N*len(batch))/cpu.Seconds(), "events/cpu-s")
		})
	}
}

// processCPU is the user+system CPU time of this process so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
