package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/go-hclog"
)

// TestSecretsOverPlainHTTPRefused: a token or password bound for a host
// other than loopback over http:// stops the start (naming the variable,
// never the secret) unless AUDITBRIDGE_ALLOW_INSECURE=true.
func TestSecretsOverPlainHTTPRefused(t *testing.T) {
	splunk := func(url string) map[string]string {
		return map[string]string{"AUDITBRIDGE_SINKS": "splunk", "AUDITBRIDGE_SPLUNK_URL": url,
			"AUDITBRIDGE_SPLUNK_TOKEN": "sekrit-hec-token"}
	}
	es := func(addr string) map[string]string {
		return map[string]string{"AUDITBRIDGE_SINKS": "elasticsearch", "AUDITBRIDGE_ES_ADDRESSES": addr}
	}
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"splunk over http to a remote host", splunk("http://splunk.example.com:8088"), "AUDITBRIDGE_SPLUNK_URL: http://splunk.example.com:8088 is plain http://"},
		{"splunk over https", splunk("https://splunk.example.com:8088"), ""},
		{"splunk over http on loopback", splunk("http://127.0.0.1:8088"), ""},
		{"splunk over http to localhost", splunk("http://localhost:8088"), ""},
		{"allowed", with(splunk("http://splunk.example.com:8088"), "AUDITBRIDGE_ALLOW_INSECURE", "true"), ""},
		{"es password over http", with(es("http://es.example.com:9200"), "AUDITBRIDGE_ES_PASSWORD", "sekrit-pw"),
			"AUDITBRIDGE_ES_PASSWORD would travel in clear text"},
		{"es user info in the URL", es("http://elastic:sekrit-pw@es.example.com:9200"), "http://[REDACTED]@es.example.com:9200"},
		{"es without credentials", es("http://es.example.com:9200"), ""},
		{"tfc token to a plain-http host", map[string]string{"AUDITBRIDGE_SINKS": "stdout", "AUDITBRIDGE_TFC_TOKEN": "sekrit-tfc",
			"AUDITBRIDGE_TFC_ADDRESS": "http://tfe.example.com"}, "AUDITBRIDGE_TFC_ADDRESS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadSettings(func(k string) string { return tc.env[k] })
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "AUDITBRIDGE_ALLOW_INSECURE=true") {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "sekrit") {
				t.Fatalf("the error shows the secret: %v", err)
			}
		})
	}
}

func with(m map[string]string, k, v string) map[string]string {
	m[k] = v
	return m
}

// TestExposureWarnings: a HEC receiver without TLS beyond loopback and an
// admin server beyond loopback are warned about; loopback ones are not.
func TestExposureWarnings(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"hec on every interface without TLS", map[string]string{"AUDITBRIDGE_HEC_ADDR": ":8088"}, []string{"HEC_ADDR :8088 serves plain HTTP"}},
		{"hec on loopback", map[string]string{"AUDITBRIDGE_HEC_ADDR": "127.0.0.1:8088"}, nil},
		{"admin opened", map[string]string{"AUDITBRIDGE_ADMIN_ADDR": "0.0.0.0:9880"}, []string{"ADMIN_ADDR 0.0.0.0:9880 serves"}},
		{"defaults", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"AUDITBRIDGE_SINKS": "stdout", "AUDITBRIDGE_HEC_TOKENS": "tok"}
			for k, v := range tc.env {
				env[k] = v
			}
			st, err := loadSettings(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			got := checkExposure(st).warn
			if len(got) != len(tc.want) {
				t.Fatalf("warnings %q, want %d", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("warning %q, want %q", got[i], w)
				}
			}
		})
	}
}

// TestAdminServerTimeouts: the admin server bounds reading headers and
// bodies, idle connections and header size.
func TestAdminServerTimeouts(t *testing.T) {
	a, err := startAdmin("127.0.0.1:0", http.NotFoundHandler(), hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.shutdown(context.Background()) })
	s := a.srv
	if s.ReadHeaderTimeout <= 0 || s.ReadTimeout <= 0 || s.IdleTimeout <= 0 || s.MaxHeaderBytes <= 0 || s.MaxHeaderBytes > 1<<20 {
		t.Fatalf("admin server limits: header %s read %s idle %s max header %d",
			s.ReadHeaderTimeout, s.ReadTimeout, s.IdleTimeout, s.MaxHeaderBytes)
	}
}

// TestSecretFileModeWarning: a _FILE secret readable by group or others is
// warned about; one readable by its owner only is not.
func TestSecretFileModeWarning(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open")
	closed := filepath.Join(dir, "closed")
	for path, mode := range map[string]os.FileMode{open: 0o644, closed: 0o600} {
		if err := os.WriteFile(path, []byte("sekrit\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		path string
		want bool
	}{{open, true}, {closed, false}} {
		env := map[string]string{"AUDITBRIDGE_SINKS": "splunk", "AUDITBRIDGE_SPLUNK_URL": "https://splunk.example.com:8088",
			"AUDITBRIDGE_SPLUNK_TOKEN_FILE": tc.path}
		getenv := func(k string) string { return env[k] }
		st, err := loadSettings(getenv)
		if err != nil {
			t.Fatal(err)
		}
		got := secretFileWarnings(st, getenv, os.Stat)
		if tc.want != (len(got) == 1) || (tc.want && !strings.Contains(got[0], "AUDITBRIDGE_SPLUNK_TOKEN_FILE "+tc.path+" has mode 0644")) {
			t.Errorf("%s: warnings %q", tc.path, got)
		}
		for _, w := range got {
			if strings.Contains(w, "sekrit") {
				t.Errorf("warning shows the secret: %s", w)
			}
		}
	}
}
