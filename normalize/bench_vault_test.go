//go:build unix

package normalize

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
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
	vsBaseline(b, loadVaultCorpus(b), 16)
}
