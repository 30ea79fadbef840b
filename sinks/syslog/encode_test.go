package syslog

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

var update = flag.Bool("update", false, "rewrite testdata/golden files")

// hostileEvent carries every character the formats must escape.
func hostileEvent() normalize.Event {
	return normalize.Event{
		ID:             "ev-1\"]\\x",
		Time:           time.Date(2024, 1, 18, 19, 50, 55, 123456789, time.UTC),
		Product:        normalize.ProductTerraform,
		Kind:           normalize.KindTFCAuditTrail,
		OrganizationID: "org|1=2",
		Actor: normalize.Actor{ID: "user-1", Name: "Zoë \"zo\" O'Brien\\", Email: "zo@example.com",
			Type: normalize.ActorUser},
		Action:   "workspace.delete",
		Verb:     normalize.VerbDelete,
		Category: normalize.CategoryConfiguration,
		Outcome:  normalize.OutcomeFailure,
		Resource: normalize.Resource{Type: "workspace", ID: "ws-1]", Name: "prod\nline2\ttab\r|pipe"},
		Request: normalize.Request{Method: "DELETE", Path: "/api/v2/ws?a=b", ClientIP: "10.0.0.1",
			UserAgent: "go\x00\xff", StatusCode: 403},
		Message: "deleted ws=1 | really\\\n日本",
		Raw:     json.RawMessage(`{"k":"v"}`),
	}
}

func testEncoder(format, body string) encoder {
	return encoder{
		rfc3164: format == "rfc3164", body: body, jsonFormat: normalize.FormatNative,
		facility: 10, hostname: "bridge-1.example", appName: "auditbridge", procID: "4242",
		appendJSON: normalize.AppendJSON,
	}
}

// TestGolden compares the exact framed bytes of every format, body and
// framing with testdata/golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	ev := hostileEvent()
	for _, format := range []string{"rfc5424", "rfc3164"} {
		for _, body := range []string{"json", "cef", "leef"} {
			for _, framing := range []string{"octet-counting", "newline"} {
				name := format + "_" + body + "_" + framing
				t.Run(name, func(t *testing.T) {
					enc := testEncoder(format, body)
					msg := enc.appendMessage(nil, &ev)
					var got []byte
					if framing == "newline" {
						got = appendNewlineFramed(nil, msg)
					} else {
						got = appendOctetCounted(nil, msg)
					}
					path := filepath.Join("testdata", "golden", name+".txt")
					if *update {
						if err := os.WriteFile(path, got, 0o644); err != nil {
							t.Fatal(err)
						}
					}
					want, err := os.ReadFile(path)
					if err != nil {
						t.Fatal(err)
					}
					if string(got) != string(want) {
						t.Errorf("got\n%q\nwant\n%q", got, want)
					}
				})
			}
		}
	}
}

