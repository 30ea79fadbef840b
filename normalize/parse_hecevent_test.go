package normalize

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestAppendParseHEC(t *testing.T) {
	// nest is an HEC object whose objects nest n levels, the wrapper included.
	nest := func(n int) string { return `{"event":` + strings.Repeat(`{"a":`, n-1) + "1" + strings.Repeat("}", n) }
	tests := []struct {
		name string
		obj  string
		want error // nil: parsed
		text string
	}{
		{"object event", `{"time":1700000000,"event":{"a":1}}`, nil, ""},
		{"nesting at the limit", nest(MaxNesting), nil, ""},
		{"nesting past the limit", nest(MaxNesting + 1), ErrEventInvalid, "nested deeper than 300 levels"},
		{"invalid JSON", `{"event":x}`, ErrEventInvalid, "offset"},
		{"trailing comma", `{"event":1,}`, ErrEventInvalid, ""},
		{"not an object", `[{"event":1}]`, ErrEventInvalid, ""},
		{"missing event", `{"time":1}`, ErrEventRequired, ""},
		{"null event", `{"event" : null}`, ErrEventRequired, ""},
		{"blank string", `{"event":" \t"}`, ErrEventBlank, ""},
		{"escaped blank string", `{"event":"\n\u0020"}`, ErrEventBlank, ""},
		{"empty object", `{"event":{ }}`, ErrEventBlank, ""},
		{"nested event keys do not count", `{"fields":{"event":"x"}}`, ErrEventRequired, ""},
		{"escaped key", `{"\u0065vent":"x"}`, nil, ""},
	}
	p := NewParser()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p.Reset()
			seed := []Event{{Kind: "before"}}
			got, err := p.AppendParseHEC(seed, []byte(tt.obj))
			if tt.want == nil {
				if err != nil || len(got) != 2 || got[0].Kind != "before" {
					t.Fatalf("AppendParseHEC(%s) = %d events, %v", tt.obj, len(got), err)
				}
				// The same events as AppendParse gives for the same object.
				again, err := NewParser().AppendParse(nil, []byte(tt.obj))
				if err != nil || len(again) != 1 || again[0].Kind != got[1].Kind || !bytes.Equal(again[0].Raw, got[1].Raw) {
					t.Fatalf("AppendParse gives %+v, %v; AppendParseHEC %+v", again, err, got[1])
				}
				return
			}
			if !errors.Is(err, tt.want) || len(got) != 1 {
				t.Fatalf("AppendParseHEC(%.60s) = %d events, %v; want %v", tt.obj, len(got), err, tt.want)
			}
			if tt.want == ErrEventInvalid && !errors.Is(err, ErrInvalidJSON) {
				t.Errorf("%v does not match ErrInvalidJSON", err)
			}
			if !strings.Contains(err.Error(), tt.text) {
				t.Errorf("error %q does not say %q", err, tt.text)
			}
		})
	}
}
