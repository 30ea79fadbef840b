package syslog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/normalize"
)

func TestValidate(t *testing.T) {
	pem := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(pem, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	good := testConfig("127.0.0.1:514")
	tests := []struct {
		name string
		edit func(*Config)
		want []string // substrings; nil means valid
	}{
		{"defaults are valid", func(*Config) {}, nil},
		{"tls with files", func(c *Config) { c.Network, c.TLSCA, c.TLSCert, c.TLSKey = "tls", pem, pem, pem }, nil},
		{"facility number", func(c *Config) { c.Facility = "23" }, nil},
		{"facility name any case", func(c *Config) { c.Facility = "LOCAL7" }, nil},
		{"every problem at once", func(c *Config) {
			*c = Config{Network: "sctp", Format: "rfc9999", Body: "xml", JSONFormat: "yaml", Framing: "cr",
				Confirm: "maybe", Facility: "24", AppName: " ", UDPMaxBytes: 100, Timeout: 0}
		}, []string{"AUDITBRIDGE_SYSLOG_ADDRESS", "AUDITBRIDGE_SYSLOG_NETWORK", "AUDITBRIDGE_SYSLOG_FORMAT",
			"AUDITBRIDGE_SYSLOG_BODY", "AUDITBRIDGE_SYSLOG_JSON_FORMAT", "AUDITBRIDGE_SYSLOG_FRAMING",
			"AUDITBRIDGE_SYSLOG_CONFIRM", "AUDITBRIDGE_SYSLOG_FACILITY", "AUDITBRIDGE_SYSLOG_APP_NAME",
			"AUDITBRIDGE_SYSLOG_UDP_MAX_BYTES", "AUDITBRIDGE_SYSLOG_TIMEOUT"}},
		{"address without port", func(c *Config) { c.Address = "localhost" }, []string{"AUDITBRIDGE_SYSLOG_ADDRESS"}},
		{"unknown facility", func(c *Config) { c.Facility = "security" }, []string{`unknown facility "security"`}},
		{"cert without key", func(c *Config) { c.Network, c.TLSCert = "tls", pem }, []string{"AUDITBRIDGE_SYSLOG_TLS_CERT"}},
		{"tls settings on tcp", func(c *Config) { c.TLSCA = pem }, []string{"AUDITBRIDGE_SYSLOG_NETWORK", "not tls"}},
		{"missing CA file", func(c *Config) { c.Network, c.TLSCA = "tls", "/nonexistent/ca.pem" }, []string{"AUDITBRIDGE_SYSLOG_TLS_CA"}},
		{"udp max too large", func(c *Config) { c.UDPMaxBytes = 70000 }, []string{"AUDITBRIDGE_SYSLOG_UDP_MAX_BYTES"}},
		{"message max too small", func(c *Config) { c.MaxMessageBytes = 100 }, []string{"AUDITBRIDGE_SYSLOG_MAX_MESSAGE_BYTES"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			tt.edit(&c)
			before := c
			err := c.Validate()
			if c != before {
				t.Error("Validate changed the config")
			}
			if tt.want == nil {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	c := testConfig("")
	if _, err := New(c, nil); err == nil || !strings.Contains(err.Error(), "AUDITBRIDGE_SYSLOG_ADDRESS") {
		t.Fatalf("New with no address: %v", err)
	}
	c = testConfig("127.0.0.1:1")
	c.Network, c.TLSCA = "tls", filepath.Join(t.TempDir(), "empty.pem")
	if err := os.WriteFile(c.TLSCA, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(c, nil); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("New with a bad CA file: %v", err)
	}
}

func TestSeverities(t *testing.T) {
	tests := []struct {
		name                      string
		verb, outcome, cat, evSev string
		wantSyslog, wantCEF       int
	}{
		{"read success", normalize.VerbRead, normalize.OutcomeSuccess, "", "info", 6, 1},
		{"update unknown", normalize.VerbUpdate, normalize.OutcomeUnknown, "", "", 6, 3},
		{"delete", normalize.VerbDelete, normalize.OutcomeSuccess, "", "", 5, 5},
		{"failed update", normalize.VerbUpdate, normalize.OutcomeFailure, "", "", 4, 6},
		{"failed delete", normalize.VerbDelete, normalize.OutcomeFailure, "", "", 4, 6},
		{"failed login", normalize.VerbLogin, normalize.OutcomeFailure, "", "", 4, 8},
		{"failed authentication", normalize.VerbOther, normalize.OutcomeFailure, normalize.CategoryAuthentication, "", 4, 8},
		{"event says critical", normalize.VerbRead, normalize.OutcomeSuccess, "", "critical", 2, 1},
		{"event says debug (not raised)", normalize.VerbDelete, normalize.OutcomeSuccess, "", "debug", 5, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := normalize.Event{Verb: tt.verb, Outcome: tt.outcome, Category: tt.cat, Severity: tt.evSev}
			if got := severity(&ev); got != tt.wantSyslog {
				t.Errorf("syslog severity %d, want %d", got, tt.wantSyslog)
			}
			if got := cefSeverity(&ev); got != tt.wantCEF {
				t.Errorf("CEF severity %d, want %d", got, tt.wantCEF)
			}
		})
	}
}

func TestParseFacility(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"kern", 0, true}, {"authpriv", 10, true}, {"local0", 16, true}, {"local7", 23, true},
		{"0", 0, true}, {"23", 23, true}, {"24", 0, false}, {"-1", 0, false}, {"", 0, false}, {"nope", 0, false},
	}
	for _, tt := range tests {
		got, err := parseFacility(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseFacility(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
