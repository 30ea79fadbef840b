package hec

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
	"github.com/valyala/fastjson"
)

func TestCheckWrapper(t *testing.T) {
	tests := []struct {
		obj  string
		want code
	}{
		{`{"event":{"a":1}}`, codeSuccess},
		{`{ "time" : 1 , "event" : "x" }`, codeSuccess},
		{`{"fields":{"event":null},"event":[1]}`, codeSuccess}, // nested "event" keys do not count
		{`{"sourcetype":"event","event":0}`, codeSuccess},      // a value equal to "event" is not the key
		{`{"\u0065vent":"x"}`, codeSuccess},                    // escaped key
		{`{"event":"\u00e9"}`, codeSuccess},
		{`{"event":false}`, codeSuccess},
		{`{"event":"x","event":null}`, codeSuccess}, // the first key wins, as in fastjson
		{`{}`, codeEventRequired},
		{`{"time":1,"host":"h"}`, codeEventRequired},
		{`{"event" : null }`, codeEventRequired},
		{`{"events":"x"}`, codeEventRequired},
		{`{"event":""}`, codeEventBlank},
		{`{"event":" \t "}`, codeEventBlank},
		{`{"event":"\n\t"}`, codeEventBlank}, // escaped whitespace
		{`{"event":{ }}`, codeEventBlank},
		{`{"event":[]}`, codeSuccess},
		{`{"event":1,}`, codeInvalidDataFormat},
		{"{\"event\":\"\x01\"}", codeInvalidDataFormat},
		{`{"event":01}`, codeInvalidDataFormat},
	}
	for _, tt := range tests {
		if got := checkWrapper([]byte(tt.obj)); got != tt.want {
			t.Errorf("checkWrapper(%s) = %d, want %d", tt.obj, got, tt.want)
		}
	}
}

// checkWrapper is the code Parser.AppendParseHEC gives the event object
// obj itself: an error of the event's content (the parser's, not the
// wrapper's) counts as success here.
func checkWrapper(obj []byte) code {
	_, err := normalize.NewParser().AppendParseHEC(nil, obj)
	if err != nil && !errors.Is(err, normalize.ErrEventInvalid) &&
		!errors.Is(err, normalize.ErrEventRequired) && !errors.Is(err, normalize.ErrEventBlank) {
		return codeSuccess
	}
	return wrapperCode(err)
}

// referenceCheck is checkWrapper built on a fastjson tree: the oracle.
func referenceCheck(p *fastjson.Parser, obj []byte) code {
	if !json.Valid(obj) {
		return codeInvalidDataFormat
	}
	v, err := p.ParseBytes(obj)
	if err != nil || v.Type() != fastjson.TypeObject {
		return codeInvalidDataFormat
	}
	ev := v.Get("event")
	if ev == nil || ev.Type() == fastjson.TypeNull {
		return codeEventRequired
	}
	switch ev.Type() {
	case fastjson.TypeString:
		if len(bytes.TrimSpace(ev.GetStringBytes())) == 0 {
			return codeEventBlank
		}
	case fastjson.TypeObject:
		if o, _ := ev.Object(); o.Len() == 0 {
			return codeEventBlank
		}
	}
	return codeSuccess
}

// FuzzCheckWrapper compares checkWrapper (normalize's tree) with the fastjson
// oracle on every object the frame reader frames.
func FuzzCheckWrapper(f *testing.F) {
	for _, s := range []string{
		`{"event":{"a":1}}`, `{"time":1}`, `{"event":""}`, `{"\u0065vent":" "}`, `{"event":{}}`,
		`{"a":[1,{"event":2}],"event":null}`, `{"event":"x","event":null}`, `{"event":"\n"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, obj []byte) {
		if n, err := scanObject(obj); err != nil || n != len(obj) {
			return // only whole framed objects reach checkWrapper
		}
		var p fastjson.Parser
		got, want := checkWrapper(obj), referenceCheck(&p, obj)
		if got != want && !(want == codeInvalidDataFormat && nestingDepth(obj) >= 300) {
			t.Fatalf("checkWrapper(%q) = %d, oracle %d", obj, got, want)
		}
	})
}
