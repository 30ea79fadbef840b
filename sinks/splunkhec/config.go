package splunkhec

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/normalize"
)

// DefaultMaxBatchBytes keeps a request (uncompressed) below the 1 MB
// max_content_length of Splunk Cloud and older Splunk Enterprise defaults,
// with room for the HTTP overhead.
const DefaultMaxBatchBytes = 900_000

// Config of the Splunk HEC sink.
type Config struct {
	// URL is the HEC base URL (scheme, host, port), e.g.
	// https://splunk.example.com:8088 or https://http-inputs-acme.splunkcloud.com.
	// A trailing /services/collector[/event] is accepted and ignored.
	URL string `envconfig:"SPLUNK_URL" desc:"HEC base URL, e.g. https://splunk.example.com:8088 (not the Splunk Web port)"`
	// Token is the HEC token.
	Token bridge.Secret `envconfig:"SPLUNK_TOKEN" desc:"HEC token"`
	// Index is the index events go to; empty uses the token's default index.
	Index string `envconfig:"SPLUNK_INDEX" desc:"index for the events (empty: the token's default index); may use ${field} or ${field:-default} of the event, e.g. hashicorp_${product}"`
	// Sourcetype overrides the per-product sourcetype (hashicorp:<product>:audit).
	Sourcetype string `envconfig:"SPLUNK_SOURCETYPE" desc:"sourcetype for every event (empty: one per product, e.g. hashicorp:terraform:audit); may use ${field} like SPLUNK_INDEX"`
	// Source is the HEC source field.
	Source string `envconfig:"SPLUNK_SOURCE" default:"auditbridge" desc:"source field of every event"`
	// Host is the HEC host field; the command fills in the OS hostname when empty.
	Host string `envconfig:"SPLUNK_HOST" desc:"host field of every event (empty: this machine's hostname)"`
	// Format is the rendering of the event body.
	Format normalize.Format `envconfig:"SPLUNK_FORMAT" default:"cim" desc:"event body: cim, ocsf or native"`
	// Ack turns on indexer acknowledgement (Splunk Enterprise; the token
	// must have it enabled).
	Ack bool `envconfig:"SPLUNK_ACK" default:"false" desc:"wait for indexer acknowledgement before counting events delivered"`
	// AckTimeout bounds the wait for indexer acknowledgement of one Send. It
	// is also bounded by the engine's AUDITBRIDGE_SPLUNK_SEND_TIMEOUT.
	AckTimeout time.Duration `envconfig:"SPLUNK_ACK_TIMEOUT" default:"20s" desc:"how long to wait for indexer acknowledgement before resending (keep below AUDITBRIDGE_SPLUNK_SEND_TIMEOUT)"`
	// AckPollInterval is the pause between two polls of /services/collector/ack.
	AckPollInterval time.Duration `envconfig:"SPLUNK_ACK_POLL_INTERVAL" default:"1s" desc:"pause between two polls of the ack endpoint"`
	// Gzip compresses request bodies.
	Gzip bool `envconfig:"SPLUNK_GZIP" default:"false" desc:"gzip-compress request bodies"`
	// TLSCA is a PEM file of CA certificates trusted in addition to the system pool.
	TLSCA string `envconfig:"SPLUNK_TLS_CA" desc:"PEM file of extra CA certificates to trust"`
	// TLSCert and TLSKey are the client certificate and key (mTLS).
	TLSCert string `envconfig:"SPLUNK_TLS_CERT" desc:"PEM client certificate for mutual TLS"`
	TLSKey  string `envconfig:"SPLUNK_TLS_KEY" desc:"PEM client key for mutual TLS"`
	// TLSServerName overrides the name checked in the server certificate.
	TLSServerName string `envconfig:"SPLUNK_TLS_SERVER_NAME" desc:"server name to verify in the HEC certificate"`
	// TLSSkipVerify turns off certificate verification (logged as a warning).
	TLSSkipVerify bool `envconfig:"SPLUNK_TLS_SKIP_VERIFY" default:"false" desc:"do not verify the HEC certificate (insecure)"`
	// Timeout bounds one HTTP request.
	Timeout time.Duration `envconfig:"SPLUNK_TIMEOUT" default:"30s" desc:"timeout of one HTTP request"`
	// MaxBatchBytes bounds the uncompressed body of one request.
	MaxBatchBytes int `envconfig:"SPLUNK_MAX_BATCH_BYTES" default:"900000" desc:"largest request body in bytes before compression (Splunk's max_content_length is 1 MB on Splunk Cloud)"`
}

