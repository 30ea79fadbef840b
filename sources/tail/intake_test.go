package tail

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// intakes records the provenance of every published event.
type intakes struct {
	mu  sync.Mutex
	got []string
}

func (r *intakes) Publish(_ context.Context, evs []normalize.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		r.got = append(r.got, string(e.Meta[normalize.MetaIntake]))
	}
	return nil
}

func (r *intakes) all() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// TestEventsRecordTheirFile: events read from a file record "tail:<path>"
// as their intake.
func TestEventsRecordTheirFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	g, rec := newLineGen(t), &intakes{}
	sent := g.appendLines(t, create(t, path), 10)
	r := start(t, testConfig(filepath.Join(dir, "*.log")), newMemKV(), rec)
	defer r.stop(t)
	deadline := time.Now().Add(20 * time.Second)
	for len(rec.all()) < len(sent) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	got := rec.all()
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