func TestHeader5424Exact(t *testing.T) {
	ev := normalize.Event{ID: "a", Product: "hcp", Kind: "k", Action: "x.read", Outcome: "success",
		Time: time.Date(2020, 6, 30, 17, 52, 46, 0, time.UTC)}
	enc := testEncoder("rfc5424", "cef")
	tests := []struct {
		name string
		edit func(*encoder, *normalize.Event)
		want string
	}{
		{"plain", func(*encoder, *normalize.Event) {},
			`<86>1 2020-06-30T17:52:46Z bridge-1.example auditbridge 4242 x.read [auditbridge@32473 id="a" product="hcp" kind="k" action="x.read" outcome="success"] `},
		{"micro", func(_ *encoder, e *normalize.Event) { e.Time = e.Time.Add(120 * time.Millisecond) },
			`<86>1 2020-06-30T17:52:46.12Z bridge-1.example auditbridge 4242 x.read [auditbridge@32473 id="a" product="hcp" kind="k" action="x.read" outcome="success"] `},
		{"nanos cut to 6", func(_ *encoder, e *normalize.Event) { e.Time = e.Time.Add(999999999) },
			`<86>1 2020-06-30T17:52:46.999999Z bridge-1.example auditbridge 4242 x.read [auditbridge@32473 id="a" product="hcp" kind="k" action="x.read" outcome="success"] `},
		{"other zone", func(_ *encoder, e *normalize.Event) { e.Time = e.Time.In(time.FixedZone("x", 3600)) },
			`<86>1 2020-06-30T17:52:46Z bridge-1.example auditbridge 4242 x.read [auditbridge@32473 id="a" product="hcp" kind="k" action="x.read" outcome="success"] `},
		{"zero time, empty fields", func(en *encoder, e *normalize.Event) {
			e.Time, e.Action, e.Kind = time.Time{}, "", ""
			en.hostname, en.procID = "", ""
		}, `<86>1 - - auditbridge - - [auditbridge@32473 id="a" product="hcp" kind="" action="" outcome="success"] `},
		{"failure is warning, local0", func(en *encoder, e *normalize.Event) { e.Outcome, en.facility = "failure", 16 },
			`<132>1 2020-06-30T17:52:46Z bridge-1.example auditbridge 4242 x.read [auditbridge@32473 id="a" product="hcp" kind="k" action="x.read" outcome="failure"] `},
		{"delete is notice", func(_ *encoder, e *normalize.Event) { e.Verb = "delete" },
			`<85>1 2020-06-30T17:52:46Z bridge-1.example auditbridge 4242 x.read [auditbridge@32473 id="a" product="hcp" kind="k" action="x.read" outcome="success" verb="delete"] `},
		{"event severity error", func(_ *encoder, e *normalize.Event) { e.Severity = "ERROR" },
			`<83>1 2020-06-30T17:52:46Z bridge-1.example auditbridge 4242 x.read [auditbridge@32473 id="a" product="hcp" kind="k" action="x.read" outcome="success"] `},
		{"non-printable header", func(en *encoder, e *normalize.Event) { en.hostname, e.Action = "hö st", "a b\x01c" },
			"<86>1 2020-06-30T17:52:46Z h__st auditbridge 4242 a_b_c [auditbridge@32473 id=\"a\" product=\"hcp\" kind=\"k\" action=\"a b\\u0001c\" outcome=\"success\"] "},
		{"limits", func(en *encoder, e *normalize.Event) {
			en.hostname, en.appName, en.procID = strings.Repeat("h", 300), strings.Repeat("a", 60), strings.Repeat("p", 200)
			e.Action = strings.Repeat("m", 40)
		}, "<86>1 2020-06-30T17:52:46Z " + strings.Repeat("h", 255) + " " + strings.Repeat("a", 48) + " " +
			strings.Repeat("p", 128) + " " + strings.Repeat("m", 32) + ` [auditbridge@32473 id="a" product="hcp" kind="k" action="` +
			strings.Repeat("m", 40) + `" outcome="success"] `},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			en, e := enc, ev
			tt.edit(&en, &e)
			got := string(en.append5424Header(nil, en.facility*8+severity(&e), &e, ""))
			if got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestSDValueEscaping(t *testing.T) {
	tests := []struct{ in, want string }{
		{`plain`, `plain`},
		{`a"b`, `a\"b`},
		{`a\b`, `a\\b`},
		{`a]b`, `a\]b`},
		{`[x]`, `[x\]`},
		{"line\nbreak", `line\u000abreak`},
		{"nul\x00tab\tdel\x7f", `nul\u0000tab\u0009del\u007f`},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"日本\"", "日本\\\""},
		{``, ``},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := string(appendSDValue(nil, tt.in)); got != tt.want {
				t.Errorf("appendSDValue(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHeader3164Exact(t *testing.T) {
	ev := normalize.Event{Time: time.Date(2020, 6, 3, 7, 2, 46, 5e8, time.UTC), Outcome: "success"}
	tests := []struct {
		name, host, app, pid, want string
		zone                       *time.Location
	}{
		{"plain", "h1", "auditbridge", "42", "<86>Jun  3 07:02:46 h1 auditbridge[42]: ", time.UTC},
		{"zone is converted to UTC", "h1", "auditbridge", "42", "<86>Jun  3 07:02:46 h1 auditbridge[42]: ", time.FixedZone("x", -7200)},
		{"tag keeps alphanumerics", "h 1", "audit-bridge.v2", "", "<86>Jun  3 07:02:46 h_1 auditbridgev2: ", time.UTC},
		{"tag cut to 32", "h", strings.Repeat("t", 40), "1", "<86>Jun  3 07:02:46 h " + strings.Repeat("t", 32) + "[1]: ", time.UTC},
		{"empty tag", "h", "-_-", "1", "<86>Jun  3 07:02:46 h auditbridge[1]: ", time.UTC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			en := testEncoder("rfc3164", "json")
			en.hostname, en.appName, en.procID = tt.host, tt.app, tt.pid
			e := ev
			e.Time = e.Time.In(tt.zone)
			if got := string(en.append3164Header(nil, 86, &e)); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNewlineFraming(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a", "a\n"},
		{"a\nb", "a\\nb\n"},
		{"a\r\nb", "a\\r\\nb\n"},
		{"", "\n"},
	}
	for _, tt := range tests {
		if got := string(appendNewlineFramed(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendNewlineFramed(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestOctetCounting(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "3 abc"},
		{"日本", "6 日本"},
		{strings.Repeat("x", 10), "10 " + strings.Repeat("x", 10)},
	}
	for _, tt := range tests {
		if got := string(appendOctetCounted(nil, []byte(tt.in))); got != tt.want {
			t.Errorf("appendOctetCounted(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBOM(t *testing.T) {
	ev := hostileEvent()
	en := testEncoder("rfc5424", "cef")
	plain := en.appendMessage(nil, &ev)
	en.bom = true
	withBOM := en.appendMessage(nil, &ev)
	m, err := parse5424(withBOM)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(m.msg), "\uFEFFCEF:0|") {
		t.Errorf("MSG does not start with BOM: %q", m.msg[:8])
	}
	if len(withBOM) != len(plain)+3 {
		t.Errorf("BOM added %d bytes, want 3", len(withBOM)-len(plain))
	}
}
