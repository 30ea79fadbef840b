package elasticsearch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
)

// PinError is a failed AUDITBRIDGE_ES_TLS_FINGERPRINT check: Check says
// which check failed in plain words, Err (when set) what crypto/x509 said.
type PinError struct {
	Check string
	Err   error
}

func (e *PinError) Error() string {
	msg := "TLS certificate check with AUDITBRIDGE_ES_TLS_FINGERPRINT failed: " + e.Check
	if e.Err != nil {
		msg += " (" + e.Err.Error() + ")"
	}
	return msg
}

func (e *PinError) Unwrap() error { return e.Err }

// pinTLS makes tr trust the cluster by the SHA-256 fingerprint fp instead
// of by CA roots. Go's own verification is off because no root is known in
// advance; verifyPinned, run in every handshake by VerifyConnection, takes
// its place. Connections are made by DialTLSContext so that the host name
// checked is the one dialled, an IP address included (a client sends no
// SNI for an IP, so ConnectionState.ServerName would be empty); the
// dial context, MinVersion and a configured ServerName stay in force. A
// connection through an HTTP proxy is made by the transport with
// TLSClientConfig: it is checked against the SNI name and refused when
// there is none.
func pinTLS(tr *http.Transport, fp []byte) {
	base := tr.TLSClientConfig
	base.InsecureSkipVerify = true //nolint:gosec // verifyPinned checks every handshake
	base.VerifyConnection = func(cs tls.ConnectionState) error { return verifyPinned(cs, cs.ServerName, fp) }
	dial := tr.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		c := base.Clone()
		if c.ServerName == "" {
			c.ServerName = host
		}
		name := c.ServerName
		c.VerifyConnection = func(cs tls.ConnectionState) error { return verifyPinned(cs, name, fp) }
		raw, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if tr.TLSHandshakeTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, tr.TLSHandshakeTimeout)
			defer cancel()
		}
		conn := tls.Client(raw, c)
		if err := conn.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		return conn, nil
	}
}

// verifyPinned accepts the server's certificates when the leaf has the
// fingerprint fp (the server's own certificate is pinned), or when a
// certificate of the chain has it, is a CA, and the leaf verifies with that
// certificate as the only root, for host and for server authentication.
// Anything else is a *PinError saying which check failed.
func verifyPinned(cs tls.ConnectionState, host string, fp []byte) error {
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		return &PinError{Check: "the server sent no certificate"}
	}
	leaf := certs[0]
	if sum := sha256.Sum256(leaf.Raw); bytes.Equal(sum[:], fp) {
		return nil
	}
	var root *x509.Certificate
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		if sum := sha256.Sum256(c.Raw); root == nil && bytes.Equal(sum[:], fp) {
			root = c
			continue
		}
		inter.AddCert(c)
	}
	switch {
	case root == nil:
		return &PinError{Check: fmt.Sprintf("fingerprint mismatch: none of the %d certificates the server sent has this SHA-256", len(certs))}
	case !root.BasicConstraintsValid || !root.IsCA:
		return &PinError{Check: "the certificate with this fingerprint is neither the server's own certificate nor a CA certificate"}
	case host == "":
		return &PinError{Check: "no host name to check the server's certificate against (an IP address reached through a proxy)"}
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, DNSName: host,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err == nil {
		return nil
	}
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	switch {
	case errors.As(err, &hostErr):
		return &PinError{Check: fmt.Sprintf("the server's certificate is signed by the pinned CA but is not valid for host %q", host), Err: err}
	case errors.As(err, &authErr):
		return &PinError{Check: fmt.Sprintf("the server's certificate (subject %q) is not signed by the pinned CA %q, which the server sent along", leaf.Subject.String(), root.Subject.String()), Err: err}
	default:
		return &PinError{Check: "the server's certificate does not verify against the pinned CA", Err: err}
	}
}
