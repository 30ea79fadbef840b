package syslog

import (
	"bufio"
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// fuzzEvent builds an event from fuzzed strings.
func fuzzEvent(id, action, actor, resName, msg string, nanos int64) normalize.Event {
	return normalize.Event{
		ID: id, Time: time.Unix(0, nanos).UTC(), Product: "hcp", Kind: "hcp.control_plane",
		Action: action, Outcome: "success", Actor: normalize.Actor{Name: actor, ID: actor},
		Resource: normalize.Resource{Name: resName, ID: resName}, Message: msg,
		Request: normalize.Request{ClientIP: msg},
	}
}

// check5424 renders ev with enc, frames it both ways, reads it back and
// compares every header field and SD value with the documented sanitising.
func check5424(t *testing.T, enc encoder, ev normalize.Event) {
	t.Helper()
	msg := enc.appendMessage(nil, &ev)
	framed, err := readOctetFrame(bufio.NewReader(bytes.NewReader(appendOctetCounted(nil, msg))))
	if err != nil || !bytes.Equal(framed, msg) {
		t.Fatalf("octet frame round trip: %v", err)
	}
	if nl := appendNewlineFramed(nil, msg); bytes.IndexByte(nl, '\n') != len(nl)-1 || bytes.IndexByte(nl, '\r') >= 0 {
		t.Fatalf("newline frame has an inner line break: %q", nl)
	}
	m, err := parse5424(msg)
	if err != nil {
		t.Fatalf("parse %q: %v", msg, err)
	}
	ts := "-"
	if y := ev.Time.Year(); y >= 1 && y <= 9999 && !ev.Time.IsZero() {
		ts = ev.Time.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.999999Z")
	}
	want := message5424{pri: enc.facility*8 + severity(&ev), timestamp: ts,
		host: printASCII(enc.hostname, 255), app: printASCII(enc.appName, 48),
		procID: printASCII(enc.procID, 128), msgID: printASCII(msgID(&ev), 32), sdID: sdID}
	got := m
	got.params, got.msg = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("header\n got %+v\nwant %+v", got, want)
	}
	wantParams := map[string]string{"id": ev.ID, "action": ev.Action, "actor_name": ev.Actor.Name,
		"resource_name": ev.Resource.Name, "client_ip": ev.Request.ClientIP}
	for _, p := range m.params {
		if w, ok := wantParams[p.name]; ok && p.value != validUTF8(w) {
			t.Errorf("param %s = %q, want %q", p.name, p.value, validUTF8(w))
		}
	}
	if body := enc.appendBody(nil, &ev); !bytes.Equal(m.msg, body) {
		t.Errorf("MSG = %q, want the body %q", m.msg, body)
	}
}

