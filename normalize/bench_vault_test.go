//go:build unix

package normalize

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// loadVaultCorpus is the Vault audit mix: every record of testdata/vault/
// and testdata/vault_wrapped/ (logins, KV reads, sys/ changes, token
// lookups, permission-denied errors, wrap_info, HEC and shipper wrappers),
// compacted as a file or socket audit device writes them.
func loadVaultCorpus(b *testing.B) *benchCorpus {
	b.Helper()
	c := &benchCorpus{}
	for _, pat := range []string{"testdata/vault/*.log", "testdata/vault/*.json", "testdata/vault_wrapped/*.log"} {
		files, err := filepath.Glob(pat)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			if filepath.Ext(f) == ".json" && bytes.HasSuffix([]byte(f), []byte(".golden.json")) {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			err = ReadRecords(bytes.NewReader(data), func(r Record) error {
				rec, ok := appendCompact(nil, r.Data)
				if !ok {
					return nil
				}
				evs, perr := Parse(rec)
				if perr != nil || len(evs) == 0 || evs[0].Kind != KindVaultAudit {
					return nil
				}
				c.records = append(c.records, rec)
				c.bytes += int64(len(rec))
				c.events += len(evs)
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	if c.events < 20 {
		b.Fatalf("Vault mix has %d events, want at least 20", c.events)
	}
	return c
}

// BenchmarkVaultMixVsBaseline is BenchmarkNormalizeVsBaselineBlocks on the
// Vault audit mix: blocks of 16 encoding/json map passes and 16 normalize
// passes alternate in every op. events/cpu-s and baseline-events/cpu-s
// are events per CPU-second of the process (getrusage), x-baseline-cpu
// their ratio.
func BenchmarkVaultMixVsBaseline(b *testing.B) {
	c := loadVaultCorpus(b)
	const block = 16
	for _, f := range Formats() {
		b.Run(string(f), func(b *testing.B) {
			p := NewParser()
			buf := make([]byte, 0, 64<<10)
			var base, norm, baseCPU, normCPU time.Duration
			for b.Loop() {
				t0, c0 := time.Now(), cpuTime(b)
				for range block {
					c.decodeMapPass()
				}
				t1, c1 := time.Now(), cpuTime(b)
				for range block {
					buf = c.normalizePass(b, p, buf, f)
				}
				t2, c2 := time.Now(), cpuTime(b)
				base, baseCPU = base+t1.Sub(t0), baseCPU+c1-c0
				norm, normCPU = norm+t2.Sub(t1), normCPU+c2-c1
			}
			events := float64(b.N * c.events * block)
			b.ReportMetric(events/norm.Seconds(), "events/s")
			if normCPU > 0 && baseCPU > 0 {
				b.ReportMetric(events/normCPU.Seconds(), "events/cpu-s")
				b.ReportMetric(events/baseCPU.Seconds(), "baseline-events/cpu-s")
				b.ReportMetric(baseCPU.Seconds()/normCPU.Seconds(), "x-baseline-cpu")
			}
		})
	}
}
