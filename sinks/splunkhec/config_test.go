package splunkhec

import (
	"strings"
	"testing"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

func validConfig() Config {
	return Config{
		URL: "https://splunk.example.com:8088", Token: "t0k3n", Source: "auditbridge",
		Format: normalize.FormatCIM, AckTimeout: time.Minute, AckPollInterval: time.Second,
		Timeout: 30 * time.Second, MaxBatchBytes: DefaultMaxBatchBytes,
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*Config)
		want   []string // substrings of the error; none: valid
	}{
		{"valid", func(*Config) {}, nil},
		{"valid with collector path", func(c *Config) { c.URL = "https://h:8088/services/collector/event" }, nil},
		{"valid mtls", func(c *Config) { c.TLSCert, c.TLSKey, c.TLSCA = "c.pem", "k.pem", "ca.pem" }, nil},
		{"missing url and token", func(c *Config) { c.URL, c.Token = "", "" },
			[]string{"AUDITBRIDGE_SPLUNK_URL: must be set", "AUDITBRIDGE_SPLUNK_TOKEN: must be set"}},
		{"bad scheme", func(c *Config) { c.URL = "ftp://h" }, []string{"AUDITBRIDGE_SPLUNK_URL: scheme"}},
		{"no host", func(c *Config) { c.URL = "https:///x" }, []string{"AUDITBRIDGE_SPLUNK_URL: has no host"}},
		{"token in url", func(c *Config) { c.URL = "https://u:p@h:8088" }, []string{"AUDITBRIDGE_SPLUNK_URL: must not carry"}},
		{"tls settings on http", func(c *Config) { c.URL, c.TLSSkipVerify = "http://h:8088", true }, []string{"AUDITBRIDGE_SPLUNK_URL: TLS settings"}},
		{"bad format", func(c *Config) { c.Format = "ecs" }, []string{"AUDITBRIDGE_SPLUNK_FORMAT"}},
		{"ack without timeouts", func(c *Config) { c.Ack, c.AckTimeout, c.AckPollInterval = true, 0, 0 },
			[]string{"AUDITBRIDGE_SPLUNK_ACK_TIMEOUT", "AUDITBRIDGE_SPLUNK_ACK_POLL_INTERVAL"}},
		{"zero timeout and tiny batch", func(c *Config) { c.Timeout, c.MaxBatchBytes = 0, 10 },
			[]string{"AUDITBRIDGE_SPLUNK_TIMEOUT", "AUDITBRIDGE_SPLUNK_MAX_BATCH_BYTES"}},
		{"cert without key", func(c *Config) { c.TLSCert = "c.pem" }, []string{"AUDITBRIDGE_SPLUNK_TLS_CERT"}},
		{"newline in host", func(c *Config) { c.Host = "a\nb" }, []string{"AUDITBRIDGE_SPLUNK_HOST"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validConfig()
			tc.mutate(&c)
			before := c
			err := c.Validate()
			if c != before {
				t.Fatal("Validate changed the config")
			}
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate = nil, want errors %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %q, missing %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "t0k3n") {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

func TestParseBase(t *testing.T) {
	for in, want := range map[string]string{
		"https://h:8088":                              "https://h:8088",
		"https://h:8088/":                             "https://h:8088",
		"https://h:8088/services/collector":           "https://h:8088",
		"https://h:8088/services/collector/event":     "https://h:8088",
		"https://h:8088/services/collector/event/1.0": "https://h:8088",
		"https://h/prefix/services/collector/":        "https://h/prefix",
		" http://127.0.0.1:9 ":                        "http://127.0.0.1:9",
	} {
		t.Run(in, func(t *testing.T) {
			u, err := parseBase(in)
			if err != nil || u.String() != want {
				t.Fatalf("parseBase(%q) = %v, %v; want %s", in, u, err, want)
			}
		})
	}
}
