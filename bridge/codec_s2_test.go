package bridge

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/klauspost/compress/s2"
)

// compressed returns events as the spool stores them.
func compressed(t testing.TB, events []normalize.Event) []byte {
	t.Helper()
	out, _ := compressBatch(EncodeBatch(nil, events), nil)
	if out[0] != codecS2 {
		t.Fatalf("batch of %d events was not compressed", len(events))
	}
	return out
}

func TestCompressedBatchRoundTrip(t *testing.T) {
	events := benchEvents(50)
	events[3] = fullEvent()
	events[7] = normalize.Event{ID: "x", Meta: map[string]json.RawMessage{}, Raw: json.RawMessage{}}
	plain := EncodeBatch(nil, events)
	enc := compressed(t, events)
	if len(enc) >= len(plain)/2 {
		t.Errorf("compressed %d bytes to %d; want well under half", len(plain), len(enc))
	}
	got, err := DecodeBatch(enc)
	if err != nil {
		t.Fatal(err)
	}
	want, err := DecodeBatch(plain) // the plain (old) form decodes alike
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("compressed and plain forms decode differently")
	}
	if !bytes.Equal(EncodeBatch(nil, got), plain) {
		t.Fatal("re-encoding the decoded events differs from the original encoding")
	}
	for i := range enc {
		enc[i] = 0
	}
	if got[3].ID != fullEvent().ID || string(got[3].Raw) != string(fullEvent().Raw) {
		t.Fatal("decoded events changed with their input buffer")
	}
}

func TestCompressBatchKeepsIncompressiblePlain(t *testing.T) {
	noise := make([]byte, 3000)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise {
		noise[i] = byte(rng.Uint32())
	}
	for _, events := range [][]normalize.Event{nil, {{ID: "a"}}, {{ID: "noise", Raw: noise}}} {
		plain := EncodeBatch(nil, events)
		out, scratch := compressBatch(plain, nil)
		if out[0] != codecVersion || !bytes.Equal(out, plain) {
			t.Errorf("%d events: got version %d, %d bytes; want the plain %d bytes", len(events), out[0], len(out), len(plain))
		}
		if &out[0] == &plain[0] || (len(scratch) > 0 && &out[0] == &scratch[0]) {
			t.Errorf("%d events: result shares memory with an input or the scratch buffer", len(events))
		}
	}
}

func TestCompressBatchReusesScratch(t *testing.T) {
	plain := EncodeBatch(nil, benchEvents(20))
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

func TestCompressedBatchErrors(t *testing.T) {
	good := compressed(t, benchEvents(10))
	inner := EncodeBatch(nil, []normalize.Event{{ID: "1"}})
	trailing := append(bytes.Clone(inner), 0)
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"no block", []byte{codecS2}, "compressed block"},
		{"truncated block", good[:len(good)-5], "compressed block"},
		{"corrupt block", append([]byte{codecS2}, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff), "compressed block"},
		{"too large", append([]byte{codecS2}, 0x80, 0x80, 0x80, 0x10), "more than"},
		{"bad events inside", append([]byte{codecS2}, s2.Encode(nil, trailing[1:])...), "trailing"},
		{"empty block", append([]byte{codecS2}, s2.Encode(nil, nil)...), "event count"},
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

func BenchmarkCompressBatch(b *testing.B) {
	plain := EncodeBatch(nil, benchEvents(500))
	var scratch []byte
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		_, scratch = compressBatch(plain, scratch)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/event")
}

func BenchmarkDecodeCompressedBatch(b *testing.B) {
	enc := compressed(b, benchEvents(500))
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := DecodeBatch(enc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*500), "ns/event")
}
