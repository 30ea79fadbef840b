package testutil

import (
	"crypto/tls"
	"crypto/x509"
	"testing"
)

// WritePEM's files load as a key pair, and ClientAuth's certificate
// verifies for client authentication under its CA, not for a server.
func TestWritePEMClientAuth(t *testing.T) {
	ca := NewCA(t, "test ca")
	c := ca.Issue(t, "bridge.test", nil, ClientAuth)
	certFile, keyFile := c.WritePEM(t, t.TempDir(), "client")
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if !leaf.Equal(c.Cert) {
		t.Fatal("written certificate differs from the issued one")
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("client certificate does not verify for client auth: %v", err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool}); err == nil {
		t.Fatal("client certificate verifies for server auth")
	}
}
