package bridge

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/klauspost/compress/s2"

	"github.com/auditbridge/auditbridge/normalize"
)

func fullEvent() normalize.Event {
	return normalize.Event{
		ID: "ae66e491-db59-457c-8445-9c908ee726ae", Time: time.Date(2020, 6, 30, 17, 52, 46, 123456789, time.UTC),
		Product: normalize.ProductTerraform, Kind: normalize.KindTFCAuditTrail,
		OrganizationID: "org-AGLwRmx1snv34Yts", ProjectID: "prj-1",
		Actor: normalize.Actor{ID: "user-MaPuLxAXvtq2PWTH", Name: "pveverka", Email: "p@example.com",
			Type: normalize.ActorUser, ImpersonatorID: "user-x"},
		Action: "authentication_token.create", Verb: normalize.VerbCreate, Category: normalize.CategoryIAM,
		Outcome:  normalize.OutcomeUnknown,
		Resource: normalize.Resource{Type: "authentication_token", ID: "at-sjt83qTw3GZatuPm", Name: "tok"},
		Request: normalize.Request{ID: "4df584d4", Method: "POST", Path: "/api/v2/x", ClientIP: "10.0.0.1, 1.2.3.4",
			UserAgent: "curl/8", StatusCode: 201},
		Message: "pveverka create authentication_token — ünïcode ✓", Severity: "info",
		Meta: normalize.MetaOf(map[string]json.RawMessage{"b": json.RawMessage(`{"x":[1,2]}`), "a": json.RawMessage(`"s"`), "c": nil}),
		Raw:  json.RawMessage(`{"id":"ae66e491"}`),
	}
}

func TestCodecRoundTrip(t *testing.T) {
	full := fullEvent()
	zero := normalize.Event{}
	emptyMeta := normalize.Event{ID: "x", Meta: normalize.Meta{}, Raw: json.RawMessage{}}
	negStatus := normalize.Event{ID: "n", Request: normalize.Request{StatusCode: -1}}
	preEpoch := normalize.Event{ID: "old", Time: time.Date(1901, 2, 3, 4, 5, 6, 7, time.UTC)}
	offset := normalize.Event{ID: "tz", Time: time.Date(2024, 1, 1, 12, 0, 0, 0, time.FixedZone("x", 3600))}
	tests := []struct {
		name   string
		events []normalize.Event
	}{
		{"empty batch", []normalize.Event{}},
		{"full event", []normalize.Event{full}},
		{"zero event", []normalize.Event{zero}},
		{"empty meta and raw kept apart from nil", []normalize.Event{emptyMeta}},
		{"negative status", []normalize.Event{negStatus}},
		{"pre-epoch time", []normalize.Event{preEpoch}},
		{"several", []normalize.Event{full, zero, emptyMeta, preEpoch}},
		{"non-UTC time decodes as the same instant in UTC", []normalize.Event{offset}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := EncodeBatch(nil, tt.events)
			got, err := DecodeBatch(enc)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if len(got) != len(tt.events) {
				t.Fatalf("got %d events, want %d", len(got), len(tt.events))
			}
			for i := range got {
				want := tt.events[i]
				if !want.Time.IsZero() {
					if !got[i].Time.Equal(want.Time) || got[i].Time.Location() != time.UTC {
						t.Errorf("event %d time = %v, want %v in UTC", i, got[i].Time, want.Time)
					}
					want.Time = want.Time.UTC()
				}
				if !reflect.DeepEqual(got[i], want) {
					t.Errorf("event %d:\n got %#v\nwant %#v", i, got[i], want)
				}
			}
			if again := EncodeBatch(nil, got); !bytes.Equal(again, enc) {
				t.Errorf("re-encoding differs")
			}
		})
	}
}

