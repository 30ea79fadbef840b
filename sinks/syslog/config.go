package syslog

import (
	"errors"
	"fmt"
	"github.com/auditbridge/auditbridge/bridge"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/normalize"
)

// Config configures the syslog sink. Field tags name the environment
// variables without the AUDITBRIDGE_ prefix.
type Config struct {
	// Address is the collector's host:port.
	Address string `envconfig:"SYSLOG_ADDRESS" desc:"syslog collector host:port"`
	// Network is udp, tcp or tls (RFC 5426, RFC 6587, RFC 5425).
	Network string `envconfig:"SYSLOG_NETWORK" default:"tcp" desc:"transport: udp, tcp or tls"`
	// Format is the syslog header: rfc5424 or rfc3164.
	Format string `envconfig:"SYSLOG_FORMAT" default:"rfc5424" desc:"syslog header format: rfc5424 or rfc3164"`
	// Body is the message body: json, cef or leef.
	Body string `envconfig:"SYSLOG_BODY" default:"json" desc:"message body: json, cef or leef"`
	// JSONFormat is the JSON rendering used when Body is json.
	JSONFormat string `envconfig:"SYSLOG_JSON_FORMAT" default:"native" desc:"JSON rendering for the json body: native, ecs, ocsf or cim"`
	// Framing is the TCP/TLS framing: octet-counting (RFC 6587 3.4.1) or
	// newline (non-transparent; CR and LF inside a message become \r and \n).
	Framing string `envconfig:"SYSLOG_FRAMING" default:"octet-counting" desc:"tcp/tls framing: octet-counting or newline"`
	// Confirm is how a TCP/TLS batch is confirmed before Send returns nil:
	// half-close (one connection per batch; the server has read every byte),
	// read-check (persistent connection; checked not reset after the write),
	// or none.
	Confirm string `envconfig:"SYSLOG_CONFIRM" default:"half-close" desc:"tcp/tls delivery check: half-close, read-check or none"`
	// TLSCA is a PEM file of CAs trusted for the server certificate (system
	// roots when empty).
	TLSCA string `envconfig:"SYSLOG_TLS_CA" desc:"PEM file of CA certificates trusted for the collector (system roots when empty)"`
	// TLSCert and TLSKey are the client certificate and key (PEM files) for mTLS.
	TLSCert string `envconfig:"SYSLOG_TLS_CERT" desc:"PEM client certificate for mutual TLS"`
	TLSKey  string `envconfig:"SYSLOG_TLS_KEY" desc:"PEM client private key for mutual TLS"`
	// TLSServerName overrides the name checked in the server certificate.
	TLSServerName string `envconfig:"SYSLOG_TLS_SERVER_NAME" desc:"server name to verify in the collector certificate (host of SYSLOG_ADDRESS when empty)"`
	// Facility is a facility name (authpriv, local0, …) or number 0-23.
	Facility string `envconfig:"SYSLOG_FACILITY" default:"authpriv" desc:"syslog facility name or number 0-23; may be a template such as ${meta.facility:-authpriv} (a value that names no facility gives authpriv)"`
	// Hostname is the HOSTNAME header field (os.Hostname when empty).
	Hostname string `envconfig:"SYSLOG_HOSTNAME" desc:"HOSTNAME header field (this host's name when empty)"`
	// AppName is the APP-NAME (RFC 5424) or TAG (RFC 3164).
	AppName string `envconfig:"SYSLOG_APP_NAME" default:"auditbridge" desc:"APP-NAME (rfc5424) or TAG (rfc3164); may use ${field} or ${field:-default} of the event, e.g. ${product}"`
	// MaxMessageBytes is the largest syslog message (framing excluded); 0
	// picks 8192 over tcp/tls (rsyslog's default limit) and
	// SYSLOG_UDP_MAX_BYTES over udp. A longer message is shrunk (see shrink)
	// and dead-lettered only when it still does not fit.
	MaxMessageBytes int `envconfig:"SYSLOG_MAX_MESSAGE_BYTES" default:"0" desc:"largest message; 0 = 8192 over tcp/tls, SYSLOG_UDP_MAX_BYTES over udp; longer ones drop raw, then cut the longest text fields, and are dead-lettered only if still too long"`
	// UDPMaxBytes caps one datagram (2048 as RFC 5426 advises).
	UDPMaxBytes int `envconfig:"SYSLOG_UDP_MAX_BYTES" default:"2048" desc:"largest UDP datagram (480-65507); the udp message limit unless SYSLOG_MAX_MESSAGE_BYTES is smaller"`
	// BOM prefixes the RFC 5424 MSG with a UTF-8 byte order mark.
	BOM bool `envconfig:"SYSLOG_BOM" default:"false" desc:"prefix rfc5424 MSG with the UTF-8 BOM"`
	// Timeout bounds dialing, writing and confirming one batch.
	Timeout time.Duration `envconfig:"SYSLOG_TIMEOUT" default:"10s" desc:"timeout for dial, write and confirmation of one batch"`
}

