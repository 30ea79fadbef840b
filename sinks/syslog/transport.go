package syslog

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/tlsconf"
)

// readCheckWait is how long the read-check confirmation waits for a reset
// or close from the peer after a batch was written.
const readCheckWait = 20 * time.Millisecond

// buildTLSConfig loads the CA, the client certificate and the server name.
// Certificate verification is always on.
func buildTLSConfig(cfg Config) (*tls.Config, error) {
	host, _, err := net.SplitHostPort(cfg.Address)
	if err != nil {
		return nil, err
	}
	name := host
	if cfg.TLSServerName != "" {
		name = cfg.TLSServerName
	}
	return tlsconf.Client{CA: cfg.TLSCA, Cert: cfg.TLSCert, Key: cfg.TLSKey, ServerName: name,
		CASetting: "AUDITBRIDGE_SYSLOG_TLS_CA", CertSetting: "AUDITBRIDGE_SYSLOG_TLS_CERT/KEY"}.Config()
}

// dial opens one connection (and completes the TLS handshake).
func (s *Sink) dial(ctx context.Context) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	switch s.cfg.Network {
	case "tls":
		d := &tls.Dialer{Config: s.tls}
		c, err := d.DialContext(ctx, "tcp", s.cfg.Address)
		if err != nil && isCertError(err) {
			return nil, &bridge.ConfigError{Err: err}
		}
		return c, err
	default:
		var d net.Dialer
		return d.DialContext(ctx, s.cfg.Network, s.cfg.Address)
	}
}

// isCertError reports a certificate the server presented that we do not
// trust: an operator must fix the CA or server name.
func isCertError(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
	)
	return errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &verify)
}

// peerGone reports whether the peer already closed or reset conn, reading
// for at most wait. A syslog collector never sends application data, so a
// timeout means healthy; any bytes that do arrive are discarded.
func peerGone(conn net.Conn, wait time.Duration) error {
	if err := conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
		return err
	}
	var buf [512]byte
	_, err := conn.Read(buf[:])
	var ne net.Error
	if err == nil || errors.As(err, &ne) && ne.Timeout() {
		return nil
	}
	if err == io.EOF {
		return errors.New("connection closed by peer")
	}
	return err
}

// closeWriter is implemented by *net.TCPConn and *tls.Conn.
type closeWriter interface{ CloseWrite() error }

// halfCloseConfirm shuts our sending side and reads until the peer closes.
// EOF proves the server read every byte we sent (a server that exits with
// unread bytes resets the connection instead).
func halfCloseConfirm(conn net.Conn, deadline time.Time) error {
	cw, ok := conn.(closeWriter)
	if !ok {
		return fmt.Errorf("connection %T cannot half-close", conn)
	}
	if err := cw.CloseWrite(); err != nil {
		return fmt.Errorf("half-close: %w", err)
	}
	if err := conn.SetReadDeadline(deadline); err != nil {
		return err
	}
	_, err := io.Copy(io.Discard, conn)
	switch {
	case err == nil, errors.Is(err, io.ErrUnexpectedEOF):
		return nil // io.Copy maps EOF to nil
	default:
		return fmt.Errorf("wait for the server to close: %w", err)
	}
}
