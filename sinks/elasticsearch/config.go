package elasticsearch

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
)

// Config configures the Elasticsearch sink. Field tags name the environment
// variables without the AUDITBRIDGE_ prefix.
type Config struct {
	// Addresses are the base URLs of the cluster's nodes (a path prefix is
	// kept, e.g. http://host:4080/es). Exactly one of Addresses and CloudID.
	Addresses []string `envconfig:"ES_ADDRESSES" desc:"comma list of Elasticsearch node URLs (or set ES_CLOUD_ID)"`
	// CloudID is an Elastic Cloud deployment id.
	CloudID string `envconfig:"ES_CLOUD_ID" desc:"Elastic Cloud id (instead of ES_ADDRESSES)"`
	// Username and Password are for HTTP basic authentication.
	Username string        `envconfig:"ES_USERNAME" desc:"user for basic authentication"`
	Password bridge.Secret `envconfig:"ES_PASSWORD" desc:"password for basic authentication"`
	// APIKey is sent as "Authorization: ApiKey": the encoded key (base64 of
	// id:api_key), or the raw id:api_key pair, which is encoded.
	APIKey bridge.Secret `envconfig:"ES_API_KEY" desc:"API key: encoded (base64 of id:key) or id:key, instead of user and password"`
	// DataStream is the data stream written with _bulk create operations.
	DataStream string `envconfig:"ES_DATA_STREAM" default:"logs-hashicorp.audit-default" desc:"data stream the events are written to; may use ${field} or ${field:-default} of the event, e.g. logs-hashicorp.${product}-default (one _bulk request per destination)"`
	// TemplateName is the index template that maps the data stream's fields.
	TemplateName string `envconfig:"ES_TEMPLATE_NAME" default:"auditbridge-hashicorp-audit" desc:"name of the index template with the ECS mappings"`
	// InstallTemplate installs the index template before the first delivery
	// when it is missing or older than this version's.
	InstallTemplate bool `envconfig:"ES_INSTALL_TEMPLATE" default:"true" desc:"install the index template before the first delivery"`
	// ILMPolicy is the index lifecycle policy the template names (on
	// Elasticsearch only; the built-in "logs" policy rolls over at 30 days
	// or 50 GB). Empty names none.
	ILMPolicy string `envconfig:"ES_ILM_POLICY" default:"logs" desc:"index lifecycle policy set by the template (elasticsearch only; empty for none)"`
	// TLSCA is a PEM file of CAs trusted for the cluster (system roots when empty).
	TLSCA string `envconfig:"ES_TLS_CA" desc:"PEM file of CA certificates trusted for the cluster (system roots when empty)"`
	// TLSFingerprint is the hex SHA-256 of the cluster's CA certificate
	// (what Elasticsearch prints on first start) or of the server's own
	// certificate; it replaces system roots (pin.go: the server's
	// certificate must be that one, or verify for the host under that CA).
	TLSFingerprint string `envconfig:"ES_TLS_FINGERPRINT" desc:"hex SHA-256 fingerprint of the cluster's CA certificate (the server's certificate must be signed by it and name the host) or of the server's own certificate, instead of system roots"`
	// TLSSkipVerify turns certificate verification off (logged as a warning).
	TLSSkipVerify bool `envconfig:"ES_TLS_SKIP_VERIFY" default:"false" desc:"do not verify the cluster's certificate (insecure)"`
	// Gzip compresses request bodies.
	Gzip bool `envconfig:"ES_GZIP" default:"false" desc:"gzip request bodies"`
	// Timeout bounds one Send (every _bulk request of it) and one Check.
	Timeout time.Duration `envconfig:"ES_TIMEOUT" default:"30s" desc:"timeout of one delivery or check"`
	// MaxBatchBytes caps the body of one _bulk request (before gzip); a larger
	// batch goes in several requests, a larger event is dead-lettered.
	MaxBatchBytes int `envconfig:"ES_MAX_BATCH_BYTES" default:"10485760" desc:"largest _bulk request body in bytes, before gzip"`
	// MaxBatchEvents caps the number of events in one _bulk request.
	MaxBatchEvents int `envconfig:"ES_MAX_BATCH_EVENTS" default:"5000" desc:"most events in one _bulk request"`
	// Compat is the server flavour: "elasticsearch"; "opensearch" (which
	// does not send the X-Elastic-Product header that the client checks, and
	// maps hashicorp.meta as flat_object); or "zincsearch" (its ES API under
	// /es refuses the template's version and _meta).
	Compat string `envconfig:"ES_COMPAT" default:"elasticsearch" desc:"server flavour: elasticsearch, opensearch or zincsearch"`
}

// DefaultConfig returns the defaults of the envconfig tags, for tests and
// programs that build a Config by hand.
func DefaultConfig() Config {
	return Config{
		DataStream:      "logs-hashicorp.audit-default",
		TemplateName:    "auditbridge-hashicorp-audit",
		InstallTemplate: true,
		ILMPolicy:       "logs",
		Timeout:         30 * time.Second,
		MaxBatchBytes:   10 << 20,
		MaxBatchEvents:  5000,
		Compat:          CompatElasticsearch,
	}
}

// Server flavours of Config.Compat.
const (
	CompatElasticsearch = "elasticsearch"
	CompatOpenSearch    = "opensearch"
	CompatZincSearch    = "zincsearch"
)