const (
	minUDPBytes    = 480     // RFC 5426 3.2: receivers MUST accept 480 octets
	maxUDPBytes    = 65507   // largest IPv4 UDP payload
	defaultTCPMax  = 8192    // rsyslog's default maxMessageSize
	maxStreamBytes = 1 << 24 // a sanity bound for tcp/tls
)

// messageLimit is the largest message the sink sends.
func (c Config) messageLimit() int {
	switch {
	case c.Network == "udp" && c.MaxMessageBytes > 0:
		return min(c.MaxMessageBytes, c.UDPMaxBytes)
	case c.Network == "udp":
		return c.UDPMaxBytes
	case c.MaxMessageBytes > 0:
		return c.MaxMessageBytes
	default:
		return defaultTCPMax
	}
}

// Validate reports every problem of c at once; it changes nothing.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("AUDITBRIDGE_"+name+": "+format, a...))
	}
	if _, _, err := net.SplitHostPort(c.Address); err != nil || c.Address == "" {
		bad("SYSLOG_ADDRESS", "want host:port, got %q", c.Address)
	}
	oneOf := func(name, v string, allowed ...string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		bad(name, "want one of %s, got %q", strings.Join(allowed, ", "), v)
	}
	oneOf("SYSLOG_NETWORK", c.Network, "udp", "tcp", "tls")
	oneOf("SYSLOG_FORMAT", c.Format, "rfc5424", "rfc3164")
	oneOf("SYSLOG_BODY", c.Body, "json", "cef", "leef")
	oneOf("SYSLOG_JSON_FORMAT", c.JSONFormat, string(normalize.FormatNative),
		string(normalize.FormatECS), string(normalize.FormatOCSF), string(normalize.FormatCIM))
	oneOf("SYSLOG_FRAMING", c.Framing, "octet-counting", "newline")
	oneOf("SYSLOG_CONFIRM", c.Confirm, "half-close", "read-check", "none")
	_, terrs := parseTemplates(c.AppName, c.Facility)
	for name, err := range terrs {
		bad(name, "%v", err)
	}
	if _, err := parseFacility(c.Facility); err != nil && !bridge.HasTemplate(c.Facility) {
		bad("SYSLOG_FACILITY", "%v", err)
	}
	if strings.TrimSpace(c.AppName) == "" {
		bad("SYSLOG_APP_NAME", "must not be empty")
	}
	if c.UDPMaxBytes < minUDPBytes || c.UDPMaxBytes > maxUDPBytes {
		bad("SYSLOG_UDP_MAX_BYTES", "want %d..%d, got %d", minUDPBytes, maxUDPBytes, c.UDPMaxBytes)
	}
	if c.MaxMessageBytes != 0 && (c.MaxMessageBytes < minUDPBytes || c.MaxMessageBytes > maxStreamBytes) {
		bad("SYSLOG_MAX_MESSAGE_BYTES", "want 0 or %d..%d, got %d", minUDPBytes, maxStreamBytes, c.MaxMessageBytes)
	}
	if c.Timeout <= 0 {
		bad("SYSLOG_TIMEOUT", "must be positive, got %s", c.Timeout)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("SYSLOG_TLS_CERT", "AUDITBRIDGE_SYSLOG_TLS_CERT and AUDITBRIDGE_SYSLOG_TLS_KEY must be set together")
	}
	if c.Network != "tls" && (c.TLSCA != "" || c.TLSCert != "" || c.TLSServerName != "") {
		bad("SYSLOG_NETWORK", "TLS settings given but network is %q, not tls", c.Network)
	}
	for _, f := range []struct{ name, path string }{
		{"SYSLOG_TLS_CA", c.TLSCA}, {"SYSLOG_TLS_CERT", c.TLSCert}, {"SYSLOG_TLS_KEY", c.TLSKey},
	} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			bad(f.name, "%v", err)
		}
	}
	return errors.Join(errs...)
}

// facilityNames are the RFC 5424 facility names, indexed by code.
func facilityNames() [24]string {
	return [24]string{
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
		"authpriv", "ftp", "ntp", "audit", "alert", "clock",
		"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
	}
}

// parseFacility accepts a facility name or a number 0-23.
func parseFacility(s string) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 || n > 23 {
			return 0, fmt.Errorf("facility number %d out of range 0-23", n)
		}
		return n, nil
	}
	for i, name := range facilityNames() {
		if strings.EqualFold(s, name) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown facility %q", s)
}
