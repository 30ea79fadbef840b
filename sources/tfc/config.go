package tfc

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/auditbridge/auditbridge/bridge"
	"github.com/auditbridge/auditbridge/internal/tlsconf"
)

// Config of the audit-trail poller. Field tags name the variables without
// the AUDITBRIDGE_ prefix.
type Config struct {
	// Token is one organization's audit-trail (or organization) token.
	Token bridge.Secret `envconfig:"TFC_TOKEN" desc:"HCP Terraform audit trail token for one organization (enables the poller)"`
	// Tokens lists several organizations as label:token pairs.
	Tokens bridge.Secret `envconfig:"TFC_TOKENS" desc:"several organizations: label:token,label:token"`
	// Address is the API host: HCP Terraform US, EU or a TFE host.
	Address string `envconfig:"TFC_ADDRESS" default:"https://app.terraform.io" desc:"API address (https://app.eu.terraform.io for the EU region, or a Terraform Enterprise host)"`
	// Interval between polls of one organization.
	Interval time.Duration `envconfig:"TFC_INTERVAL" default:"60s" desc:"time between polls"`
	// Backfill is how far back the first poll reads.
	Backfill time.Duration `envconfig:"TFC_BACKFILL" default:"336h" desc:"how far back the first poll reads (the API keeps 14 days)"`
	// PageSize is page[size] (1..1000).
	PageSize int `envconfig:"TFC_PAGE_SIZE" default:"1000" desc:"events per page, 1 to 1000"`
	// MaxPages bounds the pages one poll reads; a larger backlog is read
	// oldest first over several polls that follow each other at once.
	MaxPages int `envconfig:"TFC_MAX_PAGES" default:"100" desc:"most pages one poll reads (oldest first); a larger backlog takes several polls in a row"`
	// Overlap is how far behind the high-water mark each poll starts.
	Overlap time.Duration `envconfig:"TFC_OVERLAP" default:"5m" desc:"each poll re-reads this much before the newest event seen, deduplicating by id (at least 2s)"`
	// RateLimit is the request rate per token.
	RateLimit float64 `envconfig:"TFC_RATE_LIMIT" default:"20" desc:"requests per second per token (the API allows 30)"`
	// Timeout bounds one HTTP request.
	Timeout time.Duration `envconfig:"TFC_TIMEOUT" default:"30s" desc:"timeout of one API request"`
	// AuthRetry is the wait after a 401 or 404 before trying again.
	AuthRetry time.Duration `envconfig:"TFC_AUTH_RETRY" default:"5m" desc:"wait after a 401/404 configuration error before trying again"`
	// LeaseTTL is how long an organization's lease lasts without renewal.
	// The holder renews every LeaseTTL/3 and a standby tries every
	// LeaseTTL/3, so after a holder dies another replica takes over within
	// LeaseTTL + LeaseTTL/3 of the last renewal (within LeaseTTL/3 after a
	// clean stop, which releases the lease).
	LeaseTTL time.Duration `envconfig:"TFC_LEASE_TTL" default:"15s" desc:"lease time per organization when replicas share a JetStream; after the holder dies another replica takes over within TTL + TTL/3 of its last renewal"`
	// TLSCA is a PEM file of CAs for a private TFE host.
	TLSCA string `envconfig:"TFC_TLS_CA" desc:"PEM file with extra CA certificates for the API host"`
	// TokenFile and TokensFile are the files TFC_TOKEN and TFC_TOKENS were
	// read from (the _FILE variables; set by the loader): the poller reads
	// them again when they change.
	TokenFile  string `ignored:"true"`
	TokensFile string `ignored:"true"`
	// UserAgent is sent on every request.
	UserAgent string `envconfig:"TFC_USER_AGENT" default:"auditbridge (+https://github.com/auditbridge/auditbridge)" desc:"User-Agent header"`
}

// Org is one organization to poll.
type Org struct {
	Label string
	Token bridge.Secret
	file  string // the _FILE the token came from, re-read when it changes
	pairs bool   // file holds label:token pairs (TFC_TOKENS_FILE)
}

