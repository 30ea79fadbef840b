package hec

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

// countingPublisher only counts events.
type countingPublisher struct{ n atomic.Int64 }

func (c *countingPublisher) Publish(_ context.Context, events []normalize.Event) error {
	c.n.Add(int64(len(events)))
	return nil
}

// discard is a minimal ResponseWriter.
type discard struct {
	h      http.Header
	status int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(s int)           { d.status = s }

// mixedBody is an HEC event body of n events cycling through every sample
// kind (HCP platform, HCP streaming envelope, Boundary, TFC page, Packer,
// TFE log line as a string event, unknown JSON), one per line.
func mixedBody(tb testing.TB, n int) []byte {
	tfe, err := os.ReadFile("testdata/tfe-plain.log")
	if err != nil {
		tb.Fatal(err)
	}
	line, _ := json.Marshal(strings.Split(string(tfe), "\n")[1])
	events := []string{
		sample(tb, "hcp-platform-auth-success.json"), sample(tb, "hcp-stream-vault-secrets.json"),
		sample(tb, "boundary-apirequest-sessions.json"), sample(tb, "tfc-audit-trail-page.json"),
		sample(tb, "packer-build-create.json"), string(line), `{"message":"something else","time":"2024-01-18T19:50:55Z"}`,
	}
	var b bytes.Buffer
	for i := range n {
		b.WriteString(wrap(events[i%len(events)]))
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// BenchmarkHandler measures the whole receive path (auth, gunzip, framing,
// normalize.Parse, one Publish) without a network, for a request of 500
// mixed events, plain and gzip. It reports events/s (wall) and CPU
// nanoseconds per event (user+system of the whole process, so it includes
// the GC's background work).
func BenchmarkHandler(b *testing.B) {
	plain := mixedBody(b, 500)
	for _, tc := range []struct {
		name     string
		body     []byte
		encoding string
	}{
		{"plain", plain, ""},
		{"gzip", []byte(gz(b, string(plain))), "gzip"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			pub := &countingPublisher{}
			s, err := New(DefaultConfig("127.0.0.1:0", testToken), nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			h := s.Handler(pub)
			req, _ := http.NewRequest(http.MethodPost, "/services/collector/event", nil)
			req.Header.Set("Authorization", "Splunk "+testToken)
			if tc.encoding != "" {
				req.Header.Set("Content-Encoding", tc.encoding)
			}
			req.ContentLength = int64(len(tc.body))
			w := &discard{h: http.Header{}}
			b.SetBytes(int64(len(plain))) // uncompressed bytes, for both
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cpuTime(b)
			for b.Loop() {
				req.Body = io.NopCloser(bytes.NewReader(tc.body))
				w.status = 0
				h.ServeHTTP(w, req)
				if w.status != http.StatusOK {
					b.Fatalf("status %d", w.status)
				}
			}
			n := float64(pub.n.Load())
			b.ReportMetric(n/b.Elapsed().Seconds(), "events/s")
			// The machine is shared: CPU time per event is steadier than wall time.
			b.ReportMetric(float64(cpuTime(b)-cpu0)/n, "cpu-ns/event")
		})
	}
}

// cpuTime is the process's user+system CPU time in nanoseconds.
func cpuTime(b *testing.B) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
