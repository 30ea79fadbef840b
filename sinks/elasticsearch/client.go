package elasticsearch

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"

	"github.com/auditbridge/auditbridge/internal/tlsconf"
	"github.com/elastic/elastic-transport-go/v8/elastictransport"
	"github.com/elastic/go-elasticsearch/v8"
)

// newClient builds a go-elasticsearch client that makes one attempt per
// call (bridge/ owns retries), verifies TLS by default, and trusts either
// the system roots, the CAs of cfg.TLSCA, or a certificate fingerprint
// (pinTLS; never the library's CertificateFingerprint, which accepts a
// chain that merely contains the pinned certificate).
func newClient(cfg Config) (*elasticsearch.Client, error) {
	tr, err := newTransport(cfg)
	if err != nil {
		return nil, err
	}
	esCfg := elasticsearch.Config{
		Addresses:           cfg.Addresses,
		CloudID:             cfg.CloudID,
		Username:            cfg.Username,
		Password:            cfg.Password.Reveal(),
		APIKey:              encodeAPIKey(cfg.APIKey.Reveal()),
		Transport:           tr,
		DisableRetry:        true,
		CompressRequestBody: cfg.Gzip,
		PoolCompressor:      cfg.Gzip,
	}
	if cfg.Compat == CompatOpenSearch {
		esCfg.Interceptors = []elastictransport.InterceptorFunc{markProduct}
	}
	return elasticsearch.NewClient(esCfg)
}

// encodeAPIKey accepts the key as Elasticsearch shows it ("encoded", the
// base64 of id:key) or as the raw "id:key" pair, which it encodes.
func encodeAPIKey(k string) string {
	if strings.Contains(k, ":") {
		return base64.StdEncoding.EncodeToString([]byte(k))
	}
	return k
}

func newTransport(cfg Config) (*http.Transport, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 8
	tc, err := tlsconf.Client{CA: cfg.TLSCA, SkipVerify: cfg.TLSSkipVerify, CASetting: "AUDITBRIDGE_ES_TLS_CA"}.Config()
	if err != nil {
		return nil, err
	}
	tr.TLSClientConfig = tc
	if cfg.TLSFingerprint != "" {
		fp, err := hex.DecodeString(normalizeFingerprint(cfg.TLSFingerprint))
		if err != nil || len(fp) != sha256.Size {
			return nil, fmt.Errorf("AUDITBRIDGE_ES_TLS_FINGERPRINT: want 64 hex digits, got %q", cfg.TLSFingerprint)
		}
		pinTLS(tr, fp)
	}
	return tr, nil
}

// markProduct adds the header the client checks on its first response;
// OpenSearch does not send it (used only with AUDITBRIDGE_ES_COMPAT=opensearch).
func markProduct(next elastictransport.RoundTripFunc) elastictransport.RoundTripFunc {
	return func(req *http.Request) (*http.Response, error) {
		res, err := next(req)
		if err == nil && res.Header.Get("X-Elastic-Product") == "" {
			res.Header.Set("X-Elastic-Product", "Elasticsearch")
		}
		return res, err
	}
}
