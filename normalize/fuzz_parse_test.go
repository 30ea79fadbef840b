package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// seedRecords adds every record of testdata/<dir>/ (all dirs when none)
// to the corpus.
func seedRecords(f *testing.F, dirs ...string) {
	f.Helper()
	for _, file := range caseFiles(f) {
		if len(dirs) > 0 && !hasDir(file, dirs) {
			continue
		}
		fh, err := os.Open(file)
		if err != nil {
			f.Fatal(err)
		}
		err = ReadRecords(fh, func(r Record) error { f.Add(bytes.Clone(r.Data)); return nil })
		fh.Close()
		if err != nil {
			f.Fatal(err)
		}
	}
}

func hasDir(file string, dirs []string) bool {
	d := filepath.Base(filepath.Dir(file))
	for _, x := range dirs {
		if d == x {
			return true
		}
	}
	return false
}

// checkParse is the invariant every fuzz target checks on Parse: no
// panic; errors wrap a sentinel; every event keeps the invariants; the same
// input gives the same output from a fresh and a reused Parser; events do
// not alias the input.
func checkParse(t *testing.T, p *Parser, b []byte) {
	in := bytes.Clone(b)
	evs, err := p.Parse(in)
	checkErr(t, err)
	for i := range evs {
		checkEvent(t, &evs[i])
		if !evs[i].jsonChecked {
			t.Errorf("event %q: Parse did not mark it as checked JSON", evs[i].ID)
		}
	}
	for i := range in {
		in[i] = 'x' // events must not alias the input
	}
	again, err2 := Parse(b)
	if !reflect.DeepEqual(evs, again) || errString(err) != errString(err2) {
		t.Fatalf("same input, different output:\n%+v %v\n%+v %v", evs, err, again, err2)
	}
	// AppendParse gives the same events after what is already in the
	// batch, from taken-back storage, without aliasing the input.
	p.Reset()
	prefix, _ := p.AppendParse(nil, []byte(`{"id":"prefix","timestamp":"2024-01-01T00:00:00Z","auth":{},"resource":{},"request":{}}`))
	in = bytes.Clone(b)
	app, err3 := p.AppendParse(prefix, in)
	for i := range in {
		in[i] = 'x'
	}
	if len(prefix) != 1 || len(app) != 1+len(again) || app[0].ID != "prefix" ||
		(len(again) > 0 && !reflect.DeepEqual(app[1:], again)) || errString(err3) != errString(err2) {
		t.Fatalf("AppendParse differs from Parse:\n%+v %v\n%+v %v", app, err3, again, err2)
	}
}

func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range []error{ErrEmpty, ErrNotRecord, ErrInvalidJSON, ErrMissingField, ErrInvalidField, ErrTooDeep} {
		if errors.Is(err, s) {
			if !strings.HasPrefix(err.Error(), "normalize: ") {
				t.Fatalf("error without the package prefix: %v", err)
			}
			return
		}
	}
	t.Fatalf("error wraps no sentinel: %v", err)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fuzzKind fuzzes one parser: through Parse (with detection) and called
// directly on any JSON object, so each parser meets shapes detection would
// never give it.
func fuzzKind(f *testing.F, direct func(t *testing.T, p *Parser, v *value, raw []byte) (Event, error), dirs ...string) {
	seedRecords(f, dirs...)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := NewParser()
		checkParse(t, p, b)
		v, raw, err := p.parseJSON(b, 0)
		if err != nil || v.Type() != typeObject {
			return
		}
		ev, err := direct(t, p, v, raw)
		checkErr(t, err)
		if err == nil {
			checkEvent(t, &ev)
		}
	})
}

func FuzzParseTFC(f *testing.F) {
	fuzzKind(f, func(_ *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		return p.parseTFC(v, raw, nil)
	}, "tfc")
}

func FuzzParseTFE(f *testing.F) {
	f.Add([]byte(`2018-03-27 21:55:29 [INFO] [Audit Log] {"resource":"x","action":"create"}`))
	f.Add([]byte(`x audit event: event_type="a b" timestamp=2025-10-15T14:30:00Z user="q\"`))
	fuzzKind(f, func(_ *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		return p.parseTFEObject(v, raw, nil, 1)
	}, "tfe")
}

func FuzzParseHCPControlPlane(f *testing.F) {
	fuzzKind(f, func(_ *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		return p.parseControlPlane(v, raw, nil)
	}, "hcp_control_plane")
}

func FuzzParseHCPPlatform(f *testing.F) {
	fuzzKind(f, func(_ *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		return p.parsePlatform(v, raw, nil)
	}, "hcp_platform")
}

func FuzzParseStreamTest(f *testing.F) {
	fuzzKind(f, func(_ *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		return p.parseStreamTest(v, raw, nil)
	}, "hcp_stream_test")
}

func FuzzParseBoundary(f *testing.F) {
	fuzzKind(f, func(_ *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		return p.parseBoundary(v, raw, nil, 1)
	}, "boundary")
}

func FuzzParsePacker(f *testing.F) {
	fuzzKind(f, func(_ *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		return p.parsePacker(v, raw, nil)
	}, "packer")
}

