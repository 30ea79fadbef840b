package main

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// Config is the core configuration of the binary. The spool, retry and
// batching settings are the bridge package's SpoolConfig, RetryConfig and
// BatchConfig, read by the same loader.
type Config struct {
	// ConfigFile is an HCL file of sources and sinks (routing); the
	// environment overrides it setting by setting. run, check and route
	// also take it as --config FILE.
	ConfigFile string `envconfig:"CONFIG" desc:"HCL config file with source and sink blocks (several sinks of one kind, filters); environment variables override its settings"`
	// Sinks lists the enabled sinks.
	Sinks []string `envconfig:"SINKS" desc:"comma list of enabled sinks: splunk, elasticsearch, syslog, file, stdout"`
	// AdminAddr is where /metrics, /healthz and /readyz are served.
	AdminAddr string `envconfig:"ADMIN_ADDR" default:"127.0.0.1:9880" desc:"address of the admin server (/metrics, /healthz, /readyz); 'off' disables it"`
	// LogLevel is trace, debug, info, warn or error.
	LogLevel string `envconfig:"LOG_LEVEL" default:"info" desc:"trace, debug, info, warn or error"`
	// LogFormat is text or json.
	LogFormat string `envconfig:"LOG_FORMAT" default:"text" desc:"log format: text or json"`
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration `envconfig:"SHUTDOWN_TIMEOUT" default:"30s" desc:"grace period on SIGTERM/SIGINT for in-flight requests and batches"`
	// AllowInsecure lets a secret (token, password, API key) go to a
	// non-loopback host over plain http:// (refused at start otherwise).
	AllowInsecure bool `envconfig:"ALLOW_INSECURE" default:"false" desc:"allow tokens and passwords over plain http:// to hosts other than loopback (refused at start otherwise)"`
	// SinkUnreadyAfter is how long a sink may fail before /readyz lists it.
	SinkUnreadyAfter time.Duration `envconfig:"SINK_UNREADY_AFTER" default:"60s" desc:"a sink failing to deliver this long shows as degraded on /readyz with its last error (still 200: intake stays on)"`
}

// Validate reports every problem at once; it changes nothing. known lists
// the sink names the binary has.
func (c Config) Validate(known []string) error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf(envPrefix+name+": "+format, args...))
	}
	if len(c.Sinks) == 0 {
		bad("SINKS", "no sink enabled; set a comma list of %s", strings.Join(known, ", "))
	}
	seen := map[string]bool{}
	for _, s := range c.Sinks {
		switch {
		case !slices.Contains(known, s):
			bad("SINKS", "unknown sink %q; valid sinks are %s", s, strings.Join(known, ", "))
		case seen[s]:
			bad("SINKS", "sink %q is listed twice", s)
		}
		seen[s] = true
	}
	if c.AdminAddr != "off" {
		if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
			bad("ADMIN_ADDR", "%q is not host:port (or 'off')", c.AdminAddr)
		}
	}
	if err := validLogLevel(c.LogLevel); err != nil {
		errs = append(errs, err)
	}
	if err := validLogFormat(c.LogFormat); err != nil {
		errs = append(errs, err)
	}
	if c.SinkUnreadyAfter <= 0 {
		bad("SINK_UNREADY_AFTER", "must be positive, got %s", c.SinkUnreadyAfter)
	}
	if c.ShutdownTimeout <= 0 {
		bad("SHUTDOWN_TIMEOUT", "must be positive, got %s", c.ShutdownTimeout)
	}
	return errors.Join(errs...)
}

// adminAddr is the address to listen on, "" when disabled.
func (c Config) adminAddr() string {
	if c.AdminAddr == "off" {
		return ""
	}
	return c.AdminAddr
}

// sinkEnvPrefix is the variable prefix of a sink's batching settings.
// Elasticsearch uses ES_ like its other variables.
func sinkEnvPrefix(name string) string {
	if name == "elasticsearch" {
		return "ES_"
	}
	return strings.ToUpper(name) + "_"
}
