package normalize

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"
)

// allRecords is every record of every testdata case file (invalid ones
// included) with the events and error Parse gives it.
type parsedRecord struct {
	data []byte
	evs  []Event
	err  string
}

func allRecords(t *testing.T) []parsedRecord {
	t.Helper()
	var recs []parsedRecord
	for _, file := range caseFiles(t) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		err = ReadRecords(bytes.NewReader(data), func(r Record) error {
			evs, perr := Parse(r.Data)
			recs = append(recs, parsedRecord{data: bytes.Clone(r.Data), evs: evs, err: errString(perr)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return recs
}

// TestAppendParseBatches parses every testdata record into batches of
// various sizes with one Parser and checks, at the end of each batch (after
// later records reused the Parser), that every event of the batch equals
// what Parse gave; then Reset and the next batch reuses the storage.
func TestAppendParseBatches(t *testing.T) {
	recs := allRecords(t)
	var nevents int
	for _, size := range []int{1, 3, 17, len(recs)} {
		p := NewParser()
		var batch []Event
		var want []Event
		check := func() {
			t.Helper()
			if !reflect.DeepEqual(batch, want) {
				for i := range min(len(batch), len(want)) {
					if !reflect.DeepEqual(batch[i], want[i]) {
						t.Fatalf("batch size %d: event %d\n got %+v\nwant %+v", size, i, batch[i], want[i])
					}
				}
				t.Fatalf("batch size %d: %d events, want %d", size, len(batch), len(want))
			}
			p.Reset()
			batch, want = batch[:0], want[:0]
		}
		for i, r := range recs {
			var err error
			in := bytes.Clone(r.data)
			batch, err = p.AppendParse(batch, in)
			clear(in) // events must not alias the input
			if errString(err) != r.err {
				t.Fatalf("record %d: error %q, want %q", i, errString(err), r.err)
			}
			want = append(want, r.evs...)
			nevents += len(r.evs)
			if (i+1)%size == 0 {
				check()
			}
		}
		check()
	}
	if nevents < 4*len(recs)/2 {
		t.Fatalf("only %d events from %d records in 4 passes", nevents, len(recs))
	}
}

// TestParseEventsSurviveReuse: Parse's events are the caller's; a Parser
// that goes on with AppendParse and Reset never writes over them.
func TestParseEventsSurviveReuse(t *testing.T) {
	recs := allRecords(t)
	p := NewParser()
	var kept []Event
	for _, r := range recs {
		evs, _ := p.Parse(r.data)
		kept = append(kept, evs...)
	}
	var want []Event
	for _, r := range recs {
		want = append(want, r.evs...)
	}
	for range 3 {
		var batch []Event
		for _, r := range recs {
			batch, _ = p.AppendParse(batch, r.data)
		}
		for i := range batch { // overwrite everything the batch's storage holds
			for j := range batch[i].Meta {
				clear(batch[i].Meta[j].Value)
				batch[i].Meta[j] = MetaPair{}
			}
			clear(batch[i].Raw)
		}
		p.Reset()
	}
	if !reflect.DeepEqual(kept, want) {
		t.Fatal("events of Parse changed when the Parser reused its storage")
	}
}

// TestAppendParseReusesStorage: once warmed up, a batch of audit-trail,
// control-plane and Boundary records parses without allocating (Parse
// allocates Raw, Meta and the event slice for each).
func TestAppendParseReusesStorage(t *testing.T) {
	var recs [][]byte
	for _, file := range []string{"hcp_control_plane/docs_vault_radar_connection_create.json",
		"boundary/sessions.json", "tfc/page.json"} {
		data, err := os.ReadFile("testdata/" + file)
		if err != nil {
			t.Fatal(err)
		}
		c, ok := appendCompact(nil, data)
		if !ok {
			t.Fatalf("%s: not JSON", file)
		}
		recs = append(recs, c)
	}
	p := NewParser()
	batch := make([]Event, 0, 64)
	run := func() {
		p.Reset()
		batch = batch[:0]
		for _, r := range recs {
			var err error
			if batch, err = p.AppendParse(batch, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	run()
	if n := testing.AllocsPerRun(50, run); n != 0 {
		t.Errorf("AppendParse batch of %d records: %v allocations, want 0", len(recs), n)
	}
	parse := func() {
		for _, r := range recs {
			if _, err := p.Parse(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := testing.AllocsPerRun(50, parse); n < float64(2*len(recs)) {
		t.Errorf("Parse of %d records: %v allocations; the comparison above would prove nothing", len(recs), n)
	}
}

// TestEventClone: a clone shares no memory with its event: every string,
// Meta and Raw survive the original's storage being overwritten.
func TestEventClone(t *testing.T) {
	buf := []byte(strings.Repeat("abcdefgh", 50) + `"abcd"[1,2,3,4]`)
	var ev Event
	n := 0
	next := func() string { // a distinct string viewing buf
		n++
		return unsafeString(buf[n*8 : n*8+8])
	}
	setStrings(reflect.ValueOf(&ev).Elem(), next)
	ev.Time = time.Unix(1, 0).UTC()
	ev.Meta = Meta{{unsafeString(buf[392:400]), buf[400:406]}}
	ev.Raw = buf[406:415]
	want := deepCopyJSON(t, ev)
	c := ev.Clone()
	copy(buf, strings.Repeat("ABCDEFGH", 50)+`"ABCD"[5,6,7,8]`)
	if got := deepCopyJSON(t, c); got != want {
		t.Fatalf("clone changed with the original's storage:\n got %s\nwant %s", got, want)
	}
	if n < 20 {
		t.Fatalf("only %d string fields set", n)
	}
}

// setStrings sets every string field of v (recursively) to next().
func setStrings(v reflect.Value, next func() string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(next())
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				setStrings(v.Field(i), next)
			}
		}
	}
}

func deepCopyJSON(t *testing.T, ev Event) string {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// unsafeString views b as a string, as the Parser's events view its storage.
func unsafeString(b []byte) string { return unsafe.String(&b[0], len(b)) }
