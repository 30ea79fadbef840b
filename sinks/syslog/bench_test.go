package syslog

import (
	"context"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

func BenchmarkEncode(b *testing.B) {
	ev := hostileEvent()
	for _, format := range []string{"rfc5424", "rfc3164"} {
		for _, body := range []string{"json", "cef", "leef"} {
			b.Run(format+"_"+body, func(b *testing.B) {
				enc := testEncoder(format, body)
				var msg, buf []byte
				b.ReportAllocs()
				for b.Loop() { // buffers reused, as Send does
					msg = enc.appendMessage(msg[:0], &ev)
					buf = appendOctetCounted(buf[:0], msg)
				}
				b.SetBytes(int64(len(buf)))
			})
		}
	}
}

// BenchmarkSendTCP sends 500-event batches to a 127.0.0.1 collector that
// reads and parses every frame; ns/op is per batch.
func BenchmarkSendTCP(b *testing.B) {
	batch := make([]normalize.Event, 500)
	for i := range batch {
		batch[i] = hostileEvent()
	}
	for _, confirm := range []string{"half-close", "read-check", "none"} {
		b.Run(confirm, func(b *testing.B) {
			col := newCollector(b, nil)
			go func() {
				for range col.msgs {
				}
			}()
			cfg := testConfig(col.ln.Addr().String())
			cfg.Confirm = confirm
			s, err := New(cfg, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close(context.Background())
			b.ReportAllocs()
			for b.Loop() {
				if err := s.Send(context.Background(), batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
		})
	}
}