func FuzzParseHEC(f *testing.F) {
	fuzzKind(f, func(t *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		p.out = nil
		err := p.parseHEC(v, raw, nil, 1)
		evs := p.out
		for i := 1; i < len(evs); i++ {
			checkEvent(t, &evs[i])
		}
		if len(evs) == 0 {
			return Event{}, errors.Join(ErrEmpty, err) // no event: only the error is checked
		}
		return evs[0], err
	}, "hec")
}

func FuzzParseUnknown(f *testing.F) {
	fuzzKind(f, func(_ *testing.T, p *Parser, v *value, raw []byte) (Event, error) {
		return p.parseUnknown(v, raw, nil)
	}, "unknown", "invalid")
}

// FuzzDetect: no panic; a kind is one of the Kind* constants; when Parse
// succeeds, its first event has the kind Detect named.
func FuzzDetect(f *testing.F) {
	seedRecords(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		kind, err := Detect(b)
		checkErr(t, err)
		if err != nil {
			return
		}
		switch kind {
		case KindTFCAuditTrail, KindTFEAuditLog, KindHCPControl, KindHCPPlatform,
			KindBoundary, KindPacker, KindStreamTest, KindVaultAudit, KindNomadAudit, KindConsulAudit, KindHCPServiceLog, KindUnknown:
		default:
			t.Fatalf("Detect gave %q", kind)
		}
		evs, perr := Parse(b)
		if perr == nil && len(evs) > 0 && evs[0].Kind != kind {
			t.Fatalf("Detect says %s, Parse made %s", kind, evs[0].Kind)
		}
	})
}

// FuzzReadRecords: no error from an in-memory stream; records come in line
// order, each non-empty and within the input; the same stream splits the
// same way twice; every record parses without panic.
func FuzzReadRecords(f *testing.F) {
	for _, file := range caseFiles(f) {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("[\n{\"a\":1},\n{\"b\":\n{\"c\":2}\n]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		split := func() []Record {
			var recs []Record
			if err := ReadRecords(bytes.NewReader(b), func(r Record) error {
				recs = append(recs, Record{Data: bytes.Clone(r.Data), Line: r.Line}) // Data is lent
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return recs
		}
		recs := split()
		lines := bytes.Count(b, []byte("\n")) + 1
		for i, r := range recs {
			if len(bytes.TrimSpace(r.Data)) == 0 && !bytes.Contains(b, []byte("[")) {
				t.Fatalf("record %d is empty", i)
			}
			if r.Line < 1 || r.Line > lines || (i > 0 && r.Line < recs[i-1].Line) {
				t.Fatalf("record %d: line %d out of order or range (%d lines)", i, r.Line, lines)
			}
			evs, err := Parse(r.Data)
			checkErr(t, err)
			for j := range evs {
				checkEvent(t, &evs[j])
			}
		}
		if !reflect.DeepEqual(recs, split()) {
			t.Fatal("the same stream split differently")
		}
		// ReadRecordsIndexed splits the same way, and AppendParseRecord
		// makes the events AppendParse makes of the same bytes.
		var indexed []Record
		received := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		byRecord, byBytes := NewParser(), NewParser()
		byRecord.SetReceived(received)
		byBytes.SetReceived(received)
		if err := ReadRecordsIndexed(bytes.NewReader(b), func(r Record) error {
			indexed = append(indexed, Record{Data: bytes.Clone(r.Data), Line: r.Line})
			a, errA := byRecord.AppendParseRecord(nil, r)
			c, errC := byBytes.AppendParse(nil, r.Data)
			if fmt.Sprint(errA) != fmt.Sprint(errC) || !reflect.DeepEqual(a, c) {
				t.Fatalf("line %d: AppendParseRecord gave %+v, %v; AppendParse %+v, %v", r.Line, a, errA, c, errC)
			}
			byRecord.Reset()
			byBytes.Reset()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(recs, indexed) {
			t.Fatalf("ReadRecordsIndexed split %v, ReadRecords %v", indexed, recs)
		}
	})
}

// FuzzValidJSON: what Parse accepts as JSON is valid for encoding/json
// (so Raw is always valid), and what encoding/json rejects Parse rejects.
// The only allowed difference: Parse refuses nesting deeper than maxNesting.
func FuzzValidJSON(f *testing.F) {
	seedRecords(f)
	for _, s := range []string{`1`, `-0.5e+3`, `"\u00e9"`, `[1,]`, `{"a":01}`, `NaN`, `"\x"`, "\"\x01\"", `1.`, `[-]`, `{"a":tru}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p := NewParser()
		_, raw, err := p.parseJSON(b, 0)
		ours, std := err == nil, json.Valid(b)
		if ours && !json.Valid(raw) {
			t.Fatalf("accepted %q but its compact form %q is not valid JSON", b, raw)
		}
		if ours != std && !(std && bytes.Count(b, []byte("["))+bytes.Count(b, []byte("{")) > 300) {
			t.Fatalf("parseJSON says %v, encoding/json says %v for %q", ours, std, b)
		}
		if ours != validJSON(b) {
			t.Fatalf("validJSON disagrees with parseJSON for %q", b)
		}
	})
}
