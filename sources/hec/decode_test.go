package hec

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

// want is an expected frame: its text and its refusal code.
type want struct {
	data string
	bad  code
}

func framesOf(fs []frame) []want {
	out := make([]want, 0, len(fs))
	for _, f := range fs {
		out = append(out, want{string(f.data), f.bad})
	}
	return out
}

func sameFrames(t *testing.T, got []frame, exp []want) {
	t.Helper()
	g := framesOf(got)
	if len(g) != len(exp) {
		t.Fatalf("got %d frames %+v, want %d %+v", len(g), g, len(exp), exp)
	}
	for i := range exp {
		if g[i] != exp[i] {
			t.Errorf("frame %d = %q code %d, want %q code %d", i, g[i].data, g[i].bad, exp[i].data, exp[i].bad)
		}
		if got[i].num != i {
			t.Errorf("frame %d numbered %d", i, got[i].num)
		}
	}
}

// checkedHEC is decodeHEC's frames with each framed object's code from
// AppendParseHEC (checkWrapper), as the handler refuses them.
func checkedHEC(body []byte) []frame {
	fs := decodeHEC(body, 1<<20)
	for i, f := range fs {
		if f.hec && f.bad == codeSuccess {
			fs[i].bad = checkWrapper(f.data)
		}
	}
	return fs
}

// parsedHEC is parseHEC's frames with each frame's code from its bad
// record, as the handler refuses them.
func parsedHEC(t *testing.T, body []byte) []frame {
	t.Helper()
	wk := &worker{parser: normalize.NewParser()}
	fs, events, bad, ok := parseHEC(wk, body, 1<<20)
	if !ok || len(wk.owners) != len(events) {
		t.Fatalf("parseHEC: ok %v, %d events, %d owners", ok, len(events), len(wk.owners))
	}
	for _, b := range bad {
		fs[b.num].bad = b.code
	}
	return fs
}

