package cwsub

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"strings"
	"testing"
)

func gz(t *testing.T, parts ...[]byte) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, p := range parts { // one gzip member per part, concatenated
		zw := gzip.NewWriter(&out)
		if _, err := zw.Write(p); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out.Bytes()
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	data, control := fixture(t, "data_message.json"), fixture(t, "control_message.json")
	for _, tc := range []struct {
		name    string
		in      []byte
		ok      bool
		records int
	}{
		{"data plain", data, true, 2},
		{"data gzip", gz(t, data), true, 2},
		{"control plain", control, true, 0},
		{"control gzip", gz(t, control), true, 0},
		{"vault line", []byte(`{"time":"2020-12-01T20:29:04Z","type":"request"}`), false, 0},
		{"other messageType", []byte(`{"messageType":"X","logEvents":[]}`), false, 0},
		{"not json", []byte(`messageType logEvents`), false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok, err := Decode(tc.in, 1<<20)
			if err != nil || ok != tc.ok {
				t.Fatalf("ok=%v err=%v, want ok=%v", ok, err, tc.ok)
			}
			if !ok {
				return
			}
			recs := m.Records()
			if len(recs) != tc.records {
				t.Fatalf("%d records, want %d", len(recs), tc.records)
			}
			if tc.records > 0 && !strings.HasPrefix(string(recs[0]), `{"bytes":26780,`) {
				t.Fatalf("first record %s", recs[0])
			}
		})
	}
}

func TestDecodeAllConcatenatedGzipMembers(t *testing.T) {
	data, control := fixture(t, "data_message.json"), fixture(t, "control_message.json")
	msgs, ok, err := DecodeAll(gz(t, data, control, data), 1<<20)
	if err != nil || !ok || len(msgs) != 3 {
		t.Fatalf("msgs=%d ok=%v err=%v", len(msgs), ok, err)
	}
	n := 0
	for _, m := range msgs {
		n += len(m.Records())
	}
	if n != 4 {
		t.Fatalf("%d records, want 4", n)
	}
	if _, ok, _ := DecodeAll([]byte(`{"a":1}{"b":2}`), 1<<20); ok {
		t.Fatal("plain objects taken for subscription payloads")
	}
}

func TestGzipBombStopsAtLimit(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 1<<20)
	_, ok, err := Decode(gz(t, big), 1024)
	if !ok || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
}

// FuzzDecode: never panics; a DATA_MESSAGE read without error yields one
// record per log event.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"data_message.json", "control_message.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Add([]byte(`{"messageType":"DATA_MESSAGE","logEvents":[{"message":1}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, ok, err := Decode(in, 1<<16)
		if ok && err == nil && m.MessageType == DataMessage && len(m.Records()) != len(m.LogEvents) {
			t.Fatalf("%d records for %d log events", len(m.Records()), len(m.LogEvents))
		}
		_, _, _ = DecodeAll(in, 1<<16)
	})
}