func TestRoundTrip5424(t *testing.T) {
	tests := []struct {
		name string
		ev   normalize.Event
	}{
		{"hostile", hostileEvent()},
		{"quotes and brackets", fuzzEvent(`"]\`, `a"b]c\d`, `\\]]""`, "]", "x", 1)},
		{"newlines and unicode", fuzzEvent("é\n", "日本語のアクション名前が長い", "\r\n", "\t", "", 1e18)},
		{"invalid utf8", fuzzEvent("\xff\xfe", "\xc3", "ok\xe2\x82", "", "\x80", -1)},
		{"empty", fuzzEvent("", "", "", "", "", 0)},
	}
	for _, tt := range tests {
		for _, body := range []string{"json", "cef", "leef"} {
			t.Run(tt.name+"/"+body, func(t *testing.T) {
				check5424(t, testEncoder("rfc5424", body), tt.ev)
			})
		}
	}
}

func FuzzRFC5424RoundTrip(f *testing.F) {
	h := hostileEvent()
	f.Add(h.ID, h.Action, h.Actor.Name, h.Resource.Name, h.Message, "host", "app", int64(1e18))
	f.Add("", "", "", "", "", "", "", int64(0))
	f.Add(`"]\`, "a b", "\xff", "\n", "10.0.0.1", "hö st", "\x00", int64(-5))
	f.Fuzz(func(t *testing.T, id, action, actor, res, msg, host, app string, nanos int64) {
		enc := testEncoder("rfc5424", "cef")
		enc.hostname, enc.appName = host, app
		check5424(t, enc, fuzzEvent(id, action, actor, res, msg, nanos))
	})
}

// parseCEF splits a CEF:0 record into its 7 unescaped header fields and
// its extension (keys are the words before unescaped '=').
func parseCEF(t *testing.T, s string) ([]string, map[string]string) {
	t.Helper()
	rest, ok := strings.CutPrefix(s, "CEF:0|")
	if !ok {
		t.Fatalf("no CEF:0 prefix: %q", s)
	}
	var header []string
	var cur []byte
	for len(header) < 6 {
		if rest == "" {
			t.Fatalf("header has %d fields: %q", len(header), s)
		}
		c := rest[0]
		rest = rest[1:]
		switch {
		case c == '\\' && rest != "" && (rest[0] == '\\' || rest[0] == '|'):
			cur, rest = append(cur, rest[0]), rest[1:]
		case c == '|':
			header, cur = append(header, string(cur)), nil
		default:
			cur = append(cur, c)
		}
	}
	return header, parseCEFExtension(rest)
}

func parseCEFExtension(s string) map[string]string {
	type kpos struct{ key, valStart, keyStart int }
	var keys []kpos
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			continue
		}
		bs := 0
		for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 1 {
			continue
		}
		k := i
		for k > 0 && s[k-1] != ' ' {
			k--
		}
		keys = append(keys, kpos{keyStart: k, key: i, valStart: i + 1})
	}
	ext := map[string]string{}
	for n, kp := range keys {
		end := len(s)
		if n+1 < len(keys) {
			end = keys[n+1].keyStart - 1
		}
		ext[s[kp.keyStart:kp.key]] = unescapeCEFValue(s[kp.valStart:end])
	}
	return ext
}

// unescapeCEFValue undoes \\, \=, \n, \r and \u00XX, left to right.
func unescapeCEFValue(s string) string {
	var out []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			out = append(out, s[i])
			continue
		}
		switch s[i+1] {
		case '\\', '=':
			out = append(out, s[i+1])
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'u':
			if c, ok := controlEscape(s[i:]); ok {
				out = append(out, c)
				i += 5
				continue
			}
			out = append(out, '\\', 'u')
		default:
			out = append(out, '\\', s[i+1])
		}
		i++
	}
	return string(out)
}

// controlEscape reads a leading \u00XX and returns its byte.
func controlEscape(s string) (byte, bool) {
	if len(s) < 6 || s[:4] != `\u00` {
		return 0, false
	}
	n, err := strconv.ParseUint(s[4:6], 16, 8)
	if err != nil || !isControl(byte(n)) {
		return 0, false
	}
	return byte(n), true
}

// controlsToSpace is what header fields make of control bytes.
func controlsToSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x80 && isControl(byte(r)) {
			return ' '
		}
		return r
	}, s)
}

func FuzzCEFRoundTrip(f *testing.F) {
	h := hostileEvent()
	f.Add(h.ID, h.Action, h.Actor.Name, h.Resource.Name, h.Message, "terra|form")
	f.Add("a=b", `x\`, "k=v k2=v2", " ", "\\n", "\\")
	f.Fuzz(func(t *testing.T, id, action, actor, res, msg, product string) {
		ev := fuzzEvent(id, action, actor, res, msg, 1)
		ev.Product = product
		header, ext := parseCEF(t, string(appendCEF(nil, &ev)))
		hdr := func(s string) string { return controlsToSpace(validUTF8(s)) }
		if header[1] != hdr(product) || header[3] != hdr(truncateUTF8(validUTF8(msgID(&ev)), cefMaxSignature)) {
			t.Errorf("header %q for product %q action %q", header, product, msgID(&ev))
		}
		for key, want := range map[string]string{"externalId": id, "act": action, "suser": actor, "cs3": res, "msg": msg} {
			got, ok := ext[key]
			if want == "" && key != "externalId" && key != "act" {
				ok, got = true, ""
			}
			if !ok || got != validUTF8(want) {
				t.Errorf("%s = %q (present %v), want %q; ext %q", key, got, ok, validUTF8(want), ext)
			}
		}
	})
}

// parseLEEF splits a LEEF:2.0 record with a tab delimiter.
func parseLEEF(t *testing.T, s string) ([]string, map[string]string) {
	t.Helper()
	rest, ok := strings.CutPrefix(s, "LEEF:2.0|")
	if !ok {
		t.Fatalf("no LEEF:2.0 prefix: %q", s)
	}
	var header []string
	var cur []byte
	for len(header) < 5 {
		if rest == "" {
			t.Fatalf("header has %d fields: %q", len(header), s)
		}
		c := rest[0]
		rest = rest[1:]
		switch {
		case c == '\\' && rest != "" && (rest[0] == '\\' || rest[0] == '|'):
			cur, rest = append(cur, rest[0]), rest[1:]
		case c == '|':
			header, cur = append(header, string(cur)), nil
		default:
			cur = append(cur, c)
		}
	}
	attrs := map[string]string{}
	for _, kv := range strings.Split(rest, "\t") {
		k, v, _ := strings.Cut(kv, "=")
		attrs[k] = v
	}
	return header, attrs
}

func FuzzLEEFRoundTrip(f *testing.F) {
	h := hostileEvent()
	f.Add(h.ID, h.Action, h.Actor.Name, h.Resource.Name, h.Message, "p|x")
	f.Add("a=b", "\t", "x\ty=z", "|", "\\", "")
	f.Fuzz(func(t *testing.T, id, action, actor, res, msg, product string) {
		ev := fuzzEvent(id, action, actor, res, msg, 1)
		ev.Product = product
		header, attrs := parseLEEF(t, string(appendLEEF(nil, &ev)))
		clean := strings.NewReplacer("\r", " ", "\n", " ", "\t", " ")
		value := func(s string) string {
			var b []byte
			for _, c := range []byte(clean.Replace(validUTF8(s))) {
				if isControl(c) {
					b = appendControl(b, c)
				} else {
					b = append(b, c)
				}
			}
			return string(b)
		}
		header1 := controlsToSpace(strings.NewReplacer("|", "_", "\\", "_").Replace(validUTF8(product)))
		if header[1] != header1 || header[4] != "x09" {
			t.Errorf("header %q for product %q", header, product)
		}
		for key, want := range map[string]string{"id": id, "action": action, "usrName": actor, "resourceName": res, "msg": msg} {
			got, ok := attrs[key]
			if want == "" && key != "id" && key != "action" {
				ok, got = true, ""
			}
			if !ok || got != value(want) {
				t.Errorf("%s = %q (present %v), want %q", key, got, ok, value(want))
			}
		}
	})
}
