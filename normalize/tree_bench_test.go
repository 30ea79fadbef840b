package normalize

import (
	"os"
	"testing"
)

// BenchmarkTreeParse is the tree alone (tree.parse: check, compact and
// index) over one published record of each kind, pretty-printed as
// published and compact: the whole-record hot path of every intake.
func BenchmarkTreeParse(b *testing.B) {
	var recs [][]byte
	size := 0
	for _, file := range []string{"tfc/page.json", "hcp_control_plane/docs_vault_radar_connection_create.json",
		"boundary/sessions.json", "packer/docs_channel_assign.json", "hcp_platform/auth_success.json"} {
		data, err := os.ReadFile("testdata/" + file)
		if err != nil {
			b.Fatal(err)
		}
		compact, _ := appendCompact(nil, data)
		recs = append(recs, data, compact)
		size += len(data) + len(compact)
	}
	var t tree
	var dst []byte
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, rec := range recs {
			var ok bool
			if dst, ok = t.parse(dst[:0], rec); !ok {
				b.Fatal("invalid record")
			}
		}
	}
}
