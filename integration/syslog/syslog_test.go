package syslog

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testHost = "bridge-it.example"

// baseEnv is the sink configuration every test starts from.
func baseEnv(addr string) map[string]string {
	return map[string]string{"SYSLOG_ADDRESS": addr, "SYSLOG_HOSTNAME": testHost, "SYSLOG_TIMEOUT": "5s"}
}

// waitRecords polls a listener's file until it has at least n records.
func waitRecords(t *testing.T, ng *syslogNG, name string, n int) []record {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		recs := ng.records(t, name)
		if len(recs) >= n || time.Now().After(deadline) {
			return recs
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wantSD is the structured data the sink documents for ev, with fix applied
// to every value.
func wantSD(ev map[string]any, fix func(string) string) map[string]string {
	sub := func(k, f string) string { return ev[k].(map[string]any)[f].(string) }
	sd := map[string]string{}
	for k, v := range map[string]string{
		"id": ev["id"].(string), "product": ev["product"].(string), "kind": ev["kind"].(string),
		"action": ev["action"].(string), "outcome": ev["outcome"].(string), "verb": ev["verb"].(string),
		"category": ev["category"].(string), "organization_id": ev["organization_id"].(string),
		"actor_id": sub("actor", "id"), "actor_name": sub("actor", "name"), "actor_type": sub("actor", "type"),
		"resource_type": sub("resource", "type"), "resource_id": sub("resource", "id"),
		"resource_name": sub("resource", "name"), "client_ip": sub("request", "client_ip"),
	} {
		if v != "" || k == "action" || k == "outcome" || k == "id" || k == "product" || k == "kind" {
			sd[k] = fix(v)
		}
	}
	return sd
}

// wantSeverity is the documented mapping.
func wantSeverity(ev map[string]any) string {
	switch {
	case ev["outcome"] == "failure":
		return "4"
	case ev["verb"] == "delete":
		return "5"
	}
	return "6"
}

// nativeBody is the part of the JSON body we compare.
type nativeBody struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Actor   struct {
		Name string `json:"name"`
	} `json:"actor"`
}

// checkRecord compares one syslog-ng record with the event it came from.
func checkRecord(t *testing.T, r record, ev map[string]any, pid int, fix func(string) string) {
	t.Helper()
	id := ev["id"].(string)
	action := ev["action"].(string)
	msgID := action[:min(len(action), 32)]
	evTime, _ := time.Parse(time.RFC3339Nano, ev["time"].(string))
	got, err := time.Parse(time.RFC3339Nano, r.ISODate)
	if err != nil || !got.Equal(evTime.Truncate(time.Microsecond)) {
		t.Errorf("%q: timestamp %q, want %s (%v)", id, r.ISODate, evTime.Truncate(time.Microsecond), err)
	}
	head := [6]string{r.Facility, r.Severity, r.Host, r.Program, r.PID, r.MsgID}
	want := [6]string{"10", wantSeverity(ev), testHost, "auditbridge", strconv.Itoa(pid), msgID}
	if head != want {
		t.Errorf("%q: facility, severity, host, program, pid, msgid = %q, want %q", id, head, want)
	}
	if sd, w := r.SData["auditbridge@32473"], wantSD(ev, fix); !reflect.DeepEqual(sd, w) {
		t.Errorf("%q: structured data\n got %q\nwant %q", id, sd, w)
	}
	var body nativeBody
	if err := json.Unmarshal([]byte(r.Message), &body); err != nil {
		t.Errorf("%q: MSG is not the JSON event: %v: %q", id, err, r.Message)
		return
	}
	actor := ev["actor"].(map[string]any)["name"].(string)
	if body.ID != id || body.Message != ev["message"] || body.Actor.Name != actor {
		t.Errorf("%q: body id/message/actor = %q %q %q", id, body.ID, body.Message, body.Actor.Name)
	}
}

// escapeControls is the sink's documented escape of control bytes in SD
// values: \u00XX.
func escapeControls(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, `\u%04x`, c)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// byID indexes records by the SD id (RFC 5424) and fails on duplicates.
func byID(t *testing.T, recs []record, id func(record) string) map[string]record {
	t.Helper()
	m := map[string]record{}
	for _, r := range recs {
		k := id(r)
		if _, dup := m[k]; dup {
			t.Errorf("id %q received twice", k)
		}
		m[k] = r
	}
	return m
}

func sdIDOf(r record) string { return r.SData["auditbridge@32473"]["id"] }

// TestRFC5424FieldsReadBackUnchanged sends hostile events over every
// transport and checks that syslog-ng's RFC 5424 parser reads back every
// header field and SD value we sent, and every event exactly once.
func TestRFC5424FieldsReadBackUnchanged(t *testing.T) {
	pki := writePKI(t)
	ng := newSyslogNG(t, pki, false)
	// SD values carry control bytes as \u00XX (CR and LF too), whatever
	// the transport and framing.
	same := escapeControls
	tests := []struct {
		listener string
		env      map[string]string
		fix      func(string) string // documented transformation of SD values
	}{
		{"udp", map[string]string{"SYSLOG_NETWORK": "udp"}, same},
		{"tcp", map[string]string{"SYSLOG_NETWORK": "tcp"}, same},
		{"newline", map[string]string{"SYSLOG_NETWORK": "tcp", "SYSLOG_FRAMING": "newline"}, same},
		{"tls", map[string]string{"SYSLOG_NETWORK": "tls", "SYSLOG_TLS_CA": filepath.Join(pki, "ca.pem"),
			"SYSLOG_TLS_SERVER_NAME": "syslog.test"}, same},
		{"mtls", map[string]string{"SYSLOG_NETWORK": "tls", "SYSLOG_TLS_CA": filepath.Join(pki, "ca.pem"),
			"SYSLOG_TLS_SERVER_NAME": "syslog.test", "SYSLOG_TLS_CERT": filepath.Join(pki, "client.pem"),
			"SYSLOG_TLS_KEY": filepath.Join(pki, "client-key.pem"), "SYSLOG_CONFIRM": "read-check"}, same},
	}
	for _, tt := range tests {
		t.Run(tt.listener, func(t *testing.T) {
			env := baseEnv(ng.addr(tt.listener))
			for k, v := range tt.env {
				env[k] = v
			}
			events := testEvents(tt.listener, 120)
			want := 120
			if tt.listener == "udp" { // larger than a datagram: shrunk to fit, not dead-lettered
				big := testEvents("udp-big", 1)[0]
				big["message"] = strings.Repeat("x", 3000)
				events = append(events, big)
				want++
			}
			s := startSender(t, env, events, "-batch", "25")
			delivered, dead := s.wait(t)
			if len(dead) != 0 {
				t.Errorf("dead-lettered %q, want none", dead)
			}
			recs := waitRecords(t, ng, tt.listener, len(delivered))
			got := byID(t, recs, sdIDOf)
			if len(delivered) != want || len(got) != want {
				t.Fatalf("delivered %d, syslog-ng has %d distinct of %d records, want %d", len(delivered), len(got), len(recs), want)
			}
			if tt.listener == "udp" {
				r := got["udp-big-00000"]
				var body nativeBody
				if err := json.Unmarshal([]byte(r.Message), &body); err != nil || !strings.HasSuffix(body.Message, "...[truncated]") ||
					r.SData["auditbridge@32473"]["truncated"] != "raw,message" {
					t.Errorf("oversized event: truncated=%q, body message %d bytes (%v); want raw and message cut",
						r.SData["auditbridge@32473"]["truncated"], len(body.Message), err)
				}
			}
			for _, ev := range events[:120] {
				r, ok := got[ev["id"].(string)]
				if !ok {
					t.Errorf("event %q never arrived", ev["id"])
					continue
				}
				checkRecord(t, r, ev, s.cmd.Process.Pid, tt.fix)
			}
		})
	}
}

// TestRFC3164 checks the BSD format over UDP and TCP (newline framing)
// with syslog-ng's RFC 3164 parser.
func TestRFC3164(t *testing.T) {
	ng := newSyslogNG(t, writePKI(t), false)
	for _, tt := range []struct{ listener, network string }{{"bsd_udp", "udp"}, {"bsd_tcp", "tcp"}} {
		t.Run(tt.listener, func(t *testing.T) {
			env := baseEnv(ng.addr(tt.listener))
			env["SYSLOG_NETWORK"], env["SYSLOG_FORMAT"], env["SYSLOG_FRAMING"] = tt.network, "rfc3164", "newline"
			events := testEvents(tt.listener, 50)
			s := startSender(t, env, events)
			delivered, _ := s.wait(t)
			recs := waitRecords(t, ng, tt.listener, len(delivered))
			got := byID(t, recs, func(r record) string {
				var b nativeBody
				_ = json.Unmarshal([]byte(r.Message), &b)
				return b.ID
			})
			if len(got) != len(events) {
				t.Fatalf("syslog-ng has %d distinct events, want %d", len(got), len(events))
			}
			for _, ev := range events {
				r := got[ev["id"].(string)]
				head := [5]string{r.Facility, r.Severity, r.Host, r.Program, r.PID}
				want := [5]string{"10", wantSeverity(ev), testHost, "auditbridge", strconv.Itoa(s.cmd.Process.Pid)}
				if head != want {
					t.Errorf("%q: facility, severity, host, program, pid = %q, want %q", ev["id"], head, want)
				}
			}
		})
	}
}

// TestCEFAndLEEFBodies checks that CEF and LEEF bodies arrive whole, one per
// event, with the id readable from the extension.
func TestCEFAndLEEFBodies(t *testing.T) {
	ng := newSyslogNG(t, writePKI(t), false)
	for _, tt := range []struct{ body, prefix, idKey, sep string }{
		{"cef", "CEF:0|HashiCorp|terraform|unknown|", "externalId=", " act="},
		{"leef", "LEEF:2.0|HashiCorp|terraform|unknown|", "\tid=", "\taction="},
	} {
		t.Run(tt.body, func(t *testing.T) {
			env := baseEnv(ng.addr("tcp"))
			env["SYSLOG_BODY"] = tt.body
			events := testEvents(tt.body, 40)
			s := startSender(t, env, events)
			delivered, _ := s.wait(t)
			var mine []record
			deadline := time.Now().Add(15 * time.Second)
			for len(mine) < len(delivered) && time.Now().Before(deadline) {
				mine = mine[:0]
				for _, r := range ng.records(t, "tcp") {
					if strings.HasPrefix(r.Message, tt.prefix) && strings.HasPrefix(sdIDOf(r), tt.body+"-") {
						mine = append(mine, r)
					}
				}
				time.Sleep(50 * time.Millisecond)
			}
			got := byID(t, mine, sdIDOf)
			for _, ev := range events {
				r, ok := got[ev["id"].(string)]
				if !ok {
					t.Errorf("%q missing", ev["id"])
					continue
				}
				_, rest, _ := strings.Cut(r.Message, tt.idKey)
				rawID, _, _ := strings.Cut(rest, tt.sep)
				if id := strings.NewReplacer(`\\`, `\`, `\=`, `=`).Replace(rawID); tt.body == "cef" && id != ev["id"] ||
					tt.body == "leef" && rawID != ev["id"] {
					t.Errorf("%s id field %q, want %q", tt.body, rawID, ev["id"])
				}
			}
		})
	}
}
