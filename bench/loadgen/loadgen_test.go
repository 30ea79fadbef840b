package loadgen

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"testing"
)

func TestRecordsAreValidJSONWithTheirIDs(t *testing.T) {
	g := Generator{Prefix: "t"}
	for i := range 400 {
		rec := g.Append(nil, i)
		var v map[string]any
		if err := json.Unmarshal(rec, &v); err != nil {
			t.Fatalf("record %d (%s): %v\n%s", i, Kind(i), err, rec)
		}
		if v["id"] != g.ID(i) {
			t.Fatalf("record %d: id %v, want %s", i, v["id"], g.ID(i))
		}
	}
}

func TestBody(t *testing.T) {
	g := Generator{Prefix: "b"}
	for _, gz := range []bool{false, true} {
		body := g.Body(10, 25, gz)
		if gz {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		sc := bufio.NewScanner(bytes.NewReader(body))
		sc.Buffer(nil, 1<<20)
		i := 10
		for sc.Scan() {
			var w struct {
				Time  float64         `json:"time"`
				Event json.RawMessage `json:"event"`
			}
			if err := json.Unmarshal(sc.Bytes(), &w); err != nil {
				t.Fatalf("gzip=%v line %d: %v", gz, i, err)
			}
			if !bytes.Equal(w.Event, g.Append(nil, i)) || w.Time <= 0 {
				t.Fatalf("gzip=%v line %d: event %s time %v", gz, i, w.Event, w.Time)
			}
			i++
		}
		if i != 25 {
			t.Fatalf("gzip=%v: %d events, want 15", gz, i-10)
		}
	}
}
