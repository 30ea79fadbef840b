package elasticsearch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTLS(t *testing.T) {
	f := newFakeES(t)
	srv := httptest.NewTLSServer(f.srv.Config.Handler)
	t.Cleanup(srv.Close)
	cert := srv.Certificate()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert.Raw)
	good := hex.EncodeToString(sum[:])
	tests := []struct {
		name    string
		mod     func(*Config)
		wantErr string
	}{
		{name: "system roots reject a private CA", mod: func(*Config) {}, wantErr: "certificate"},
		{name: "custom CA", mod: func(c *Config) { c.TLSCA = caFile }},
		{name: "fingerprint", mod: func(c *Config) { c.TLSFingerprint = strings.ToUpper(good) }},
		{name: "wrong fingerprint", mod: func(c *Config) { c.TLSFingerprint = strings.Repeat("0", 64) }, wantErr: "fingerprint mismatch"},
		{name: "skip verify", mod: func(c *Config) { c.TLSSkipVerify = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestSink(t, srv.URL, tt.mod)
			err := s.Send(context.Background(), testEvents(1))
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Send: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("Send = %v, want an error with %q", err, tt.wantErr)
			}
		})
	}
}

func TestNewRejectsBadCAFile(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Addresses = []string{"https://127.0.0.1:9200"}
	cfg.TLSCA = bad
	if _, err := New(cfg, nil); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("New = %v, want a CA file error", err)
	}
}