// TestDecodeHEC runs each body through both framings of the event
// endpoint: parseHEC (frames by parsing) and decodeHEC (by brackets, then
// parsed).
func TestDecodeHEC(t *testing.T) {
	deep := `{"event":` + strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth) + `}`
	tests := []struct {
		name string
		body string
		want []want
	}{
		{"one object", `{"event":{"a":1}}`, []want{{`{"event":{"a":1}}`, codeSuccess}}},
		{"concatenated without whitespace", `{"event":"a"}{"event":"b"}`,
			[]want{{`{"event":"a"}`, codeSuccess}, {`{"event":"b"}`, codeSuccess}}},
		{"newline separated with CRLF and blank lines", "{\"event\":\"a\"}\r\n\r\n {\"event\":\"b\"}\n",
			[]want{{`{"event":"a"}`, codeSuccess}, {`{"event":"b"}`, codeSuccess}}},
		{"braces and escaped quotes inside strings", `{"event":"a\"}{\\"}{"event":"}"}`,
			[]want{{`{"event":"a\"}{\\"}`, codeSuccess}, {`{"event":"}"}`, codeSuccess}}},
		{"metadata kept in the frame", `{"time":1700000000.5,"host":"h","sourcetype":"s","fields":{"k":"v"},"event":{"x":1}}`,
			[]want{{`{"time":1700000000.5,"host":"h","sourcetype":"s","fields":{"k":"v"},"event":{"x":1}}`, codeSuccess}}},
		{"missing event", `{"time":1}{"event":"b"}`, []want{{`{"time":1}`, codeEventRequired}, {`{"event":"b"}`, codeSuccess}}},
		{"null event", `{"event":null}`, []want{{`{"event":null}`, codeEventRequired}}},
		{"blank string event", `{"event":""}{"event":"  "}`, []want{{`{"event":""}`, codeEventBlank}, {`{"event":"  "}`, codeEventBlank}}},
		{"blank object event", `{"event":{}}`, []want{{`{"event":{}}`, codeEventBlank}}},
		{"number event accepted", `{"event":42}`, []want{{`{"event":42}`, codeSuccess}}},
		{"invalid JSON between good neighbours", `{"event":"a"}{"event":x}{"event":"c"}`,
			[]want{{`{"event":"a"}`, codeSuccess}, {`{"event":x}`, codeInvalidDataFormat}, {`{"event":"c"}`, codeSuccess}}},
		{"mismatched brackets stay framed", `{"event":[}]}{"event":"c"}`,
			[]want{{`{"event":[}]`, codeInvalidDataFormat}, {`}{"event":"c"}`, codeInvalidDataFormat}}},
		{"garbage after an event ends the framing", `{"event":"a"} hello {"event":"c"}`,
			[]want{{`{"event":"a"}`, codeSuccess}, {`hello {"event":"c"}`, codeInvalidDataFormat}}},
		{"top-level array is not an event", `[{"event":"a"}]`, []want{{`[{"event":"a"}]`, codeInvalidDataFormat}}},
		{"unterminated object", `{"event":"a"}{"event":{"b":1}`,
			[]want{{`{"event":"a"}`, codeSuccess}, {`{"event":{"b":1}`, codeInvalidDataFormat}}},
		{"unterminated string", `{"event":"a}`, []want{{`{"event":"a}`, codeInvalidDataFormat}}},
		{"nesting at the limit", deep, []want{{deep, codeInvalidDataFormat}}},
		{"nesting just under the limit", `{"event":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `}`,
			[]want{{`{"event":` + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + `}`, codeSuccess}}},
		{"invalid UTF-8 inside a string is framed", "{\"event\":\"\xff\xfe\"}", []want{{"{\"event\":\"\xff\xfe\"}", codeSuccess}}},
		{"raw control character in a string", "{\"event\":\"a\x00\"}", []want{{"{\"event\":\"a\x00\"}", codeInvalidDataFormat}}},
		{"whitespace only", " \n\t\r\n", []want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sameFrames(t, checkedHEC([]byte(tt.body)), tt.want)
			sameFrames(t, parsedHEC(t, []byte(tt.body)), tt.want)
		})
	}
}

func TestDecodeLines(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	tests := []struct {
		name string
		body string
		want []want
	}{
		{"lines", "{\"a\":1}\n{\"b\":2}", []want{{`{"a":1}`, codeSuccess}, {`{"b":2}`, codeSuccess}}},
		{"CRLF, blank lines and trailing newline", "\r\n{\"a\":1}\r\n\r\n  \nplain text\r\n",
			[]want{{`{"a":1}`, codeSuccess}, {`plain text`, codeSuccess}}},
		// the parser refuses the deep line (TestIngest), not the framing
		{"too deep line framed like any other", deep + "\n{\"b\":2}", []want{{deep, codeSuccess}, {`{"b":2}`, codeSuccess}}},
		{"empty", "\n\n", []want{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := decodeLines([]byte(tt.body), 1<<20)
			sameFrames(t, got, tt.want)
			for _, f := range got {
				if !f.skippable || f.line < 1 {
					t.Errorf("frame %d: skippable %v line %d", f.num, f.skippable, f.line)
				}
			}
		})
	}
}

func TestNestingDepth(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{`plain text`, 0},
		{`{"a":[1,{"b":2}]}`, 3},
		{`{"a":"[[[[{{{{"}`, 1},
		{`{"a":"\"[[["}`, 1},
		{"log \"unbalanced quote\n[[[]]]", 3},
		{`]]]][`, 1},
	}
	for _, tt := range tests {
		if got := nestingDepth([]byte(tt.in)); got != tt.want {
			t.Errorf("nestingDepth(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

// FuzzDecodeHEC checks the frame reader on arbitrary bodies: no panic;
// frames are consecutive, non-overlapping pieces of the body in order with
// only whitespace between them; all but the last are bracketed; every accepted frame is a valid JSON object
// with a non-blank "event" (checked with encoding/json);
// and re-joining the frames with newlines decodes to the same frames.
func FuzzDecodeHEC(f *testing.F) {
	for _, s := range []string{
		`{"event":{"a":1}}{"event":"b"}`, "{\"event\":\"a\"}\n{\"time\":1}\r\n", `{"event":""}`,
		`{"event":"a\"}{\\"}`, `{"event":x}{"event":1}`, `{"event":[}]}`, `junk`, `{"event":"\u00e9"}`,
		"{\"event\":\"\xff\"}", `{"event":[[[[[[[[[[]]]]]]]]]]}`, `{`, `"`, `{"event":{"b":null}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		frames := checkedHEC(body)
		off := 0
		for i, fr := range frames {
			start := bytes.Index(body[off:], fr.data)
			if start < 0 || len(bytes.TrimSpace(body[off:off+start])) != 0 {
				t.Fatalf("frame %d %q does not follow the previous one with only whitespace between", i, fr.data)
			}
			off += start + len(fr.data)
			if fr.bad == codeSuccess {
				var v map[string]json.RawMessage
				if err := json.Unmarshal(fr.data, &v); err != nil {
					t.Fatalf("accepted frame %d %q is not a JSON object: %v", i, fr.data, err)
				}
				if ev := bytes.TrimSpace(v["event"]); len(ev) == 0 || string(ev) == "null" || string(ev) == `""` {
					t.Fatalf("accepted frame %d %q has no usable event", i, fr.data)
				}
			}
		}
		if len(bytes.TrimSpace(body[off:])) != 0 {
			t.Fatalf("body after the last frame not covered: %q", body[off:])
		}
		for i := 0; i+1 < len(frames); i++ {
			d := frames[i].data
			if d[0] != '{' || (d[len(d)-1] != '}' && d[len(d)-1] != ']') {
				t.Fatalf("frame %d %q is not bracketed but is not the last", i, d)
			}
		}
		var joined [][]byte
		for _, fr := range frames {
			joined = append(joined, fr.data)
		}
		again := checkedHEC(bytes.Join(joined, []byte("\n")))
		if len(again) != len(frames) {
			t.Fatalf("re-joined body gives %d frames, want %d", len(again), len(frames))
		}
		for i := range again {
			if !bytes.Equal(again[i].data, frames[i].data) || again[i].bad != frames[i].bad {
				t.Fatalf("re-joined frame %d = %q/%d, want %q/%d", i, again[i].data, again[i].bad, frames[i].data, frames[i].bad)
			}
		}
	})
}
