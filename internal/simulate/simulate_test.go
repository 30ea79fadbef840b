package simulate

import (
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// Every generated record must normalize to a known kind (never unknown),
// with a unique id, the stamped time, and Boundary's serialized copy agreeing.
func TestGeneratedRecordsNormalize(t *testing.T) {
	s, err := NewStream(1)
	if err != nil {
		t.Fatal(err)
	}
	p := normalize.NewParser()
	ids := map[string]bool{}
	kinds := map[string]int{}
	base := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	for i := range 2000 {
		at := base.Add(time.Duration(i) * time.Second)
		rec := s.Next(at)
		evs, err := p.Parse(rec)
		if err != nil || len(evs) != 1 {
			t.Fatalf("record %d: %v (%d events): %s", i, err, len(evs), rec)
		}
		ev := evs[0]
		if ev.Kind == normalize.KindUnknown {
			t.Fatalf("record %d normalized as unknown: %s", i, rec)
		}
		if ids[ev.ID] {
			t.Fatalf("record %d repeats id %s", i, ev.ID)
		}
		ids[ev.ID] = true
		kinds[ev.Kind]++
		if !ev.Time.Equal(at) {
			t.Fatalf("record %d (%s): time %s, want %s", i, ev.Kind, ev.Time, at)
		}
		if check, ok := ev.Meta.Get("serialized_check"); ok && string(check) != `"match"` {
			t.Fatalf("record %d: serialized_check %s", i, check)
		}
	}
	for _, k := range []string{normalize.KindHCPControl, normalize.KindHCPPlatform, normalize.KindBoundary, normalize.KindPacker} {
		if kinds[k] == 0 {
			t.Errorf("no %s in 2000 records: %v", k, kinds)
		}
	}
	t.Logf("kinds: %v", kinds)
}

func TestSameSeedSameRecords(t *testing.T) {
	a, _ := NewStream(7)
	b, _ := NewStream(7)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 50 {
		if x, y := a.Next(at), b.Next(at); string(x) != string(y) {
			t.Fatalf("record %d differs for the same seed", i)
		}
	}
}
