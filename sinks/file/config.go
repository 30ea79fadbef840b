package file

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/auditbridge/auditbridge/normalize"
)

// Config of the file sink.
type Config struct {
	// Path is the file events are appended to. Its directory must exist.
	Path string `envconfig:"FILE_PATH" required:"true" desc:"file the events are appended to as NDJSON (its directory must exist)"`
	// Format is the rendering of each line.
	Format normalize.Format `envconfig:"FILE_FORMAT" default:"native" desc:"rendering of each line: native, ecs, ocsf or cim"`
}

// Validate reports every problem at once; it changes nothing.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Path) == "" {
		errs = append(errs, errors.New("AUDITBRIDGE_FILE_PATH: must be set"))
	}
	if err := validFormat(c.Format); err != nil {
		errs = append(errs, fmt.Errorf("AUDITBRIDGE_FILE_FORMAT: %w", err))
	}
	return errors.Join(errs...)
}

// StdoutConfig of the stdout sink.
type StdoutConfig struct {
	// Format is the rendering of each line.
	Format normalize.Format `envconfig:"STDOUT_FORMAT" default:"native" desc:"rendering of each line written to stdout: native, ecs, ocsf or cim"`
}

// Validate reports every problem at once; it changes nothing.
func (c StdoutConfig) Validate() error {
	if err := validFormat(c.Format); err != nil {
		return fmt.Errorf("AUDITBRIDGE_STDOUT_FORMAT: %w", err)
	}
	return nil
}

func validFormat(f normalize.Format) error {
	if f == "" {
		return nil // native
	}
	if !slices.Contains(normalize.Formats(), f) {
		return fmt.Errorf("%q is not one of native, ecs, ocsf, cim", string(f))
	}
	return nil
}
