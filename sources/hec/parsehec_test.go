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

// sameDecoding checks that parseHEC decodes body exactly as twoPass does
// with at most max records: the same verdict on the request, frames,
// events, owners and refused records (codes and error texts).
func sameDecoding(t *testing.T, body []byte, max int) {
	t.Helper()
	received := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	s := &Server{cfg: Config{MaxEvents: max}}
	oldWk := &worker{parser: normalize.NewParser()}
	oldWk.parser.SetReceived(received)
	newWk := &worker{parser: normalize.NewParser()}
	newWk.parser.SetReceived(received)
	of, oe, ob, ook := twoPass(s, oldWk, body)
	nf, ne, nb, nok := parseHEC(newWk, body, max)
	if ook != nok {
		t.Fatalf("max %d: request ok %v, two passes say %v", max, nok, ook)
	}
	if !ook {
		return
	}
	if len(nf) != len(of) {
		t.Fatalf("%d frames, two passes %d", len(nf), len(of))
	}
	for i := range of {
		o, n := of[i], nf[i]
		if !bytes.Equal(o.data, n.data) || o.num != n.num || o.line != n.line || o.bad != n.bad || o.hec != n.hec || o.skippable != n.skippable {
			t.Fatalf("frame %d = %q %+v, two passes %q %+v", i, n.data, n, o.data, o)
		}
	}
	if !reflect.DeepEqual(ne, oe) {
		t.Fatalf("events differ:\n%+v\ntwo passes:\n%+v", ne, oe)
	}
	if !reflect.DeepEqual(newWk.owners, oldWk.owners) {
		t.Fatalf("owners %v, two passes %v", newWk.owners, oldWk.owners)
	}
	if len(nb) != len(ob) {
		t.Fatalf("%d refused %+v, two passes %d %+v", len(nb), nb, len(ob), ob)
	}
	for i := range ob {
		o, n := ob[i], nb[i]
		if o.num != n.num || o.line != n.line || o.code != n.code || errText(o) != errText(n) {
			t.Fatalf("refused %d = %+v (%s), two passes %+v (%s)", i, n, errText(n), o, errText(o))
		}
	}
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
