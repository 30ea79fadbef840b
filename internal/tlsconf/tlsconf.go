// Package tlsconf is the one place production code loads CA files and
// client certificates for its TLS clients. Verification stays on unless a
// caller sets SkipVerify (which it must log).
package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// CAPool reads the PEM certificates in path into a pool: a copy of the
// system pool when withSystem (the file adds a private CA to the public
// ones), else the file's certificates alone (only they are trusted).
func CAPool(path string, withSystem bool) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var pool *x509.CertPool
	if withSystem {
		pool, _ = x509.SystemCertPool()
	}
	if pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no PEM certificate in %s", path)
	}
	return pool, nil
}

// Client describes a TLS client.
type Client struct {
	CA          string // PEM file of trusted CAs; "" for the system pool
	CAAddsToSys bool   // CA adds to the system pool instead of replacing it
	Cert, Key   string // client certificate and key (PEM files); "" for none
	ServerName  string // name to verify instead of the dialled host
	SkipVerify  bool   // no verification (the caller logs a warning)

	// CASetting and CertSetting name the settings in errors (say
	// AUDITBRIDGE_SPLUNK_TLS_CA); "CA" and "client certificate" when empty.
	CASetting, CertSetting string
}

// Config returns the tls.Config of c: TLS 1.2 or later. Errors name the
// setting and the file that failed.
func (c Client) Config() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.ServerName,
		InsecureSkipVerify: c.SkipVerify} //nolint:gosec // opt-in; callers warn
	if c.CA != "" {
		pool, err := CAPool(c.CA, c.CAAddsToSys)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", or(c.CASetting, "CA"), err)
		}
		tc.RootCAs = pool
	}
	if c.Cert != "" {
		cert, err := tls.LoadX509KeyPair(c.Cert, c.Key)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", or(c.CertSetting, "client certificate"), err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
