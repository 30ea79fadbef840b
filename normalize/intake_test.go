package normalize

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestIntakeInEveryRendering: the provenance a source records shows in
// every rendering, and SetIntake keeps a provenance already there.
func TestIntakeInEveryRendering(t *testing.T) {
	evs, err := Parse([]byte(`{"id":"ae66e491-db59-457c-8445-9c908ee726ae","version":"0","type":"Resource","timestamp":"2020-06-30T17:52:46.000Z","auth":{"accessor_id":"user-MaPuLxAXvtq2PWTH","description":"pveverka","type":"Client","impersonator_id":null,"organization_id":"org-AGLwRmx1snv34Yts"},"request":{"id":"4df584d4-7e2a-01e6-6cc0-4adbefa020e6"},"resource":{"id":"at-sjt83qTw3GZatuPm","type":"authentication_token","action":"create","meta":null}}`))
	if err != nil || len(evs) != 1 {
		t.Fatalf("parse: %d events, %v", len(evs), err)
	}
	SetIntake(evs, IntakeValue(`hec:hcp "stream"`))
	SetIntake(evs, IntakeValue("file")) // never overwrites
	want := map[Format][]string{
		FormatNative: {"meta", "intake"},
		FormatECS:    {"labels", "intake"},
		FormatOCSF:   {"metadata", "log_provider"},
		FormatCIM:    {"intake"},
	}
	for f, path := range want {
		b := AppendJSON(nil, &evs[0], f)
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("%s: invalid JSON %s: %v", f, b, err)
		}
		for _, k := range path {
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("%s: no %s in %s", f, strings.Join(path, "."), b)
			}
			v = m[k]
		}
		if v != `hec:hcp "stream"` {
			t.Errorf("%s: %s = %v, want the intake; %s", f, strings.Join(path, "."), v, b)
		}
	}
	var bare Event // an event without Meta gets one
	SetIntake([]Event{bare}, IntakeValue("x"))
	evs2 := []Event{bare}
	SetIntake(evs2, IntakeValue("replay"))
	if string(evs2[0].Meta.Value(MetaIntake)) != `"replay"` {
		t.Errorf("event without meta: %v", evs2[0].Meta)
	}
}

// TestIntakeValueIsJSON: an intake label may hold any byte (a tailed
// file's path); its Meta value is still one compact JSON string, which
// the renderings of a parsed (marked) event copy as they are.
func TestIntakeValueIsJSON(t *testing.T) {
	for _, in := range []string{"hec:prod", "tail:/var/log/a\xffb\x01c\u2028.log", `hec:"q" <&>`} {
		v := IntakeValue(in)
		var back string
		if !compactJSON(v) || json.Unmarshal(v, &back) != nil || back != strings.ToValidUTF8(in, "\uFFFD") {
			t.Errorf("IntakeValue(%q) = %s, not the compact JSON string of it (%q)", in, v, back)
		}
		evs, err := Parse([]byte(`{"id":"x","timestamp":"2020-06-30T17:52:46Z","auth":{},"request":{},"resource":{}}`))
		if err != nil {
			t.Fatal(err)
		}
		SetIntake(evs, v)
		for _, f := range Formats() {
			if b := AppendJSON(nil, &evs[0], f); !json.Valid(b) {
				t.Errorf("%s with intake %q: invalid JSON %s", f, in, b)
			}
		}
	}
}
