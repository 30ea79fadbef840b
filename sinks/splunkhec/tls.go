package splunkhec

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/tlsconf"
	"github.com/hashicorp/go-hclog"
)

// tlsConfig builds the client TLS settings: the system pool plus SPLUNK_TLS_CA,
// an optional client certificate, an optional server name. Verification is on
// unless SPLUNK_TLS_SKIP_VERIFY, which is logged as a warning.
func tlsConfig(cfg Config, log hclog.Logger) (*tls.Config, error) {
	tc, err := tlsconf.Client{CA: cfg.TLSCA, CAAddsToSys: true, Cert: cfg.TLSCert, Key: cfg.TLSKey,
		ServerName: cfg.TLSServerName, SkipVerify: cfg.TLSSkipVerify,
		CASetting: "AUDITBRIDGE_SPLUNK_TLS_CA", CertSetting: "AUDITBRIDGE_SPLUNK_TLS_CERT/AUDITBRIDGE_SPLUNK_TLS_KEY"}.Config()
	if err != nil {
		return nil, err
	}
	if cfg.TLSSkipVerify {
		log.Warn("tls certificate verification is disabled", "setting", "AUDITBRIDGE_SPLUNK_TLS_SKIP_VERIFY")
	}
	return tc, nil
}

// newClient returns the HTTP client of one sink: its own transport, no
// redirects followed (a redirect means SPLUNK_URL points at Splunk Web),
// per-request timeouts come from the context.
func newClient(tc *tls.Config) *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tc,
		TLSHandshakeTimeout:   10 * time.Second,
		MaxIdleConns:          8,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// transportError turns a failed TLS verification or handshake refusal into a
// *bridge.ConfigError (an operator must fix the CA, name or client
// certificate; retrying will not help); other network errors stay retryable.
func transportError(err error) error {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		alert    tls.AlertError
		op       *net.OpError
	)
	switch {
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid):
		return &bridge.ConfigError{Err: fmt.Errorf(
			"splunkhec: TLS verification of the HEC server failed (check AUDITBRIDGE_SPLUNK_TLS_CA and AUDITBRIDGE_SPLUNK_TLS_SERVER_NAME): %w", err)}
	case errors.As(err, &alert), errors.As(err, &op) && op.Op == "remote error":
		// crypto/tls reports the peer's alert as a net.OpError "remote error".
		return &bridge.ConfigError{Err: fmt.Errorf(
			"splunkhec: the HEC server refused the TLS handshake (check AUDITBRIDGE_SPLUNK_TLS_CERT and AUDITBRIDGE_SPLUNK_TLS_KEY): %w", err)}
	}
	return err
}
