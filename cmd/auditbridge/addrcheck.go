package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Addresses and URLs are checked by the variable's name, so a component
// added later is covered without code here:
//
//	*_ADDR              a listen address, [host]:port ("off" where documented)
//	*_ADDRESS           host:port, or a URL when the value has "://"
//	*_URL, *_ADDRESSES  URLs (comma lists allowed), or host:port items
//
// The component's own Validate still checks what only it knows (schemes,
// required-ness); this catches what it may let through, such as a port
// out of range or a host with a space.
func checkAddresses(vars []envVar, getenv func(string) string) []error {
	var errs []error
	for _, v := range vars {
		value := strings.TrimSpace(getenv(v.Name))
		if value == "" || value == "off" || v.Secret {
			continue
		}
		var err error
		switch {
		case strings.HasSuffix(v.Name, "_ADDR") && isSocketPath(value):
			// a unix socket path (VAULT_SOCKET_ADDR): its component checks it
		case strings.HasSuffix(v.Name, "_ADDR"):
			err = checkHostPort(value, true)
		case strings.HasSuffix(v.Name, "_ADDRESS"):
			err = checkEndpoint(value)
		case strings.HasSuffix(v.Name, "_URL"), strings.HasSuffix(v.Name, "_URLS"), strings.HasSuffix(v.Name, "_ADDRESSES"):
			for item := range strings.SplitSeq(value, ",") {
				if item = strings.TrimSpace(item); item != "" && err == nil {
					err = checkEndpoint(item)
				}
			}
		}
		if err != nil {
			shown := strconv.Quote(value)
			if strings.Contains(value, "@") { // user:password@host
				shown = "[REDACTED]"
			}
			errs = append(errs, fmt.Errorf("%s: invalid value %s: %w", v.Name, shown, err))
		}
	}
	return errs
}

// isSocketPath reports whether a listen address is a unix socket path.
func isSocketPath(s string) bool {
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "unix://")
}

// checkEndpoint accepts a URL with a scheme and host, or host:port.
func checkEndpoint(s string) error {
	if !strings.Contains(s, "://") {
		return checkHostPort(s, false)
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	if u.Hostname() == "" {
		return errors.New("URL has no host")
	}
	if p := u.Port(); p != "" {
		if err := checkPort(p, false); err != nil {
			return err
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return errors.New("URL has an empty port")
	}
	return checkHost(u.Hostname(), false)
}

// checkHostPort accepts host:port; listen also allows an empty host (every
// interface) and port 0 (any free port).
func checkHostPort(s string, listen bool) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return errors.New("not host:port (e.g. 127.0.0.1:8088, :8088 or [::1]:8088)")
	}
	if err := checkPort(port, listen); err != nil {
		return err
	}
	return checkHost(host, listen)
}

func checkPort(p string, allowZero bool) error {
	n, err := strconv.Atoi(p)
	switch {
	case err != nil:
		return fmt.Errorf("port %q is not a number", p)
	case n > 65535 || n < 0 || (n == 0 && !allowZero):
		return fmt.Errorf("port %d is out of range (1-65535)", n)
	}
	return nil
}

// checkHost accepts an IP address or a DNS name (letters, digits, '-',
// '_' and dots); it does not resolve the name.
func checkHost(h string, allowEmpty bool) error {
	if h == "" {
		if allowEmpty {
			return nil
		}
		return errors.New("no host")
	}
	if net.ParseIP(h) != nil {
		return nil
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return fmt.Errorf("host %q is not an IP address or a DNS name", h)
		}
	}
	return nil
}