func TestCodecDecodeDoesNotAliasInput(t *testing.T) {
	enc := EncodeBatch(nil, []normalize.Event{fullEvent()})
	got, err := DecodeBatch(enc)
	if err != nil {
		t.Fatal(err)
	}
	for i := range enc {
		enc[i] = 0
	}
	if string(got[0].Raw) != `{"id":"ae66e491"}` || got[0].ID != fullEvent().ID {
		t.Fatalf("decoded event changed with its input buffer: %q %q", got[0].Raw, got[0].ID)
	}
}

func TestCodecErrors(t *testing.T) {
	good := EncodeBatch(nil, []normalize.Event{fullEvent(), {ID: "2"}})
	goodBody := body(t, good)
	withBody := func(b []byte) []byte { return append([]byte{codecVersion}, s2.Encode(nil, b)...) }
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "no format version"},
		{"unknown version", append([]byte{9}, good[1:]...), "unknown format version 9"},
		// Development formats before this one are refused, not guessed at.
		{"plain development format", append([]byte{1}, goodBody...), "unknown format version 1"},
		{"compressed development format", append([]byte{4}, good[1:]...), "unknown format version 4"},
		{"no block", []byte{codecVersion}, "compressed block"},
		{"truncated block", good[:len(good)-3], "compressed block"},
		{"corrupt block", []byte{codecVersion, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff}, "compressed block"},
		{"too large", []byte{codecVersion, 0x80, 0x80, 0x80, 0x10}, "more than"},
		{"empty body", withBody(nil), "event count"},
		{"truncated event", withBody(goodBody[:len(goodBody)-3]), "event 1"},
		{"trailing bytes", withBody(append(bytes.Clone(goodBody), 0)), "trailing"},
		{"huge count", withBody([]byte{0xff, 0xff, 0xff, 0xff, 0x0f}), "event count"},
		{"bad time flag", withBody(badTimeFlag()), "bad time flag"},
		{"unsorted meta", withBody(unsortedMeta()), "not sorted"},
		{"reference past the end of raw", withBody(refBody(4<<1|1, 1)), "reference past raw"},
		{"reference longer than raw", withBody(refBody(5<<1|1, 0)), "reference past raw"},
		{"huge reference offset", withBody(refBody(1<<1|1, 1<<62)), "reference past raw"},
		{"reference without raw", withBody(append([]byte{1, 0, 3, 0}, make([]byte, 26)...)), "reference past raw"},
	}
	if _, err := DecodeBatch(withBody(refBody(4<<1|1, 0))); err != nil {
		t.Fatalf("a valid reference: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeBatch(tt.in)
			if err == nil {
				t.Fatal("decode succeeded")
			}
			if !errors.Is(err, errCodec) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q, want it to wrap errCodec and mention %q", err, tt.want)
			}
		})
	}
}

