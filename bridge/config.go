package bridge

import (
	"errors"
	"fmt"
	"time"
)

const envPrefix = "AUDITBRIDGE_"

// SpoolConfig configures the JetStream spool, its dead-letter stream and the
// state bucket. Field tags name the variables without the AUDITBRIDGE_ prefix.
type SpoolConfig struct {
	// DataDir holds the embedded server's file store (unused with NATSURL).
	DataDir string `envconfig:"DATA_DIR" default:"./data" desc:"directory of the embedded JetStream spool (unused with NATS_URL)"`
	// NATSURL selects an external JetStream; empty starts an embedded server.
	NATSURL string `envconfig:"NATS_URL" desc:"external NATS JetStream URL(s), comma separated; empty = embedded server in DATA_DIR"`
	// NATSAuth holds the credentials and TLS settings for NATSURL.
	NATSAuth
	// MaxBytes is the spool's byte limit; beyond it Publish fails with ErrSpoolFull.
	MaxBytes int64 `envconfig:"SPOOL_MAX_BYTES" default:"10737418240" desc:"spool size limit in bytes; beyond it intake is refused (HEC 503, poller waits)"`
	// MaxAge drops spooled messages older than this (0 = keep until delivered).
	MaxAge time.Duration `envconfig:"SPOOL_MAX_AGE" default:"0s" desc:"oldest age of a spooled batch before JetStream removes it; 0 keeps it until every sink has it"`
	// Sync is the embedded store's fsync interval, or "always" (strict mode).
	Sync string `envconfig:"SPOOL_SYNC" default:"1s" desc:"embedded store fsync interval (e.g. 1s), or 'always' to fsync every write"`
	// DedupWindow is how long JetStream remembers message ids of publishes.
	DedupWindow time.Duration `envconfig:"SPOOL_DEDUP_WINDOW" default:"10m" desc:"window in which a re-published batch (same event ids) is stored once"`
	// MsgBytes bounds the encoded size of one spool message (one batch).
	MsgBytes int `envconfig:"SPOOL_MSG_BYTES" default:"786432" desc:"most encoded bytes per spool message"`
	// MsgEvents bounds the events of one spool message.
	MsgEvents int `envconfig:"SPOOL_MSG_EVENTS" default:"500" desc:"most events per spool message"`
	// AckWait is how long a fetched batch stays invisible to other readers
	// without a progress signal; the engine renews it during long retries.
	AckWait time.Duration `envconfig:"SPOOL_ACK_WAIT" default:"30s" desc:"JetStream ack wait of sink consumers; un-acked batches of a crashed bridge are redelivered after it"`
	// Replicas is the stream replication factor on an external cluster; 0
	// picks it when connecting: 3 on a cluster (fewer nodes: one per node),
	// 1 on a single server and embedded. With 1 replica, intake stops for
	// as long as the node holding the streams is down.
	Replicas int `envconfig:"SPOOL_REPLICAS" default:"0" desc:"replicas of the spool, dead-letter and state streams; 0 = 3 on a NATS cluster (one per node when fewer), 1 on a single server"`
	// DLQMaxBytes bounds the dead-letter stream; what happens when it is
	// full is DLQFull.
	DLQMaxBytes int64 `envconfig:"DLQ_MAX_BYTES" default:"268435456" desc:"dead-letter stream size limit in bytes"`
	// DLQFull is the policy when the dead-letter stream is full:
	// drop-oldest deletes the oldest dead letters (counted in
	// auditbridge_dlq_dropped_total), block keeps the batch in the spool and
	// the sink unready until an operator replays or purges.
	DLQFull string `envconfig:"DLQ_FULL" default:"drop-oldest" desc:"when the dead-letter stream is full: drop-oldest (delete the oldest dead letters, counted) or block (the sink waits, /readyz unready)"`
}

// Validate reports every problem at once; it changes nothing.
func (c SpoolConfig) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf(envPrefix+name+": "+format, args...))
	}
	if c.NATSURL == "" && c.DataDir == "" {
		bad("DATA_DIR", "must not be empty when NATS_URL is not set")
	}
	errs = append(errs, c.NATSAuth.validate(c.NATSURL)...)
	if c.MaxBytes < 1<<20 {
		bad("SPOOL_MAX_BYTES", "must be at least 1048576 (1 MiB), got %d", c.MaxBytes)
	}
	if c.MaxAge < 0 {
		bad("SPOOL_MAX_AGE", "must not be negative, got %s", c.MaxAge)
	}
	if _, _, err := c.syncSetting(); err != nil {
		bad("SPOOL_SYNC", "%v", err)
	}
	if c.DedupWindow < time.Second {
		bad("SPOOL_DEDUP_WINDOW", "must be at least 1s, got %s", c.DedupWindow)
	}
	if c.MsgBytes < 1024 || c.MsgBytes > 8<<20 {
		bad("SPOOL_MSG_BYTES", "must be 1024 to 8388608, got %d", c.MsgBytes)
	}
	if c.MsgEvents < 1 || c.MsgEvents > 100000 {
		bad("SPOOL_MSG_EVENTS", "must be 1 to 100000, got %d", c.MsgEvents)
	}
	if c.AckWait < time.Second {
		bad("SPOOL_ACK_WAIT", "must be at least 1s, got %s", c.AckWait)
	}
	if c.Replicas < 0 || c.Replicas > 5 {
		bad("SPOOL_REPLICAS", "must be 0 (automatic) to 5, got %d", c.Replicas)
	}
	if c.DLQMaxBytes < 1<<20 {
		bad("DLQ_MAX_BYTES", "must be at least 1048576 (1 MiB), got %d", c.DLQMaxBytes)
	}
	if c.DLQFull != DLQFullBlock && c.DLQFull != DLQFullDropOldest {
		bad("DLQ_FULL", "must be %s or %s, got %q", DLQFullDropOldest, DLQFullBlock, c.DLQFull)
	}
	return errors.Join(errs...)
}

