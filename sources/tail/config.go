package tail

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// Config of the file tail source. Tags name the variables without the
// AUDITBRIDGE_ prefix.
type Config struct {
	// Paths are comma-separated globs (filepath.Match syntax). Empty = off.
	Paths string `envconfig:"TAIL_PATHS" desc:"files to follow, comma-separated globs (e.g. /var/log/vault/audit.log,/var/log/tfe/*.log); empty = off"`
	// PollInterval is how often files are checked for new lines and globs
	// for new files.
	PollInterval time.Duration `envconfig:"TAIL_POLL_INTERVAL" default:"250ms" desc:"how often followed files and globs are checked"`
	// StartAt is where a file without a checkpoint is read from.
	StartAt string `envconfig:"TAIL_START_AT" default:"beginning" desc:"where a file seen for the first time is read from: beginning|end"`
	// MaxLineBytes bounds one line; a longer one is skipped and logged.
	MaxLineBytes int `envconfig:"TAIL_MAX_LINE_BYTES" default:"4194304" desc:"longest line in bytes; a longer one is skipped and logged"`
	// BatchEvents bounds the events of one publish.
	BatchEvents int `envconfig:"TAIL_BATCH_EVENTS" default:"500" desc:"most lines published to the spool at once"`
	// CheckpointName names this replica's checkpoint in the KV bucket.
	CheckpointName string `envconfig:"TAIL_CHECKPOINT_NAME" default:"default" desc:"name of this replica's checkpoint (KV key tail.<name>); replicas sharing a spool need distinct names"`
}

// DefaultConfig is the defaults of the tags with paths filled in.
func DefaultConfig(paths ...string) Config {
	return Config{Paths: strings.Join(paths, ","), PollInterval: 250 * time.Millisecond, StartAt: "beginning",
		MaxLineBytes: 4 << 20, BatchEvents: 500, CheckpointName: "default"}
}

// Enabled reports whether any path is set.
func (c Config) Enabled() bool { return len(c.Globs()) > 0 }

// Globs returns the configured patterns, trimmed, empties skipped.
func (c Config) Globs() []string {
	var out []string
	for _, p := range strings.Split(c.Paths, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Validate reports every problem at once; it changes nothing.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("AUDITBRIDGE_"+name+": "+format, args...))
	}
	if len(c.Globs()) == 0 {
		bad("TAIL_PATHS", "no path")
	}
	for _, g := range c.Globs() {
		if _, err := filepath.Match(g, ""); err != nil {
			bad("TAIL_PATHS", "bad pattern %q: %v", g, err)
		}
	}
	if c.PollInterval <= 0 {
		bad("TAIL_POLL_INTERVAL", "must be positive, got %s", c.PollInterval)
	}
	if c.StartAt != "beginning" && c.StartAt != "end" {
		bad("TAIL_START_AT", "must be beginning or end, got %q", c.StartAt)
	}
	if c.MaxLineBytes < 1024 {
		bad("TAIL_MAX_LINE_BYTES", "must be at least 1024, got %d", c.MaxLineBytes)
	}
	if c.BatchEvents < 1 {
		bad("TAIL_BATCH_EVENTS", "must be at least 1, got %d", c.BatchEvents)
	}
	if strings.TrimSpace(c.CheckpointName) == "" {
		bad("TAIL_CHECKPOINT_NAME", "must not be empty")
	}
	return errors.Join(errs...)
}
