package sinktest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/auditbridge/auditbridge/normalize"
)

// baseTime is the time of Event(0); event i is i milliseconds later.
var baseTime = time.Date(2026, 3, 14, 15, 9, 26, 535_000_000, time.UTC)

// Event returns a fully populated, valid event numbered i with the given
// message. Its id is "sinktest-<i>" and its time is baseTime + i ms.
func Event(i int, message string) normalize.Event {
	id := fmt.Sprintf("sinktest-%06d", i)
	raw, _ := json.Marshal(map[string]any{"id": id, "message": message})
	return normalize.Event{
		ID:             id,
		Time:           baseTime.Add(time.Duration(i) * time.Millisecond),
		Product:        normalize.ProductTerraform,
		Kind:           normalize.KindTFCAuditTrail,
		OrganizationID: "org-sinktest",
		Actor: normalize.Actor{
			ID: "user-sinktest", Name: "sinktest", Email: "sinktest@example.com",
			Type: normalize.ActorUser,
		},
		Action:   "workspace.update",
		Verb:     normalize.VerbUpdate,
		Category: normalize.CategoryConfiguration,
		Outcome:  normalize.OutcomeSuccess,
		Resource: normalize.Resource{Type: "workspace", ID: "ws-" + id, Name: "ws"},
		Request: normalize.Request{
			ID: "req-" + id, Method: "PATCH", Path: "/api/v2/workspaces/ws-" + id,
			ClientIP: "192.0.2.10", UserAgent: "sinktest/1", StatusCode: 200,
		},
		Message:  message,
		Severity: "info",
		Meta:     normalize.Meta{{Key: "sinktest", Value: json.RawMessage(`{"n":` + fmt.Sprint(i) + `}`)}},
		Raw:      raw,
	}
}

// Events returns n events numbered from first, with messages "message <i>".
func Events(first, n int) []normalize.Event {
	out := make([]normalize.Event, n)
	for i := range out {
		out[i] = Event(first+i, fmt.Sprintf("message %d", first+i))
	}
	return out
}

// hostileCase is a message that has broken encoders somewhere.
type hostileCase struct {
	name string
	msg  string
}

// hostileMessages returns the hostile strings; huge is the size of the huge
// field in bytes.
func hostileMessages(huge int) []hostileCase {
	return []hostileCase{
		{"quotes", `say "hi" and 'bye' \"escaped\" \\ backslash`},
		{"newlines", "line one\nline two\r\nline three\n\n"},
		{"control", "nul\x00bell\x07esc\x1b[31mred\x1b[0m tab\tdel\x7f"},
		{"invalid_utf8", "bad \xff\xfe bytes \xc3\x28 and cut \xe2\x82"},
		{"line_separators", "ls\u2028ps\u2029nel\u0085bom\ufeff"},
		{"markup_and_delims", `<script>alert(1)</script> a|b=c\d ]}{[ %s %n $(x) ${jndi:ldap://x}`},
		{"unicode", "日本語 émoji 🤖 rtl \u202eabc"},
		{"empty", ""},
		{"huge", strings.Repeat("0123456789abcdef", huge/16+1)[:huge]},
	}
}

// ValidUTF8 is the default Harness.Expect: what a faithful peer reads back
// for msg. JSON carries text, so each byte of invalid UTF-8 arrives as
// U+FFFD, as encoding/json and normalize.AppendJSON write it.
func ValidUTF8(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); {
		r, size := utf8.DecodeRuneInString(msg[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(msg[i : i+size])
		}
		i += size
	}
	return b.String()
}
