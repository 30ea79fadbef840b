package splunkhec

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/testutil"
	"github.com/auditbridge/auditbridge/sinks/sinktest"
	"github.com/hashicorp/go-hclog"
)

// testPKI is a CA with a server certificate for "hec.internal" only and a
// client certificate, written as PEM files.
type testPKI struct {
	dir               string
	caPool            *x509.CertPool
	server            tls.Certificate
	caFile, cert, key string // CA, client cert and key files
	otherCA           string // a CA that signed nothing here
}

func newPKI(t *testing.T) testPKI {
	t.Helper()
	p := testPKI{dir: t.TempDir()}
	ca := testutil.NewCA(t, "test ca")
	p.caPool = x509.NewCertPool()
	p.caPool.AddCert(ca.Cert)
	p.caFile, _ = ca.WritePEM(t, p.dir, "ca")
	p.server = ca.Issue(t, "leaf", []string{"hec.internal"}).TLS()
	p.cert, p.key = ca.Issue(t, "leaf", nil, testutil.ClientAuth).WritePEM(t, p.dir, "client")
	p.otherCA, _ = testutil.NewCA(t, "test ca").WritePEM(t, p.dir, "other-ca")
	return p
}

// tlsHEC serves the fake HEC over TLS with the "hec.internal" certificate,
// optionally requiring a client certificate signed by the CA.
func tlsHEC(t *testing.T, p testPKI, mtls bool) *fakeHEC {
	f := newFakeHEC(t)
	f.Close() // re-serve the same handler over TLS
	srv := httptest.NewUnstartedServer(f.Config.Handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.server}}
	if mtls {
		srv.TLS.ClientAuth, srv.TLS.ClientCAs = tls.RequireAndVerifyClientCert, p.caPool
		// With TLS 1.3 the client learns of a refused certificate only after
		// its handshake, so a request body write can lose the race with the
		// alert and fail as a (retryable) broken pipe; TLS 1.2 refuses
		// within the handshake, which makes the test deterministic.
		srv.TLS.MaxVersion = tls.VersionTLS12
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	f.Server = srv
	return f
}

func TestTLS(t *testing.T) {
	p := newPKI(t)
	for _, tc := range []struct {
		name    string
		mtls    bool
		cfg     func(*Config)
		wantErr string // "" = delivered; otherwise a ConfigError mentioning it
	}{
		{"custom CA and server name", false, func(c *Config) { c.TLSCA, c.TLSServerName = p.caFile, "hec.internal" }, ""},
		{"no CA: unknown authority", false, func(c *Config) { c.TLSServerName = "hec.internal" }, "AUDITBRIDGE_SPLUNK_TLS_CA"},
		{"wrong CA", false, func(c *Config) { c.TLSCA, c.TLSServerName = p.otherCA, "hec.internal" }, "AUDITBRIDGE_SPLUNK_TLS_CA"},
		{"name mismatch", false, func(c *Config) { c.TLSCA = p.caFile }, "AUDITBRIDGE_SPLUNK_TLS_SERVER_NAME"},
		{"skip verify", false, func(c *Config) { c.TLSSkipVerify = true }, ""},
		{"mtls with client cert", true, func(c *Config) {
			c.TLSCA, c.TLSServerName, c.TLSCert, c.TLSKey = p.caFile, "hec.internal", p.cert, p.key
		}, ""},
		{"mtls without client cert", true, func(c *Config) { c.TLSCA, c.TLSServerName = p.caFile, "hec.internal" }, "AUDITBRIDGE_SPLUNK_TLS_CERT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tlsHEC(t, p, tc.mtls)
			cfg := testConfig(f.URL)
			tc.cfg(&cfg)
			var logs bytes.Buffer
			s, err := New(cfg, hclog.New(&hclog.LoggerOptions{Output: &logs}))
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer s.Close(context.Background())
			err = send(t, s, sinktest.Events(0, 2))
			if cfg.TLSSkipVerify != strings.Contains(logs.String(), "tls certificate verification is disabled") {
				t.Errorf("skip verify %v, log: %q", cfg.TLSSkipVerify, logs.String())
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if got, _ := f.snapshot(); len(got) != 2 {
					t.Fatalf("stored %d events, want 2", len(got))
				}
				return
			}
			var ce *bridge.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Send = %v, want a ConfigError mentioning %s", err, tc.wantErr)
			}
		})
	}
}

func TestTLSConfigErrors(t *testing.T) {
	p := newPKI(t)
	for _, tc := range []struct {
		name string
		cfg  func(*Config)
		want string
	}{
		{"missing CA file", func(c *Config) { c.TLSCA = filepath.Join(p.dir, "nope.pem") }, "AUDITBRIDGE_SPLUNK_TLS_CA"},
		{"CA file without PEM", func(c *Config) { c.TLSCA = writeJunk(t, p.dir) }, "no PEM certificate"},
		{"key does not match", func(c *Config) { c.TLSCert, c.TLSKey = p.cert, p.caFile }, "AUDITBRIDGE_SPLUNK_TLS_CERT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig("https://" + net.JoinHostPort("127.0.0.1", "1"))
			tc.cfg(&cfg)
			_, err := New(cfg, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func writeJunk(t *testing.T, dir string) string {
	path := filepath.Join(dir, "junk.txt")
	if err := os.WriteFile(path, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// http:// to a TLS port: the server's 400 is not HEC blaming an event, so
// nothing is dead-lettered; the operator is told to check the URL.
func TestPlainHTTPToTLSPort(t *testing.T) {
	p := newPKI(t)
	f := tlsHEC(t, p, false)
	s := newTestSink(t, f, func(c *Config) { c.URL = strings.Replace(f.URL, "https://", "http://", 1) })
	err := send(t, s, sinktest.Events(0, 3))
	var ce *bridge.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "AUDITBRIDGE_SPLUNK_URL") {
		t.Fatalf("Send = %v, want a ConfigError pointing at AUDITBRIDGE_SPLUNK_URL", err)
	}
}