// body returns the decompressed body of an encoded batch.
func body(t testing.TB, enc []byte) []byte {
	t.Helper()
	b, err := s2.Decode(nil, enc[1:])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// badTimeFlag is the body of a one-event batch whose time flag is 7.
func badTimeFlag() []byte {
	b := []byte{1, 0}                  // one event, nil raw
	b = append(b, make([]byte, 24)...) // 24 empty strings
	b = append(b, 0, 7)                // status 0, time flag 7
	return append(b, 0)
}

// unsortedMeta is the body of a one-event batch with meta keys "b" then "a".
func unsortedMeta() []byte {
	b := []byte{1, 0}
	b = append(b, make([]byte, 24)...)
	b = append(b, 0, timeZero, 3)
	return append(b, 2, 'b', 0, 2, 'a', 0)
}

// refBody is the body of a one-event batch with raw "abcd" and an ID
// written as a reference with tag and off.
func refBody(tag, off uint64) []byte {
	b := []byte{1, 5, 'a', 'b', 'c', 'd'}
	b = binary.AppendUvarint(binary.AppendUvarint(b, tag), off)
	b = append(b, make([]byte, 23)...) // the other strings
	return append(b, 0, timeZero, 0)   // status, time, meta
}

// viewEvent is an event whose strings and a meta value view its Raw, as
// normalize's are, plus strings that do not.
func viewEvent() normalize.Event {
	raw := []byte(`{"id":"ae66e491-db59","org":"org-AGLwRmx1","meta":{"x":[1,2]},"short":"ab"}`)
	view := func(s string) string {
		i := bytes.Index(raw, []byte(s))
		return unsafe.String(&raw[i], len(s))
	}
	i := bytes.Index(raw, []byte(`{"x"`))
	return normalize.Event{
		ID: view("ae66e491-db59"), OrganizationID: view("org-AGLwRmx1"), Actor: normalize.Actor{Name: view("ab")},
		Product: normalize.ProductTerraform, Message: "not in raw: ae66e491-db59",
		Meta: normalize.MetaOf(map[string]json.RawMessage{"resource.meta": raw[i : i+11 : i+11], "other": json.RawMessage(`true`)}), // {"x":[1,2]}
		Raw:  raw,
	}
}

// views reports whether s points into raw.
func views(raw []byte, s string) bool {
	if len(raw) == 0 || len(s) == 0 {
		return false
	}
	start, p := uintptr(unsafe.Pointer(&raw[0])), uintptr(unsafe.Pointer(unsafe.StringData(s)))
	return p >= start && p < start+uintptr(len(raw))
}

func TestCodecReferencesIntoRaw(t *testing.T) {
	events := []normalize.Event{viewEvent(), fullEvent(), {}, viewEvent()}
	events[3].Raw = bytes.Clone(events[3].Raw) // strings no longer view it
	enc := EncodeBatch(nil, events)
	b := body(t, enc)
	if want := len(viewEvent().ID) + len(viewEvent().OrganizationID); len(body(t, EncodeBatch(nil, events[:1]))) >
		len(body(t, EncodeBatch(nil, events[3:])))-want+4 {
		t.Error("strings that view Raw were not written as references")
	}
	got, err := DecodeBatch(enc)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]normalize.Event, len(events))
	copy(want, events)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	if !views(got[0].Raw, got[0].ID) || !views(got[0].Raw, got[0].OrganizationID) {
		t.Error("a referenced string does not view the decoded Raw")
	}
	if views(got[3].Raw, got[3].ID) {
		t.Error("a literal string views the decoded Raw")
	}
	if again := EncodeBatch(nil, got); !bytes.Equal(again, enc) {
		t.Errorf("re-encoding the decoded events differs (%d body bytes)", len(b))
	}
}

