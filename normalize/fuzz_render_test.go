package normalize

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzRender builds events from fuzzed strings (invalid UTF-8, control
// characters, huge numbers, invalid raw JSON included) and checks that every
// format yields valid one-line JSON, the same bytes twice, that native
// round-trips through encoding/json, and that marking (CheckJSON, or
// RepairJSON when it fails) changes no rendering.
func FuzzRender(f *testing.F) {
	f.Add("ae66e491", "pveverka", "authentication_token.create", "create", "iam", "team_membership",
		"69.323.323.201", "<ua>&", "serialized", []byte(`"x"`), []byte(`{"a":1}`), int64(1593539566), int64(0), int64(0))
	f.Add("\xff\xfe", "a\u2028b", "\x00\x1f", "login", "authentication", "user",
		"10.0.0.1", "\t\n", "", []byte("{\n\"a\": [1]\n}"), []byte(`"line \" quoted"`), int64(-62135596800), int64(999999999), int64(-1))
	f.Add("", "", "", "", "", "", "fe80::1%eth0", "", "k", []byte(`{`), []byte{}, int64(1<<62), int64(-5), int64(1<<40))
	f.Add("id", "n", "a", "read", "other", "", "", "", "m", []byte("\"a\x00b\""), []byte("{\"a\":\"\x1f\"}"), int64(0), int64(0), int64(0))
	f.Add("id", "n", "a", "read", "other", "", "", "", "m", []byte("[1,\t2]\r\n"), []byte(" {\"a\":\"\\ud800\"} "), int64(0), int64(0), int64(0))
	f.Fuzz(func(t *testing.T, id, name, action, verb, category, rtype, ip, ua, metaKey string,
		metaVal, raw []byte, sec, nsec, status int64) {
		ev := &Event{
			ID: id, Time: time.Unix(sec, nsec).UTC(), Product: name, Kind: action,
			OrganizationID: ua, ProjectID: metaKey,
			Actor:  Actor{ID: id, Name: name, Email: ua, Type: verb, ImpersonatorID: metaKey},
			Action: action, Verb: verb, Category: category, Outcome: verb,
			Resource: Resource{Type: rtype, ID: id, Name: name},
			Request:  Request{ID: id, Method: verb, Path: action, ClientIP: ip, UserAgent: ua, StatusCode: int(status)},
			Message:  action + name, Severity: category,
			Raw: raw,
		}
		if metaKey != "" {
			ev.Meta = MetaOf(map[string]json.RawMessage{metaKey: metaVal, metaKey + "2": raw, "z": metaVal})
		}
		checkRenders(t, ev)
		checkCheckJSON(t, ev)
		checkNativeRoundTrip(t, ev)
		tamp := tampered(t, raw, metaVal)
		checkRenders(t, tamp)
		checkCheckJSON(t, tamp)
	})
}

// checkRenders checks that every format renders ev as one valid JSON line,
// the same bytes twice.
func checkRenders(t *testing.T, ev *Event) {
	t.Helper()
	for _, f := range Formats() {
		out := AppendJSON(nil, ev, f)
		if !json.Valid(out) || bytes.ContainsAny(out, "\r\n") {
			t.Fatalf("%s: not one valid JSON line: %q", f, out)
		}
		if again := AppendJSON(nil, ev, f); !bytes.Equal(out, again) {
			t.Fatalf("%s: rendering not deterministic:\n%s\n%s", f, out, again)
		}
		if !utf8.Valid(out) {
			t.Fatalf("%s: not valid UTF-8: %q", f, out)
		}
		checkRenderedTime(t, f, out)
	}
}

// tampered is a parsed Boundary event (Raw, meta strings and a nested meta
// value all from the parser) whose Raw and one meta value were replaced
// with raw and metaVal, copied into an event of its own as user code would
// build it (by hand, so without the mark Parse sets): its values are
// checked when it is rendered.
func tampered(t *testing.T, raw, metaVal []byte) *Event {
	t.Helper()
	ev := *parsedBoundary(t)
	ev.jsonChecked = false // what Event{...} with these fields is
	ev.Raw = raw
	meta := slices.Clone(ev.Meta)
	if len(meta) > 0 {
		meta[0].Value = metaVal
	}
	ev.Meta = meta
	return &ev
}

// checkCheckJSON holds CheckJSON and RepairJSON to the renderings of the
// unmarked ev (which check every value): an event CheckJSON passes, and
// one RepairJSON mended, renders the same bytes marked as ev unmarked
// (but for Raw's whitespace, see below), so
// the spool (which writes checked or repaired events and marks what it
// reads) changes no rendering; after a repair the values pass CheckJSON.
func checkCheckJSON(t *testing.T, ev *Event) {
	t.Helper()
	if ev.jsonChecked {
		t.Fatal("checkCheckJSON wants an unmarked event")
	}
	c := *ev
	if err := c.CheckJSON(); err != nil {
		if c.jsonChecked {
			t.Fatalf("CheckJSON failed (%v) but marked the event", err)
		}
		c.RepairJSON()
		again := c
		again.jsonChecked = false
		if err := again.CheckJSON(); err != nil {
			t.Fatalf("after RepairJSON: %v", err)
		}
	}
	if !c.jsonChecked {
		t.Fatal("not marked after CheckJSON or RepairJSON")
	}
	// One difference is allowed: a Raw that is valid JSON with whitespace
	// is compacted, so event.original (ECS) and raw_data (OCSF), which
	// quote Raw as text, quote it compact, as for every parsed event.
	u := *ev
	if len(u.Raw) > 0 && validJSON(u.Raw) {
		u.Raw = appendRawJSON(nil, u.Raw)
	}
	for _, f := range Formats() {
		if got, want := AppendJSON(nil, &c, f), AppendJSON(nil, &u, f); !bytes.Equal(got, want) {
			t.Fatalf("%s: marked event renders differently:\n%s\nunmarked:\n%s", f, got, want)
		}
	}
}

// TestRenderChecksOnlyUnmarked: the contract of Event (Raw and Meta values
// of a marked event are read-only; see CheckJSON). An event built by hand
// is unmarked and renders valid JSON whatever its Raw and Meta hold;
// CheckJSON refuses such values naming them, and RepairJSON mends them
// without writing a Meta map it shares. A marked event is trusted: what
// Parse checked is not checked again.
func TestRenderChecksOnlyUnmarked(t *testing.T) {
	for _, tt := range []struct{ name, raw, meta, err string }{
		{"invalid", `{"a":`, `"x`, "raw"},
		{"line breaks", "{\n\"a\": 1\n}", "[1,\n2]", "raw"},
		{"control byte", "\"a\x00b\"", "\"\x1f\"", "raw"},
		{"meta only", `{"a":1}`, "{\"a\" :1}", "meta"},
		{"empty", "", "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := tampered(t, []byte(tt.raw), []byte(tt.meta))
			checkRenders(t, ev)
			checkCheckJSON(t, ev)
			c := *ev
			err := c.CheckJSON()
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("CheckJSON = %v, want nil", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("CheckJSON = %v, want an error naming %s", err, tt.err)
			case err != nil && (strings.Contains(err.Error(), tt.raw) && tt.raw != "" || strings.Contains(err.Error(), tt.meta)):
				t.Errorf("CheckJSON's error quotes the value: %v", err)
			}
			shared := ev.Meta
			before := fmt.Sprint(shared)
			c.RepairJSON()
			if fmt.Sprint(shared) != before {
				t.Error("RepairJSON wrote the Meta the event shares")
			}
		})
	}
	t.Run("marked is trusted", func(t *testing.T) {
		ev := parsedBoundary(t)
		if !ev.jsonChecked {
			t.Fatal("Parse did not mark its event")
		}
		c := *ev
		c.Raw = json.RawMessage(`{"changed": true}`) // breaks the contract: read-only
		if out := AppendJSON(nil, &c, FormatNative); !bytes.HasSuffix(out, []byte(`"raw":{"changed": true}}`)) {
			t.Errorf("a marked event's Raw was checked again: %s", out)
		}
		c.jsonChecked = false // the same values, by hand: checked and compacted
		if out := AppendJSON(nil, &c, FormatNative); !bytes.HasSuffix(out, []byte(`"raw":{"changed":true}}`)) {
			t.Errorf("an unmarked event's Raw was not compacted: %s", out)
		}
	})
}

