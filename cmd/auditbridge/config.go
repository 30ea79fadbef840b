package main

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"
)

// Config is the core configuration of the binary.
type Config struct {
	// DataDir holds the embedded JetStream store.
	DataDir string `envconfig:"DATA_DIR" default:"./data" desc:"directory of the embedded JetStream spool (unused with NATS_URL)"`
	// NATSURL selects an external JetStream instead of the embedded server.
	NATSURL string `envconfig:"NATS_URL" desc:"external NATS JetStream URL(s), comma separated; empty = embedded server in DATA_DIR"`
	// Sinks lists the enabled sinks.
	Sinks []string `envconfig:"SINKS" desc:"comma list of enabled sinks: splunk, elasticsearch, syslog, file, stdout"`
	// AdminAddr is where /metrics, /healthz and /readyz are served.
	AdminAddr string `envconfig:"ADMIN_ADDR" default:"127.0.0.1:9880" desc:"address of the admin server (/metrics, /healthz, /readyz); 'off' disables it"`
	// LogLevel is trace, debug, info, warn or error.
	LogLevel string `envconfig:"LOG_LEVEL" default:"info" desc:"trace, debug, info, warn or error"`
	// LogFormat is text or json.
	LogFormat string `envconfig:"LOG_FORMAT" default:"text" desc:"log format: text or json"`
	// SpoolMaxBytes is the spool's byte limit; intake pushes back beyond it.
	SpoolMaxBytes int64 `envconfig:"SPOOL_MAX_BYTES" default:"10737418240" desc:"spool size limit in bytes; beyond it intake answers 503 / the poller waits"`
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration `envconfig:"SHUTDOWN_TIMEOUT" default:"30s" desc:"grace period on SIGTERM/SIGINT for in-flight requests and batches"`
}

// Validate reports every problem at once; it changes nothing. known lists
// the sink names the binary has.
func (c Config) Validate(known []string) error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf(envPrefix+name+": "+format, args...))
	}
	if c.NATSURL == "" && strings.TrimSpace(c.DataDir) == "" {
		bad("DATA_DIR", "must not be empty when NATS_URL is not set")
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
	if c.SpoolMaxBytes < 1<<20 {
		bad("SPOOL_MAX_BYTES", "must be at least 1048576 (1 MiB), got %d", c.SpoolMaxBytes)
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

// batchEnv is one sink's batching, read with the sink's prefix
// (AUDITBRIDGE_SPLUNK_BATCH_EVENTS, AUDITBRIDGE_ES_BATCH_EVENTS, …).
type batchEnv struct {
	// Events is the most events per batch.
	Events int `envconfig:"BATCH_EVENTS" default:"500" desc:"most events per batch"`
	// Bytes is the most rendered bytes per batch (approximate).
	Bytes int `envconfig:"BATCH_BYTES" default:"4194304" desc:"most bytes per batch (approximate)"`
	// Wait is how long a partial batch may wait for more events.
	Wait time.Duration `envconfig:"BATCH_WAIT" default:"1s" desc:"longest wait before a partial batch is sent"`
}

// validate reports every problem at once with the variables' full names.
func (b batchEnv) validate(prefix string) error {
	var errs []error
	if b.Events < 1 || b.Events > 100000 {
		errs = append(errs, fmt.Errorf("%s%sBATCH_EVENTS: must be 1 to 100000, got %d", envPrefix, prefix, b.Events))
	}
	if b.Bytes < 1024 {
		errs = append(errs, fmt.Errorf("%s%sBATCH_BYTES: must be at least 1024, got %d", envPrefix, prefix, b.Bytes))
	}
	if b.Wait <= 0 {
		errs = append(errs, fmt.Errorf("%s%sBATCH_WAIT: must be positive, got %s", envPrefix, prefix, b.Wait))
	}
	return errors.Join(errs...)
}

// sinkEnvPrefix is the variable prefix of a sink's batching settings.
// Elasticsearch uses ES_ like its other variables.
func sinkEnvPrefix(name string) string {
	if name == "elasticsearch" {
		return "ES_"
	}
	return strings.ToUpper(name) + "_"
}
