package splunkhec

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
)

func TestAppendEpoch(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want string
	}{
		{time.Unix(0, 0), "0.000"},
		{time.Unix(1718000000, 0), "1718000000.000"},
		{time.Unix(1718000000, 123_456_789), "1718000000.123"},
		{time.Unix(1718000000, 999_999_999), "1718000000.999"},
		{time.Unix(1, 5_000_000), "1.005"},
		{time.Unix(-1, 750_000_000), "-0.250"},
		{time.Unix(-2, 0), "-2.000"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			got := string(appendEpoch(nil, tc.t))
			if got != tc.want {
				t.Fatalf("appendEpoch(%v) = %s, want %s", tc.t, got, tc.want)
			}
			// The number parses back to the millisecond.
			f, err := strconv.ParseFloat(got, 64)
			if err != nil || int64(f*1000+0.5*sign(f)) != tc.t.UnixMilli() {
				t.Fatalf("%s parses to %v ms, want %d", got, f*1000, tc.t.UnixMilli())
			}
		})
	}
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

func TestAppendEventIsValidJSON(t *testing.T) {
	cfg := testConfig("http://x")
	cfg.Host, cfg.Source, cfg.Index = `h"1`, "src\\x", "idx"
	e := newEncoder(cfg)
	ev := sinktest.Event(1, "a \"quoted\"\nline \xff")
	ev.Product = normalize.ProductVaultRadar
	b := e.appendEvent(nil, &ev)
	if !strings.HasSuffix(string(b), "}\n") {
		t.Fatalf("event does not end in a newline: %s", b)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	for k, want := range map[string]string{"host": `"h\"1"`, "source": `"src\\x"`, "index": `"idx"`, "sourcetype": `"hashicorp:vault-radar:audit"`} {
		if string(got[k]) != want {
			t.Errorf("%s = %s, want %s", k, got[k], want)
		}
	}
	// Empty host/index/source are left out (HEC then uses the token's defaults).
	e = newEncoder(Config{Format: normalize.FormatNative})
	ev.Time = time.Time{}
	b = e.appendEvent(nil, &ev)
	got = nil
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"host", "index", "source"} {
		if _, ok := got[k]; ok {
			t.Errorf("%s present although empty: %s", k, b)
		}
	}
	// The HEC time is never absent nor zero: an event without one gets now.
	var sec float64
	if err := json.Unmarshal(got["time"], &sec); err != nil || sec < float64(time.Now().Add(-time.Hour).Unix()) {
		t.Errorf("time %s for an event without one, want now: %s", got["time"], b)
	}
}

func TestChunks(t *testing.T) {
	e := newEncoder(Config{Format: normalize.FormatNative})
	batch := sinktest.Events(0, 10)
	batch[3].Message = strings.Repeat("m", 5000)
	enc := e.encode(batch, nil)
	one := enc.size(0)
	for _, tc := range []struct {
		name   string
		limit  int
		sizes  []int
		tooBig []int
	}{
		{"all fit", 1 << 20, []int{10}, nil},
		{"big one alone", one * 3, []int{3, 3, 3}, []int{3}},
		{"two per request, skipping the big one", one*2 + 1, []int{2, 2, 2, 2, 1}, []int{3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chunks, tooBig := enc.chunks(len(batch), tc.limit)
			var sizes []int
			var all []int
			for _, c := range chunks {
				sizes = append(sizes, len(c))
				all = append(all, c...)
				if n := len(enc.body(c)); n > tc.limit {
					t.Errorf("chunk %v is %d bytes, over %d", c, n, tc.limit)
				}
			}
			if !slices.Equal(sizes, tc.sizes) || !slices.Equal(tooBig, tc.tooBig) {
				t.Fatalf("chunk sizes %v, too big %v; want %v, %v", sizes, tooBig, tc.sizes, tc.tooBig)
			}
			if len(all)+len(tooBig) != len(batch) {
				t.Fatalf("chunks cover %d events + %d too big, want %d", len(all), len(tooBig), len(batch))
			}
		})
	}
	// A non-contiguous body is the concatenation of its events.
	if got, want := string(enc.body([]int{0, 2})), string(enc.buf[enc.off[0]:enc.off[1]])+string(enc.buf[enc.off[2]:enc.off[3]]); got != want {
		t.Fatalf("body([0 2]) = %q, want %q", got, want)
	}
}
