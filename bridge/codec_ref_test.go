package bridge

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/auditbridge/auditbridge/normalize"
)

// encodeBatchRef is EncodeBatch in the codecRef format.
func encodeBatchRef(events []normalize.Event) []byte {
	dst := binary.AppendUvarint([]byte{codecRef}, uint64(len(events)))
	for i := range events {
		dst = appendEventRef(dst, &events[i])
	}
	return dst
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
		Meta: map[string]json.RawMessage{"resource.meta": raw[i : i+13 : i+13], "other": json.RawMessage(`true`)},
		Raw:  raw,
	}
}

func TestRefCodecRoundTrip(t *testing.T) {
	events := []normalize.Event{viewEvent(), fullEvent(), {}, viewEvent()}
	events[3].Raw = bytes.Clone(events[3].Raw) // strings no longer view it
	enc := encodeBatchRef(events)
	plain := EncodeBatch(nil, events)
	if len(enc) >= len(plain) {
		t.Errorf("codecRef batch is %d bytes, codecVersion %d; want it smaller", len(enc), len(plain))
	}
	comp, _ := compressBatch(enc, nil)
	if comp[0] != codecRefS2 {
		t.Fatalf("compressed codecRef batch has version %d, want %d", comp[0], codecRefS2)
	}
	for name, b := range map[string][]byte{"plain": enc, "compressed": comp} {
		got, err := DecodeBatch(b)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := slicesOf(events)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %#v\nwant %#v", name, got, want)
		}
		if !bytes.Equal(encodeBatchRef(got), enc) {
			t.Errorf("%s: re-encoding the decoded events differs", name)
		}
		raw := got[0].Raw
		start := uintptr(unsafe.Pointer(&raw[0]))
		if p := uintptr(unsafe.Pointer(unsafe.StringData(got[0].ID))); p < start || p >= start+uintptr(len(raw)) {
			t.Errorf("%s: a referenced string does not view the decoded Raw", name)
		}
	}
}

// slicesOf returns events as DecodeBatch gives them back (times in UTC).
func slicesOf(events []normalize.Event) []normalize.Event {
	out := make([]normalize.Event, len(events))
	for i, ev := range events {
		if !ev.Time.IsZero() {
			ev.Time = ev.Time.UTC()
		}
		out[i] = ev
	}
	return out
}

func TestRefCodecOnParsedRecords(t *testing.T) {
	p := normalize.NewParser()
	var events []normalize.Event
	for _, rec := range []string{
		`{"id":"ae66e491-db59-457c-8445-9c908ee726ae","version":"0","type":"Resource","timestamp":"2020-06-30T17:52:46.000Z","auth":{"accessor_id":"user-MaPuLxAXvtq2PWTH","description":"pveverka","type":"Client","impersonator_id":null,"organization_id":"org-AGLwRmx1snv34Yts"},"request":{"id":"4df584d4-7e2a-01e6-6cc0-4adbefa020e6"},"resource":{"id":"at-sjt83qTw3GZatuPm","type":"authentication_token","action":"create","meta":{"k":"v\u00e9"}}}`,
	} {
		evs, err := p.Parse([]byte(rec))
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, evs...)
	}
	enc, plain := encodeBatchRef(events), EncodeBatch(nil, events)
	got, err := DecodeBatch(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(EncodeBatch(nil, got), plain) {
		t.Fatal("a parsed event does not survive the codecRef round trip")
	}
	t.Logf("codecRef %d bytes, codecVersion %d", len(enc), len(plain))
}

func TestRefCodecErrors(t *testing.T) {
	bad := func(tag, off uint64) []byte { // raw "abcd", then an ID referencing it
		b := []byte{codecRef, 1, 5, 'a', 'b', 'c', 'd'}
		b = binary.AppendUvarint(binary.AppendUvarint(b, tag), off)
		b = append(b, make([]byte, 23)...) // the other strings
		return append(b, 0, timeZero, 0)   // status, time, meta
	}
	if _, err := DecodeBatch(bad(4<<1|1, 0)); err != nil {
		t.Fatalf("a valid reference: %v", err)
	}
	for name, in := range map[string][]byte{
		"past the end":      bad(4<<1|1, 1),
		"longer than raw":   bad(5<<1|1, 0),
		"huge offset":       bad(1<<1|1, 1<<62),
		"no raw":            append([]byte{codecRef, 1, 0, 3, 0}, make([]byte, 23)...),
		"truncated literal": append([]byte{codecRef, 1, 0, 0x90, 0x03}, make([]byte, 30)...),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeBatch(in)
			if err == nil || !errors.Is(err, errCodec) || !strings.Contains(err.Error(), "event 0") {
				t.Fatalf("error %v, want a bad spool batch error naming event 0", err)
			}
		})
	}
}
