package vault

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Config of the Vault socket audit device receiver. Tags name the
// variables without the AUDITBRIDGE_ prefix.
type Config struct {
	// SocketAddr is where Vault's socket device connects: host:port (TCP)
	// or a unix socket path (absolute, or prefixed unix://). Empty = off.
	SocketAddr string `envconfig:"VAULT_SOCKET_ADDR" desc:"listen address for Vault's socket audit device: host:port (tcp) or a unix socket path; empty = off"`
	// MaxLineBytes bounds one audit entry.
	MaxLineBytes int `envconfig:"VAULT_SOCKET_MAX_LINE_BYTES" default:"4194304" desc:"longest audit entry (line) in bytes; a longer one is skipped and logged"`
	// MaxConns bounds the connections served at once.
	MaxConns int `envconfig:"VAULT_SOCKET_MAX_CONNS" default:"16" desc:"connections served at once; more are closed at once and logged"`
	// BatchEvents bounds the events of one publish.
	BatchEvents int `envconfig:"VAULT_SOCKET_BATCH_EVENTS" default:"500" desc:"most entries published to the spool at once"`
	// IdleTimeout closes a connection that sent nothing this long (Vault
	// reconnects on its next entry).
	IdleTimeout time.Duration `envconfig:"VAULT_SOCKET_IDLE_TIMEOUT" default:"0s" desc:"close a connection idle this long; 0 = never"`
}

// DefaultConfig is the defaults of the tags with addr filled in.
func DefaultConfig(addr string) Config {
	return Config{SocketAddr: addr, MaxLineBytes: 4 << 20, MaxConns: 16, BatchEvents: 500}
}

// Enabled reports whether an address is set.
func (c Config) Enabled() bool { return strings.TrimSpace(c.SocketAddr) != "" }

// Endpoint returns the network ("tcp" or "unix") and address to listen on.
func (c Config) Endpoint() (network, addr string, err error) {
	a := strings.TrimSpace(c.SocketAddr)
	switch {
	case strings.HasPrefix(a, "unix://"):
		return "unix", strings.TrimPrefix(a, "unix://"), nil
	case strings.HasPrefix(a, "tcp://"):
		a = strings.TrimPrefix(a, "tcp://")
	case strings.HasPrefix(a, "/") || strings.HasPrefix(a, "./"):
		return "unix", a, nil
	}
	if _, _, err := net.SplitHostPort(a); err != nil {
		return "", "", fmt.Errorf("%q is neither host:port nor a unix socket path: %v", c.SocketAddr, err)
	}
	return "tcp", a, nil
}

// Validate reports every problem at once; it changes nothing.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("AUDITBRIDGE_"+name+": "+format, args...))
	}
	if _, _, err := c.Endpoint(); err != nil {
		bad("VAULT_SOCKET_ADDR", "%v", err)
	}
	if c.MaxLineBytes < 1024 {
		bad("VAULT_SOCKET_MAX_LINE_BYTES", "must be at least 1024, got %d", c.MaxLineBytes)
	}
	if c.MaxConns < 1 {
		bad("VAULT_SOCKET_MAX_CONNS", "must be at least 1, got %d", c.MaxConns)
	}
	if c.BatchEvents < 1 {
		bad("VAULT_SOCKET_BATCH_EVENTS", "must be at least 1, got %d", c.BatchEvents)
	}
	if c.IdleTimeout < 0 {
		bad("VAULT_SOCKET_IDLE_TIMEOUT", "must not be negative, got %s", c.IdleTimeout)
	}
	return errors.Join(errs...)
}
