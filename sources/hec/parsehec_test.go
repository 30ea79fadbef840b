package hec

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// twoPass is the event endpoint's decoding before parseHEC, the oracle:
// frames by brackets (decodeHEC, which still frames bodies with
// CloudWatch subscription payloads), then each frame parsed on its own
// (Server.parse, Parser.AppendParseHEC).
func twoPass(s *Server, wk *worker, body []byte) ([]frame, []normalize.Event, []badRecord, bool) {
	frames := decodeHEC(body, s.cfg.MaxEvents)
	if len(frames) > s.cfg.MaxEvents {
		return nil, nil, nil, false
	}
	events, bad, ok := s.parse(wk, frames)
	return frames, events, bad, ok
}

// decoding is one decoding of a request body: what Server.decode returns
// and the owners it left in the worker.
type decoding struct {
	frames []frame
	events []normalize.Event
	bad    []badRecord
	ok     bool
	owners []int32
}

// decodeWith runs decode, one way of decoding a body, with a fresh worker
// whose parser has a fixed received time, and at most max records.
func decodeWith(max int, decode func(s *Server, wk *worker) ([]frame, []normalize.Event, []badRecord, bool)) decoding {
	s := &Server{cfg: Config{MaxEvents: max}}
	wk := &worker{parser: normalize.NewParser()}
	wk.parser.SetReceived(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))
	var d decoding
	d.frames, d.events, d.bad, d.ok = decode(s, wk)
	d.owners = wk.owners
	return d
}

// sameDecodings checks that got, a new decoding, decodes as want, the two
// passes it replaced: the same verdict on the request, frames (sameFrame),
// events, owners and refused records (codes and error texts).
func sameDecodings(t *testing.T, got, want decoding, max int, sameFrame func(a, b frame) bool) {
	t.Helper()
	if got.ok != want.ok {
		t.Fatalf("max %d: request ok %v, two passes say %v", max, got.ok, want.ok)
	}
	if !want.ok {
		return
	}
	if len(got.frames) != len(want.frames) {
		t.Fatalf("%d frames, two passes %d", len(got.frames), len(want.frames))
	}
	for i := range want.frames {
		if o, n := want.frames[i], got.frames[i]; !sameFrame(o, n) {
			t.Fatalf("frame %d = %q %+v, two passes %q %+v", i, n.data, n, o.data, o)
		}
	}
	if !reflect.DeepEqual(got.events, want.events) {
		t.Fatalf("events differ:\n%+v\ntwo passes:\n%+v", got.events, want.events)
	}
	if !reflect.DeepEqual(got.owners, want.owners) {
		t.Fatalf("owners %v, two passes %v", got.owners, want.owners)
	}
	if len(got.bad) != len(want.bad) {
		t.Fatalf("%d refused %+v, two passes %d %+v", len(got.bad), got.bad, len(want.bad), want.bad)
	}
	for i := range want.bad {
		o, n := want.bad[i], got.bad[i]
		if o.num != n.num || o.line != n.line || o.code != n.code || errText(o) != errText(n) {
			t.Fatalf("refused %d = %+v (%s), two passes %+v (%s)", i, n, errText(n), o, errText(o))
		}
	}
}

// sameDecoding checks that parseHEC decodes body exactly as twoPass does
// with at most max records, frames' bytes included.
func sameDecoding(t *testing.T, body []byte, max int) {
	t.Helper()
	want := decodeWith(max, func(s *Server, wk *worker) ([]frame, []normalize.Event, []badRecord, bool) {
		return twoPass(s, wk, body)
	})
	got := decodeWith(max, func(_ *Server, wk *worker) ([]frame, []normalize.Event, []badRecord, bool) {
		return parseHEC(wk, body, max)
	})
	sameDecodings(t, got, want, max, func(o, n frame) bool {
		return bytes.Equal(o.data, n.data) && o.num == n.num && o.line == n.line && o.bad == n.bad &&
			o.hec == n.hec && o.skippable == n.skippable
	})
}

// hecSeeds are event-endpoint bodies: the published records wrapped in
// HEC objects, and framing cases.
func hecSeeds(t testing.TB) []string {
	wrapped, err := os.ReadFile(filepath.Join("..", "..", "normalize", "testdata", "hec", "wrapped_each_kind.json"))
	if err != nil {
		t.Fatal(err)
	}
	w := string(wrapped)
	first := w[:strings.IndexByte(w, '\n')]
	// The wrapped audit-trail page with its one item twice: one object,
	// two events (MaxEvents counts events too).
	page := strings.Split(w, "\n")[1]
	i, j := strings.Index(page, `"data":[`)+len(`"data":[`), strings.Index(page, `],"pagination"`)
	twoItems := page[:j] + "," + page[i:j] + page[j:]
	return []string{
		twoItems, first + twoItems, twoItems + first,
		w, strings.ReplaceAll(w, "\n", ""), strings.ReplaceAll(w, "\n", "\r\n\n "),
		first + `{"event":x}` + first, first + `{"event":[}]}` + first, first + " hello " + first,
		first + `{"event":{"b":1}`, first + `{"event":"a}`, first + `]`,
		`{"event":{"a":1}}{"event":"b"}`, "{\"event\":\"a\"}\n{\"time\":1}\r\n", `{"event":""}`, `{"event":{}}`,
		`{"event":null}`, `{"event":"a\"}{\\"}{"event":"}"}`, `{"event":1,}`, `[{"event":1}]`,
		`{"event":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}` + first,
		`{"event":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `}` + first,
		"{\"event\":\"\xff\"}", "{\"event\":\"a\x00\"}", `{"event":"\u00e9"}`, `{`, `"`, ` `, ``,
		`{"event":{"data":[{"id":1},{"id":2}],"pagination":{}},"time":"x"}`,
		`{"event":"2018-03-27 21:55:29 [INFO] [Audit Log] {\"resource\":\"x\"}"}`,
	}
}

func TestParseHECMatchesTwoPasses(t *testing.T) {
	for i, body := range hecSeeds(t) {
		for _, max := range []int{1, 2, 3, 1 << 20} {
			t.Run(fmt.Sprintf("seed%d/max%d", i, max), func(t *testing.T) {
				sameDecoding(t, []byte(body), max)
			})
		}
	}
}

// FuzzParseHEC: framing by parsing (parseHEC) decodes every body as the
// bracket framing followed by a parse of each frame did: the same frames,
// events, refused records (event numbers, codes, errors) and verdict on
// MaxEvents.
func FuzzParseHEC(f *testing.F) {
	for _, s := range hecSeeds(f) {
		f.Add([]byte(s), uint8(255))
		f.Add([]byte(s), uint8(2))
	}
	f.Fuzz(func(t *testing.T, body []byte, max uint8) {
		m := 1 << 20
		if max < 128 {
			m = int(max%8) + 1
		}
		sameDecoding(t, body, m)
	})
}
