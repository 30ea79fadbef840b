package elasticsearch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	fp := strings.Repeat("ab", 32)
	base := func() Config {
		c := DefaultConfig()
		c.Addresses = []string{"https://es.example:9200"}
		return c
	}
	tests := []struct {
		name string
		mod  func(*Config)
		want []string // every substring must appear; none means valid
	}{
		{name: "defaults with address", mod: func(*Config) {}},
		{name: "cloud id", mod: func(c *Config) { c.Addresses = nil; c.CloudID = "dep:abc" }},
		{name: "path prefix", mod: func(c *Config) { c.Addresses = []string{"http://127.0.0.1:4080/es"} }},
		{name: "basic auth", mod: func(c *Config) { c.Username, c.Password = "u", "p" }},
		{name: "api key", mod: func(c *Config) { c.APIKey = "a2V5" }},
		{name: "fingerprint with colons", mod: func(c *Config) {
			c.TLSFingerprint = strings.ToUpper(strings.Join(strings.SplitAfterN(fp, "", 64), ":"))
		}},
		{name: "ca file", mod: func(c *Config) { c.TLSCA = ca }},
		{name: "neither address nor cloud", mod: func(c *Config) { c.Addresses = nil }, want: []string{"AUDITBRIDGE_ES_ADDRESSES: set it or AUDITBRIDGE_ES_CLOUD_ID"}},
		{name: "both address and cloud", mod: func(c *Config) { c.CloudID = "x" }, want: []string{"not both"}},
		{name: "bad url", mod: func(c *Config) { c.Addresses = []string{"es:9200"} }, want: []string{"AUDITBRIDGE_ES_ADDRESSES: want http(s)"}},
		{name: "api key and basic", mod: func(c *Config) { c.APIKey, c.Username, c.Password = "k", "u", "p" }, want: []string{"AUDITBRIDGE_ES_API_KEY"}},
		{name: "user without password", mod: func(c *Config) { c.Username = "u" }, want: []string{"AUDITBRIDGE_ES_USERNAME"}},
		{name: "uppercase stream", mod: func(c *Config) { c.DataStream = "Logs-x-y" }, want: []string{"AUDITBRIDGE_ES_DATA_STREAM: must be lowercase"}},
		{name: "stream with star", mod: func(c *Config) { c.DataStream = "logs-*" }, want: []string{"AUDITBRIDGE_ES_DATA_STREAM"}},
		{name: "empty stream", mod: func(c *Config) { c.DataStream = "" }, want: []string{"AUDITBRIDGE_ES_DATA_STREAM: must not be empty"}},
		{name: "bad template name", mod: func(c *Config) { c.TemplateName = "a b" }, want: []string{"AUDITBRIDGE_ES_TEMPLATE_NAME"}},
		{name: "missing ca", mod: func(c *Config) { c.TLSCA = "/nonexistent/ca.pem" }, want: []string{"AUDITBRIDGE_ES_TLS_CA"}},
		{name: "short fingerprint", mod: func(c *Config) { c.TLSFingerprint = "abcd" }, want: []string{"AUDITBRIDGE_ES_TLS_FINGERPRINT: want 64 hex"}},
		{name: "fingerprint and skip", mod: func(c *Config) { c.TLSFingerprint = fp; c.TLSSkipVerify = true }, want: []string{"set it alone"}},
		{name: "ca and skip", mod: func(c *Config) { c.TLSCA = ca; c.TLSSkipVerify = true }, want: []string{"AUDITBRIDGE_ES_TLS_SKIP_VERIFY"}},
		{name: "zero timeout", mod: func(c *Config) { c.Timeout = 0 }, want: []string{"AUDITBRIDGE_ES_TIMEOUT"}},
		{name: "tiny batch bytes", mod: func(c *Config) { c.MaxBatchBytes = 10 }, want: []string{"AUDITBRIDGE_ES_MAX_BATCH_BYTES"}},
		{name: "zero batch events", mod: func(c *Config) { c.MaxBatchEvents = 0 }, want: []string{"AUDITBRIDGE_ES_MAX_BATCH_EVENTS"}},
		{name: "bad compat", mod: func(c *Config) { c.Compat = "solr" }, want: []string{"AUDITBRIDGE_ES_COMPAT"}},
		{name: "every problem at once", mod: func(c *Config) {
			c.Addresses, c.Timeout, c.Compat, c.DataStream = nil, 0, "x", ""
		}, want: []string{"AUDITBRIDGE_ES_ADDRESSES", "AUDITBRIDGE_ES_TIMEOUT", "AUDITBRIDGE_ES_COMPAT", "AUDITBRIDGE_ES_DATA_STREAM"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.mod(&c)
			before := c.Addresses
			err := c.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate accepted %+v", c)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if len(before) != len(c.Addresses) {
				t.Errorf("Validate changed the config")
			}
		})
	}
}

func TestConfigSecretsDoNotPrint(t *testing.T) {
	c := DefaultConfig()
	c.Password, c.APIKey = "hunter2", "c2VjcmV0"
	for _, s := range []string{sprint(c), sprintV(c)} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "c2VjcmV0") {
			t.Errorf("secret printed: %s", s)
		}
	}
}

func TestTemplatePattern(t *testing.T) {
	tests := map[string]string{
		"logs-hashicorp.audit-default": "logs-hashicorp.audit-*",
		"logs-hashicorp.audit-prod":    "logs-hashicorp.audit-*",
		"audit":                        "audit",
	}
	for in, want := range tests {
		if got := templatePattern(in); got != want {
			t.Errorf("templatePattern(%q) = %q, want %q", in, got, want)
		}
	}
}
func sprint(v any) string  { return fmt.Sprint(v) }
func sprintV(v any) string { return fmt.Sprintf("%#v", v) }
