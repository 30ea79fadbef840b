package normalize

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestReadRecords(t *testing.T) {
	type rec struct {
		line int
		data string
	}
	tests := []struct {
		name string
		in   string
		want []rec
	}{
		{"ndjson", "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}", []rec{{1, `{"a":1}`}, {2, `{"b":2}`}, {4, `{"c":3}`}}},
		{"bom and blank lines", "\xef\xbb\xbf\n  \n{\"a\":1}\n", []rec{{3, `{"a":1}`}}},
		{"pretty object", "{\n  \"a\": 1,\n  \"b\": {\"c\": \"}\"}\n}\n", []rec{{1, "{\n  \"a\": 1,\n  \"b\": {\"c\": \"}\"}\n}"}}},
		{"concatenated on one line", `{"a":1}{"b":2} {"c":3}`, []rec{{1, `{"a":1}`}, {1, `{"b":2}`}, {1, `{"c":3}`}}},
		{"array elements with their lines", "[\n  {\"a\": 1},\n  {\"b\":\n    2},\n  \"x\"\n]", []rec{{2, `{"a": 1}`}, {3, "{\"b\":\n    2}"}, {5, `"x"`}}},
		{"empty array", "[]\n{\"a\":1}", []rec{{2, `{"a":1}`}}},
		{"page object stays one record", `{"data":[{"id":"1"},{"id":"2"}],"pagination":{}}`, []rec{{1, `{"data":[{"id":"1"},{"id":"2"}],"pagination":{}}`}}},
		{"malformed array is one record", `[1,,2]`, []rec{{1, `[1,,2]`}}},
		{"tfe log file", "2018-03-27 21:55:28 [INFO] Started GET\n2018-03-27 21:55:29 [INFO] [Audit Log] {\"resource\":\"x\"}\nplain noise\nt audit event: event_type=logout user=a\n",
			[]rec{{2, `2018-03-27 21:55:29 [INFO] [Audit Log] {"resource":"x"}`}, {4, `t audit event: event_type=logout user=a`}}},
		{"atlas lines without audit are skipped", "{\"component\":\"atlas\",\"log\":\"GET /\"}\n{\"component\":\"atlas\",\"log\":\"x [Audit Log] {}\"}",
			[]rec{{2, `{"component":"atlas","log":"x [Audit Log] {}"}`}}},
		{"atlas keys only when quoted whole", "{\"subcomponent\":\"atlas\",\"log\":\"GET /\"}\n{\"component\":\"atlas\",\"logs\":\"GET /\"}\n{\"log\":\"GET /\",\"component\":\"atlas\"}",
			[]rec{{1, `{"subcomponent":"atlas","log":"GET /"}`}, {2, `{"component":"atlas","logs":"GET /"}`}}},
		{"json scalars are records", "42\ntrue\nnot json\n", []rec{{1, "42"}, {2, "true"}}},
		{"truncated line does not swallow the next", "{\"a\":1\n{\"b\":2}\n", []rec{{1, `{"a":1`}, {2, `{"b":2}`}}},
		{"line ending inside a string", "{\"a\":\"x\n{\"b\":2}\n", []rec{{1, `{"a":"x`}, {2, `{"b":2}`}}},
		{"truncated pretty object before a good one", "{\n  \"a\": {\n    \"b\": 1,\n{\n  \"c\": 2\n}\n", []rec{{1, "{\n  \"a\": {\n    \"b\": 1,"}, {4, "{\n  \"c\": 2\n}"}}},
		{"unterminated at end of input", "{\"a\":1}\n{\"b\":", []rec{{1, `{"a":1}`}, {2, `{"b":`}}},
		{"junk after a value", `{"a":1} garbage`, []rec{{1, `{"a":1}`}}},
	}
	readers := map[string]func(io.Reader, func(Record) error) error{"plain": ReadRecords, "indexed": ReadRecordsIndexed}
	for _, tt := range tests {
		for name, read := range readers {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				var got []rec
				err := read(strings.NewReader(tt.in), func(r Record) error {
					got = append(got, rec{r.Line, string(r.Data)})
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(tt.want) {
					t.Fatalf("got %d records %+v, want %d %+v", len(got), got, len(tt.want), tt.want)
				}
				for i := range got {
					if got[i] != tt.want[i] {
						t.Errorf("record %d = %+v, want %+v", i, got[i], tt.want[i])
					}
				}
			})
		}
	}
}

