package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

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
		Meta: map[string]json.RawMessage{"b": json.RawMessage(`{"x":[1,2]}`), "a": json.RawMessage(`"s"`), "c": nil},
		Raw:  json.RawMessage(`{"id":"ae66e491"}`),
	}
}

func TestCodecRoundTrip(t *testing.T) {
	full := fullEvent()
	zero := normalize.Event{}
	emptyMeta := normalize.Event{ID: "x", Meta: map[string]json.RawMessage{}, Raw: json.RawMessage{}}
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
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "unknown version"},
		{"bad version", append([]byte{9}, good[1:]...), "unknown version"},
		{"truncated", good[:len(good)-3], "event 1"},
		{"trailing bytes", append(bytes.Clone(good), 0), "trailing"},
		{"huge count", []byte{codecVersion, 0xff, 0xff, 0xff, 0xff, 0x0f}, "event count"},
		{"bad time flag", badTimeFlag(), "bad time flag"},
		{"unsorted meta", unsortedMeta(), "not sorted"},
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

// badTimeFlag is a one-event batch whose time flag is 7.
func badTimeFlag() []byte {
	b := []byte{codecVersion, 1}
	b = append(b, make([]byte, 24)...) // 24 empty strings
	b = append(b, 0, 7)                // status 0, time flag 7
	return append(b, 0, 0)
}

// unsortedMeta is a one-event batch with meta keys "b" then "a".
func unsortedMeta() []byte {
	b := []byte{codecVersion, 1}
	b = append(b, make([]byte, 24)...)
	b = append(b, 0, timeZero, 3)
	b = append(b, 1, 'b', 0, 1, 'a', 0)
	return append(b, 0)
}

func FuzzDecodeBatch(f *testing.F) {
	f.Add(EncodeBatch(nil, []normalize.Event{fullEvent()}))
	f.Add(EncodeBatch(nil, []normalize.Event{{}, {ID: "x", Meta: map[string]json.RawMessage{}}}))
	f.Add([]byte{codecVersion})
	f.Add(unsortedMeta())
	f.Add(compressed(f, []normalize.Event{fullEvent(), fullEvent()}))
	f.Add([]byte{codecS2, 0x05, 0x10, 0x01, 0x01})
	f.Add(encodeBatchRef([]normalize.Event{viewEvent(), fullEvent()}))
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
		if !bytes.Equal(EncodeBatch(nil, again), enc) {
			t.Fatal("encoding not stable")
		}
		comp, _ := compressBatch(enc, nil)
		third, err := DecodeBatch(comp)
		if err != nil {
			t.Fatalf("decode of the compressed re-encoding failed: %v", err)
		}
		if !bytes.Equal(EncodeBatch(nil, third), enc) {
			t.Fatal("compressed round trip not stable")
		}
		refComp, _ := compressBatch(encodeBatchRef(evs), nil)
		fourth, err := DecodeBatch(refComp)
		if err != nil {
			t.Fatalf("decode of the codecRef re-encoding failed: %v", err)
		}
		if !bytes.Equal(EncodeBatch(nil, fourth), enc) {
			t.Fatal("codecRef round trip not stable")
		}
	})
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