// Enabled reports whether any token is configured.
func (c Config) Enabled() bool {
	return strings.TrimSpace(c.Token.Reveal()) != "" || strings.TrimSpace(c.Tokens.Reveal()) != ""
}

// Orgs returns the organizations to poll. A single TFC_TOKEN gets the label
// "default".
func (c Config) Orgs() ([]Org, error) {
	var orgs []Org
	if t := strings.TrimSpace(c.Token.Reveal()); t != "" {
		orgs = append(orgs, Org{Label: "default", Token: bridge.Secret(t), file: c.TokenFile})
	}
	seen := map[string]bool{}
	for i, pair := range strings.Split(c.Tokens.Reveal(), ",") {
		pair = strings.TrimSpace(pair)
		if pair == "" {
			continue
		}
		label, token, ok := strings.Cut(pair, ":")
		label, token = strings.TrimSpace(label), strings.TrimSpace(token)
		if !ok || label == "" || token == "" {
			return nil, fmt.Errorf("AUDITBRIDGE_TFC_TOKENS: entry %d is not label:token", i+1)
		}
		if !validLabel(label) {
			return nil, fmt.Errorf("AUDITBRIDGE_TFC_TOKENS: label %q may hold only letters, digits, '-' and '_'", label)
		}
		if seen[label] || (label == "default" && len(orgs) > 0 && orgs[0].Label == "default") {
			return nil, fmt.Errorf("AUDITBRIDGE_TFC_TOKENS: label %q is used twice", label)
		}
		seen[label] = true
		orgs = append(orgs, Org{Label: label, Token: bridge.Secret(token), file: c.TokensFile, pairs: c.TokensFile != ""})
	}
	return orgs, nil
}

func validLabel(s string) bool {
	for _, r := range s {
		ok := r == '-' || r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
		if !ok {
			return false
		}
	}
	return len(s) <= 64
}

// Validate reports every problem at once; it changes nothing.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("AUDITBRIDGE_"+name+": "+format, args...))
	}
	if _, err := c.Orgs(); err != nil {
		errs = append(errs, err)
	}
	if u, err := url.Parse(c.Address); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		bad("TFC_ADDRESS", "%q is not an http(s) URL", c.Address)
	}
	if c.Interval < time.Second {
		bad("TFC_INTERVAL", "must be at least 1s, got %s", c.Interval)
	}
	if c.Backfill < 0 {
		bad("TFC_BACKFILL", "must not be negative, got %s", c.Backfill)
	}
	if c.PageSize < 1 || c.PageSize > 1000 {
		bad("TFC_PAGE_SIZE", "must be 1 to 1000, got %d", c.PageSize)
	}
	if c.MaxPages < 2 {
		bad("TFC_MAX_PAGES", "must be at least 2, got %d", c.MaxPages)
	}
	if c.Overlap < 2*time.Second {
		bad("TFC_OVERLAP", "must be at least 2s (the API's since is second-precise), got %s", c.Overlap)
	}
	if c.RateLimit <= 0 || c.RateLimit > 30 {
		bad("TFC_RATE_LIMIT", "must be above 0 and at most 30 (the API's limit), got %g", c.RateLimit)
	}
	if c.Timeout <= 0 {
		bad("TFC_TIMEOUT", "must be positive, got %s", c.Timeout)
	}
	if c.AuthRetry < time.Second {
		bad("TFC_AUTH_RETRY", "must be at least 1s, got %s", c.AuthRetry)
	}
	if c.LeaseTTL < 2*time.Second {
		bad("TFC_LEASE_TTL", "must be at least 2s, got %s", c.LeaseTTL)
	}
	if c.TLSCA != "" {
		if _, err := loadCA(c.TLSCA); err != nil {
			bad("TFC_TLS_CA", "%v", err)
		}
	}
	return errors.Join(errs...)
}

// loadCA adds the PEM certificates of path to the system pool.
func loadCA(path string) (*x509.CertPool, error) { return tlsconf.CAPool(path, true) }