// checkNativeRoundTrip decodes the native rendering with encoding/json and
// checks fields survive (strings as encoding/json itself would carry them),
// and that the decoded event survives a second round unchanged.
func checkNativeRoundTrip(t *testing.T, ev *Event) {
	out := AppendJSON(nil, ev, FormatNative)
	var back Event
	if y := ev.Time.Year(); ev.Time.IsZero() || y < 1 || y > 9999 {
		return // AppendJSON renders it as received now (RFC 3339 cannot carry it, or it is no time)
	}
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatalf("native does not decode: %v\n%s", err, out)
	}
	if !back.Time.Equal(ev.Time) {
		t.Errorf("time %v came back as %v", ev.Time, back.Time)
	}
	for _, c := range [][2]string{{back.ID, ev.ID}, {back.Actor.Name, ev.Actor.Name},
		{back.Request.UserAgent, ev.Request.UserAgent}, {back.Action, ev.Action}} {
		if want := viaEncodingJSON(t, c[1]); c[0] != want {
			t.Errorf("string %q came back as %q, want %q", c[1], c[0], want)
		}
	}
	if back.Request.StatusCode != ev.Request.StatusCode {
		t.Errorf("status code %d came back as %d", ev.Request.StatusCode, back.Request.StatusCode)
	}
	again := AppendJSON(nil, &back, FormatNative)
	var back2 Event
	if err := json.Unmarshal(again, &back2); err != nil || !reflect.DeepEqual(back, back2) {
		t.Errorf("decoded event does not survive a second round (%v):\n%s\n%s", err, out, again)
	}
}

// viaEncodingJSON is s after an encoding/json round trip (invalid UTF-8
// becomes U+FFFD).
func viaEncodingJSON(t *testing.T, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back string
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// parsedBoundary is the event Parse makes of a Boundary record with meta.
func parsedBoundary(t *testing.T) *Event {
	t.Helper()
	data, err := os.ReadFile("testdata/boundary/sessions.json")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := Parse(data)
	if err != nil || len(evs) != 1 || len(evs[0].Meta) == 0 {
		t.Fatalf("Parse = %d events, %v", len(evs), err)
	}
	return &evs[0]
}
