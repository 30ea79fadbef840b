package tail

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

// TestEventsRecordTheirFile: events read from a file record "tail:<path>"
// as their intake.
func TestEventsRecordTheirFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	g, rec := newLineGen(t), &testutil.Publisher{}
	sent := g.appendLines(t, create(t, path), 10)
	r := start(t, testConfig(filepath.Join(dir, "*.log")), newMemKV(), rec)
	defer r.stop(t)
	deadline := time.Now().Add(20 * time.Second)
	for len(rec.Meta(normalize.MetaIntake)) < len(sent) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := rec.Meta(normalize.MetaIntake)
	if len(got) != len(sent) {
		t.Fatalf("published %d events, want %d", len(got), len(sent))
	}
	want := string(normalize.IntakeValue("tail:" + path))
	for _, g := range got {
		if g != want {
			t.Fatalf("meta.intake = %s, want %s", g, want)
		}
	}
}