const envPrefix = "AUDITBRIDGE_"

// Validate reports every problem at once; it changes nothing.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf(envPrefix+name+": "+format, args...))
	}
	if u, err := parseBase(c.URL); err != nil {
		bad("SPLUNK_URL", "%v", err)
	} else if u.Scheme == "http" && c.usesTLS() {
		bad("SPLUNK_URL", "TLS settings are set but the URL is http://")
	}
	if strings.TrimSpace(c.Token.Reveal()) == "" {
		bad("SPLUNK_TOKEN", "must be set")
	}
	if c.Format != "" && !slices.Contains([]normalize.Format{normalize.FormatCIM, normalize.FormatOCSF, normalize.FormatNative}, c.Format) {
		bad("SPLUNK_FORMAT", "%q is not one of cim, ocsf, native", string(c.Format))
	}
	if c.Ack && c.AckTimeout <= 0 {
		bad("SPLUNK_ACK_TIMEOUT", "must be positive when AUDITBRIDGE_SPLUNK_ACK is true")
	}
	if c.Ack && c.AckPollInterval <= 0 {
		bad("SPLUNK_ACK_POLL_INTERVAL", "must be positive when AUDITBRIDGE_SPLUNK_ACK is true")
	}
	if c.Timeout <= 0 {
		bad("SPLUNK_TIMEOUT", "must be positive")
	}
	if c.MaxBatchBytes < 1024 {
		bad("SPLUNK_MAX_BATCH_BYTES", "must be at least 1024, got %d", c.MaxBatchBytes)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("SPLUNK_TLS_CERT", "AUDITBRIDGE_SPLUNK_TLS_CERT and AUDITBRIDGE_SPLUNK_TLS_KEY must be set together")
	}
	for _, f := range []struct{ name, v string }{{"SPLUNK_SOURCE", c.Source}, {"SPLUNK_HOST", c.Host}, {"SPLUNK_INDEX", c.Index}, {"SPLUNK_SOURCETYPE", c.Sourcetype}} {
		if strings.ContainsAny(f.v, "\x00\r\n") {
			bad(f.name, "must not contain NUL or line breaks")
		}
	}
	for _, f := range []struct{ name, v string }{{"SPLUNK_INDEX", c.Index}, {"SPLUNK_SOURCETYPE", c.Sourcetype}} {
		if _, err := bridge.ParseTemplate(f.v); err != nil && bridge.HasTemplate(f.v) {
			bad(f.name, "%v", err)
		}
	}
	return errors.Join(errs...)
}

func (c Config) usesTLS() bool {
	return c.TLSCA != "" || c.TLSCert != "" || c.TLSServerName != "" || c.TLSSkipVerify
}

// parseBase parses SPLUNK_URL and returns it without a trailing slash or
// /services/collector[/event] suffix.
func parseBase(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, errors.New("must be set")
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("not a URL: %v", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("scheme must be http or https, got %q", u.Scheme)
	}
	if u.Host == "" {
		return nil, errors.New("has no host")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, errors.New("must not carry credentials, a query or a fragment (the token goes in AUDITBRIDGE_SPLUNK_TOKEN)")
	}
	p := strings.TrimRight(u.Path, "/")
	// Path endings users paste from Splunk's docs.
	for _, s := range []string{"/services/collector/event/1.0", "/services/collector/event", "/services/collector"} {
		if strings.HasSuffix(p, s) {
			p = strings.TrimSuffix(p, s)
			break
		}
	}
	out := *u
	out.Path, out.RawPath = p, ""
	return &out, nil
}
