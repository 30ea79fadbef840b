package normalize

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// prefixStep is one AppendParseHECPrefix call of a walk over a body: the
// object it should frame (empty when it is refused as invalid JSON) and
// the refusal.
type prefixStep struct {
	obj  string
	want error // nil: parsed
}

// walkPrefix parses body object after object the way the HEC receiver
// does (skipping whitespace, stopping at the first object that is not
// valid JSON) and checks each step.
func walkPrefix(t *testing.T, body string, steps []prefixStep) {
	t.Helper()
	p := NewParser()
	p.SetReceived(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	b := []byte(body)
	off := 0
	for i, st := range steps {
		for off < len(b) && isSpace(b[off]) {
			off++
		}
		seed := []Event{{Kind: "before"}}
		got, end, err := p.AppendParseHECPrefix(seed, b, off)
		if !errors.Is(err, st.want) || (st.want == nil && err != nil) {
			t.Fatalf("step %d at %d: err %v, want %v", i, off, err, st.want)
		}
		if got[0].Kind != "before" {
			t.Fatalf("step %d: dst overwritten: %+v", i, got[0])
		}
		if errors.Is(err, ErrEventInvalid) {
			if end != off || len(got) != 1 {
				t.Fatalf("step %d: refused object gives end %d (off %d) and %d events", i, end, off, len(got))
			}
			if !errors.Is(err, ErrInvalidJSON) {
				t.Fatalf("step %d: %v does not match ErrInvalidJSON", i, err)
			}
			if i != len(steps)-1 {
				t.Fatalf("bad test: an invalid step %d must be the last", i)
			}
			return
		}
		if obj := string(b[off:end]); obj != st.obj {
			t.Fatalf("step %d framed %q, want %q", i, obj, st.obj)
		}
		// The same outcome as AppendParseHEC on the framed object.
		q := NewParser()
		q.SetReceived(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
		want, werr := q.AppendParseHEC(seed[:1:1], []byte(st.obj))
		if (werr == nil) != (err == nil) || (err != nil && werr.Error() != err.Error()) {
			t.Fatalf("step %d: err %v, AppendParseHEC says %v", i, err, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: events %+v, AppendParseHEC gives %+v", i, got, want)
		}
		off = end
	}
	for off < len(b) && isSpace(b[off]) {
		off++
	}
	if off != len(b) {
		t.Fatalf("body left after the last step: %q", b[off:])
	}
}

func TestAppendParseHECPrefix(t *testing.T) {
	nest := func(n int) string { return `{"event":` + strings.Repeat(`{"a":`, n-1) + "1" + strings.Repeat("}", n) }
	a, b, c := `{"event":"a"}`, `{"event":{"b":1}}`, `{"event":"c","time":1700000000}`
	tests := []struct {
		name  string
		body  string
		steps []prefixStep
	}{
		{"back to back", a + b + c, []prefixStep{{a, nil}, {b, nil}, {c, nil}}},
		{"whitespace and newlines between", " " + a + "\r\n\n\t" + b + "\n  " + c + "\n\n",
			[]prefixStep{{a, nil}, {b, nil}, {c, nil}}},
		{"whitespace inside is compacted, not a boundary", "{ \"event\" :\n [ 1 , 2 ] }" + a,
			[]prefixStep{{"{ \"event\" :\n [ 1 , 2 ] }", nil}, {a, nil}}},
		{"trailing garbage after a good object", a + `xyz`, []prefixStep{{a, nil}, {"", ErrEventInvalid}}},
		{"trailing garbage after whitespace", a + " \n" + `]`, []prefixStep{{a, nil}, {"", ErrEventInvalid}}},
		{"a bad object between good ones", a + `{"event":x}` + c, []prefixStep{{a, nil}, {"", ErrEventInvalid}}},
		{"unterminated last object", a + `{"event":{"b":1}`, []prefixStep{{a, nil}, {"", ErrEventInvalid}}},
		{"unterminated string", a + `{"event":"b}`, []prefixStep{{a, nil}, {"", ErrEventInvalid}}},
		{"string with braces and escaped quotes", `{"event":"a\"}{\\"}{"event":"}"}`,
			[]prefixStep{{`{"event":"a\"}{\\"}`, nil}, {`{"event":"}"}`, nil}}},
		{"refusals keep their end", `{"time":1}{"event":null}{"event":"  "}{"event":{}}` + a,
			[]prefixStep{{`{"time":1}`, ErrEventRequired}, {`{"event":null}`, ErrEventRequired},
				{`{"event":"  "}`, ErrEventBlank}, {`{"event":{}}`, ErrEventBlank}, {a, nil}}},
		{"nesting at the limit", nest(MaxNesting) + a, []prefixStep{{nest(MaxNesting), nil}, {a, nil}}},
		{"nesting past the limit", a + nest(MaxNesting+1) + a, []prefixStep{{a, nil}, {"", ErrEventInvalid}}},
		{"top-level array is not an event", `[` + a + `]`, []prefixStep{{"", ErrEventInvalid}}},
		{"a raw control byte in a string", "{\"event\":\"a\x01\"}", []prefixStep{{"", ErrEventInvalid}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { walkPrefix(t, tt.body, tt.steps) })
	}

	p := NewParser()
	_, _, err := p.AppendParseHECPrefix(nil, []byte(a+nest(MaxNesting+1)), len(a))
	if !errors.Is(err, ErrEventInvalid) || !strings.Contains(err.Error(), "nested deeper than 300 levels") {
		t.Errorf("too deep: %v", err)
	}
	for _, off := range []int{-1, len(a), len(a) + 5} {
		if _, end, err := p.AppendParseHECPrefix(nil, []byte(a), off); !errors.Is(err, ErrEventInvalid) || end != off {
			t.Errorf("offset %d outside the body: end %d, %v", off, end, err)
		}
	}
}

// TestAppendParseHECPrefixMapsOnce parses a long body (the published
// wrapped records, repeated) object by object and checks that the string
// map was built for about the body once: a prefix parse that mapped the
// rest of the body on every call would map about n²/2 objects.
func TestAppendParseHECPrefixMapsOnce(t *testing.T) {
	one, err := os.ReadFile(filepath.Join("testdata", "hec", "wrapped_each_kind.json"))
	if err != nil {
		t.Fatal(err)
	}
	const copies = 200
	body := bytes.Repeat(one, copies)
	objects := 0
	p := NewParser()
	p.SetReceived(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	p.ts[0].mappedWords = 0
	var events []Event
	for off := 0; ; {
		for off < len(body) && isSpace(body[off]) {
			off++
		}
		if off == len(body) {
			break
		}
		var end int
		events, end, err = p.AppendParseHECPrefix(events, body, off)
		if err != nil && errors.Is(err, ErrEventInvalid) {
			t.Fatalf("object %d at %d: %v", objects, off, err)
		}
		objects++
		off = end
	}
	perCopy := bytes.Count(one, []byte("\n"))
	if objects != copies*perCopy || len(events) < objects/2 {
		t.Fatalf("%d objects, %d events; want %d objects", objects, len(events), copies*perCopy)
	}
	words := p.ts[0].mappedWords
	// Each object maps its own words, at most twice over (the blocks
	// double), plus its first block and a stop word per block.
	if limit := 2*len(body)/64 + objects*(2*prefixFirstWords+8); words > limit || words < len(body)/64 {
		t.Fatalf("mapped %d words for a body of %d words in %d objects, want between %d and %d",
			words, len(body)/64, objects, len(body)/64, limit)
	}
	t.Logf("%d objects, %d bytes: %d words mapped (%.2f per word of body)", objects, len(body), words, float64(words)/float64(len(body)/64))
}

// TestParsePrefixAtEveryOffset parses one value, its members shifted by
// every offset of a block, followed by every kind of text: escapes that
// straddle the end of a mapped block are read whole, a string that starts
// far past the block mapped (after long runs of numbers or whitespace)
// maps its own, and the value ends where it ends.
func TestParsePrefixAtEveryOffset(t *testing.T) {
	long := strings.Repeat("x", 200)
	for pad := range 140 {
		value := `{"pad":"` + strings.Repeat("p", pad) + `","a":"` + long + `","b":["\"` + long + `\\",{"c":"}"}],` +
			`"e":"` + strings.Repeat(`\u00e9`, 300) + `","n":[` + strings.Repeat("1,", 700) + `1],"w":` +
			strings.Repeat(" ", 1500) + `"after the gaps"}`
		for _, after := range []string{"", " ", "\n{", `"`, "]", value} {
			src := []byte(value + after)
			var tr tree
			_, end, ok := tr.parsePrefix(nil, src)
			if !ok || end != len(value) || string(tr.raw) != strings.Replace(value, strings.Repeat(" ", 1500), "", 1) {
				t.Fatalf("pad %d, after %q: ok %v end %d (want %d)", pad, after, ok, end, len(value))
			}
			v := tr.root()
			if v.Get("b", "1", "c") == nil || string(v.GetStringBytes("a")) != long ||
				string(v.GetStringBytes("e")) != strings.Repeat("é", 300) || string(v.GetStringBytes("w")) != "after the gaps" {
				t.Fatalf("pad %d, after %q: lookups fail", pad, after)
			}
		}
	}
}

// FuzzParsePrefix: a value parses as a prefix of any longer input exactly
// when it parses on its own, with the same compact bytes, and the prefix
// ends where the value does, whatever whitespace (gap) and text follow.
func FuzzParsePrefix(f *testing.F) {
	for _, s := range []string{`{"event":"a"}`, `{"a":[1,"\"}",{"b":null}]}`, `[1,2]`, `"s"`, `12`, `true`,
		`{"a":"` + strings.Repeat("é", 50) + `"}`, `{`, `{"a":"\u00e9\\"}`} {
		f.Add([]byte(s), []byte(` {"x":1}`), uint8(3))
		f.Add([]byte(s), []byte(`xyz`), uint8(0))
		f.Add([]byte(s), []byte(`"`), uint8(65))
	}
	var pre tree // reused: each input also checks what the last left in its lazy map
	f.Fuzz(func(t *testing.T, value, after []byte, gap uint8) {
		value = bytes.TrimSpace(value)
		if len(value) == 0 {
			return
		}
		var whole tree
		wantRaw, wantOK := whole.parse(nil, value)
		src := append(append(bytes.Clone(value), bytes.Repeat([]byte{' '}, int(gap%130))...), after...)
		raw, end, ok := pre.parsePrefix(nil, src)
		if ok {
			// The prefix parsed is a value on its own, with the same bytes.
			var again tree
			againRaw, againOK := again.parse(nil, src[:end])
			if !againOK || !bytes.Equal(againRaw, raw) || !bytes.Equal(pre.raw, raw) {
				t.Fatalf("prefix %q of %q does not parse alone the same: %v %q vs %q", src[:end], src, againOK, againRaw, raw)
			}
			if end == 0 || isSpace(src[end-1]) {
				t.Fatalf("prefix end %d of %q", end, src)
			}
		}
		if !wantOK {
			return
		}
		// A valid value followed by anything: the prefix is the value, unless
		// what follows continues it (a number or literal run on, e.g. 1 then 2).
		last := value[len(value)-1]
		if gap%130 == 0 && len(after) > 0 && last != '}' && last != ']' && last != '"' {
			return
		}
		if !ok || end != len(value) || !bytes.Equal(raw, wantRaw) || len(whole.vals) != len(pre.vals) {
			t.Fatalf("value %q followed by %q: ok %v end %d raw %q, want end %d raw %q", value, src[len(value):], ok, end, raw, len(value), wantRaw)
		}
	})
}

// TestRefusedRecordsShareABlock: records refused as invalid JSON do not
// each take a storage block of their own (AppendParse's storage grows
// until Reset; 1000 bad records held 1000 blocks of 64 KiB).
func TestRefusedRecordsShareABlock(t *testing.T) {
	const bad = `{"event":x}`
	body := bytes.Repeat([]byte(bad), 1000)
	parsers := map[string]func(p *Parser, off int) error{
		"AppendParse": func(p *Parser, off int) error {
			_, err := p.AppendParse(nil, body[off:off+len(bad)])
			return err
		},
		"AppendParseHEC": func(p *Parser, off int) error {
			_, err := p.AppendParseHEC(nil, body[off:off+len(bad)])
			return err
		},
		"AppendParseHECPrefix": func(p *Parser, off int) error {
			_, _, err := p.AppendParseHECPrefix(nil, body, off)
			return err
		},
	}
	for name, parse := range parsers {
		p := NewParser()
		for off := 0; off < len(body); off += len(bad) {
			if err := parse(p, off); !errors.Is(err, ErrInvalidJSON) {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if len(p.blocks) > 1 {
			t.Errorf("%s: 1000 refused records took %d blocks (Retained %d bytes)", name, len(p.blocks), p.Retained())
		}
	}
}
