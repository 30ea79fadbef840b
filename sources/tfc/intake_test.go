package tfc

import (
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sources/tfc/tfcsim"
)

// TestEventsRecordTheirOrg: every published event records the poller's org
// label as its provenance (meta.intake "tfc:<label>").
func TestEventsRecordTheirOrg(t *testing.T) {
	f := newFixture(t)
	f.addRange(tfcsim.NewGenerator("org-test", 3), 20, f.now.Add(-time.Hour), time.Second)
	p := f.poller(t, f.kv)
	mustCycle(t, p)
	if len(f.pub.Events()) != 20 {
		t.Fatalf("published %d events, want 20", len(f.pub.Events()))
	}
	want := `"tfc:` + p.org.Label + `"`
	for _, ev := range f.pub.Events() {
		if got := string(ev.Meta.Value(normalize.MetaIntake)); got != want {
			t.Fatalf("event %s: meta.intake = %s, want %s", ev.ID, got, want)
		}
	}
}
