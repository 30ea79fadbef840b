package bridge

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/nats-io/nats.go"
)

// NATSAuth is how the bridge authenticates to an external NATS and trusts
// it. Field tags name the variables without the AUDITBRIDGE_ prefix; it is
// embedded in SpoolConfig.
type NATSAuth struct {
	// CredsFile is a NATS .creds file (user JWT and seed, decentralized auth).
	CredsFile string `envconfig:"NATS_CREDS_FILE" desc:"NATS user credentials file (.creds: JWT and NKey seed)"`
	// NKeyFile holds an NKey user seed (SU...).
	NKeyFile string `envconfig:"NATS_NKEY_FILE" desc:"file with a NATS NKey user seed (SU...)"`
	// TLSCA is a PEM file of CAs trusted for the NATS server certificate.
	TLSCA string `envconfig:"NATS_TLS_CA" desc:"PEM file of CA certificates trusted for the NATS servers (system roots when empty)"`
	// TLSCert and TLSKey are a client certificate and key for mutual TLS.
	TLSCert string `envconfig:"NATS_TLS_CERT" desc:"PEM client certificate for mutual TLS to NATS"`
	TLSKey  string `envconfig:"NATS_TLS_KEY" desc:"PEM client private key for mutual TLS to NATS"`
}

// validate reports the problems of a, given the NATS URL ("" = embedded).
func (a NATSAuth) validate(natsURL string) []error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf(envPrefix+name+": "+format, args...))
	}
	set := map[string]string{"NATS_CREDS_FILE": a.CredsFile, "NATS_NKEY_FILE": a.NKeyFile,
		"NATS_TLS_CA": a.TLSCA, "NATS_TLS_CERT": a.TLSCert, "NATS_TLS_KEY": a.TLSKey}
	for _, name := range []string{"NATS_CREDS_FILE", "NATS_NKEY_FILE", "NATS_TLS_CA", "NATS_TLS_CERT", "NATS_TLS_KEY"} {
		path := set[name]
		if path == "" {
			continue
		}
		if natsURL == "" {
			bad(name, "is for an external NATS: set AUDITBRIDGE_NATS_URL too")
		} else if _, err := os.Stat(path); err != nil {
			bad(name, "%v", err)
		}
	}
	if a.CredsFile != "" && a.NKeyFile != "" {
		bad("NATS_NKEY_FILE", "set only one of AUDITBRIDGE_NATS_CREDS_FILE and AUDITBRIDGE_NATS_NKEY_FILE")
	}
	if (a.TLSCert == "") != (a.TLSKey == "") {
		bad("NATS_TLS_CERT", "AUDITBRIDGE_NATS_TLS_CERT and AUDITBRIDGE_NATS_TLS_KEY must be set together")
	}
	return errs
}

// options returns the client options for a.
func (a NATSAuth) options() ([]nats.Option, error) {
	var opts []nats.Option
	if a.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(a.CredsFile))
	}
	if a.NKeyFile != "" {
		o, err := nats.NkeyOptionFromSeed(a.NKeyFile)
		if err != nil {
			return nil, fmt.Errorf("spool: AUDITBRIDGE_NATS_NKEY_FILE: %w", err)
		}
		opts = append(opts, o)
	}
	if a.TLSCA != "" {
		opts = append(opts, nats.RootCAs(a.TLSCA))
	}
	if a.TLSCert != "" {
		opts = append(opts, nats.ClientCert(a.TLSCert, a.TLSKey))
	}
	return opts, nil
}

// RedactURL returns a NATS_URL (a comma list) with any user, password or
// token replaced by [REDACTED], for logs and errors.
func RedactURL(list string) string {
	parts := strings.Split(list, ",")
	for i, p := range parts {
		parts[i] = redactOne(strings.TrimSpace(p))
	}
	return strings.Join(parts, ",")
}

func redactOne(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		// Unparsable: cut anything before an '@' after the scheme.
		if at := strings.LastIndex(s, "@"); at >= 0 {
			scheme, _, ok := strings.Cut(s, "://")
			if ok {
				return scheme + "://[REDACTED]@" + s[at+1:]
			}
			return "[REDACTED]@" + s[at+1:]
		}
		return s
	}
	if u.User == nil {
		return s
	}
	u.User = url.User("[REDACTED]")
	return strings.Replace(u.String(), "%5BREDACTED%5D", "[REDACTED]", 1)
}

// redactedError hides NATS_URL credentials in an error's text and keeps its
// chain for errors.Is/As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr removes the userinfo of the URLs in list from err's text.
func redactErr(err error, list string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		if r := redactOne(p); r != p && strings.Contains(msg, p) {
			msg, changed = strings.ReplaceAll(msg, p, r), true
		}
		for _, secret := range userinfoParts(p) {
			if strings.Contains(msg, secret) {
				msg, changed = strings.ReplaceAll(msg, secret, "[REDACTED]"), true
			}
		}
	}
	if !changed {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// userinfoParts are the user and password of a URL, if any (each at least
// four characters, so that short names do not blank unrelated text).
func userinfoParts(s string) []string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return nil
	}
	var out []string
	if n := u.User.Username(); len(n) >= 4 {
		out = append(out, n)
	}
	if p, ok := u.User.Password(); ok && len(p) >= 4 {
		out = append(out, p)
	}
	return out
}
