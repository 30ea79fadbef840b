package main

import (
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"reflect"
	"strings"

	"github.com/hashicorp/go-hclog"
)

// exposure is what the configuration would expose on the network: errors
// (a secret sent in clear text to another host), refused at start unless
// AUDITBRIDGE_ALLOW_INSECURE=true, and warnings (listeners without TLS
// outside loopback), logged at start.
type exposure struct {
	refuse []error
	warn   []string
}

// checkExposure looks at every enabled sink and source: a component with a
// secret set (token, password, API key, or userinfo in a URL) and an
// http:// URL to a host other than loopback sends that secret in clear
// text. The HEC receiver on a non-loopback address without TLS receives
// tokens in clear text; an admin server outside loopback serves metrics and
// dead letters to the network.
func checkExposure(st *settings) exposure {
	var ex exposure
	var cfgs []any
	for _, s := range st.sinks {
		cfgs = append(cfgs, s.cfg)
	}
	for _, s := range st.sources {
		cfgs = append(cfgs, s.cfg)
	}
	for _, cfg := range cfgs {
		ex.refuse = append(ex.refuse, clearTextSecrets(cfg)...)
	}
	for _, s := range st.sources {
		if l, ok := s.cfg.(interface{ TLSEnabled() bool }); ok && s.spec.name == "hec" && !l.TLSEnabled() {
			if addr := listenAddr(s.cfg); addr != "" && !listenOnLoopback(addr) {
				ex.warn = append(ex.warn, fmt.Sprintf("%sHEC_ADDR %s serves plain HTTP beyond loopback: HEC tokens and events travel in clear text; "+
					"set %sHEC_TLS_CERT and %sHEC_TLS_KEY, or terminate TLS in front of it", envPrefix, addr, envPrefix, envPrefix))
			}
		}
	}
	if a := st.core.adminAddr(); a != "" && !listenOnLoopback(a) {
		ex.warn = append(ex.warn, fmt.Sprintf("%sADMIN_ADDR %s serves /metrics, /readyz and the admin endpoints beyond loopback, "+
			"without authentication", envPrefix, a))
	}
	return ex
}

// warnExposure logs checkExposure's warnings, and its refusals when
// AUDITBRIDGE_ALLOW_INSECURE let them pass.
func warnExposure(st *settings, getenv func(string) string, log hclog.Logger) {
	ex := checkExposure(st)
	ex.warn = append(ex.warn, secretFileWarnings(st, getenv, os.Stat)...)
	for _, w := range ex.warn {
		log.Warn("exposed without TLS", "detail", w)
	}
	for _, err := range ex.refuse { // only here when ALLOW_INSECURE is set
		log.Warn("secret sent in clear text (AUDITBRIDGE_ALLOW_INSECURE=true)", "detail", err.Error())
	}
}

// secretFileWarnings names each <SECRET>_FILE of the loaded components
// that its group or others may read (mode & 0o077): a secret on disk
// should be readable by its owner only.
func secretFileWarnings(st *settings, getenv func(string) string, stat func(string) (fs.FileInfo, error)) []string {
	cfgs := []any{&st.spool}
	for _, s := range st.sinks {
		cfgs = append(cfgs, s.cfg)
	}
	for _, s := range st.sources {
		cfgs = append(cfgs, s.cfg)
	}
	var out []string
	seen := map[string]bool{}
	for _, cfg := range cfgs {
		vars, err := envVars("", cfg)
		if err != nil {
			continue
		}
		for _, v := range vars {
			path := getenv(v.Name + "_FILE")
			if !v.Secret || path == "" || seen[v.Name] {
				continue
			}
			seen[v.Name] = true
			fi, err := stat(path)
			if err != nil {
				continue // loading already reported an unreadable file
			}
			if perm := fi.Mode().Perm(); perm&0o077 != 0 {
				out = append(out, fmt.Sprintf("%s_FILE %s has mode %04o: group or others can read the secret; chmod 600 it",
					v.Name, path, perm))
			}
		}
	}
	return out
}

// clearTextSecrets reports each http:// URL of cfg to a non-loopback host
// when cfg has a secret set.
func clearTextSecrets(cfg any) []error {
	vars, err := envVars("", cfg)
	if err != nil {
		return nil
	}
	var secrets []string
	type urlVar struct{ name, raw string }
	var plain []urlVar
	for _, v := range vars {
		if v.Secret && v.field.String() != "" {
			secrets = append(secrets, v.Name)
		}
		var vals []string
		switch v.field.Kind() {
		case reflect.String:
			vals = []string{v.field.String()}
		case reflect.Slice:
			if s, ok := v.field.Interface().([]string); ok {
				vals = s
			}
		}
		for _, raw := range vals {
			u, err := url.Parse(strings.TrimSpace(raw))
			if err != nil || !strings.EqualFold(u.Scheme, "http") || loopbackHost(u.Hostname()) {
				continue
			}
			if u.User != nil {
				secrets = append(secrets, v.Name+" (user info)")
			}
			plain = append(plain, urlVar{v.Name, raw})
		}
	}
	if len(secrets) == 0 {
		return nil
	}
	var errs []error
	for _, p := range plain {
		errs = append(errs, fmt.Errorf("%s: %s is plain http:// to a host other than loopback: %s would travel in clear text; "+
			"use https:// or set %sALLOW_INSECURE=true", p.name, redactURL(p.raw), strings.Join(secrets, ", "), envPrefix))
	}
	return errs
}

// listenAddr is the Addr field of a listener's config, or "".
func listenAddr(cfg any) string {
	v := reflect.Indirect(reflect.ValueOf(cfg))
	if v.Kind() != reflect.Struct {
		return ""
	}
	f := v.FieldByName("Addr")
	if !f.IsValid() || f.Kind() != reflect.String {
		return ""
	}
	return f.String()
}

// loopbackAddr reports whether a listen address (host:port) is on loopback
// only; an empty host is every interface.
func listenOnLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && host != "" && loopbackHost(host)
}

// loopbackHost reports whether host is localhost or a loopback IP.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redactURL is raw with any password in its user info replaced (url.URL's
// Redacted), or a placeholder when raw does not parse.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.User == nil {
		return u.String()
	}
	u.User = nil
	scheme, rest, _ := strings.Cut(u.String(), "://")
	return scheme + "://[REDACTED]@" + rest
}
