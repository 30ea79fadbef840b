package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/normalize"
)

// batchIDs returns the event ids of each batch p accepted.
func batchIDs(p *testutil.Publisher) [][]string {
	var out [][]string
	for _, b := range p.Batches() {
		ids := make([]string, len(b))
		for i := range b {
			ids[i] = b[i].ID
		}
		out = append(out, ids)
	}
	return out
}

func tfc(id string) string {
	return `{"id":"` + id + `","version":"0","type":"Resource","timestamp":"2024-01-02T03:04:05.000Z",` +
		`"auth":{"accessor_id":"user-1","description":"alice","type":"Client","impersonator_id":null,"organization_id":"org-1"},` +
		`"request":{"id":"r"},"resource":{"id":"ws-1","type":"workspace","action":"update","meta":null}}`
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.ndjson", tfc("a")+"\n"+tfc("b")+"\n"+tfc("c")+"\n")
	bad := write("bad.ndjson", tfc("d")+"\n{\"id\": broken\n"+tfc("e")+"\n")
	page := write("page.json", `{"data":[`+tfc("f")+`,{"id":"g","auth":{}},`+tfc("h")+`],"pagination":{"current_page":1}}`)
	tests := []struct {
		name      string
		paths     []string
		stdin     string
		batch     int
		full      int
		want      [][]string
		wantBad   []string // "file:line" prefixes, in order
		wantStats Stats
	}{
		{"one file, batches of 2", []string{good}, "", 2, 0, [][]string{{"a", "b"}, {"c"}}, nil, Stats{Records: 3, Events: 3}},
		{"stdin", nil, tfc("s") + "\n", 0, 0, [][]string{{"s"}}, nil, Stats{Records: 1, Events: 1}},
		{"bad record between good ones", []string{bad}, "", 0, 0, [][]string{{"d", "e"}}, []string{bad + ":2:"}, Stats{Records: 3, Events: 2, Bad: 1}},
		{"page with a bad item keeps the others", []string{page}, "", 0, 0, [][]string{{"f", "h"}}, []string{page + ":1: normalize: item 1"}, Stats{Records: 1, Events: 2, Bad: 1}},
		{"missing file reported, next file read", []string{filepath.Join(dir, "nope"), good}, "", 0, 0, [][]string{{"a", "b", "c"}},
			[]string{filepath.Join(dir, "nope") + ":0: open"}, Stats{Records: 3, Events: 3, Bad: 1}},
		{"spool full waits and retries", []string{good}, "", 0, 3, [][]string{{"a", "b", "c"}}, nil, Stats{Records: 3, Events: 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// the first tc.full calls fail with ErrSpoolFull
			rec := &testutil.Publisher{Fail: func(call int, _ []normalize.Event) error {
				if call <= tc.full {
					return fmt.Errorf("spool: %w", bridge.ErrSpoolFull)
				}
				return nil
			}}
			var bads []string
			var slept []time.Duration
			s := &Source{Paths: tc.paths, Stdin: strings.NewReader(tc.stdin), Batch: tc.batch,
				Report: func(b BadRecord) { bads = append(bads, b.String()) },
				Sleep:  func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }}
			if err := s.Run(context.Background(), rec); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := batchIDs(rec); !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("published %q, want %q", got, tc.want)
			}
			if len(bads) != len(tc.wantBad) {
				t.Fatalf("bad records %q, want %q", bads, tc.wantBad)
			}
			for i, w := range tc.wantBad {
				if !strings.HasPrefix(bads[i], w) {
					t.Errorf("bad record %q, want prefix %q", bads[i], w)
				}
			}
			if s.Stats() != tc.wantStats {
				t.Errorf("stats %+v, want %+v", s.Stats(), tc.wantStats)
			}
			if len(slept) != tc.full {
				t.Errorf("slept %d times, want %d", len(slept), tc.full)
			}
		})
	}
}

func TestRunPublishError(t *testing.T) {
	s := &Source{Stdin: strings.NewReader(tfc("x") + "\n"), Report: func(BadRecord) {}}
	err := s.Run(context.Background(), failing{})
	if err == nil || !strings.Contains(err.Error(), "file source: -: spool gone") {
		t.Fatalf("Run = %v", err)
	}
}

type failing struct{}

func (failing) Publish(context.Context, []normalize.Event) error { return errors.New("spool gone") }
