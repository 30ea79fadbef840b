//go:build unix

package normalize

import (
	"testing"
	"time"
)

// BenchmarkBreakdown says where Parse+render time goes, as fractions of the
// encoding/json map-decoding baseline measured in the same ops on the same
// realistic compact corpus (each stage runs once per op, interleaved, timed
// by process CPU time): compact is the validating compaction pass alone,
// tree the one-pass parse that validates, compacts and indexes, parse the
// whole Parse, appendparse AppendParse with Reset per record (what the
// normalize pass does), and render-<format> the rendering of already-parsed
// events. Each reported figure is that stage's CPU time over the
// baseline's, so appendparse + render-f is what
// BenchmarkNormalizeVsBaseline/f compares with 1.
func BenchmarkBreakdown(b *testing.B) {
	c := loadBenchCorpus(b, true)
	var evs []Event
	for _, rec := range c.records {
		e, _ := Parse(rec)
		evs = append(evs, e...)
	}
	p, t := NewParser(), &tree{}
	var out []Event
	buf := make([]byte, 0, 64<<10)
	stages := []struct {
		name string
		run  func()
	}{
		{"baseline", c.decodeMapPass},
		{"compact", func() {
			for _, rec := range c.records {
				buf, _ = appendCompact(buf[:0], rec)
			}
		}},
		{"tree", func() {
			for _, rec := range c.records {
				buf, _ = t.parse(buf[:0], rec)
			}
		}},
		{"parse", func() {
			for _, rec := range c.records {
				_, _ = p.Parse(rec)
			}
		}},
		{"appendparse", func() {
			for _, rec := range c.records {
				p.Reset()
				out, _ = p.AppendParse(out[:0], rec)
			}
		}},
	}
	for _, f := range Formats() {
		stages = append(stages, struct {
			name string
			run  func()
		}{"render-" + string(f), func() {
			for i := range evs {
				buf = AppendJSON(buf[:0], &evs[i], f)
			}
		}})
	}
	spent := make([]time.Duration, len(stages))
	for b.Loop() {
		for i, s := range stages {
			t0 := cpuTime(b)
			s.run()
			spent[i] += cpuTime(b) - t0
		}
	}
	for i, s := range stages[1:] {
		b.ReportMetric(spent[i+1].Seconds()/spent[0].Seconds(), s.name+"/baseline")
	}
}
