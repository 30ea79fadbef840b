package normalize

import (
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkParseKind parses one record of each kind with a reused Parser,
// next to encoding/json decoding the same bytes into map[string]any.
func BenchmarkParseKind(b *testing.B) {
	for _, file := range []string{"tfc/page.json", "hcp_control_plane/docs_vault_radar_connection_create.json",
		"boundary/sessions.json", "packer/docs_channel_assign.json", "hcp_platform/auth_success.json"} {
		data, err := os.ReadFile("testdata/" + file)
		if err != nil {
			b.Fatal(err)
		}
		rec, _ := appendCompact(nil, data)
		b.Run(file+"/parse", func(b *testing.B) {
			p := NewParser()
			b.SetBytes(int64(len(rec)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := p.Parse(rec); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(file+"/decode-map", func(b *testing.B) {
			b.SetBytes(int64(len(rec)))
			b.ReportAllocs()
			for b.Loop() {
				var m map[string]any
				if err := json.Unmarshal(rec, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