// TestReadRecordsIndexed: the records of one-line objects come indexed,
// and AppendParseRecord makes of them exactly the events AppendParse makes
// of their bytes; other records come without an index.
func TestReadRecordsIndexed(t *testing.T) {
	in := "{\"id\":\"a\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"auth\":{\"accessor_id\":\"user-1\",\"description\":\"x\\\"y\",\"type\":\"Client\"},\"request\":{\"id\":\"r\"},\"resource\":{\"id\":\"ws-1\",\"type\":\"workspace\",\"action\":\"create\",\"meta\":{\"k\":1}}}  \n" +
		"{\n  \"pretty\": true\n}\n" +
		"[{\"in\":\"array\"}]\n" +
		"{\"a\":1}{\"b\":2}\n" +
		"{\"bad\":}\n" +
		"{\"component\":\"atlas\",\"log\":\"GET /\"}\n" +
		"{\"type\":\"response\",\"time\":\"2024-01-01T00:00:00Z\",\"request\":{\"path\":\"sys/audit\",\"operation\":\"read\"}}\n"
	type got struct {
		line    int
		indexed bool
	}
	var recs []got
	received := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	byRecord, byBytes := NewParser(), NewParser()
	byRecord.SetReceived(received)
	byBytes.SetReceived(received)
	// The events are compared once all lines are read: they must not view
	// the reader's buffers, which the later lines overwrite.
	var evA, evB []Event
	var errsA, errsB []string
	err := ReadRecordsIndexed(strings.NewReader(in), func(r Record) error {
		recs = append(recs, got{r.Line, r.indexed != nil})
		var errA, errB error
		evA, errA = byRecord.AppendParseRecord(evA, r)
		evB, errB = byBytes.AppendParse(evB, r.Data)
		errsA, errsB = append(errsA, fmt.Sprint(errA)), append(errsB, fmt.Sprint(errB))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(errsA, errsB) || !reflect.DeepEqual(evA, evB) {
		t.Errorf("AppendParseRecord gave %+v, %v; AppendParse %+v, %v", evA, errsA, evB, errsB)
	}
	want := []got{{1, true}, {2, false}, {5, false}, {6, false}, {6, true}, {7, false}, {9, true}} // the rest of line 6 is one object
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("records (line, indexed) = %v, want %v", recs, want)
	}
}

func TestReadRecordsStopsOnCallbackError(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := ReadRecords(strings.NewReader("1\n2\n3\n"), func(Record) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Fatalf("err %v after %d records, want stop after 2", err, n)
	}
}

func TestReadRecordsReadError(t *testing.T) {
	boom := errors.New("disk gone")
	err := ReadRecords(&failingReader{data: "{\"a\":1}\n", err: boom}, func(Record) error { return nil })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want the read error", err)
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data string
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.data == "" {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReadRecordsLentDataAndParse: a Record's Data is lent (it views the
// reader's buffer, which later reads overwrite); events parsed from it keep
// nothing of it, so events collected over a stream many buffers long stay
// intact, with Parse and with AppendParse as the file source uses it.
func TestReadRecordsLentDataAndParse(t *testing.T) {
	var in strings.Builder
	const n = 3000 // about 300 KiB: the 64 KiB buffer is refilled many times
	for i := range n {
		fmt.Fprintf(&in, `{"id":"r%04d","time":"2024-01-02T03:04:05Z","note":"%s"}`+"\n", i, strings.Repeat("n", 60))
	}
	var parsed, appended []Event
	p, ap := NewParser(), NewParser()
	err := ReadRecords(strings.NewReader(in.String()), func(r Record) error {
		evs, err := p.Parse(r.Data)
		if err != nil {
			return err
		}
		parsed = append(parsed, evs...)
		appended, err = ap.AppendParse(appended, r.Data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(parsed) != n || len(appended) != n {
		t.Fatalf("%d and %d events, want %d", len(parsed), len(appended), n)
	}
	for i := range n {
		want := fmt.Sprintf(`{"id":"r%04d","time":"2024-01-02T03:04:05Z","note":"%s"}`, i, strings.Repeat("n", 60))
		for _, ev := range []*Event{&parsed[i], &appended[i]} {
			if string(ev.Raw) != want {
				t.Fatalf("event %d: Raw %.80q, want %.80q", i, ev.Raw, want)
			}
		}
	}
}

// TestReadRecordsLongLines: lines longer than the reader's
// buffer arrive whole.
func TestReadRecordsLongLines(t *testing.T) {
	long := `{"id":"long","note":"` + strings.Repeat("x", 200<<10) + `"}`
	var want []string
	var in strings.Builder
	for i := range 50 {
		rec := fmt.Sprintf(`{"id":"r%d","pad":"%s"}`, i, strings.Repeat("p", i*97))
		if i%10 == 3 {
			rec = long
		}
		want = append(want, rec)
		in.WriteString(rec + "\r\n")
	}
	var got []Record
	err := ReadRecords(strings.NewReader(in.String()), func(r Record) error {
		got = append(got, Record{Data: bytes.Clone(r.Data), Line: r.Line}) // Data is lent
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d records, want %d", len(got), len(want))
	}
	for i, r := range got {
		if string(r.Data) != want[i] || r.Line != i+1 {
			t.Fatalf("record %d (line %d): %.60q…, want line %d %.60q…", i, r.Line, r.Data, i+1, want[i])
		}
	}
}

// TestReadRecordsReplayWorkIsBounded: lines that each open a value make
// every cut value a candidate for re-reading; the bytes re-read stay within
// maxReplayBytes, so the work is linear in the input (it was about a
// hundred times the input before the byte bound).
func TestReadRecordsReplayWorkIsBounded(t *testing.T) {
	for _, in := range []string{strings.Repeat("[\n", 1<<20), strings.Repeat("{\"a\":\n", 1<<19)} {
		n := 0
		rr := newRecordReader(strings.NewReader(in), func(Record) error { n++; return nil })
		if err := rr.run(); err != nil {
			t.Fatal(err)
		}
		if limit := len(in) + maxReplayBytes; rr.fed > limit {
			t.Errorf("%.8q…: %d bytes fed for %d of input, more than %d", in, rr.fed, len(in), limit)
		}
		if n == 0 {
			t.Errorf("%.8q…: no record", in)
		}
	}
}
