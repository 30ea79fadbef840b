// Package testutil holds helpers for tests of several packages. It is
// imported by _test.go files only.
package testutil

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Cert is a certificate with its private key.
type Cert struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// CertOpts changes a certificate before it is signed.
type CertOpts func(*x509.Certificate)

// NewCA makes a self-signed CA certificate named cn.
func NewCA(t testing.TB, cn string) *Cert {
	t.Helper()
	tmpl := template(cn)
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	return sign(t, tmpl, nil)
}

// SelfSigned makes a self-signed server certificate (not a CA) for hosts
// (DNS names or IP addresses).
func SelfSigned(t testing.TB, cn string, hosts []string, opts ...CertOpts) *Cert {
	t.Helper()
	return sign(t, serverTemplate(cn, hosts, opts), nil)
}

// Issue makes a server certificate for hosts signed by c.
func (c *Cert) Issue(t testing.TB, cn string, hosts []string, opts ...CertOpts) *Cert {
	t.Helper()
	return sign(t, serverTemplate(cn, hosts, opts), c)
}

// IssueCA makes an intermediate CA certificate signed by c.
func (c *Cert) IssueCA(t testing.TB, cn string) *Cert {
	t.Helper()
	tmpl := template(cn)
	tmpl.IsCA = true
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	return sign(t, tmpl, c)
}

// Fingerprint is the lowercase hex SHA-256 of the certificate's DER bytes.
func (c *Cert) Fingerprint() string {
	sum := sha256.Sum256(c.Cert.Raw)
	return hex.EncodeToString(sum[:])
}

// TLS is the certificate for a tls.Config that presents c followed by
// chain (in that order, whatever they are).
func (c *Cert) TLS(chain ...*Cert) tls.Certificate {
	tc := tls.Certificate{Certificate: [][]byte{c.Cert.Raw}, PrivateKey: c.Key, Leaf: c.Cert}
	for _, x := range chain {
		tc.Certificate = append(tc.Certificate, x.Cert.Raw)
	}
	return tc
}

// ClientAuth makes a certificate from Issue or SelfSigned a client
// certificate (extended key usage clientAuth) instead of a server one.
func ClientAuth(c *x509.Certificate) {
	c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
}

// WritePEM writes the certificate to dir/name.pem and its PKCS #8 private
// key to dir/name-key.pem and returns both paths.
func (c *Cert) WritePEM(t testing.TB, dir, name string) (certFile, keyFile string) {
	t.Helper()
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem")
	for path, b := range map[string]*pem.Block{
		certFile: {Type: "CERTIFICATE", Bytes: c.Cert.Raw},
		keyFile:  {Type: "PRIVATE KEY", Bytes: keyDER},
	} {
		if err := os.WriteFile(path, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return certFile, keyFile
}

func template(cn string) *x509.Certificate {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err)
	}
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
}

func serverTemplate(cn string, hosts []string, opts []CertOpts) *x509.Certificate {
	tmpl := template(cn)
	tmpl.BasicConstraintsValid = true
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	for _, o := range opts {
		o(tmpl)
	}
	return tmpl
}

// sign signs tmpl with a new P-256 key, by parent (self-signed when nil).
func sign(t testing.TB, tmpl *x509.Certificate, parent *Cert) *Cert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	parentCert, parentKey := tmpl, crypto.Signer(key)
	if parent != nil {
		parentCert, parentKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &Cert{Cert: cert, Key: key}
}
