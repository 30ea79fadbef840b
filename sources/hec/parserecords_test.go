package hec

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

// twoPassGeneric is the generic endpoint's decoding before parseRecords,
// the oracle: ReadRecords frames the body (each record's bytes copied),
// then each frame is parsed on its own (Server.parse, AppendParse).
func twoPassGeneric(s *Server, wk *worker, body []byte) ([]frame, []normalize.Event, []badRecord, bool) {
	max := s.cfg.MaxEvents
	var frames []frame
	err := normalize.ReadRecords(bytes.NewReader(body), func(rec normalize.Record) error {
		frames = append(frames, frame{data: bytes.Clone(rec.Data), num: len(frames), line: rec.Line})
		if len(frames) > max {
			return errTooMany
		}
		return nil
	})
	if err != nil && !errors.Is(err, errTooMany) {
		frames = append(frames, frame{num: len(frames), bad: codeInvalidDataFormat})
	}
	if len(frames) > max {
		return nil, nil, nil, false
	}
	events, bad, ok := s.parse(wk, frames)
	return frames, events, bad, ok
}

// sameGeneric checks that parseRecords decodes body exactly as
// twoPassGeneric does with at most max records (frames by number and line:
// parseRecords keeps no bytes of them).
func sameGeneric(t *testing.T, body []byte, max int) {
	t.Helper()
	want := decodeWith(max, func(s *Server, wk *worker) ([]frame, []normalize.Event, []badRecord, bool) {
		return twoPassGeneric(s, wk, body)
	})
	got := decodeWith(max, func(_ *Server, wk *worker) ([]frame, []normalize.Event, []badRecord, bool) {
		return parseRecords(wk, body, max)
	})
	sameDecodings(t, got, want, max, func(o, n frame) bool {
		return o.num == n.num && o.line == n.line && o.bad == n.bad
	})
}

// genericSeeds are /v1/events bodies: every published record file of
// normalize's testdata (Vault audit logs, TFE logs, pretty-printed and
// NDJSON records), alone and all together, and framing cases.
func genericSeeds(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join("..", "..", "normalize", "testdata", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var seeds []string
	var all strings.Builder
	for _, f := range files {
		if st, err := os.Stat(f); err != nil || st.IsDir() || strings.HasSuffix(f, ".golden.json") || strings.HasSuffix(f, ".md") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		seeds = append(seeds, string(b))
		all.Write(b)
		all.WriteByte('\n')
	}
	if len(seeds) < 20 {
		t.Fatalf("only %d testdata files", len(seeds))
	}
	line := seeds[0]
	// The published audit-trail page with its one item twice: one record,
	// two events (MaxEvents counts events too).
	page, err := os.ReadFile(filepath.Join("..", "..", "normalize", "testdata", "tfc", "page.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := string(page)
	i, j := strings.Index(p, `"data"`), strings.Index(p, `"pagination"`)
	items := strings.TrimSpace(p[i+len(`"data"`) : j])
	items = strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(strings.TrimPrefix(items, ":")), "[")), ",")
	items = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(items), "]"))
	twoItems := p[:i] + `"data": [` + items + "," + items + "],\n" + p[j:]
	return append(seeds, all.String(), twoItems, twoItems+"\n"+line,
		`{"a":1}{"b":2} {"c":3}`, "{\"a\":1\n{\"b\":2}\n", "{\"a\":\"x\n{\"b\":2}\n", `{"a":1} garbage`,
		"[\n{\"a\":1},\n{\"b\":\n{\"c\":2}\n]", `[1,,2]`, "{\"component\":\"atlas\",\"log\":\"GET /\"}\n",
		"{\"bad\":}\n"+line, strings.Repeat("[", maxDepth+1)+"\n"+line, "\xef\xbb\xbf"+line, "", "\n\n", "not json\n")
}

func TestParseRecordsMatchesTwoPasses(t *testing.T) {
	for i, body := range genericSeeds(t) {
		for _, max := range []int{1, 2, 3, 1 << 20} {
			t.Run(fmt.Sprintf("seed%d/max%d", i, max), func(t *testing.T) {
				sameGeneric(t, []byte(body), max)
			})
		}
	}
}

// FuzzParseRecords: reading and parsing in one go (parseRecords) decodes
// every /v1/events body as ReadRecords followed by a parse of each record
// did: the same frames, events, refused records and verdict on MaxEvents.
func FuzzParseRecords(f *testing.F) {
	for _, s := range genericSeeds(f) {
		f.Add([]byte(s), uint8(255))
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, body []byte, max uint8) {
		if nestingDepth(body) > maxDepth {
			return // read line by line (decode), not by parseRecords
		}
		m := 1 << 20
		if max < 128 {
			m = int(max%8) + 1
		}
		sameGeneric(t, body, m)
	})
}
