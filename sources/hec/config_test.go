package hec

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	cert, key := writeSelfSigned(t, dir)
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	ok := DefaultConfig("127.0.0.1:8088", "t1")
	tests := []struct {
		name  string
		edit  func(c *Config)
		wants []string // substrings of the error; none = valid
	}{
		{"defaults with a token", func(*Config) {}, nil},
		{"tls pair", func(c *Config) { c.TLSCert, c.TLSKey = cert, key }, nil},
		{"port only", func(c *Config) { c.Addr = ":0" }, nil},
		{"bad addr", func(c *Config) { c.Addr = "localhost" }, []string{"AUDITBRIDGE_HEC_ADDR"}},
		{"no tokens", func(c *Config) { c.Tokens = " , ," }, []string{"AUDITBRIDGE_HEC_TOKENS"}},
		{"cert without key", func(c *Config) { c.TLSCert = cert }, []string{"AUDITBRIDGE_HEC_TLS_CERT", "set together"}},
		{"key without cert", func(c *Config) { c.TLSKey = key }, []string{"AUDITBRIDGE_HEC_TLS_CERT", "set together"}},
		{"unreadable pair", func(c *Config) { c.TLSCert, c.TLSKey = garbage, key }, []string{"AUDITBRIDGE_HEC_TLS_CERT", "cannot load"}},
		{"tiny body limit", func(c *Config) { c.MaxBodyBytes = 10 }, []string{"AUDITBRIDGE_HEC_MAX_BODY_BYTES"}},
		{"no events allowed", func(c *Config) { c.MaxEvents = 0 }, []string{"AUDITBRIDGE_HEC_MAX_EVENTS"}},
		{"no concurrency", func(c *Config) { c.MaxConcurrent = 0 }, []string{"AUDITBRIDGE_HEC_MAX_CONCURRENT"}},
		{"zero timeouts", func(c *Config) { c.ReadTimeout, c.ShutdownTimeout = 0, -time.Second },
			[]string{"AUDITBRIDGE_HEC_READ_TIMEOUT", "AUDITBRIDGE_HEC_SHUTDOWN_TIMEOUT"}},
		{"every problem at once", func(c *Config) {
			c.Addr, c.Tokens, c.MaxBodyBytes, c.MaxConcurrent, c.IdleTimeout = "x", "", 1, -1, 0
		}, []string{"AUDITBRIDGE_HEC_ADDR", "AUDITBRIDGE_HEC_TOKENS", "AUDITBRIDGE_HEC_MAX_BODY_BYTES",
			"AUDITBRIDGE_HEC_MAX_CONCURRENT", "AUDITBRIDGE_HEC_IDLE_TIMEOUT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			before := c
			err := c.Validate()
			if c != before {
				t.Error("Validate changed the config")
			}
			if len(tt.wants) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "t1") && !strings.Contains(tt.name, "token") {
				t.Errorf("error reveals a token: %q", err)
			}
		})
	}
}

func TestConfigTokenList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"a", []string{"a"}},
		{" a , b ,,c ", []string{"a", "b", "c"}},
		{"", nil},
	}
	for _, tt := range tests {
		c := Config{Tokens: secret(tt.in)}
		got := c.TokenList()
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("TokenList(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConfigEnabled(t *testing.T) {
	if (Config{}).Enabled() || (Config{Addr: " "}).Enabled() || !(Config{Addr: ":8088"}).Enabled() {
		t.Error("Enabled must follow HEC_ADDR")
	}
}
