package splunk

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRoutingToTwoHECReceivers runs the bridge with a config file of two
// splunk sinks, each with its filter, each to its own OpenTelemetry
// Collector HEC receiver: Boundary events to one with a per-product index
// template, everything else to the other. Each receiver gets exactly its
// share, once.
func TestRoutingToTwoHECReceivers(t *testing.T) {
	s := loadSamples(t)
	boundary, others := startCollector(t, goodToken, false), startCollector(t, goodToken, false)
	cfg := filepath.Join(t.TempDir(), "routing.hcl")
	text := fmt.Sprintf(`
sink "splunk" "boundary" {
  url    = %q
  token  = env("IT_SPLUNK_TOKEN")
  index  = "hashicorp_${product}"
  filter = "product == \"boundary\""
}

sink "splunk" "others" {
  url    = %q
  token  = env("IT_SPLUNK_TOKEN")
  index  = "hashicorp_other"
  filter = "product != \"boundary\""
}
`, boundary.URL, others.URL)
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	wantBoundary := 0
	for _, ev := range s.native {
		if ev.Product == "boundary" {
			wantBoundary++
		}
	}
	if wantBoundary == 0 || wantBoundary == len(s.native) {
		t.Fatalf("samples: %d of %d are boundary events; need both kinds", wantBoundary, len(s.native))
	}
	b := startBridge(t, map[string]string{
		"AUDITBRIDGE_CONFIG": cfg, "IT_SPLUNK_TOKEN": goodToken,
		"AUDITBRIDGE_SINKS": "", "AUDITBRIDGE_SPLUNK_INDEX": "", // the file's, not startBridge's defaults
	})
	for _, f := range s.files {
		b.post(t, f)
	}
	for _, c := range []struct {
		name  string
		col   collector
		want  int
		index string
	}{{"boundary", boundary, wantBoundary, "hashicorp_boundary"}, {"others", others, len(s.native) - wantBoundary, "hashicorp_other"}} {
		got := c.col.waitFor(t, c.want, 60*time.Second)
		if len(got) != c.want {
			t.Errorf("%s: %d records, want %d", c.name, len(got), c.want)
		}
		for _, r := range got {
			if r.Attrs["com.splunk.index"] != c.index {
				t.Errorf("%s: record with index %q, want %q", c.name, r.Attrs["com.splunk.index"], c.index)
			}
		}
	}
}