// syncSetting parses Sync: ("always") → always; a duration → interval.
func (c SpoolConfig) syncSetting() (interval time.Duration, always bool, err error) {
	if c.Sync == "always" {
		return 0, true, nil
	}
	d, err := time.ParseDuration(c.Sync)
	if err != nil || d <= 0 {
		return 0, false, fmt.Errorf("must be 'always' or a positive duration such as 1s, got %q", c.Sync)
	}
	return d, false, nil
}

// BatchConfig is one sink's batching. The variables carry the sink's prefix
// (AUDITBRIDGE_SPLUNK_BATCH_EVENTS, AUDITBRIDGE_ES_BATCH_EVENTS, …); set
// EnvPrefix (e.g. "SPLUNK_") so Validate names them in full.
type BatchConfig struct {
	// EnvPrefix is put between AUDITBRIDGE_ and each variable name in errors.
	EnvPrefix string `ignored:"true"`
	// Events is the most events per Send.
	Events int `envconfig:"BATCH_EVENTS" default:"500" desc:"most events per batch"`
	// Bytes is the most (approximate) event bytes per Send.
	Bytes int `envconfig:"BATCH_BYTES" default:"4194304" desc:"most bytes per batch (approximate)"`
	// Wait is how long a partial batch may wait for more events.
	Wait time.Duration `envconfig:"BATCH_WAIT" default:"1s" desc:"longest wait before a partial batch is sent"`
	// Timeout bounds one Send attempt.
	Timeout time.Duration `envconfig:"SEND_TIMEOUT" default:"30s" desc:"time limit of one delivery attempt"`
}

// Validate reports every problem at once; it changes nothing.
func (b BatchConfig) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf(envPrefix+b.EnvPrefix+name+": "+format, args...))
	}
	if b.Events < 1 || b.Events > 100000 {
		bad("BATCH_EVENTS", "must be 1 to 100000, got %d", b.Events)
	}
	if b.Bytes < 1024 {
		bad("BATCH_BYTES", "must be at least 1024, got %d", b.Bytes)
	}
	if b.Wait <= 0 {
		bad("BATCH_WAIT", "must be positive, got %s", b.Wait)
	}
	if b.Timeout <= 0 {
		bad("SEND_TIMEOUT", "must be positive, got %s", b.Timeout)
	}
	return errors.Join(errs...)
}

// RetryConfig is the delivery engine's backoff, shared by all sinks.
type RetryConfig struct {
	// Base bounds the first retry delay; each retry doubles the bound.
	Base time.Duration `envconfig:"RETRY_BASE" default:"200ms" desc:"first retry delay bound (exponential backoff with full jitter)"`
	// Max caps the retry delay bound.
	Max time.Duration `envconfig:"RETRY_MAX" default:"30s" desc:"largest retry delay"`
	// ConfigDelay is the slow retry after a configuration error (bad token).
	ConfigDelay time.Duration `envconfig:"RETRY_CONFIG_DELAY" default:"30s" desc:"retry interval while a sink reports a configuration error (it is unready meanwhile)"`
}

// Validate reports every problem at once; it changes nothing.
func (r RetryConfig) Validate() error {
	var errs []error
	if r.Base <= 0 {
		errs = append(errs, fmt.Errorf(envPrefix+"RETRY_BASE: must be positive, got %s", r.Base))
	}
	if r.Max < r.Base {
		errs = append(errs, fmt.Errorf(envPrefix+"RETRY_MAX: must be at least RETRY_BASE (%s), got %s", r.Base, r.Max))
	}
	if r.ConfigDelay <= 0 {
		errs = append(errs, fmt.Errorf(envPrefix+"RETRY_CONFIG_DELAY: must be positive, got %s", r.ConfigDelay))
	}
	return errors.Join(errs...)
}

// DefaultSpoolConfig, DefaultBatchConfig and DefaultRetryConfig return the
// documented defaults (the same as the default tags), for tests and callers
// that do not read the environment.
func DefaultSpoolConfig(dataDir string) SpoolConfig {
	return SpoolConfig{DataDir: dataDir, MaxBytes: 10 << 30, Sync: "1s", DedupWindow: 10 * time.Minute,
		MsgBytes: 786432, MsgEvents: 500, AckWait: 30 * time.Second, DLQMaxBytes: 256 << 20, DLQFull: DLQFullDropOldest}
}

// DefaultBatchConfig returns the default batching.
func DefaultBatchConfig() BatchConfig {
	return BatchConfig{Events: 500, Bytes: 4 << 20, Wait: time.Second, Timeout: 30 * time.Second}
}

// DefaultRetryConfig returns the default backoff.
func DefaultRetryConfig() RetryConfig {
	return RetryConfig{Base: 200 * time.Millisecond, Max: 30 * time.Second, ConfigDelay: 30 * time.Second}
}

// checkSinkName rejects names that cannot be a subject token or consumer name.
func checkSinkName(name string) error {
	ok := len(name) >= 1 && len(name) <= 64
	for _, r := range name {
		ok = ok && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-')
	}
	if !ok {
		return fmt.Errorf("bridge: sink name %q: want 1-64 letters, digits, '_' or '-'", name)
	}
	return nil
}