// Validate reports every problem of c at once; it changes nothing.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, a ...any) {
		errs = append(errs, fmt.Errorf("AUDITBRIDGE_"+name+": "+format, a...))
	}
	switch {
	case len(c.Addresses) == 0 && c.CloudID == "":
		bad("ES_ADDRESSES", "set it or AUDITBRIDGE_ES_CLOUD_ID")
	case len(c.Addresses) > 0 && c.CloudID != "":
		bad("ES_ADDRESSES", "set it or AUDITBRIDGE_ES_CLOUD_ID, not both")
	}
	for _, a := range c.Addresses {
		if u, err := url.Parse(a); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("ES_ADDRESSES", "want http(s)://host[:port][/prefix], got %q", a)
		}
	}
	if c.APIKey != "" && (c.Username != "" || c.Password != "") {
		bad("ES_API_KEY", "set it or AUDITBRIDGE_ES_USERNAME/AUDITBRIDGE_ES_PASSWORD, not both")
	}
	if (c.Username == "") != (c.Password == "") {
		bad("ES_USERNAME", "AUDITBRIDGE_ES_USERNAME and AUDITBRIDGE_ES_PASSWORD go together")
	}
	if bridge.HasTemplate(c.DataStream) {
		if _, err := streamTemplate(c); err != nil {
			bad("ES_DATA_STREAM", "%v", err)
		}
	} else if err := checkDataStreamName(c.DataStream); err != nil {
		bad("ES_DATA_STREAM", "%v", err)
	}
	if c.TemplateName == "" || strings.ContainsAny(c.TemplateName, "/ \\*?\"<>|,#") {
		bad("ES_TEMPLATE_NAME", "want a name without spaces or / \\ * ? \" < > | , #, got %q", c.TemplateName)
	}
	errs = append(errs, c.validateTLS()...)
	if c.Timeout <= 0 {
		bad("ES_TIMEOUT", "want a positive duration, got %s", c.Timeout)
	}
	if c.MaxBatchBytes < 1024 {
		bad("ES_MAX_BATCH_BYTES", "want at least 1024, got %d", c.MaxBatchBytes)
	}
	if c.MaxBatchEvents < 1 {
		bad("ES_MAX_BATCH_EVENTS", "want at least 1, got %d", c.MaxBatchEvents)
	}
	switch c.Compat {
	case CompatElasticsearch, CompatOpenSearch, CompatZincSearch:
	default:
		bad("ES_COMPAT", "want elasticsearch, opensearch or zincsearch, got %q", c.Compat)
	}
	return errors.Join(errs...)
}

func (c Config) validateTLS() []error {
	var errs []error
	if c.TLSCA != "" {
		if _, err := os.Stat(c.TLSCA); err != nil {
			errs = append(errs, fmt.Errorf("AUDITBRIDGE_ES_TLS_CA: %w", err))
		}
	}
	if fp := c.TLSFingerprint; fp != "" {
		if b, err := hex.DecodeString(normalizeFingerprint(fp)); err != nil || len(b) != 32 {
			errs = append(errs, fmt.Errorf("AUDITBRIDGE_ES_TLS_FINGERPRINT: want 64 hex digits (SHA-256, colons allowed), got %q", fp))
		}
	}
	if c.TLSFingerprint != "" && (c.TLSCA != "" || c.TLSSkipVerify) {
		errs = append(errs, errors.New("AUDITBRIDGE_ES_TLS_FINGERPRINT: set it alone, without AUDITBRIDGE_ES_TLS_CA or AUDITBRIDGE_ES_TLS_SKIP_VERIFY"))
	}
	if c.TLSCA != "" && c.TLSSkipVerify {
		errs = append(errs, errors.New("AUDITBRIDGE_ES_TLS_SKIP_VERIFY: set it or AUDITBRIDGE_ES_TLS_CA, not both"))
	}
	return errs
}

// normalizeFingerprint drops the colons of "AB:CD:…" and lowercases.
func normalizeFingerprint(fp string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(fp), ":", ""))
}

// checkDataStreamName applies Elasticsearch's index name rules that a data
// stream name must follow.
func checkDataStreamName(name string) error {
	switch {
	case name == "":
		return errors.New("must not be empty")
	case len(name) > 255:
		return fmt.Errorf("longer than 255 bytes: %q", name)
	case name != strings.ToLower(name):
		return fmt.Errorf("must be lowercase, got %q", name)
	case strings.HasPrefix(name, "-") || strings.HasPrefix(name, "_") || strings.HasPrefix(name, "+") || strings.HasPrefix(name, ".ds-"):
		return fmt.Errorf("must not start with -, _, + or .ds-, got %q", name)
	case strings.ContainsAny(name, "\\/*?\"<>| ,#:"):
		return fmt.Errorf("must not contain \\ / * ? \" < > | space , # :, got %q", name)
	}
	return nil
}

// templatePattern is the index pattern of the template for a data stream
// named type-dataset-namespace: the name with its namespace replaced by *.
func templatePattern(dataStream string) string {
	if i := strings.LastIndexByte(dataStream, '-'); i > 0 {
		return dataStream[:i+1] + "*"
	}
	return dataStream
}
