package hec

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// Config of the HEC receiver. Field tags name the variables without the
// AUDITBRIDGE_ prefix.
//
// Memory: request bodies held at once (being read, parsed or published)
// are bounded by MaxInflightBytes (64 MiB by default) whatever the number of
// connections; a request's parsed events take about as much again while it
// is processed, so the receiver holds about 2 × MaxInflightBytes at most
// (see doc.go, Limits).
type Config struct {
	// Addr is the listen address; empty turns the receiver off.
	Addr string `envconfig:"HEC_ADDR" desc:"listen address of the Splunk-HEC-compatible receiver, e.g. :8088; empty = off"`
	// Tokens is a comma-separated list of accepted tokens.
	Tokens bridge.Secret `envconfig:"HEC_TOKENS" desc:"accepted HEC tokens, comma separated (Authorization: Splunk <token>); each token, label:token or label:token:kind+kind (events record hec:<label>; kinds limit what the token may send)"`
	// TLSCert and TLSKey are PEM files; both set turns TLS on (TLS 1.2+).
	TLSCert string `envconfig:"HEC_TLS_CERT" desc:"PEM certificate (chain) file; with HEC_TLS_KEY serves HTTPS"`
	TLSKey  string `envconfig:"HEC_TLS_KEY" desc:"PEM private key file; with HEC_TLS_CERT serves HTTPS"`
	// MaxBodyBytes bounds a request body, after gzip decompression too.
	// Splunk's own default (max_content_length) is 800 MB on recent releases
	// and 1 MB on old ones; 16 MiB holds thousands of audit events while
	// keeping memory per request small.
	MaxBodyBytes int64 `envconfig:"HEC_MAX_BODY_BYTES" default:"16777216" desc:"largest request body in bytes, also after gzip decompression; above it the reply is 413"`
	// MaxEvents bounds the events of one request; more get 413. With
	// MaxBodyBytes it bounds the memory a request takes once parsed.
	MaxEvents int `envconfig:"HEC_MAX_EVENTS" default:"50000" desc:"most events in one request; above it the reply is 413"`
	// MaxInflightBytes bounds the request-body bytes in memory across all
	// requests: Content-Length and then the (decompressed) bytes as they are
	// read. A request that does not fit is answered 503 at once.
	MaxInflightBytes int64 `envconfig:"HEC_MAX_INFLIGHT_BYTES" default:"67108864" desc:"request-body bytes held in memory by all requests together (Content-Length, then decompressed bytes as read); beyond it 503 server busy"`
	// MaxConcurrent bounds requests being parsed and published at once; a
	// slot is taken only after the body is read. Beyond it the receiver
	// answers 503 (server busy) at once.
	MaxConcurrent int `envconfig:"HEC_MAX_CONCURRENT" default:"16" desc:"requests parsed and published at once (after their body is read); more are answered 503 server busy"`
	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are the
	// HTTP server's timeouts. WriteTimeout covers waiting for the spool.
	ReadHeaderTimeout time.Duration `envconfig:"HEC_READ_HEADER_TIMEOUT" default:"10s" desc:"time to read request headers"`
	ReadTimeout       time.Duration `envconfig:"HEC_READ_TIMEOUT" default:"60s" desc:"time to read a whole request"`
	WriteTimeout      time.Duration `envconfig:"HEC_WRITE_TIMEOUT" default:"60s" desc:"time from the end of the request headers to the end of the reply, spool wait included"`
	IdleTimeout       time.Duration `envconfig:"HEC_IDLE_TIMEOUT" default:"120s" desc:"keep-alive idle time of a client connection"`
	// ShutdownTimeout bounds the graceful shutdown (in-flight requests).
	ShutdownTimeout time.Duration `envconfig:"HEC_SHUTDOWN_TIMEOUT" default:"20s" desc:"time given to in-flight requests on shutdown"`
}

// Defaults used by DefaultConfig (they match the default tags).
const (
	defaultMaxBodyBytes = 16 << 20
	defaultInflight     = 64 << 20
	defaultConcurrent   = 16
	defaultMaxEvents    = 50000
)

// DefaultConfig is the configuration the environment defaults give, with
// addr and tokens filled in (handy in tests and embedding).
func DefaultConfig(addr string, tokens ...string) Config {
	return Config{
		Addr:              addr,
		Tokens:            bridge.Secret(strings.Join(tokens, ",")),
		MaxBodyBytes:      defaultMaxBodyBytes,
		MaxInflightBytes:  defaultInflight,
		MaxConcurrent:     defaultConcurrent,
		MaxEvents:         defaultMaxEvents,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ShutdownTimeout:   20 * time.Second,
	}
}

// Enabled reports whether the receiver is configured to listen.
func (c Config) Enabled() bool { return strings.TrimSpace(c.Addr) != "" }

// TokenList returns the accepted tokens of HEC_TOKENS (see TokenSpec).
func (c Config) TokenList() []string {
	specs, _ := c.TokenSpecs()
	out := make([]string, 0, len(specs))
	for _, ts := range specs {
		out = append(out, ts.Token)
	}
	return out
}

// TLSEnabled reports whether both TLS files are set.
func (c Config) TLSEnabled() bool { return c.TLSCert != "" && c.TLSKey != "" }

// Validate reports every problem at once; it changes nothing. It reads the
// TLS files (to report a bad pair at startup) but opens no socket.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("AUDITBRIDGE_"+name+": "+format, args...))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("HEC_ADDR", "%q is not host:port: %v", c.Addr, err)
	}
	if specs, err := c.TokenSpecs(); err != nil {
		bad("HEC_TOKENS", "%v", err)
	} else if len(specs) == 0 {
		bad("HEC_TOKENS", "must list at least one token when HEC_ADDR is set")
	}
	switch {
	case (c.TLSCert == "") != (c.TLSKey == ""):
		bad("HEC_TLS_CERT", "HEC_TLS_CERT and HEC_TLS_KEY must be set together")
	case c.TLSEnabled():
		if _, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey); err != nil {
			bad("HEC_TLS_CERT", "cannot load the certificate and key: %v", err)
		}
	}
	if c.MaxBodyBytes < 1024 {
		bad("HEC_MAX_BODY_BYTES", "must be at least 1024, got %d", c.MaxBodyBytes)
	}
	if c.MaxInflightBytes < c.MaxBodyBytes {
		bad("HEC_MAX_INFLIGHT_BYTES", "must be at least HEC_MAX_BODY_BYTES (%d), got %d", c.MaxBodyBytes, c.MaxInflightBytes)
	}
	if c.MaxEvents < 1 {
		bad("HEC_MAX_EVENTS", "must be at least 1, got %d", c.MaxEvents)
	}
	if c.MaxConcurrent < 1 {
		bad("HEC_MAX_CONCURRENT", "must be at least 1, got %d", c.MaxConcurrent)
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"HEC_READ_HEADER_TIMEOUT", c.ReadHeaderTimeout}, {"HEC_READ_TIMEOUT", c.ReadTimeout},
		{"HEC_WRITE_TIMEOUT", c.WriteTimeout}, {"HEC_IDLE_TIMEOUT", c.IdleTimeout},
		{"HEC_SHUTDOWN_TIMEOUT", c.ShutdownTimeout},
	} {
		if d.v <= 0 {
			bad(d.name, "must be positive, got %s", d.v)
		}
	}
	return errors.Join(errs...)
}