// TestParsedEventsEncodeAsReferences pins what the spool format relies on
// from normalize: the strings of a parsed event view its Raw, so they are
// written as references. If this fails, normalize copies its strings now;
// nothing is lost, but spool messages grow (see the format in codec.go).
func TestParsedEventsEncodeAsReferences(t *testing.T) {
	// The audit-trail example of HashiCorp's documentation (resource meta
	// changed to a non-null object).
	rec := `{"id":"ae66e491-db59-457c-8445-9c908ee726ae","version":"0","type":"Resource","timestamp":"2020-06-30T17:52:46.000Z","auth":{"accessor_id":"user-MaPuLxAXvtq2PWTH","description":"pveverka","type":"Client","impersonator_id":null,"organization_id":"org-AGLwRmx1snv34Yts"},"request":{"id":"4df584d4-7e2a-01e6-6cc0-4adbefa020e6"},"resource":{"id":"at-sjt83qTw3GZatuPm","type":"authentication_token","action":"create","meta":{"k":"v\u00e9"}}}`
	evs, err := normalize.NewParser().Parse([]byte(rec))
	if err != nil || len(evs) != 1 {
		t.Fatalf("parse: %d events, %v", len(evs), err)
	}
	got, err := DecodeBatch(EncodeBatch(nil, evs))
	if err != nil {
		t.Fatal(err)
	}
	ev := got[0]
	for name, s := range map[string]string{"ID": ev.ID, "OrganizationID": ev.OrganizationID,
		"Actor.ID": ev.Actor.ID, "Resource.ID": ev.Resource.ID, "Request.ID": ev.Request.ID} {
		if s == "" {
			t.Errorf("%s empty after parsing", name)
		} else if !views(ev.Raw, s) {
			t.Errorf("%s (%q) was written in full: normalize's strings no longer view Raw", name, s)
		}
	}
	if !reflect.DeepEqual(got, evs) {
		t.Fatalf("round trip differs:\n got %#v\nwant %#v", got, evs)
	}
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add(EncodeBatch(nil, []normalize.Event{fullEvent()}))
	f.Add(EncodeBatch(nil, []normalize.Event{{}, {ID: "x", Meta: normalize.Meta{}}}))
	f.Add(EncodeBatch(nil, []normalize.Event{viewEvent(), fullEvent(), viewEvent()}))
	f.Add([]byte{codecVersion})
	f.Add(append([]byte{codecVersion}, s2.Encode(nil, unsortedMeta())...))
	f.Add(append([]byte{codecVersion}, s2.Encode(nil, refBody(4<<1|1, 0))...))
	f.Add([]byte{codecVersion, 0x05, 0x10, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := DecodeBatch(b)
		if err != nil {
			return
		}
		enc := EncodeBatch(nil, evs)
		again, err := DecodeBatch(enc)
		if err != nil {
			t.Fatalf("re-decode of re-encoding failed: %v", err)
		}
		if !reflect.DeepEqual(again, evs) {
			t.Fatal("re-decoded events differ")
		}
		if !bytes.Equal(EncodeBatch(nil, again), enc) {
			t.Fatal("encoding not stable")
		}
	})
}

func TestCompressedBatchIsSmall(t *testing.T) {
	events := benchEvents(50)
	enc := EncodeBatch(nil, events)
	if b := body(t, enc); len(enc) >= len(b)/2 {
		t.Errorf("compressed %d bytes to %d; want well under half", len(b), len(enc))
	}
}

func TestCompressBatchReusesScratch(t *testing.T) {
	plain := body(t, EncodeBatch(nil, benchEvents(20)))
	first, scratch := compressBatch(plain, nil)
	second, scratch2 := compressBatch(plain, scratch)
	if &scratch[0] != &scratch2[0] {
		t.Error("a large enough scratch buffer was not reused")
	}
	if !bytes.Equal(first, second) {
		t.Error("compressing twice gave different bytes")
	}
	if &first[0] == &scratch[0] || &second[0] == &scratch[0] {
		t.Error("a result shares memory with the scratch buffer")
	}
}

// TestIncompressibleBatchFitsAMessage: the format always compresses; an
// incompressible body of a full message grows by far less than the room a
// message keeps for its headers (1 KiB, see Spool.split).
func TestIncompressibleBatchFitsAMessage(t *testing.T) {
	// Raw is one JSON string (Raw must be JSON, else the encoder writes
	// it quoted) of random letters: S2 finds no repeats to compress.
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	noise := make([]byte, 8<<20-1024)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = letters[rng.Uint32()%64]
	}
	noise[0], noise[len(noise)-1] = '"', '"'
	enc := EncodeBatch(nil, []normalize.Event{{ID: "noise", Raw: noise}})
	if grow := len(enc) - len(noise); grow > 512 {
		t.Errorf("an incompressible 8 MiB event grew by %d bytes", grow)
	}
	got, err := DecodeBatch(enc)
	if err != nil || !bytes.Equal(got[0].Raw, noise) {
		t.Fatalf("decode: %v", err)
	}
}

