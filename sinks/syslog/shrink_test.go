package syslog

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// sharedSamples are the four shared samples (/work/shared/samples), read
// from normalize's testdata where they are kept byte for byte.
var sharedSamples = []string{
	"tfc/page.json", "hcp_platform/auth_success.json",
	"hcp_platform/project_delete.json", "boundary/sessions.json",
}

func sampleEvents(t *testing.T) []normalize.Event {
	t.Helper()
	var evs []normalize.Event
	for _, name := range sharedSamples {
		b, err := os.ReadFile(filepath.Join("..", "..", "normalize", "testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := normalize.NewParser().Parse(b)
		if err != nil || len(got) == 0 {
			t.Fatalf("%s: %d events, %v", name, len(got), err)
		}
		evs = append(evs, got...)
	}
	return evs
}

// At the default settings over UDP (2048 bytes) every shared sample is
// sent: the raw record goes first, the message says what was cut.
func TestSharedSamplesFitUDPDefaults(t *testing.T) {
	cfg := testConfig("127.0.0.1:514")
	cfg.Network, cfg.Body = "udp", "json"
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	evs := sampleEvents(t)
	msgs, failed := s.render(evs)
	if len(failed) != 0 {
		t.Fatalf("dead-lettered at the UDP defaults: %v", failed)
	}
	for i, m := range msgs {
		if len(m) > 2048 {
			t.Errorf("event %s: %d bytes, over the 2048 limit", evs[i].ID, len(m))
		}
		full := s.enc.appendMessage(nil, &evs[i])
		if len(full) <= 2048 {
			continue
		}
		parsed, err := parse5424(m)
		if err != nil {
			t.Fatalf("event %s: %v", evs[i].ID, err)
		}
		var body normalize.Event
		if err := json.Unmarshal(parsed.msg, &body); err != nil {
			t.Fatalf("event %s: shrunk body is not JSON: %v", evs[i].ID, err)
		}
		if body.ID != evs[i].ID || (len(body.Raw) != 0 && string(body.Raw) != "null") {
			t.Errorf("event %s: body id %q, raw %d bytes; want the id and no raw", evs[i].ID, body.ID, len(body.Raw))
		}
		if sd := sdValue(parsed, "truncated"); !strings.HasPrefix(sd, "raw") {
			t.Errorf("event %s: SD truncated=%q, want it to start with raw", evs[i].ID, sd)
		}
	}
}

func sdValue(m message5424, name string) string {
	for _, p := range m.params {
		if p.name == name {
			return p.value
		}
	}
	return ""
}

// The documented order: raw first, then the longest free-text field with
// a marker, then the next; ids and the rest of the event stay whole.
func TestShrinkOrder(t *testing.T) {
	ev := normalize.Event{ID: "ev-1", Product: "terraform", Kind: "tfc.audit_trail", Action: "workspace.update",
		Outcome: "success", Message: strings.Repeat("m", 3000),
		Request: normalize.Request{UserAgent: strings.Repeat("u", 1500)},
		Raw:     json.RawMessage(`{"big":"` + strings.Repeat("r", 4000) + `"}`)}
	tests := []struct {
		name      string
		limit     int
		truncated string
		msgCut    bool
		uaCut     bool
	}{
		{"raw alone is enough", 6000, "raw", false, false},
		{"then the longest field", 2600, "raw,message", true, false},
		{"then the next", 900, "raw,message,user_agent", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc := testEncoder("rfc5424", "json")
			msg, ok := enc.shrink(nil, &ev, tt.limit)
			if !ok || len(msg) > tt.limit {
				t.Fatalf("shrink to %d: ok %v, %d bytes", tt.limit, ok, len(msg))
			}
			m, err := parse5424(msg)
			if err != nil {
				t.Fatal(err)
			}
			if got := sdValue(m, "truncated"); got != tt.truncated {
				t.Errorf("truncated = %q, want %q", got, tt.truncated)
			}
			var body normalize.Event
			if err := json.Unmarshal(m.msg, &body); err != nil {
				t.Fatal(err)
			}
			if cut := strings.HasSuffix(body.Message, truncMarker); cut != tt.msgCut || (!cut && body.Message != ev.Message) {
				t.Errorf("message cut = %v (%d bytes), want %v", cut, len(body.Message), tt.msgCut)
			}
			if cut := strings.HasSuffix(body.Request.UserAgent, truncMarker); cut != tt.uaCut {
				t.Errorf("user agent cut = %v, want %v", cut, tt.uaCut)
			}
			if body.ID != ev.ID || body.Action != ev.Action {
				t.Errorf("id/action changed: %q %q", body.ID, body.Action)
			}
		})
	}
	if len(ev.Message) != 3000 || len(ev.Raw) == 0 {
		t.Error("shrink changed the caller's event")
	}
}

// What cannot be cut (the id here) makes the event a dead letter, and only
// that event.
func TestTooLargeAfterShrinkIsDeadLettered(t *testing.T) {
	cfg := testConfig("127.0.0.1:514")
	cfg.Network, cfg.Body, cfg.MaxMessageBytes = "tcp", "json", 2048
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	batch := batchOf(3)
	batch[1].ID = strings.Repeat("i", 2000)
	batch[2].Message = strings.Repeat("m", 5000)
	msgs, failed := s.render(batch)
	if len(failed) != 1 || failed[0].Index != 1 || !errors.Is(failed[0].Err, ErrTooLarge) || !bridge.IsPermanent(failed[0].Err) {
		t.Fatalf("failed = %v, want event 1 only, permanent and too large", failed)
	}
	if len(msgs) != 2 {
		t.Fatalf("%d messages sent, want 2", len(msgs))
	}
}

func TestMessageLimitDefaults(t *testing.T) {
	for _, tt := range []struct {
		network  string
		max, udp int
		want     int
	}{
		{"tcp", 0, 2048, 8192}, {"tls", 0, 2048, 8192}, {"udp", 0, 2048, 2048},
		{"tcp", 65536, 2048, 65536}, {"udp", 1200, 2048, 1200}, {"udp", 9000, 4096, 4096},
	} {
		c := Config{Network: tt.network, MaxMessageBytes: tt.max, UDPMaxBytes: tt.udp}
		if got := c.messageLimit(); got != tt.want {
			t.Errorf("%s max=%d udp=%d: limit %d, want %d", tt.network, tt.max, tt.udp, got, tt.want)
		}
	}
}
