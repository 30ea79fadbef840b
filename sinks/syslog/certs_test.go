package syslog

import (
	"crypto/tls"
	"crypto/x509"
	"testing"

	"github.com/auditbridge/auditbridge/internal/testutil"
)

// testPKI is a throwaway CA with one server and one client certificate,
// written as PEM files into a temp dir.
type testPKI struct {
	caFile, serverCert, serverKey, clientCert, clientKey string
	pool                                                 *x509.CertPool
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	ca := testutil.NewCA(t, "test ca")
	p := testPKI{pool: x509.NewCertPool()}
	p.pool.AddCert(ca.Cert)
	p.caFile, _ = ca.WritePEM(t, dir, "ca")
	p.serverCert, p.serverKey = ca.Issue(t, "syslog.test", []string{"syslog.test", "127.0.0.1"}).WritePEM(t, dir, "syslog.test")
	p.clientCert, p.clientKey = ca.Issue(t, "bridge.test", []string{"bridge.test"}, testutil.ClientAuth).WritePEM(t, dir, "bridge.test")
	return p
}

// serverTLS is the server side config; requireClient asks for mTLS.
func (p testPKI) serverTLS(t *testing.T, requireClient bool) *tls.Config {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(p.serverCert, p.serverKey)
	if err != nil {
		t.Fatal(err)
	}
	c := &tls.Config{Certificates: []tls.Certificate{cert}}
	if requireClient {
		c.ClientAuth, c.ClientCAs = tls.RequireAndVerifyClientCert, p.pool
	}
	return c
}