func benchEvents(n int) []normalize.Event {
	evs := make([]normalize.Event, n)
	for i := range evs {
		evs[i] = fullEvent()
		evs[i].Raw = json.RawMessage(`{"id":"ae66e491-db59-457c-8445-9c908ee726ae","version":"0","type":"Resource","timestamp":"2020-06-30T17:52:46.000Z","auth":{"accessor_id":"user-MaPuLxAXvtq2PWTH","description":"pveverka","type":"Client","impersonator_id":null,"organization_id":"org-AGLwRmx1snv34Yts"},"request":{"id":"4df584d4-7e2a-01e6-6cc0-4adbefa020e6"},"resource":{"id":"at-sjt83qTw3GZatuPm","type":"authentication_token","action":"create","meta":null}}`)
	}
	return evs
}

func BenchmarkEncodeBatch(b *testing.B) {
	evs := benchEvents(500)
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = EncodeBatch(buf[:0], evs)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(evs)), "ns/event")
}

func BenchmarkDecodeBatch(b *testing.B) {
	enc := EncodeBatch(nil, benchEvents(500))
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := DecodeBatch(enc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/event")
}

func BenchmarkDecodeRefBatch(b *testing.B) {
	evs := make([]normalize.Event, 500)
	for i := range evs {
		evs[i] = viewEvent()
	}
	enc := EncodeBatch(nil, evs)
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := DecodeBatch(enc); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCodecChecksJSONOnce: only compact, valid JSON enters the spool, so
// the decoder marks what it reads and renderings do not check it again. An
// event built by hand whose Raw and a Meta value are not compact JSON is
// written as a rendering writes them (normalize.Event.RepairJSON), so its
// decoded copy renders the same bytes, in every format, as the event
// itself did; the caller's event and the Meta map it shares are left as
// they were.
func TestCodecChecksJSONOnce(t *testing.T) {
	shared := normalize.MetaOf(map[string]json.RawMessage{"bad": json.RawMessage(`{"b":`), "spaced": json.RawMessage(`[1, 2]`), "ok": json.RawMessage(`"s"`)})
	ev := normalize.Event{ID: "hand-built", Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		Kind: normalize.KindUnknown, Raw: json.RawMessage(`{"a":`), Meta: shared}
	orig := ev.Clone()
	got, err := DecodeBatch(EncodeBatch(nil, []normalize.Event{ev}))
	if err != nil || len(got) != 1 {
		t.Fatalf("decode: %d events, %v", len(got), err)
	}
	if string(ev.Raw) != string(orig.Raw) || !reflect.DeepEqual(shared, orig.Meta) {
		t.Errorf("the encoder changed the caller's event: raw %s meta %s", ev.Raw, shared)
	}
	if string(got[0].Raw) != `"{\"a\":"` || string(got[0].Meta.Value("bad")) != `"{\"b\":"` ||
		string(got[0].Meta.Value("spaced")) != `[1,2]` || string(got[0].Meta.Value("ok")) != `"s"` {
		t.Errorf("spooled raw %s meta %s, want the values as renderings write them", got[0].Raw, got[0].Meta)
	}
	for _, f := range normalize.Formats() {
		if a, b := normalize.AppendJSON(nil, &got[0], f), normalize.AppendJSON(nil, &orig, f); !bytes.Equal(a, b) {
			t.Errorf("%s: decoded event renders\n%s\nthe event itself\n%s", f, a, b)
		}
	}
	// The decoder trusts its format: a body it did not write, holding Raw
	// with whitespace, is rendered as it is (an unchecked event's Raw would
	// be compacted).
	b := []byte{1, 9}
	b = append(b, `{"a": 1}`...)
	b = append(b, make([]byte, 24)...) // 24 empty strings
	b = append(b, 0, timeZero, 0)      // status, time, meta
	evs, err := decodeBody(b)
	if err != nil {
		t.Fatal(err)
	}
	if out := normalize.AppendJSON(nil, &evs[0], normalize.FormatNative); !bytes.HasSuffix(out, []byte(`"raw":{"a": 1}}`)) {
		t.Errorf("a decoded event's Raw was checked again: %s", out)
	}
}
