package main

import (
	"path/filepath"
	"testing"
)

// TestExamples loads every config in examples/ as `run --config` would,
// with its env() secrets set, and checks its sinks and filters.
func TestExamples(t *testing.T) {
	env := map[string]string{"HEC_TOKENS": "00000000-0000-0000-0000-000000000001", "TFC_TOKEN": "tfc-token",
		"SPLUNK_TOKEN": "splunk-token", "ES_API_KEY": "es-key"}
	want := map[string][]string{
		"one-siem.hcl":         {"siem"},
		"siem-and-archive.hcl": {"siem", "archive"},
		"per-product.hcl":      {"boundary", "terraform", "vault", "people"},
	}
	files, err := filepath.Glob("../../examples/*.hcl")
	if err != nil || len(files) != len(want) {
		t.Fatalf("examples: %v %v; want %d files", files, err, len(want))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			e := map[string]string{configFileVar: f}
			for k, v := range env {
				e[k] = v
			}
			st, err := loadSettings(envMap(e))
			if err != nil {
				t.Fatalf("loadSettings: %v", err)
			}
			names := want[filepath.Base(f)]
			if len(st.sinks) != len(names) {
				t.Fatalf("%d sinks, want %v", len(st.sinks), names)
			}
			for i, ss := range st.sinks {
				if ss.sinkName() != names[i] {
					t.Errorf("sink %d is %q, want %q", i, ss.sinkName(), names[i])
				}
			}
			if len(st.sources) == 0 {
				t.Error("no source enabled")
			}
		})
	}
}
