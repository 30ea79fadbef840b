package tlsconf

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditbridge/auditbridge/internal/testutil"
)

func writePEM(t *testing.T, dir, name, typ string, der []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestClientConfig(t *testing.T) {
	dir := t.TempDir()
	ca := testutil.NewCA(t, "test ca")
	leaf := ca.Issue(t, "client", []string{"localhost"})
	caFile := writePEM(t, dir, "ca.pem", "CERTIFICATE", ca.Cert.Raw)
	certFile := writePEM(t, dir, "cert.pem", "CERTIFICATE", leaf.Cert.Raw)
	key, err := x509.MarshalPKCS8PrivateKey(leaf.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := writePEM(t, dir, "key.pem", "PRIVATE KEY", key)
	junk := filepath.Join(dir, "junk")
	_ = os.WriteFile(junk, []byte("not a certificate"), 0o600)

	for _, withSys := range []bool{false, true} {
		tc, err := Client{CA: caFile, CAAddsToSys: withSys, Cert: certFile, Key: keyFile, ServerName: "x"}.Config()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := leaf.Cert.Verify(x509.VerifyOptions{Roots: tc.RootCAs, DNSName: "localhost",
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			t.Errorf("withSystem %v: a certificate the CA issued does not verify: %v", withSys, err)
		}
		if len(tc.Certificates) != 1 || tc.ServerName != "x" || tc.InsecureSkipVerify || tc.MinVersion == 0 {
			t.Errorf("config %+v", tc)
		}
	}
	other := testutil.NewCA(t, "other").Issue(t, "x", []string{"localhost"})
	tc, _ := Client{CA: caFile}.Config()
	if _, err := other.Cert.Verify(x509.VerifyOptions{Roots: tc.RootCAs, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err == nil {
		t.Error("a certificate of another CA verifies against the CA file alone")
	}
	for name, c := range map[string]Client{
		"CA without PEM":  {CA: junk},
		"missing CA":      {CA: filepath.Join(dir, "nope")},
		"bad client cert": {Cert: junk, Key: keyFile},
	} {
		if _, err := c.Config(); err == nil {
			t.Errorf("%s: no error", name)
		} else if name == "CA without PEM" && !strings.Contains(err.Error(), "no PEM certificate in "+junk) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
